import { bobsPeerAuthenticationPatch as bobsPatch } from '../../../test/support/observed-istio-change';
import { checkObservedChange } from './observed-change-shape';


test('a well-formed observation passes, and so does a delete (object null)', () => {
  expect(checkObservedChange(bobsPatch())).toBeUndefined();
  expect(checkObservedChange({ ...bobsPatch(), verb: 'delete', object: null })).toBeUndefined();
});

test.each([
  ['not an object', () => 'chg-1', 'observedChange'],
  ['an id that is no change id', (c: any) => ({ ...c, id: 'gke/7e2b9c41' }), 'observedChange.id'],
  ['a read verb', (c: any) => ({ ...c, verb: 'get' }), 'observedChange.verb'],
  ['a kind meshgov does not observe', (c: any) => ({ ...c, kind: 'VirtualService' }), 'observedChange.kind'],
  ['a time that is no date', (c: any) => ({ ...c, at: 'yesterday' }), 'observedChange.at'],
  ['services that are no ledger keys', (c: any) => ({ ...c, services: ['payments-api'] }), 'observedChange.services'],
  ['an object of another name', (c: any) => ({ ...c, object: { ...c.object, metadata: { ...c.object.metadata, name: 'strict' } } }), 'observedChange.object'],
  ['an object without spec', (c: any) => ({ ...c, object: { ...c.object, spec: undefined } }), 'observedChange.object'],
] as Array<[string, (c: any) => unknown, string]>)('%s is refused, naming the field', (_name, vary, field) => {
  expect(checkObservedChange(vary(bobsPatch()))).toMatchObject({ field });
});
