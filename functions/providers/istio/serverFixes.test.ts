import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml, serviceYaml } from './testInventory';

const NOW = new Date('2026-11-26T00:00:00Z');

const orders = (podAnnotations: string) =>
  docs(
    namespaceYaml('orders'),
    peerAuthenticationYaml('orders', 'default', 'PERMISSIVE'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    matchLabels:
      app: orders-api
  template:
    metadata:
      labels:
        app: orders-api
${podAnnotations}    spec:
      containers:
      - name: orders-api
        image: registry.example.com/orders/orders-api:5.8.1
        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        livenessProbe:
          httpGet:
            path: /livez
            port: 8080
`,
    deployment('orders', 'orders-worker', { labels: { app: 'orders-worker' }, ports: [8081] }),
  );

describe('server fixes: kubelet probes the sidecar does not rewrite', () => {
  // Istio rewrites HTTP/gRPC probes to the agent's port 15020 unless the pod opts out; then the
  // kubelet, which has no mesh certificate, probes the app port through the sidecar in plaintext.
  it('holds STRICT for a person when a workload in scope opts out of probe rewriting', () => {
    const model = istioModelOf(orders(`      annotations:\n        sidecar.istio.io/rewriteAppHTTPProbers: "false"\n`));
    const fix = model.servers.find((s) => s.id === 'istio:orders/Deployment/orders-api:8080')!.fix!;
    expect(fix.action).toBe('istio.peerauthentication.set-strict');
    expect(fix.affectsServers.sort()).toEqual(['istio:orders/Deployment/orders-api:8080', 'istio:orders/Deployment/orders-worker:8081']);
    expect(fix.blockers).toEqual([
      'orders/Deployment/orders-api sets sidecar.istio.io/rewriteAppHTTPProbers: "false": its kubelet HTTP and gRPC probes reach the sidecar in plaintext, which STRICT refuses (the pods would fail them)',
    ]);
  });

  it('leaves STRICT alone when probes are rewritten (the default)', () => {
    const model = istioModelOf(orders(''));
    expect(model.servers.find((s) => s.id === 'istio:orders/Deployment/orders-api:8080')!.fix!.blockers).toEqual([]);
  });
});

describe('server fixes: creating the namespace-wide STRICT policy', () => {
  // A PeerAuthentication called `default` may select one workload; creating the namespace-wide
  // one under that name would be refused by the API server (409 AlreadyExists).
  const shop = (...extra: string[]) =>
    docs(
      namespaceYaml('shop'),
      deployment('shop', 'api', { ports: [8080] }),
      serviceYaml('shop', 'api', [{ name: 'http', port: 80, targetPort: 8080 }]),
      deployment('shop', 'web', { ports: [8080] }),
      ...extra,
    );
  const apiFix = (yaml: string) => istioModelOf(yaml).servers.find((s) => s.id === 'istio:shop/Deployment/api:8080')!.fix!;

  it('is named default when the name is free', () => {
    expect(apiFix(shop()).change).toMatchObject({ operation: 'create', object: { metadata: { name: 'default', namespace: 'shop' } } });
  });

  it('takes the first free name when a workload policy is called default, and stays applicable', () => {
    const fix = apiFix(shop(peerAuthenticationYaml('shop', 'default', 'STRICT', { app: 'web' }), peerAuthenticationYaml('shop', 'default-2', 'STRICT', { app: 'web' })));
    expect(fix.action).toBe('istio.peerauthentication.create-strict');
    expect(fix.change).toEqual({
      operation: 'create',
      object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default-3', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } },
    });
    expect(fix.blockers).toEqual([]);
    const finding = evaluateModel(istioModelOf(shop(peerAuthenticationYaml('shop', 'default', 'STRICT', { app: 'web' }))), shippedPolicy(), NOW).find(
      (f) => f.rule === 'mtls-not-strict' && f.resource.name === 'api',
    )!;
    expect(finding.remediation).toMatchObject({
      mode: 'auto',
      reason: expect.stringMatching(/^preconditions hold/),
      change: { object: { metadata: { name: 'default-2' } } },
    });
  });
});

describe('server fixes: the mesh-wide PeerAuthentication', () => {
  // It is the default of namespaces the audit did not read as well: the fleet-wide check cannot cover them.
  const MESH_WIDE = 'the change is to the mesh-wide PeerAuthentication (root namespace istio-system): it sets the default of every namespace of the mesh, also those this audit did not read';
  // A meshed add-on in the root namespace: only a selector-less policy there, the mesh-wide one, can reach it.
  const kiali = (rootPolicy: string[]) =>
    istioModelOf(docs(namespaceYaml('istio-system'), ...rootPolicy, deployment('istio-system', 'kiali', { labels: { app: 'kiali' }, ports: [20001] }))).servers.find(
      (s) => s.id === 'istio:istio-system/Deployment/kiali:20001',
    )!.fix!;

  it('is held for a person when it would be created', () => {
    const fix = kiali([]);
    expect(fix.change).toMatchObject({ operation: 'create', object: { metadata: { namespace: 'istio-system' } } });
    expect(fix.blockers).toEqual([MESH_WIDE]);
  });

  it('is held for a person when patched from PERMISSIVE to STRICT', () => {
    const fix = kiali([peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE')]);
    expect(fix.change).toMatchObject({ target: { namespace: 'istio-system', name: 'default' } });
    expect(fix.blockers).toEqual([MESH_WIDE]);
  });

  it('is not touched to fix a server outside the root namespace: its namespace gets its own policy', () => {
    const model = istioModelOf(docs(namespaceYaml('istio-system'), namespaceYaml('orders'), peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE'), deployment('orders', 'orders-api', { labels: { app: 'orders-api' }, ports: [8080] })));
    const fix = model.servers.find((s) => s.id === 'istio:orders/Deployment/orders-api:8080')!.fix!;
    expect(fix.change).toMatchObject({ operation: 'create', object: { metadata: { namespace: 'orders' } } });
    expect(fix.blockers).toEqual([]);
  });
});
