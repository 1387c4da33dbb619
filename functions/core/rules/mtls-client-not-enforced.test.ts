import type { ClientSends } from '../model/types';
import { evaluateModel } from './engine';
import { client, model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');
const run = (m: ReturnType<typeof model>) => evaluateModel(m, shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-client-not-enforced');

describe('mtls-client-not-enforced', () => {
  const payments = server({ name: 'payments-api', mode: 'PERMISSIVE' });
  const table: Array<[ClientSends, boolean]> = [
    ['PLAINTEXT', true],
    ['TLS', true],
    ['MTLS', false],
    ['AUTO', false],
  ];
  it.each(table)('a client sending %s to an in-mesh host is reported: %s', (sends, reported) => {
    const c = client({ name: 'payments', sends, to: payments.hosts });
    expect(run(model({ servers: [payments], clients: [c] })).length).toBe(reported ? 1 : 0);
  });

  it('is reported even when the server accepts the plaintext (PERMISSIVE)', () => {
    const c = client({ name: 'payments', sends: 'PLAINTEXT', reason: 'DISABLE', to: payments.hosts });
    const [f] = run(model({ servers: [payments], clients: [c] }));
    expect(f.resource).toMatchObject({ kind: 'DestinationRule', name: 'payments', namespace: 'checkout' });
    expect(f.detail).toMatchObject({ sends: 'PLAINTEXT', reason: 'DISABLE', destination: ['payments-api.payments.svc.cluster.local'] });
  });

  it('skips destinations outside the mesh (MESH_EXTERNAL) and unknown hosts', () => {
    const ext = client({ name: 'stripe', sends: 'TLS', reason: 'SIMPLE', to: ['api.stripe.com'], inMeshDestination: false });
    const unknown = client({ name: 'somewhere', sends: 'PLAINTEXT', to: ['somewhere.example.com'] });
    expect(run(model({ servers: [payments], clients: [ext, unknown] }))).toEqual([]);
  });

  it('trusts the provider when it knows the destination is in the mesh', () => {
    const c = client({ name: 'ledger', provider: 'appmesh', sends: 'PLAINTEXT', reason: 'no client policy', to: ['ledger.prod-mesh.local'], inMeshDestination: true });
    expect(run(model({ clients: [c] }))).toHaveLength(1);
  });
});

describe('mtls-client-not-enforced and servers without sidecars', () => {
  it('does not report a client whose only destination workloads have no sidecar, whatever the provider guessed', () => {
    const outside = server({ name: 'orders-api', namespace: 'orders', inMesh: false });
    const c = client({ name: 'orders', sends: 'PLAINTEXT', to: outside.hosts, inMeshDestination: true });
    expect(run(model({ servers: [outside], clients: [c] }))).toEqual([]);
  });
});
