import type { FleetModel, ServerEndpoint } from '../../core/model/types';
import { deployment, docs as documents, istioModelOf, namespaceYaml, peerAuthenticationYaml, serviceYaml } from './testInventory';

const docs = (...parts: string[]) => parts.join('---\n');

const injected = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    istio-injection: enabled
`;

const server = (model: FleetModel, id: string): ServerEndpoint => {
  const s = model.servers.find((x) => x.id === id);
  if (!s) throw new Error(`no server ${id}; have ${model.servers.map((x) => x.id).join(', ')}`);
  return s;
};

describe('server fixes (PeerAuthentication → STRICT)', () => {
  const orders = docs(
    injected('orders'),
    deployment('orders', 'orders-api', { labels: { app: 'orders-api' }, ports: [8080, 9090] }),
    deployment('orders', 'billing', { labels: { app: 'billing' }, ports: [8080] }),
    deployment('orders', 'legacy-batch', { labels: { app: 'legacy-batch' }, ports: [8080], annotations: { 'sidecar.istio.io/inject': 'false' } }),
  );

  it('a port-level mode is patched on its policy, port key included', () => {
    const policy = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: orders-api
  namespace: orders
  resourceVersion: "48213377"
spec:
  selector:
    matchLabels:
      app: orders-api
  mtls:
    mode: STRICT
  portLevelMtls:
    9090:
      mode: PERMISSIVE
`;
    const model = istioModelOf(docs(orders, policy));
    expect(server(model, 'istio:orders/Deployment/orders-api:8080').fix).toBeUndefined();
    expect(server(model, 'istio:orders/Deployment/orders-api:9090').fix).toEqual({
      action: 'istio.peerauthentication.set-strict',
      change: {
        operation: 'merge-patch',
        target: { apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', namespace: 'orders', name: 'orders-api', resourceVersion: '48213377' },
        patch: { spec: { portLevelMtls: { '9090': { mode: 'STRICT' } } } },
      },
      affectsServers: ['istio:orders/Deployment/orders-api:9090'],
      blockers: [],
    });
  });

  it('a workload policy gets mtls.mode STRICT; ports with their own port-level mode are not affected', () => {
    const policy = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    matchLabels:
      app: orders-api
  mtls:
    mode: PERMISSIVE
  portLevelMtls:
    9090:
      mode: DISABLE
`;
    const model = istioModelOf(docs(orders, policy));
    const fix = server(model, 'istio:orders/Deployment/orders-api:8080').fix!;
    expect(fix.change).toEqual({
      operation: 'merge-patch',
      target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'orders', name: 'orders-api' },
      patch: { spec: { mtls: { mode: 'STRICT' } } },
    });
    expect(fix.affectsServers).toEqual(['istio:orders/Deployment/orders-api:8080']);
    // The DISABLE port has its own, port-level fix.
    expect(server(model, 'istio:orders/Deployment/orders-api:9090').fix!.change).toMatchObject({ patch: { spec: { portLevelMtls: { '9090': { mode: 'STRICT' } } } } });
  });

  it('a namespace-wide policy is patched; every inheriting in-mesh server is affected and unmeshed workloads block', () => {
    const nsPolicy = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: PERMISSIVE
`;
    const billingUnset = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: billing-ports
  namespace: orders
spec:
  selector:
    matchLabels:
      app: billing
`;
    const model = istioModelOf(docs(orders, nsPolicy, billingUnset));
    const fix = server(model, 'istio:orders/Deployment/orders-api:8080').fix!;
    expect(fix.action).toBe('istio.peerauthentication.set-strict');
    expect(fix.change).toMatchObject({ target: { kind: 'PeerAuthentication', namespace: 'orders', name: 'default' }, patch: { spec: { mtls: { mode: 'STRICT' } } } });
    expect(fix.affectsServers.sort()).toEqual([
      'istio:orders/Deployment/billing:8080',
      'istio:orders/Deployment/orders-api:8080',
      'istio:orders/Deployment/orders-api:9090',
    ]);
    expect(fix.blockers).toEqual(['workload orders/Deployment/legacy-batch has no sidecar']);
    // Every server the change moves carries the same fix; the unmeshed one carries none.
    expect(server(model, 'istio:orders/Deployment/billing:8080').fix).toBe(fix);
    expect(server(model, 'istio:orders/Deployment/legacy-batch:8080').fix).toBeUndefined();
  });

  it.each([
    {
      rule: 'no policy at all',
      extra: '',
    },
    {
      rule: 'a mesh-wide PERMISSIVE policy',
      extra: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: PERMISSIVE
`,
    },
  ])('with $rule, a namespace-wide default STRICT policy is created in the workload namespace', ({ extra }) => {
    const model = istioModelOf(docs(...[orders, extra].filter(Boolean)));
    const fix = server(model, 'istio:orders/Deployment/billing:8080').fix!;
    expect(fix).toEqual({
      action: 'istio.peerauthentication.create-strict',
      change: {
        operation: 'create',
        object: {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: 'default', namespace: 'orders' },
          spec: { mtls: { mode: 'STRICT' } },
        },
      },
      affectsServers: ['istio:orders/Deployment/orders-api:8080', 'istio:orders/Deployment/orders-api:9090', 'istio:orders/Deployment/billing:8080'],
      blockers: ['workload orders/Deployment/legacy-batch has no sidecar'],
    });
  });

  it('a mesh-wide mode inherited through an UNSET namespace policy patches that policy instead of creating a second one', () => {
    const model = istioModelOf(
      docs(
        orders,
        `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: PERMISSIVE
`,
        `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: namespace-policy
  namespace: orders
spec: {}
`,
      ),
    );
    const fix = server(model, 'istio:orders/Deployment/billing:8080').fix!;
    expect(fix.action).toBe('istio.peerauthentication.set-strict');
    expect(fix.change).toMatchObject({ target: { name: 'namespace-policy', namespace: 'orders' } });
  });

  it('STRICT servers and servers outside the mesh carry no fix', () => {
    const model = istioModelOf(
      docs(
        orders,
        `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: billing
  namespace: orders
spec:
  selector:
    matchLabels:
      app: billing
  mtls:
    mode: STRICT
`,
      ),
    );
    expect(server(model, 'istio:orders/Deployment/billing:8080').fix).toBeUndefined();
    expect(server(model, 'istio:orders/Deployment/legacy-batch:8080').fix).toBeUndefined();
    // The create fix for the namespace would not move billing: it is already STRICT.
    expect(server(model, 'istio:orders/Deployment/orders-api:8080').fix!.affectsServers).not.toContain('istio:orders/Deployment/billing:8080');
  });
});

