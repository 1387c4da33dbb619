import type { FleetModel } from '../../core/model/types';
import type { IstioClientPolicy } from './clients';
import { deployment, istioModelOf, meshConfigYaml } from './testInventory';

const docs = (...parts: string[]) => parts.join('---\n');

const namespace = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    istio-injection: enabled
`;

const service = (ns: string, name: string, ports: Array<{ port: number; targetPort?: number | string; name?: string }> = [{ port: 9080 }]) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    app: ${name}
  ports:
${ports.map((p) => `  - name: ${p.name ?? `http-${p.port}`}\n    port: ${p.port}\n    protocol: TCP${p.targetPort !== undefined ? `\n    targetPort: ${p.targetPort}` : ''}`).join('\n')}
`;

const dr = (
  ns: string,
  name: string,
  host: string,
  opts: { tls?: string | null; exportTo?: string[]; ports?: Array<{ port: number; tls?: string }>; selector?: Record<string, string>; created?: string; apiVersion?: string; noPolicy?: boolean } = {},
) => `apiVersion: ${opts.apiVersion ?? 'networking.istio.io/v1'}
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${ns}
${opts.created ? `  creationTimestamp: "${opts.created}"\n` : ''}spec:
  host: "${host}"
${opts.exportTo ? `  exportTo:\n${opts.exportTo.map((e) => `  - "${e}"`).join('\n')}\n` : ''}${opts.selector ? `  workloadSelector:\n    matchLabels:\n${Object.entries(opts.selector).map(([k, v]) => `      ${k}: ${v}`).join('\n')}\n` : ''}${
  opts.noPolicy
    ? ''
    : `  trafficPolicy:\n    connectionPool:\n      tcp:\n        maxConnections: 100\n${opts.tls ? `    tls:\n      mode: ${opts.tls}\n` : ''}${
        opts.ports
          ? `    portLevelSettings:\n${opts.ports.map((p) => `    - port:\n        number: ${p.port}\n${p.tls ? `      tls:\n        mode: ${p.tls}\n` : `      loadBalancer:\n        simple: LEAST_REQUEST\n`}`).join('')}`
          : ''
      }`
}`;

/** bookinfo: reviews and ratings in `bookinfo`, productpage in `frontend`, a shipping client in `shipping`. */
const fleet = docs(
  namespace('bookinfo'),
  namespace('frontend'),
  namespace('shipping'),
  service('bookinfo', 'reviews'),
  service('bookinfo', 'ratings'),
  service('frontend', 'productpage'),
  deployment('bookinfo', 'reviews-v1', { labels: { app: 'reviews', version: 'v1' }, ports: [9080] }),
  deployment('bookinfo', 'ratings-v1', { labels: { app: 'ratings', version: 'v1' }, ports: [9080] }),
  deployment('frontend', 'productpage-v1', { labels: { app: 'productpage', version: 'v1' }, ports: [9080] }),
  deployment('shipping', 'shipping-worker', { labels: { app: 'shipping-worker' }, ports: [8080] }),
);

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

function clientsFor(model: FleetModel, host: string): IstioClientPolicy[] {
  return (model.clients as IstioClientPolicy[]).filter((c) => c.destination.hosts.includes(host));
}

/** Which rule each calling namespace uses toward a host, as `{ns: 'drNs/drName' | undefined}`. */
function ruleByNamespace(model: FleetModel, host: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of clientsFor(model, host)) {
    for (const ns of c.clientNamespaces) out[ns] = `${c.resource.namespace}/${c.resource.name}`;
  }
  return out;
}

