import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';

/** orders-api serves HTTPS itself on 8443; its callers' sidecars originate TLS (SIMPLE) to it. */
const ordersFleet = (peerAuthenticationMode: 'PERMISSIVE' | 'STRICT') =>
  docs(
    namespaceYaml('orders'),
    peerAuthenticationYaml('orders', 'orders-api', peerAuthenticationMode, { app: 'orders-api' }),
    deployment('orders', 'orders-api', { labels: { app: 'orders-api' }, ports: [{ containerPort: 8443, name: 'https' }] }),
    `apiVersion: v1
kind: Service
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    app: orders-api
  ports:
  - name: https
    port: 443
    targetPort: https
`,
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: orders-api-tls
  namespace: orders
spec:
  host: orders-api.orders.svc.cluster.local
  trafficPolicy:
    tls:
      mode: SIMPLE
      sni: orders-api.orders.svc.cluster.local
`,
  );

describe('client fixes: SIMPLE → ISTIO_MUTUAL', () => {
  // SIMPLE works toward a PERMISSIVE sidecar only because it passes the non-Istio TLS through to an
  // application that terminates TLS itself; with ISTIO_MUTUAL the sidecar would hand it plaintext.
  it('is held for a person when the destination takes the TLS today (PERMISSIVE): its application may serve TLS itself', () => {
    const model = istioModelOf(ordersFleet('PERMISSIVE'));
    const fix = model.clients.find((c) => c.resource.name === 'orders-api-tls')!.fix!;
    expect(fix.action).toBe('istio.destinationrule.set-istio-mutual');
    expect(fix.blockers).toEqual([
      'orders/Deployment/orders-api takes the TLS that DestinationRule orders/orders-api-tls originates (SIMPLE) only if its application serves TLS itself, and under ISTIO_MUTUAL its sidecar would hand that application plaintext: confirm port 8443 serves plaintext',
    ]);
  });

  it('is not held when the destination is STRICT: those calls fail today whatever the application serves', () => {
    const model = istioModelOf(ordersFleet('STRICT'));
    expect(model.clients.find((c) => c.resource.name === 'orders-api-tls')!.fix!.blockers).toEqual([]);
  });
});
