import type { ClientSends, ServerMode } from '../model/types';
import { evaluateModel } from './engine';
import { conflictBetween } from './mtls-conflict';
import { client, model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

describe('conflictBetween', () => {
  const table: Array<[ClientSends, ServerMode, boolean]> = [
    ['PLAINTEXT', 'STRICT', true],
    ['TLS', 'STRICT', true],
    ['MTLS', 'STRICT', false],
    ['AUTO', 'STRICT', false],
    ['MTLS', 'DISABLED', true],
    ['TLS', 'DISABLED', true],
    ['PLAINTEXT', 'DISABLED', false],
    ['AUTO', 'DISABLED', false],
    ['PLAINTEXT', 'PERMISSIVE', false],
    ['MTLS', 'PERMISSIVE', false],
    ['PLAINTEXT', 'TLS_NO_CLIENT_AUTH', true],
    ['TLS', 'TLS_NO_CLIENT_AUTH', false],
  ];
  it.each(table)('%s toward %s conflicts: %s', (sends, mode, conflicts) => {
    expect(conflictBetween(sends, { mode, inMesh: true }) !== undefined).toBe(conflicts);
  });

  // A Service Istio takes for plaintext-only gets a cluster without TLS, whatever its workloads' own policies say.
  it.each<[ServerMode, boolean]>([
    ['STRICT', true],
    ['PERMISSIVE', false],
    ['DISABLED', false],
  ])('AUTO toward a %s workload whose Service auto mTLS sends plaintext conflicts: %s', (mode, conflicts) => {
    const why = conflictBetween('AUTO', { mode, inMesh: true, autoMtls: { sends: 'PLAINTEXT', reason: 'namespace payments is DISABLE' } });
    expect(why !== undefined).toBe(conflicts);
    if (conflicts) expect(why).toContain('namespace payments is DISABLE');
  });

  it.each<[ClientSends, boolean, boolean]>([
    ['MTLS', true, true],
    // MUTUAL or SIMPLE with certificates of the client's own may reach an application serving TLS itself.
    ['MTLS', false, false],
    ['TLS', false, false],
    ['PLAINTEXT', false, false],
    ['AUTO', true, false],
  ])('%s (mesh identity: %s) toward a server without a sidecar conflicts: %s', (sends, meshIdentity, conflicts) => {
    expect(conflictBetween(sends, { mode: 'STRICT', inMesh: false }, meshIdentity) !== undefined).toBe(conflicts);
  });
});

describe('mtls-conflict', () => {
  it('names the client as resource and the server in detail, checked per workload port', () => {
    const strict = server({ name: 'payments-api', resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080 } });
    const metrics = server({ name: 'payments-api', id: 'istio:payments/Deployment/payments-api:9090', mode: 'DISABLED', resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 9090 } });
    const dr = client({ name: 'payments-plaintext', sends: 'PLAINTEXT', reason: 'DISABLE', to: ['payments-api.payments.svc.cluster.local'], destination: { hosts: ['payments-api.payments.svc.cluster.local'], serverIds: [strict.id, metrics.id] } });
    const findings = evaluateModel(model({ servers: [strict, metrics], clients: [dr] }), shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict');
    expect(findings).toHaveLength(1);
    expect(findings[0].resource).toMatchObject({ kind: 'DestinationRule', name: 'payments-plaintext', namespace: 'checkout', file: 'k8s/checkout-dr.yaml', line: 7 });
    expect(findings[0].detail.server).toMatchObject({ name: 'payments-api', port: 8080, mode: 'STRICT' });
    expect(findings[0].severity).toBe('critical');
  });

  it('lets plaintext reach a server outside the mesh, whatever its policy says', () => {
    const s = server({ name: 'batch', inMesh: false });
    const c = client({ name: 'to-batch', sends: 'PLAINTEXT', to: s.hosts });
    expect(evaluateModel(model({ servers: [s], clients: [c] }), shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
  });

  it('reports mTLS toward a server without a sidecar: the application gets a handshake it cannot read', () => {
    const s = server({ name: 'batch', inMesh: false });
    const c = client({ name: 'to-batch', sends: 'MTLS', reason: 'ISTIO_MUTUAL', to: s.hosts, meshIdentity: true });
    const findings = evaluateModel(model({ servers: [s], clients: [c] }), shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('has no sidecar to take it');
    expect(findings[0].detail.server).toMatchObject({ name: 'batch', inMesh: false });
  });

  it('matches an Envoy cluster to an Istio server by host', () => {
    const s = server({ name: 'checkout', namespace: 'checkout' });
    const envoy = client({
      name: 'checkout_upstream',
      provider: 'envoy',
      sends: 'TLS',
      reason: 'UpstreamTlsContext without a client certificate',
      resource: { kind: 'Cluster', name: 'checkout_upstream', port: 8443, file: 'edge/envoy.yaml', line: 40 },
      to: ['checkout.checkout.svc.cluster.local'],
    });
    const findings = evaluateModel(model({ servers: [s], clients: [envoy] }), shippedPolicy(), NOW);
    expect(findings.map((f) => f.rule).sort()).toEqual(['mtls-client-not-enforced', 'mtls-conflict']);
  });
});