describe('DestinationRule lookup (Istio PushContext.destinationRule)', () => {
  it('a client uses its own namespace first, then the host namespace, then the root namespace', () => {
    const model = istioModelOf(
      docs(
        fleet,
        dr('frontend', 'reviews-from-frontend', REVIEWS, { tls: 'DISABLE' }),
        dr('bookinfo', 'reviews', REVIEWS, { tls: 'ISTIO_MUTUAL' }),
        dr('istio-system', 'mesh-reviews', REVIEWS, { tls: 'SIMPLE' }),
      ),
    );
    expect(ruleByNamespace(model, REVIEWS)).toEqual({
      frontend: 'frontend/reviews-from-frontend',
      bookinfo: 'bookinfo/reviews',
      shipping: 'bookinfo/reviews',
      // istio-system holds a rule, so it is a caller that matters; it sees the host namespace's exported rule.
      'istio-system': 'bookinfo/reviews',
    });
  });

  it('falls back to the root namespace when the host namespace exports nothing for the host', () => {
    const model = istioModelOf(docs(fleet, dr('istio-system', 'mesh-reviews', REVIEWS, { tls: 'SIMPLE' })));
    const clients = clientsFor(model, REVIEWS);
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ sends: 'TLS', reason: 'SIMPLE', resource: { kind: 'DestinationRule', name: 'mesh-reviews', namespace: 'istio-system' } });
    expect(clients[0]!.clientNamespaces).toEqual(['bookinfo', 'frontend', 'istio-system', 'shipping']);
  });

  it.each([
    { exportTo: ['.'], want: { bookinfo: 'bookinfo/reviews', frontend: 'istio-system/fallback', shipping: 'istio-system/fallback', 'istio-system': 'istio-system/fallback' } },
    { exportTo: ['*'], want: { bookinfo: 'bookinfo/reviews', frontend: 'bookinfo/reviews', shipping: 'bookinfo/reviews', 'istio-system': 'bookinfo/reviews' } },
    // A list without the rule's own namespace hides it from that namespace too.
    { exportTo: ['frontend'], want: { bookinfo: 'istio-system/fallback', frontend: 'bookinfo/reviews', shipping: 'istio-system/fallback', 'istio-system': 'istio-system/fallback' } },
    { exportTo: ['.', 'shipping'], want: { bookinfo: 'bookinfo/reviews', frontend: 'istio-system/fallback', shipping: 'bookinfo/reviews', 'istio-system': 'istio-system/fallback' } },
  ])('exportTo $exportTo', ({ exportTo, want }) => {
    const model = istioModelOf(docs(fleet, dr('bookinfo', 'reviews', REVIEWS, { tls: 'ISTIO_MUTUAL', exportTo }), dr('istio-system', 'fallback', REVIEWS, { tls: 'DISABLE' })));
    expect(ruleByNamespace(model, REVIEWS)).toEqual(want);
  });

  it('a root-namespace rule exported only to "." serves the root namespace itself and no one else', () => {
    const model = istioModelOf(docs(fleet, dr('istio-system', 'gateway-to-reviews', REVIEWS, { tls: 'SIMPLE', exportTo: ['.'] })));
    expect(ruleByNamespace(model, REVIEWS)).toEqual({ 'istio-system': 'istio-system/gateway-to-reviews' });
  });

  it('MeshConfig defaultDestinationRuleExportTo ["."] keeps rules without exportTo private', () => {
    const meshConfig = meshConfigYaml('defaultDestinationRuleExportTo:\n- "."\nrootNamespace: istio-system');
    const model = istioModelOf(docs(fleet, meshConfig, dr('bookinfo', 'reviews', REVIEWS, { tls: 'DISABLE' })));
    expect(ruleByNamespace(model, REVIEWS)).toEqual({ bookinfo: 'bookinfo/reviews' });
  });

  it('the most specific host wins: exact over wildcard, longer wildcard over shorter', () => {
    const model = istioModelOf(
      docs(
        fleet,
        dr('istio-system', 'everything', '*.local', { tls: 'DISABLE' }),
        dr('istio-system', 'bookinfo-wide', '*.bookinfo.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
        dr('istio-system', 'reviews-only', REVIEWS, { tls: 'SIMPLE' }),
      ),
    );
    const ruleFor = (host: string) => clientsFor(model, host).map((c) => c.resource.name);
    expect(ruleFor(REVIEWS)).toEqual(['reviews-only']);
    expect(ruleFor('ratings.bookinfo.svc.cluster.local')).toEqual(['bookinfo-wide']);
    expect(ruleFor('productpage.frontend.svc.cluster.local')).toEqual(['everything']);
  });

  it('a short host is relative to the rule namespace; a dotted one is taken verbatim', () => {
    const model = istioModelOf(docs(fleet, dr('bookinfo', 'short', 'reviews', { tls: 'DISABLE' }), dr('bookinfo', 'dotted', 'ratings.bookinfo', { tls: 'DISABLE' })));
    expect(clientsFor(model, REVIEWS).map((c) => c.resource.name)).toEqual(['short']);
    expect(clientsFor(model, 'ratings.bookinfo.svc.cluster.local')).toEqual([]);
    // The dotted host matches no Service: reported for its own host, destination unknown to the mesh.
    const dotted = clientsFor(model, 'ratings.bookinfo')[0]!;
    expect(dotted.inMeshDestination).toBeUndefined();
  });

  it('a workloadSelector rule decides for the workloads it picks, and shadows the exported rule for the rest of its namespace', () => {
    const model = istioModelOf(
      docs(fleet, dr('frontend', 'productpage-to-reviews', REVIEWS, { tls: 'DISABLE', selector: { app: 'productpage' } }), dr('bookinfo', 'reviews', REVIEWS, { tls: 'ISTIO_MUTUAL' })),
    );
    const clients = clientsFor(model, REVIEWS);
    const selectorRule = clients.find((c) => c.resource.name === 'productpage-to-reviews')!;
    expect(selectorRule.clientNamespaces).toEqual([]);
    expect(selectorRule.clientWorkloads).toEqual(['frontend/Deployment/productpage-v1']);
    expect(selectorRule.sends).toBe('PLAINTEXT');
    // Istio SidecarScope.DestinationRule: frontend's own match holds no rule for other workloads, so they get none (auto mTLS).
    expect(clients.find((c) => c.resource.name === 'reviews')!.clientNamespaces).toEqual(['bookinfo', 'shipping']);
  });

  it('rules for the same host in one namespace merge: the oldest with a trafficPolicy supplies it', () => {
    const model = istioModelOf(
      docs(
        fleet,
        dr('bookinfo', 'reviews-subsets', REVIEWS, { noPolicy: true, created: '2026-01-10T09:00:00Z' }),
        dr('bookinfo', 'reviews-tls', REVIEWS, { tls: 'DISABLE', created: '2026-02-10T09:00:00Z' }),
        dr('bookinfo', 'reviews-tls-late', REVIEWS, { tls: 'ISTIO_MUTUAL', created: '2026-03-10T09:00:00Z' }),
      ),
    );
    const clients = clientsFor(model, REVIEWS);
    expect(clients.map((c) => [c.resource.name, c.sends])).toEqual([['reviews-tls', 'PLAINTEXT']]);
  });
});

