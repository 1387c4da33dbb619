import { applyJsonPatch, JsonPatchError } from './json-patch';
import type { Json } from './types';

const destinationRule: Json = {
  spec: {
    host: 'ledger.payments.svc.cluster.local',
    trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
    subsets: [{ name: 'v1', labels: { version: 'v1' } }],
  },
};

test('add, replace, remove, move, copy and test, in order (RFC 6902 section 4)', () => {
  const patched = applyJsonPatch(destinationRule, [
    { op: 'test', path: '/spec/trafficPolicy/tls/mode', value: 'ISTIO_MUTUAL' },
    { op: 'add', path: '/spec/subsets/-', value: { name: 'v2', labels: { version: 'v2' } } },
    { op: 'replace', path: '/spec/trafficPolicy/tls/mode', value: 'DISABLE' },
    { op: 'copy', from: '/spec/subsets/0', path: '/spec/subsets/0' },
    { op: 'remove', path: '/spec/subsets/1' },
    { op: 'move', from: '/spec/host', path: '/spec/exportTo' },
    { op: 'add', path: '/metadata', value: { annotations: { 'meshgov.io/reason': 'a~b/c' } } },
  ]);
  expect(patched).toEqual({
    spec: {
      exportTo: 'ledger.payments.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'DISABLE' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
    },
    metadata: { annotations: { 'meshgov.io/reason': 'a~b/c' } },
  });
  expect(destinationRule).toEqual({ spec: { host: 'ledger.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } });
});

test('pointers escape ~ and / (RFC 6901)', () => {
  const annotated: Json = { metadata: { annotations: { 'sidecar.istio.io/inject': 'true' } } };
  expect(applyJsonPatch(annotated, [{ op: 'replace', path: '/metadata/annotations/sidecar.istio.io~1inject', value: 'false' }])).toEqual({
    metadata: { annotations: { 'sidecar.istio.io/inject': 'false' } },
  });
});

test.each([
  ['a failed test', [{ op: 'test', path: '/spec/trafficPolicy/tls/mode', value: 'STRICT' }]],
  ['a missing path', [{ op: 'replace', path: '/spec/outlierDetection/consecutive5xxErrors', value: 5 }]],
  ['removing what is absent', [{ op: 'remove', path: '/spec/exportTo' }]],
  ['an index past the end', [{ op: 'add', path: '/spec/subsets/5', value: {} }]],
  ['an unknown op', [{ op: 'merge', path: '/spec', value: {} }]],
  ['a body that is not a list', { op: 'add', path: '/spec', value: {} }],
])('%s fails the whole patch', (_case, operations) => {
  expect(() => applyJsonPatch(destinationRule, operations)).toThrow(JsonPatchError);
});
