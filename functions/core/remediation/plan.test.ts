import type { ProviderFix } from '../model/types';
import { evaluateModel } from '../rules/engine';
import { client, model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

const setStrict = (ids: string[], blockers: string[] = []): ProviderFix => ({
  action: 'istio.peerauthentication.set-strict',
  change: { operation: 'merge-patch', target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default' }, patch: { spec: { mtls: { mode: 'STRICT' } } } },
  affectsServers: ids,
  blockers,
});

function remediationOf(m: ReturnType<typeof model>, policy = shippedPolicy()) {
  return evaluateModel(m, policy, NOW).find((f) => f.rule === 'mtls-not-strict')!.remediation!;
}

describe('planning a server fix', () => {
  const id = 'istio:payments/Deployment/payments-api:8080';

  it('is auto when the rule allows it and every known client sends mTLS', () => {
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id]) });
    const c = client({ name: 'mutual', sends: 'MTLS', to: s.hosts });
    const r = remediationOf(model({ servers: [s], clients: [c] }));
    expect(r).toMatchObject({ action: 'istio.peerauthentication.set-strict', mode: 'auto' });
    expect(r.change).toMatchObject({ patch: { spec: { mtls: { mode: 'STRICT' } } } });
    expect(r.reason).toMatch(/preconditions hold/);
  });

  it('needs approval when a known client sends plaintext to it', () => {
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id]) });
    const c = client({ name: 'legacy-plain', sends: 'PLAINTEXT', reason: 'DISABLE', to: s.hosts });
    const r = remediationOf(model({ servers: [s], clients: [c] }));
    expect(r.mode).toBe('approval');
    expect(r.reason).toMatch(/DestinationRule checkout\/legacy-plain sends plaintext/);
  });

  it('needs approval when a workload in scope has no sidecar (provider blocker)', () => {
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id], ['workload payments/Deployment/batch has no sidecar']) });
    expect(remediationOf(model({ servers: [s] }))).toMatchObject({ mode: 'approval', reason: expect.stringMatching(/batch has no sidecar/) });
  });

  it('follows the rule: approval-only and manual-only rules never give auto', () => {
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id]) });
    const approval = shippedPolicy();
    approval.rules['mtls-not-strict'].remediation = 'approval';
    expect(remediationOf(model({ servers: [s] }), approval).mode).toBe('approval');
    const manual = shippedPolicy();
    manual.rules['mtls-not-strict'].remediation = 'manual';
    expect(remediationOf(model({ servers: [s] }), manual).mode).toBe('manual');
  });

  it('lists at most five distinct blockers, and counts the other distinct ones', () => {
    const blockers = ['a', 'b', 'a', 'c', 'd', 'e', 'f', 'f', 'g'].map((w) => `workload payments/Deployment/${w} has no sidecar`);
    const r = remediationOf(model({ servers: [server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id], blockers) })] }));
    expect(r.reason).toBe(`preconditions do not hold: ${['a', 'b', 'c', 'd', 'e'].map((w) => `workload payments/Deployment/${w} has no sidecar`).join('; ')}; and 2 more`);
    // The full list travels with the plan, for the approval's re-check.
    expect(r.blockers).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((w) => `workload payments/Deployment/${w} has no sidecar`));
  });

  it('lists up to 20 blockers one by one; past that one entry counts and fingerprints the rest', () => {
    const callers = (n: number) => Array.from({ length: n }, (_, i) => `workload batch/Deployment/job-${String(i + 1).padStart(3, '0')} has no sidecar`);
    const plan = (blockers: string[]) => remediationOf(model({ servers: [server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id], blockers) })] }));
    expect(plan(callers(20)).blockers).toEqual(callers(20));
    const many = plan(callers(300)).blockers!;
    expect(many).toHaveLength(20);
    expect(many.slice(0, 19)).toEqual(callers(19));
    expect(many[19]).toMatch(/^and 281 more \(fingerprint [0-9a-f]{16}\)$/);
    // The same callers in another order give the same entry; one of the rest swapped for another does not.
    expect(plan([...callers(19), ...callers(300).slice(19).reverse()]).blockers![19]).toBe(many[19]);
    const swapped = [...callers(299), 'workload batch/Deployment/job-new has no sidecar'];
    expect(plan(swapped).blockers![19]).not.toBe(many[19]);
  });

  it('carries no blockers list when nothing holds it', () => {
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id]) });
    expect(remediationOf(model({ servers: [s] }))).not.toHaveProperty('blockers');
    const policy = shippedPolicy();
    policy.rules['mtls-not-strict'] = { ...policy.rules['mtls-not-strict'], remediation: 'approval' };
    expect(remediationOf(model({ servers: [s] }), policy)).not.toHaveProperty('blockers');
  });

  it('is null when no provider can fix it', () => {
    expect(evaluateModel(model({ servers: [server({ name: 'x', mode: 'PERMISSIVE' })] }), shippedPolicy(), NOW)[0].remediation).toBeNull();
  });
});