describe('client TLS mode (effectiveClientTls)', () => {
  it.each([
    ['ISTIO_MUTUAL', 'MTLS'],
    ['MUTUAL', 'MTLS'],
    ['SIMPLE', 'TLS'],
    ['DISABLE', 'PLAINTEXT'],
  ])('tls.mode %s sends %s', (mode, sends) => {
    // MUTUAL needs its client certificate files (sidecarTls.test.ts covers the rule without them).
    const files = '      clientCertificate: /etc/certs/client.pem\n      privateKey: /etc/certs/client-key.pem\n';
    const rule = dr('bookinfo', 'reviews', REVIEWS, { tls: mode }).replace('      mode: MUTUAL\n', `      mode: MUTUAL\n${files}`);
    const model = istioModelOf(docs(fleet, rule));
    expect(clientsFor(model, REVIEWS)[0]).toMatchObject({ sends, reason: mode, cause: { kind: 'DestinationRule', scope: 'namespace' } });
  });

  it('a tls block without mode is DISABLE (the enum zero value)', () => {
    const yaml = docs(fleet, dr('bookinfo', 'reviews', REVIEWS, { tls: 'ISTIO_MUTUAL' }).replace('      mode: ISTIO_MUTUAL\n', '      sni: reviews.bookinfo.svc.cluster.local\n'));
    expect(clientsFor(istioModelOf(yaml), REVIEWS)[0]).toMatchObject({ sends: 'PLAINTEXT', reason: 'DISABLE' });
  });

  it('portLevelSettings override the top-level tls per service port; an entry without tls does not inherit', () => {
    const twoPortFleet = fleet.replace(service('bookinfo', 'reviews'), service('bookinfo', 'reviews', [{ port: 9080 }, { port: 9443, targetPort: 8443 }, { port: 9090 }]));
    const model = istioModelOf(
      docs(twoPortFleet, dr('bookinfo', 'reviews', REVIEWS, { tls: 'ISTIO_MUTUAL', ports: [{ port: 9080, tls: 'DISABLE' }, { port: 9090 }] })),
    );
    const byId = Object.fromEntries(clientsFor(model, REVIEWS).map((c) => [c.id, c]));
    expect(Object.keys(byId).sort()).toEqual([
      `istio:bookinfo/DestinationRule/reviews->${REVIEWS}:*`,
      `istio:bookinfo/DestinationRule/reviews->${REVIEWS}:9080`,
      `istio:bookinfo/DestinationRule/reviews->${REVIEWS}:9090`,
    ]);
    expect(byId[`istio:bookinfo/DestinationRule/reviews->${REVIEWS}:*`]).toMatchObject({
      sends: 'MTLS',
      destination: { hosts: [REVIEWS], serverIds: ['istio:bookinfo/Deployment/reviews-v1:8443'] },
    });
    expect(byId[`istio:bookinfo/DestinationRule/reviews->${REVIEWS}:9080`]).toMatchObject({
      sends: 'PLAINTEXT',
      resource: { kind: 'DestinationRule', name: 'reviews', port: 9080 },
      cause: { scope: 'port' },
      destination: { port: 9080, serverIds: ['istio:bookinfo/Deployment/reviews-v1:9080'] },
    });
    expect(byId[`istio:bookinfo/DestinationRule/reviews->${REVIEWS}:9090`]).toMatchObject({ sends: 'AUTO', cause: { scope: 'port' } });
  });

  it('auto mTLS on: a rule without tls sends AUTO and hosts without rules need no record', () => {
    const model = istioModelOf(docs(fleet, dr('bookinfo', 'reviews', REVIEWS)));
    expect(model.clients.map((c) => [c.destination.hosts[0], c.sends])).toEqual([[REVIEWS, 'AUTO']]);
  });

  it('auto mTLS off: rules without tls and Services without a rule send plaintext, the latter caused by the MeshConfig', () => {
    const meshConfig = `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-prod-1-24
  namespace: istio-system
  labels:
    istio.io/rev: prod-1-24
data:
  mesh: |-
    enableAutoMtls: false
    defaultConfig:
      discoveryAddress: istiod-prod-1-24.istio-system.svc:15012
`;
    const yaml = docs(fleet, meshConfig, dr('bookinfo', 'reviews', REVIEWS));
    const model = istioModelOf(yaml, 'k8s/mesh.yaml');
    // 1-based line of `apiVersion`, the line before `kind: ConfigMap`.
    const configMapLine = yaml.split('\n').indexOf('kind: ConfigMap');
    expect(clientsFor(model, REVIEWS)[0]).toMatchObject({ sends: 'PLAINTEXT', reason: 'no tls settings and enableAutoMtls is false' });
    const ratings = clientsFor(model, 'ratings.bookinfo.svc.cluster.local');
    expect(ratings).toEqual([
      expect.objectContaining({
        id: 'istio:istio-system/ConfigMap/istio-prod-1-24->ratings.bookinfo.svc.cluster.local:*',
        sends: 'PLAINTEXT',
        reason: 'no DestinationRule and enableAutoMtls is false',
        resource: { kind: 'ConfigMap', name: 'istio-prod-1-24', namespace: 'istio-system', file: 'k8s/mesh.yaml', line: configMapLine },
        inMeshDestination: true,
        destination: { hosts: ['ratings.bookinfo.svc.cluster.local'], serverIds: ['istio:bookinfo/Deployment/ratings-v1:9080'] },
      }),
    ]);
  });

  it.each([
    { location: 'MESH_EXTERNAL', inMesh: false },
    { location: undefined, inMesh: false },
    { location: 'MESH_INTERNAL', inMesh: true },
  ])('ServiceEntry location $location → inMeshDestination $inMesh', ({ location, inMesh }) => {
    const entry = `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: payments-gateway
  namespace: shipping
spec:
  hosts:
  - api.payments.example.com
${location ? `  location: ${location}\n` : ''}  ports:
  - number: 443
    name: https
    protocol: TLS
  resolution: DNS
`;
    const model = istioModelOf(docs(fleet, entry, dr('shipping', 'payments-gateway', 'api.payments.example.com', { tls: 'SIMPLE', apiVersion: 'networking.istio.io/v1alpha3' })));
    const client = clientsFor(model, 'api.payments.example.com')[0]!;
    expect(client.inMeshDestination).toBe(inMesh);
    expect(client.sends).toBe('TLS');
  });

  it('auto mTLS never applies to a MESH_EXTERNAL host', () => {
    const entry = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: stripe
  namespace: shipping
spec:
  hosts:
  - api.stripe.com
  ports:
  - number: 443
    name: https
    protocol: TLS
`;
    const model = istioModelOf(docs(fleet, entry, dr('shipping', 'stripe', 'api.stripe.com')));
    expect(clientsFor(model, 'api.stripe.com')[0]).toMatchObject({ sends: 'PLAINTEXT', inMeshDestination: false });
  });
});
