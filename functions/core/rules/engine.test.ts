import { evaluateModel } from './engine';
import { client, model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

describe('the rules engine', () => {
  const fleet = model({
    servers: [server({ name: 'payments-api', mode: 'PERMISSIVE' }), server({ name: 'orders', namespace: 'orders', mode: 'DISABLED' })],
    clients: [client({ name: 'orders-plain', sends: 'MTLS', to: ['orders.orders.svc.cluster.local'] })],
    membership: [{ id: 'm1', provider: 'istio', inMesh: false, reason: 'no istio-injection label', resource: { kind: 'Namespace', name: 'legacy', namespace: 'legacy', file: 'ns.yaml', line: 1 } }],
    problems: [{ file: 'broken.yaml', line: 12, message: 'invalid YAML: bad indentation' }],
  });

  it('orders findings by severity, then rule', () => {
    const f = evaluateModel(fleet, shippedPolicy(), NOW);
    expect(f.map((x) => x.severity)).toEqual([...f.map((x) => x.severity)].sort((a, b) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(a) - ['critical', 'high', 'medium', 'low', 'info'].indexOf(b)));
    expect(f.map((x) => x.rule)).toEqual(['mtls-conflict', 'config-invalid', 'mtls-not-strict', 'mtls-not-strict', 'mesh-sidecar-missing']);
  });

  it('skips disabled rules, applies severity overrides and exclusions', () => {
    const policy = shippedPolicy();
    policy.rules['mesh-sidecar-missing'].enabled = false;
    policy.rules['mtls-not-strict'].severity = 'low';
    policy.rules['mtls-not-strict'].exclude = [{ namespace: 'ord*' }];
    const f = evaluateModel(fleet, policy, NOW);
    expect(f.filter((x) => x.rule === 'mesh-sidecar-missing')).toEqual([]);
    expect(f.filter((x) => x.rule === 'mtls-not-strict').map((x) => [x.resource.name, x.severity])).toEqual([['payments-api', 'low']]);
  });

  it('reports a config problem with its file and line', () => {
    const [f] = evaluateModel(fleet, shippedPolicy(), NOW).filter((x) => x.rule === 'config-invalid');
    expect(f.resource).toMatchObject({ file: 'broken.yaml', line: 12 });
    expect(f.message).toContain('broken.yaml:12');
  });
});
