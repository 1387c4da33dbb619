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

  /** A DISABLE DestinationRule toward a STRICT server: one ISTIO_MUTUAL change fixes its conflict and its client finding. */
  function plaintextClientFleet() {
    const strict = server({ name: 'payments-api' });
    const fix = {
      action: 'istio.destinationrule.set-istio-mutual',
      change: { operation: 'merge-patch', target: { kind: 'DestinationRule', namespace: 'checkout', name: 'payments-plain' }, patch: { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } } },
      affectsServers: [],
      blockers: [],
    };
    const plain = client({ name: 'payments-plain', sends: 'PLAINTEXT', reason: 'DISABLE', to: strict.hosts, fix });
    plain.fix!.affectsClients = [plain.id];
    const policy = shippedPolicy();
    policy.rules['mtls-conflict'].remediation = 'approval';
    policy.rules['mtls-client-not-enforced'].remediation = 'auto';
    return { fleet: model({ servers: [strict], clients: [plain] }), policy };
  }

  it('gives one change that fixes several findings the most cautious verdict among them', () => {
    const { fleet: m, policy } = plaintextClientFleet();
    const f = evaluateModel(m, policy, NOW);
    const conflict = f.find((x) => x.rule === 'mtls-conflict')!;
    const notEnforced = f.find((x) => x.rule === 'mtls-client-not-enforced')!;
    expect(conflict.remediation).toMatchObject({ mode: 'approval', reason: 'rule mtls-conflict requires approval for this change' });
    expect(notEnforced.remediation).toMatchObject({
      mode: 'approval',
      reason: 'the same change also fixes mtls-conflict on DestinationRule checkout/payments-plain, where rule mtls-conflict requires approval for this change',
    });
  });

  it('keeps the caution of a finding accepted by exclude for the change it shares with a reported one', () => {
    const { fleet: m, policy } = plaintextClientFleet();
    policy.rules['mtls-conflict'].exclude = [{ namespace: 'checkout', name: 'payments-plain', reason: 'known, cut over on Monday' }];
    const f = evaluateModel(m, policy, NOW);
    expect(f.some((x) => x.rule === 'mtls-conflict')).toBe(false);
    expect(f.find((x) => x.rule === 'mtls-client-not-enforced')!.remediation).toMatchObject({
      mode: 'approval',
      reason: 'the same change also fixes mtls-conflict on DestinationRule checkout/payments-plain, where rule mtls-conflict requires approval for this change',
    });
  });

  it('aligns the verdicts of fixes built apart that make the same change, as govern applies that change once', () => {
    // The namespace's PeerAuthentication fix, built once per workload: equal changes, different objects.
    const namespaceStrict = (blockers: string[], affectsServers: string[]) => ({
      action: 'istio.peerauthentication.set-strict',
      change: {
        operation: 'merge-patch',
        target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default' },
        patch: { spec: { mtls: { mode: 'STRICT' } } },
      },
      affectsServers,
      blockers,
    });
    const api = server({ name: 'payments-api', mode: 'PERMISSIVE' });
    const worker = server({ name: 'payments-worker', mode: 'PERMISSIVE' });
    const ids = [api.id, worker.id];
    api.fix = namespaceStrict([], ids);
    worker.fix = namespaceStrict(['Deployment legacy/batch-export sends plaintext to Deployment payments/payments-worker port 8080'], ids);
    // Another namespace's patch alike in every top-level value but the patch: a different change.
    const other = server({ name: 'ledger', mode: 'PERMISSIVE' });
    other.fix = { ...namespaceStrict([], [other.id]), change: { ...namespaceStrict([], []).change, patch: { spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } } } } };

    const f = evaluateModel(model({ servers: [api, worker, other] }), shippedPolicy(), NOW).filter((x) => x.rule === 'mtls-not-strict');
    const verdictOf = (name: string) => f.find((x) => x.resource.name === name)!.remediation!;
    expect(verdictOf('payments-worker')).toMatchObject({ mode: 'approval', reason: 'preconditions do not hold: Deployment legacy/batch-export sends plaintext to Deployment payments/payments-worker port 8080' });
    expect(verdictOf('payments-api')).toMatchObject({
      mode: 'approval',
      reason:
        'the same change also fixes mtls-not-strict on Deployment payments/payments-worker port 8080, where preconditions do not hold: Deployment legacy/batch-export sends plaintext to Deployment payments/payments-worker port 8080',
      // The held finding's blockers, which its approval's re-check compares.
      blockers: ['Deployment legacy/batch-export sends plaintext to Deployment payments/payments-worker port 8080'],
    });
    expect(verdictOf('ledger').mode).toBe('auto');
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
