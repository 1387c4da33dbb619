import type { MeshMembership, ProviderFix } from '../model/types';
import { evaluateModel } from '../rules/engine';
import { client, model, server, shippedPolicy } from '../../../test/support/model';

const NOW = new Date('2026-11-26T00:00:00Z');
const ORDERS_API = 'istio:orders/Deployment/orders-api:8080';

const namespaceStrict = (ids: string[]): ProviderFix => ({
  action: 'istio.peerauthentication.set-strict',
  change: {
    operation: 'merge-patch',
    target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'orders', name: 'default' },
    patch: { spec: { mtls: { mode: 'STRICT' } } },
  },
  affectsServers: ids,
  blockers: [],
});

/** What `kubectl get ns legacy-batch` gives the Istio provider: a namespace with no injection label. */
const legacyBatch: MeshMembership = {
  id: 'istio:legacy-batch/Namespace/legacy-batch',
  provider: 'istio',
  resource: { kind: 'Namespace', name: 'legacy-batch', namespace: 'legacy-batch', file: 'k8s/namespaces.yaml', line: 43 },
  inMesh: false,
  reason: 'namespace legacy-batch has neither istio-injection=enabled, an istio.io/rev label nor istio.io/dataplane-mode=ambient',
};

const ordersApi = () => server({ name: 'orders-api', namespace: 'orders', mode: 'PERMISSIVE', fix: namespaceStrict([ORDERS_API]) });

function notStrict(m: ReturnType<typeof model>, policy = shippedPolicy()) {
  return evaluateModel(m, policy, NOW).find((f) => f.rule === 'mtls-not-strict')!.remediation!;
}

describe('a server going STRICT while the audited mesh has workloads without sidecars', () => {
  // istio.io "Mutual TLS Migration": curl in the sidecar-less `legacy` namespace is refused once httpbin is STRICT.
  it('needs approval: a workload without a sidecar may call it in plaintext, in any namespace', () => {
    const r = notStrict(model({ servers: [ordersApi()], membership: [legacyBatch] }));
    expect(r.mode).toBe('approval');
    expect(r.reason).toMatch(/Namespace legacy-batch has no sidecar and may call Deployment orders\/orders-api port 8080 in plaintext/);
  });

  it('gives one reason for many sidecar-less namespaces, naming three and counting the rest', () => {
    const batches = ['legacy-batch', 'reports', 'etl', 'backfill', 'exports'].map((ns): MeshMembership => ({ ...legacyBatch, id: `istio:${ns}/Namespace/${ns}`, resource: { kind: 'Namespace', name: ns, namespace: ns } }));
    const r = notStrict(model({ servers: [ordersApi()], membership: batches }));
    expect(r.mode).toBe('approval');
    expect(r.reason).toBe(
      'preconditions do not hold: 5 workloads or namespaces without a sidecar (Namespace legacy-batch, Namespace reports, Namespace etl, and 2 more) may call Deployment orders/orders-api port 8080 in plaintext',
    );
  });

  it('stays auto when the only sidecar-less namespaces are the platform\'s own (kube-system, gke-managed-*)', () => {
    const platform = ['kube-system', 'gke-managed-cim', 'cert-manager'].map((ns): MeshMembership => ({ ...legacyBatch, id: `istio:${ns}/Namespace/${ns}`, resource: { kind: 'Namespace', name: ns, namespace: ns } }));
    expect(notStrict(model({ servers: [ordersApi()], membership: platform })).mode).toBe('auto');
  });

  // An exclusion says whom not to tell; a namespace is often excluded because it is known to run
  // without sidecars, which is the very caller STRICT cuts off.
  it('still needs approval when mesh-sidecar-missing excludes the namespace of a sidecar-less workload', () => {
    const poller: MeshMembership = {
      id: 'istio:default/Deployment/order-poller',
      provider: 'istio',
      resource: { kind: 'Deployment', name: 'order-poller', namespace: 'default', file: 'k8s/poller.yaml', line: 1 },
      inMesh: false,
      reason: 'namespace default has no istio-injection label',
    };
    const policy = shippedPolicy();
    policy.rules['mesh-sidecar-missing'].exclude = [{ namespace: 'default', reason: 'known, migrates in Q1' }, { namespace: 'legacy-*', reason: 'known' }];
    for (const membership of [[poller], [legacyBatch]]) {
      const r = notStrict(model({ servers: [ordersApi()], membership }), policy);
      expect(r.mode).toBe('approval');
      expect(r.reason).toMatch(/has no sidecar and may call Deployment orders\/orders-api port 8080 in plaintext/);
    }
  });

  it('does not hold back a change that accepts no plaintext today (TLS without client certificates)', () => {
    const ledger = server({
      id: 'appmesh:prod-mesh/VirtualNode/ledger:8443',
      provider: 'appmesh',
      name: 'ledger',
      mode: 'TLS_NO_CLIENT_AUTH',
      fix: { ...namespaceStrict(['appmesh:prod-mesh/VirtualNode/ledger:8443']), action: 'appmesh.listener.set-strict' },
    });
    expect(notStrict(model({ servers: [ledger], membership: [legacyBatch] })).mode).toBe('auto');
  });
});

describe('a client fix whose destination has no server in the audit', () => {
  // A MESH_INTERNAL ServiceEntry of a VM, or a Service whose pods the audit did not read: nothing says a sidecar takes mTLS there.
  it('needs approval: nothing shows a proxy there to accept mTLS', () => {
    const c = client({
      name: 'billing-vm',
      sends: 'PLAINTEXT',
      reason: 'DISABLE',
      to: ['billing.payments.internal'],
      inMeshDestination: true,
      fix: { action: 'istio.destinationrule.set-istio-mutual', change: {}, affectsServers: [], affectsClients: ['istio:dr:checkout/billing-vm:billing.payments.internal'], blockers: [] },
    });
    const f = evaluateModel(model({ clients: [c] }), shippedPolicy(), NOW).find((x) => x.rule === 'mtls-client-not-enforced')!;
    expect(f.remediation).toMatchObject({ mode: 'approval', reason: expect.stringMatching(/no server behind billing\.payments\.internal is in this audit/) });
  });
});
