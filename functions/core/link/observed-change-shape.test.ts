import type { ObservedIstioChange } from './messages';
import { checkObservedChange } from './observed-change-shape';

function bobsPatch(): ObservedIstioChange {
  return {
    id: 'chg-gke-audit-7e2b9c41-5d8a-4f3e-b1c6-0a9d8e7f6c52',
    verb: 'patch',
    kind: 'PeerAuthentication',
    apiVersion: 'security.istio.io/v1',
    namespace: 'payments',
    name: 'default',
    actor: 'bob@example.com',
    at: '2026-11-20T14:47:12.483917Z',
    object: {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'payments', uid: '9b4d6f8a-2c1e-4a3b-8d5f-7e9a1c3b5d60', resourceVersion: '48213377', generation: 3 },
      spec: { mtls: { mode: 'PERMISSIVE' } },
    },
    objectFrom: 'audit-response',
    services: ['istio:payments/ledger', 'istio:payments/payments-api'],
  };
}

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