describe('client fixes (DestinationRule → ISTIO_MUTUAL)', () => {
  const REVIEWS = 'reviews.bookinfo.svc.cluster.local';
  const bookinfo = docs(
    injected('bookinfo'),
    `apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: bookinfo
spec:
  selector:
    app: reviews
  ports:
  - name: http
    port: 9080
    targetPort: http-web
  - name: grpc
    port: 9090
`,
    deployment('bookinfo', 'reviews-v1', { labels: { app: 'reviews', version: 'v1' }, ports: [{ containerPort: 8080, name: 'http-web' }, 9090] }),
    `apiVersion: v1
kind: Service
metadata:
  name: ratings
  namespace: bookinfo
spec:
  selector:
    app: ratings
  ports:
  - name: http
    port: 9080
`,
    deployment('bookinfo', 'ratings-v1', { labels: { app: 'ratings' }, ports: [9080] }),
  );

  it('a top-level SIMPLE becomes ISTIO_MUTUAL, clearing the fields SIMPLE used', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: bookinfo
  resourceVersion: "7731"
spec:
  host: reviews
  trafficPolicy:
    tls:
      mode: SIMPLE
      sni: reviews.bookinfo.svc.cluster.local
      credentialName: reviews-client-tls
`;
    const model = istioModelOf(docs(bookinfo, rule));
    const client = model.clients.find((c) => c.destination.hosts[0] === REVIEWS)!;
    expect(client.destination.serverIds!.sort()).toEqual(['istio:bookinfo/Deployment/reviews-v1:8080', 'istio:bookinfo/Deployment/reviews-v1:9090']);
    expect(client.fix).toEqual({
      action: 'istio.destinationrule.set-istio-mutual',
      change: {
        operation: 'merge-patch',
        target: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: 'bookinfo', name: 'reviews', resourceVersion: '7731' },
        patch: { spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL', sni: null, credentialName: null } } } },
      },
      affectsServers: [],
      affectsClients: [client.id],
      // reviews is PERMISSIVE (no policy): SIMPLE works there only if the application serves TLS itself (clientFixes.test.ts).
      blockers: [
        'bookinfo/Deployment/reviews-v1 takes the TLS that DestinationRule bookinfo/reviews originates (SIMPLE) only if its application serves TLS itself, and under ISTIO_MUTUAL its sidecar would hand that application plaintext: confirm ports 8080, 9090 serve plaintext',
      ],
    });
  });

  it('a port-level DISABLE is fixed by sending the whole portLevelSettings list', () => {
    const rule = `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: reviews
  namespace: bookinfo
spec:
  host: reviews.bookinfo.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    portLevelSettings:
    - port:
        number: 9080
      tls:
        mode: DISABLE
    - port:
        number: 9090
      loadBalancer:
        simple: LEAST_REQUEST
`;
    const model = istioModelOf(docs(bookinfo, rule));
    const portClient = model.clients.find((c) => c.id === `istio:bookinfo/DestinationRule/reviews->${REVIEWS}:9080`)!;
    expect(portClient.destination.serverIds).toEqual(['istio:bookinfo/Deployment/reviews-v1:8080']);
    expect(portClient.fix!.change).toEqual({
      operation: 'merge-patch',
      target: { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', namespace: 'bookinfo', name: 'reviews' },
      patch: {
        spec: {
          trafficPolicy: {
            portLevelSettings: [
              { port: { number: 9080 }, tls: { mode: 'ISTIO_MUTUAL' } },
              { port: { number: 9090 }, loadBalancer: { simple: 'LEAST_REQUEST' } },
            ],
          },
        },
      },
    });
    expect(portClient.fix!.affectsClients).toEqual([portClient.id]);
    // The 9090 entry has no tls (auto mTLS), nothing to fix.
    expect(model.clients.find((c) => c.id.endsWith(':9090'))!.fix).toBeUndefined();
  });

  it('one wildcard rule fix affects every client it decides, and names destinations that cannot take mTLS', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bookinfo-plaintext
  namespace: bookinfo
spec:
  host: "*.bookinfo.svc.cluster.local"
  trafficPolicy:
    tls:
      mode: DISABLE
`;
    const ratingsDisabled = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ratings
  namespace: bookinfo
spec:
  selector:
    matchLabels:
      app: ratings
  mtls:
    mode: DISABLE
`;
    const model = istioModelOf(docs(bookinfo, rule, ratingsDisabled));
    const ids = model.clients.map((c) => c.id).sort();
    expect(ids).toEqual([
      'istio:bookinfo/DestinationRule/bookinfo-plaintext->ratings.bookinfo.svc.cluster.local:*',
      `istio:bookinfo/DestinationRule/bookinfo-plaintext->${REVIEWS}:*`,
    ]);
    const fix = model.clients[0]!.fix!;
    expect(model.clients[1]!.fix).toBe(fix);
    expect(fix.affectsClients!.sort()).toEqual(ids);
    expect(fix.blockers).toEqual(['Deployment bookinfo/ratings-v1 port 9080 accepts only plaintext']);
  });

  it('a destination workload without a sidecar blocks the fix', () => {
    const unmeshed = bookinfo.replace(
      deployment('bookinfo', 'ratings-v1', { labels: { app: 'ratings' }, ports: [9080] }),
      deployment('bookinfo', 'ratings-v1', { labels: { app: 'ratings' }, ports: [9080], annotations: { 'sidecar.istio.io/inject': 'false' } }),
    );
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
  namespace: bookinfo
spec:
  host: ratings
  trafficPolicy:
    tls:
      mode: DISABLE
`;
    const model = istioModelOf(docs(unmeshed, rule));
    expect(model.clients[0]!.fix!.blockers).toEqual(['Deployment bookinfo/ratings-v1 port 9080 has no sidecar to accept mTLS']);
  });

  it('no fix for mTLS senders or for hosts outside the mesh', () => {
    const rules = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: bookinfo
spec:
  host: reviews
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: stripe
  namespace: bookinfo
spec:
  hosts:
  - api.stripe.com
  location: MESH_EXTERNAL
  ports:
  - number: 443
    name: https
    protocol: TLS
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: stripe
  namespace: bookinfo
spec:
  host: api.stripe.com
  trafficPolicy:
    tls:
      mode: SIMPLE
`;
    const model = istioModelOf(docs(bookinfo, rules));
    expect(model.clients.map((c) => [c.id, c.fix])).toEqual([
      [`istio:bookinfo/DestinationRule/reviews->${REVIEWS}:*`, undefined],
      ['istio:bookinfo/DestinationRule/stripe->api.stripe.com:*', undefined],
    ]);
  });
});

describe('client fixes of portLevelSettings', () => {
  it('one patch sets every failing port of a rule: each carries the whole list, so one per port would undo the other', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-ports
  namespace: shop
spec:
  host: api.shop.svc.cluster.local
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 8080
      tls:
        mode: DISABLE
    - port:
        number: 9090
      tls:
        mode: DISABLE
`;
    const model = istioModelOf(documents(namespaceYaml('shop'), peerAuthenticationYaml('istio-system', 'default', 'STRICT'), deployment('shop', 'api', { ports: [8080, 9090] }), serviceYaml('shop', 'api', [8080, 9090]), rule));
    const fixes = model.clients.filter((c) => c.resource.name === 'api-ports').map((c) => c.fix);
    expect(fixes).toHaveLength(2);
    expect(fixes[0]).toBe(fixes[1]);
    expect(fixes[0]!.change).toMatchObject({
      patch: {
        spec: {
          trafficPolicy: {
            portLevelSettings: [
              { port: { number: 8080 }, tls: { mode: 'ISTIO_MUTUAL' } },
              { port: { number: 9090 }, tls: { mode: 'ISTIO_MUTUAL' } },
            ],
          },
        },
      },
    });
  });
});
