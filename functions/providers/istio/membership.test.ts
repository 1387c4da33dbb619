import { deployment, istioModelOf } from './testInventory';

const namespace = (name: string, labels: Record<string, string> = {}) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
${Object.keys(labels).length > 0 ? `  labels:\n${Object.entries(labels).map(([k, v]) => `    ${k}: ${v}`).join('\n')}\n` : ''}`;

// Something that shows Istio is installed, so the provider reads the fleet at all.
const meshPolicy = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
`;

const docs = (...parts: string[]) => parts.join('---\n');

/** A running orders-api Pod without a sidecar, owned by the Deployment's ReplicaSet. */
const runningPod = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: orders-api-5f7c9d8b6-kq2lz
  namespace: orders
  labels:
    app: orders-api
    pod-template-hash: 5f7c9d8b6
${Object.entries(labels).map(([k, v]) => `    ${k}: ${v}\n`).join('')}${Object.keys(annotations).length > 0 ? `  annotations:\n${Object.entries(annotations).map(([k, v]) => `    ${k}: ${v}\n`).join('')}` : ''}  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: orders-api-5f7c9d8b6
    uid: 3c1f0a9e-6b2d-4e7f-8a5c-1d9e2b7f4a60
    controller: true
    blockOwnerDeletion: true
spec:
  containers:
  - name: orders-api
    image: registry.example.com/orders/orders-api:1.4.2
status:
  phase: Running
