import { applyMergePatch } from './merge-patch';
import type { Json } from './types';

// RFC 7386 Appendix A, every example.
const RFC_7386_EXAMPLES: [Json, Json, Json][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test.each(RFC_7386_EXAMPLES)('merge patch %j + %j = %j', (target, patch, expected) => {
  const before = structuredClone(target);
  expect(applyMergePatch(target, patch)).toEqual(expected);
  expect(target).toEqual(before);
});

test('a PeerAuthentication merge patch changes the mode and drops a port override', () => {
  const live: Json = { spec: { selector: { matchLabels: { app: 'ledger' } }, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } } };
  expect(applyMergePatch(live, { spec: { mtls: { mode: 'STRICT' }, portLevelMtls: null } })).toEqual({ spec: { selector: { matchLabels: { app: 'ledger' } }, mtls: { mode: 'STRICT' } } });
});