describe('planning a client fix', () => {
  it('needs approval when the destination accepts only plaintext', () => {
    const s = server({ name: 'orders', namespace: 'orders', mode: 'DISABLED' });
    const c = client({
      name: 'orders-simple',
      sends: 'TLS',
      reason: 'SIMPLE',
      to: s.hosts,
      fix: { action: 'istio.destinationrule.set-istio-mutual', change: {}, affectsServers: [], affectsClients: ['istio:dr:checkout/orders-simple:orders.orders.svc.cluster.local'], blockers: [] },
    });
    const f = evaluateModel(model({ servers: [s], clients: [c] }), shippedPolicy(), NOW).find((x) => x.rule === 'mtls-client-not-enforced')!;
    expect(f.remediation).toMatchObject({ mode: 'approval', reason: expect.stringMatching(/accepts only plaintext/) });
  });
});

describe('planning on a partial audit', () => {
  it('never gives auto when the audit saw only part of the fleet', () => {
    const id = 'istio:payments/Deployment/payments-api:8080';
    const s = server({
      name: 'payments-api',
      mode: 'PERMISSIVE',
      fix: { action: 'istio.peerauthentication.set-strict', change: {}, affectsServers: [id], blockers: [] },
    });
    const f = evaluateModel({ ...model({ servers: [s] }), partial: ['this audit read only namespace payments'] }, shippedPolicy(), NOW).find((x) => x.rule === 'mtls-not-strict')!;
    expect(f.remediation).toMatchObject({ mode: 'approval', reason: 'the preconditions across the fleet are unknown: this audit read only namespace payments' });
  });
});

describe('planning on a partial audit under a rule that requires approval', () => {
  it('says the read was partial too, so the re-check does not take the plan as made on the whole fleet', () => {
    const id = 'istio:payments/Deployment/payments-api:8080';
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id]) });
    const policy = shippedPolicy();
    policy.rules['mtls-not-strict'] = { ...policy.rules['mtls-not-strict'], remediation: 'approval' };
    const f = evaluateModel({ ...model({ servers: [s] }), partial: ['this audit read only namespace payments'] }, policy, NOW).find((x) => x.rule === 'mtls-not-strict')!;
    expect(f.remediation).toMatchObject({
      mode: 'approval',
      reason: 'rule mtls-not-strict requires approval for this change (and the preconditions across the fleet are unknown: this audit read only namespace payments)',
    });
  });
});

describe('planning on a partial audit with blockers', () => {
  it('names the blockers and says the read was partial, so the list is not taken as complete', () => {
    const id = 'istio:payments/Deployment/payments-api:8080';
    const s = server({ name: 'payments-api', mode: 'PERMISSIVE', fix: setStrict([id], ['workload payments/Deployment/batch has no sidecar']) });
    const f = evaluateModel({ ...model({ servers: [s] }), partial: ['this audit read only namespace payments'] }, shippedPolicy(), NOW).find((x) => x.rule === 'mtls-not-strict')!;
    expect(f.remediation).toMatchObject({
      mode: 'approval',
      reason: 'preconditions do not hold: workload payments/Deployment/batch has no sidecar (and the preconditions across the fleet are unknown: this audit read only namespace payments)',
      blockers: ['workload payments/Deployment/batch has no sidecar'],
    });
  });
});

describe('planning a fix only a person can make', () => {
  const id = 'appmesh:prod-mesh/VirtualNode/ledger:8443';
  const manualFix = (fix: Partial<ProviderFix>): ProviderFix => ({ ...setStrict([id]), action: 'appmesh.listener.set-strict', manualOnly: true, ...fix });

  it("says what must happen first, in the provider's words, even when the rule would allow auto", () => {
    const blocker = `listener ${id} has no TLS certificate: issue one (ACM, file or SDS) before requiring mTLS`;
    const s = server({ name: 'ledger', mode: 'TLS_NO_CLIENT_AUTH', fix: manualFix({ blockers: [blocker] }) });
    expect(remediationOf(model({ servers: [s] }))).toMatchObject({ mode: 'manual', reason: `this change needs a person: ${blocker}` });
  });

  it("puts the provider's reason first, then the blockers", () => {
    const fix = manualFix({ action: 'envoy.listener.require-client-certificate', manualReason: 'meshgov does not write Envoy static configuration', blockers: ['no trusted CA is known for listener https_ingress'] });
    const r = remediationOf(model({ servers: [server({ name: 'edge', mode: 'TLS_NO_CLIENT_AUTH', fix })] }));
    expect(r.reason).toBe('this change needs a person: meshgov does not write Envoy static configuration; no trusted CA is known for listener https_ingress');
  });

  it('still says so when the provider gave no reason', () => {
    const r = remediationOf(model({ servers: [server({ name: 'ledger', mode: 'PERMISSIVE', fix: manualFix({}) })] }));
    expect(r).toMatchObject({ mode: 'manual', reason: 'this change needs a person: meshgov cannot apply it safely' });
  });
});
