import { applyMergePatch, changedPaths, mergePatchBetween, patchSetting, unheldFields } from './merge-patch';

describe('unheldFields: does a JSON merge patch hold on an object', () => {
  const rule = { spec: { host: 'ledger.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] } } };
  test.each([
    ['a set value that is there', { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }, []],
    ['a set value that differs', { spec: { trafficPolicy: { tls: { mode: 'SIMPLE' } } } }, ['spec.trafficPolicy.tls.mode']],
    ['a cleared field that is gone', { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: null } } } }, []],
    ['a cleared field that is still there', { spec: { host: null } }, ['spec.host']],
    ['a list, compared whole', { spec: { trafficPolicy: { portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'ISTIO_MUTUAL' } }] } } }, ['spec.trafficPolicy.portLevelSettings']],
    ['a path through a missing object', { spec: { selector: { matchLabels: { app: 'ledger' } } } }, ['spec.selector.matchLabels.app']],
  ])('%s', (_name, patch, unheld) => {
    expect(unheldFields(patch, rule)).toEqual(unheld);
  });
});

test('mergePatchBetween turns one spec into another, clearing what the target lacks', () => {
  const from = { mtls: { mode: 'STRICT' }, portLevelMtls: { '9090': { mode: 'DISABLE' } }, selector: { matchLabels: { app: 'ledger' } } };
  const to = { mtls: { mode: 'PERMISSIVE' }, selector: { matchLabels: { app: 'ledger' } } };
  expect(mergePatchBetween(from, to)).toEqual({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: null });
  expect(mergePatchBetween(to, to)).toEqual({});
  expect(unheldFields(mergePatchBetween(from, to), to)).toEqual([]);
});

test('changedPaths and patchSetting undo exactly the fields a change moved', () => {
  const before = { trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'ledger.payments.svc.cluster.local' }, connectionPool: { tcp: { maxConnections: 100 } } } };
  const after = { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { tcp: { maxConnections: 100 } } } };
  const paths = changedPaths(before, after);
  expect(paths.sort()).toEqual(['trafficPolicy.tls.mode', 'trafficPolicy.tls.sni']);
  expect(patchSetting(paths, before)).toEqual({ trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'ledger.payments.svc.cluster.local' } } });
  expect(patchSetting(['mtls.mode', 'portLevelMtls'], { mtls: { mode: 'PERMISSIVE' } })).toEqual({ mtls: { mode: 'PERMISSIVE' }, portLevelMtls: null });
});

test('applyMergePatch: objects merge, null deletes, lists and scalars replace (RFC 7386), and the target is left as it is', () => {
  const before = { host: 'ledger.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'ledger' }, portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] } };
  const copy = structuredClone(before);
  const patch = { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: null }, portLevelSettings: [] }, exportTo: ['.'] };
  expect(applyMergePatch(before, patch)).toEqual({ host: 'ledger.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [] }, exportTo: ['.'] });
  expect(before).toEqual(copy);
  // A patch applied to what it was made from gives what it was made for.
  const after = { host: before.host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } };
  expect(applyMergePatch(before, mergePatchBetween(before, after))).toEqual(after);
  expect(applyMergePatch(undefined, { mtls: { mode: 'STRICT' } })).toEqual({ mtls: { mode: 'STRICT' } });
});