`;

describe('namespace sidecar injection', () => {
  it.each<{ labels: Record<string, string>; inMesh: boolean; reason?: RegExp }>([
    { labels: { 'istio-injection': 'enabled' }, inMesh: true },
    { labels: { 'istio.io/rev': 'prod-1-24' }, inMesh: true },
    { labels: { 'istio-injection': 'disabled' }, inMesh: false, reason: /istio-injection=disabled/ },
    { labels: { 'istio-injection': 'disabled', 'istio.io/rev': 'prod-1-24' }, inMesh: false, reason: /istio-injection=disabled/ },
    { labels: { 'kubernetes.io/metadata.name': 'orders' }, inMesh: false, reason: /neither istio-injection=enabled, an istio.io\/rev label nor istio.io\/dataplane-mode=ambient/ },
    { labels: { 'istio.io/dataplane-mode': 'ambient' }, inMesh: true },
    { labels: { 'istio-injection': 'disabled', 'istio.io/dataplane-mode': 'ambient' }, inMesh: true },
  ])('labels $labels → in mesh: $inMesh', ({ labels, inMesh, reason }) => {
    const model = istioModelOf(docs(meshPolicy, namespace('orders', labels), deployment('orders', 'orders-api')), 'k8s/orders.yaml');
    expect(model.servers.find((s) => s.id === 'istio:orders/Deployment/orders-api:8080')!.inMesh).toBe(inMesh);
    const entry = model.membership.find((m) => m.resource.kind === 'Namespace');
    if (inMesh) {
      expect(entry).toBeUndefined();
    } else {
      expect(entry).toMatchObject({
        id: 'istio:orders/Namespace/orders',
        provider: 'istio',
        inMesh: false,
        resource: { kind: 'Namespace', name: 'orders', namespace: 'orders', file: 'k8s/orders.yaml', line: 10 },
      });
      expect(entry!.reason).toMatch(reason!);
      // The namespace entry covers its workloads: no second entry per Deployment.
      expect(model.membership).toHaveLength(1);
    }
  });

  it('a namespace with no Namespace object in the inputs is in the mesh', () => {
    const model = istioModelOf(docs(meshPolicy, deployment('payments', 'payments-api')));
    expect(model.servers[0]!.inMesh).toBe(true);
    expect(model.membership).toEqual([]);
  });

  it('skips App Mesh namespaces and everything in them', () => {
    const model = istioModelOf(
      docs(
        meshPolicy,
        namespace('checkout', { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled', mesh: 'prod-mesh' }),
        namespace('ledger', { mesh: 'prod-mesh' }),
        deployment('checkout', 'checkout-api'),
        deployment('ledger', 'ledger-api'),
      ),
    );
    expect(model.membership).toEqual([]);
    expect(model.servers).toEqual([]);
  });

  it('a pod template opting out with sidecar.istio.io/inject: "false" puts the workload outside the mesh', () => {
    const model = istioModelOf(
      docs(
        meshPolicy,
        namespace('orders', { 'istio-injection': 'enabled' }),
        deployment('orders', 'legacy-batch', { annotations: { 'sidecar.istio.io/inject': 'false' } }),
        deployment('orders', 'orders-api'),
      ),
    );
    expect(model.membership).toEqual([
      expect.objectContaining({
        id: 'istio:orders/Deployment/legacy-batch',
        inMesh: false,
        resource: expect.objectContaining({ kind: 'Deployment', name: 'legacy-batch', namespace: 'orders' }),
        reason: expect.stringContaining('sidecar.istio.io/inject: "false"'),
      }),
    ]);
    expect(model.servers.find((s) => s.id.includes('legacy-batch'))!.inMesh).toBe(false);
    expect(model.servers.find((s) => s.id.includes('orders-api'))!.inMesh).toBe(true);
  });

  it('the opt-out label works like the annotation', () => {
    const model = istioModelOf(
      docs(meshPolicy, namespace('orders', { 'istio-injection': 'enabled' }), deployment('orders', 'cron', { labels: { app: 'cron', 'sidecar.istio.io/inject': 'false' } })),
    );
    expect(model.membership.map((m) => m.id)).toEqual(['istio:orders/Deployment/cron']);
  });

  it('the label wins over the annotation, as the injector prefers it; any value but yes opts out', () => {
    const model = istioModelOf(
      docs(
        meshPolicy,
        namespace('orders', { 'istio-injection': 'enabled' }),
        deployment('orders', 'cart', { labels: { app: 'cart', 'sidecar.istio.io/inject': 'true' }, annotations: { 'sidecar.istio.io/inject': 'false' } }),
        deployment('orders', 'reports', { labels: { app: 'reports', 'sidecar.istio.io/inject': 'no' }, annotations: { 'sidecar.istio.io/inject': 'true' } }),
        deployment('orders', 'billing', { annotations: { 'sidecar.istio.io/inject': 'True' } }),
      ),
    );
    expect(model.servers.filter((s) => s.inMesh).map((s) => s.resource.name).sort()).toEqual(['billing', 'cart']);
    expect(model.membership).toEqual([expect.objectContaining({ id: 'istio:orders/Deployment/reports', reason: expect.stringContaining('sidecar.istio.io/inject: "no"') })]);
  });

  it('kube-system and the other namespaces the injector ignores get no sidecar, whatever their labels', () => {
    const model = istioModelOf(
      docs(
        meshPolicy,
        namespace('kube-system', { 'istio-injection': 'enabled' }),
        deployment('kube-system', 'metrics-agent'),
        deployment('kube-node-lease', 'lease-probe'),
        deployment('orders', 'orders-api'),
      ),
    );
    expect(model.servers.map((s) => [s.resource.name, s.inMesh])).toEqual([
      ['metrics-agent', false],
      ['lease-probe', false],
      ['orders-api', true],
    ]);
    // Reported where the namespace was labelled for injection; kube-node-lease (no Namespace object) is just outside.
    expect(model.membership).toEqual([expect.objectContaining({ id: 'istio:kube-system/Deployment/metrics-agent', reason: expect.stringContaining("Istio never injects a sidecar into namespace kube-system") })]);
  });

  it('a pod labelled sidecar.istio.io/inject: "true" is injected in a namespace without injection labels', () => {
    const model = istioModelOf(
      docs(meshPolicy, namespace('tools'), deployment('tools', 'debug', { labels: { app: 'debug', 'sidecar.istio.io/inject': 'true' } }), deployment('tools', 'plain')),
    );
    expect(model.servers.find((s) => s.id.includes('debug'))!.inMesh).toBe(true);
    expect(model.servers.find((s) => s.id.includes('plain'))!.inMesh).toBe(false);
  });

  it('running pods without istio-proxy put their Deployment outside the mesh even in an injected namespace', () => {
    const pod = runningPod();
    const model = istioModelOf(docs(meshPolicy, namespace('orders', { 'istio-injection': 'enabled' }), deployment('orders', 'orders-api'), pod));
    expect(model.servers[0]!.inMesh).toBe(false);
    expect(model.membership).toEqual([
      expect.objectContaining({ id: 'istio:orders/Deployment/orders-api', reason: 'pod orders-api-5f7c9d8b6-kq2lz runs without an istio-proxy sidecar' }),
    ]);
  });

  describe('ambient mode (ztunnel, no sidecar)', () => {
    const ambientPod = () => runningPod({}, { 'ambient.istio.io/redirection': 'enabled' });
    const ambient = { 'istio.io/dataplane-mode': 'ambient' };

    it('running pods without a sidecar in an ambient namespace are in the mesh, with no mesh-sidecar-missing entry', () => {
      const model = istioModelOf(docs(meshPolicy, namespace('orders', ambient), deployment('orders', 'orders-api'), ambientPod()));
      expect(model.servers[0]).toMatchObject({ inMesh: true, mode: 'STRICT' });
      expect(model.membership).toEqual([]);
    });

    it('a pod labelled istio.io/dataplane-mode: none leaves the ambient namespace: its workload gets its own entry', () => {
      const optedOut = deployment('orders', 'orders-batch', { labels: { app: 'orders-batch', 'istio.io/dataplane-mode': 'none' } });
      const model = istioModelOf(docs(meshPolicy, namespace('orders', ambient), deployment('orders', 'orders-api'), optedOut));
      expect(model.servers.find((s) => s.id.includes('orders-api'))!.inMesh).toBe(true);
      expect(model.servers.find((s) => s.id.includes('orders-batch'))!.inMesh).toBe(false);
      expect(model.membership).toEqual([
        expect.objectContaining({ id: 'istio:orders/Deployment/orders-batch', reason: 'pod template of orders/Deployment/orders-batch sets istio.io/dataplane-mode: "none", leaving ambient namespace orders' }),
      ]);
    });

    it('a pod labelled istio.io/dataplane-mode: ambient joins from a namespace without labels', () => {
      const joined = deployment('orders', 'orders-api', { labels: { app: 'orders-api', 'istio.io/dataplane-mode': 'ambient' } });
      const model = istioModelOf(docs(meshPolicy, namespace('orders'), joined));
      expect(model.servers[0]!.inMesh).toBe(true);
    });

    it('sidecar injection comes first: an injected namespace labelled ambient too gives sidecars', () => {
      const model = istioModelOf(docs(meshPolicy, namespace('orders', { ...ambient, 'istio-injection': 'enabled' }), deployment('orders', 'orders-api')));
      expect(model.servers[0]).toMatchObject({ inMesh: true });
      const model2 = istioModelOf(docs(meshPolicy, namespace('orders', { ...ambient, 'istio-injection': 'enabled' }), deployment('orders', 'orders-api'), ambientPod()));
      // A running pod without a sidecar there is ztunnel's.
      expect(model2.servers[0]).toMatchObject({ inMesh: true });
    });

    it('ztunnel has no DISABLE: a DISABLE policy leaves the workload PERMISSIVE, and says why', () => {
      const disable = meshPolicy.replace('mode: STRICT', 'mode: DISABLE');
      const model = istioModelOf(docs(disable, namespace('orders', ambient), deployment('orders', 'orders-api')));
      expect(model.servers[0]).toMatchObject({ mode: 'PERMISSIVE', cause: { kind: 'PeerAuthentication', name: 'default', scope: 'mesh', field: 'mode DISABLE, which ambient mode does not support: ztunnel takes plaintext and mTLS' } });
      expect(model.servers[0]!.autoMtls).toBeUndefined();
    });
  });

  it('without any sign of Istio in the inputs the provider models nothing (an App Mesh-only fleet is not unprotected Istio)', () => {
    const model = istioModelOf(docs(namespace('orders'), deployment('orders', 'orders-api')));
    expect(model).toMatchObject({ servers: [], clients: [], membership: [], problems: [], resourceCount: 0 });
  });
});
