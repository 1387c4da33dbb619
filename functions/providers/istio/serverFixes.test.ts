import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';

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
