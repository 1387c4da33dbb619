import type { KubeObject } from '../../core/model/inventory';
import { buildIstioModel } from './buildIstioModel';
import { deployment, inventoryFromYaml, inventoryOf, istioModelOf, meshConfigYaml, peerAuthenticationYaml, serviceYaml } from './testInventory';

const docs = (...parts: string[]) => parts.join('---\n');
const NOW = { now: new Date('2026-11-26T00:00:00Z') };
/** 1-based line where the document after `first` starts, once joined by `docs`. */
const lineAfter = (first: string) => first.split('\n').length + 1;

describe('buildIstioModel', () => {
  it('describes each workload port with hosts from the Services that select it and the workload labels', () => {
    const yaml = docs(
      `apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    istio.io/rev: prod-1-24
`,
      `apiVersion: v1
kind: Service
metadata:
  name: payments-api
  namespace: payments
spec:
  selector:
    app: payments-api
  ports:
  - name: http
    port: 80
    targetPort: http
  - name: admin
    port: 9901
    targetPort: 9901
`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
  labels:
    team: payments
spec:
  selector:
    matchLabels:
      app: payments-api
  template:
    metadata:
      labels:
        app: payments-api
        version: v3
    spec:
      containers:
      - name: payments-api
        image: registry.example.com/payments/payments-api:3.2.0
        ports:
        - name: http
          containerPort: 8080
`,
    );
    const model = istioModelOf(yaml, 'k8s/payments.yaml');
    expect(model.servers.map((s) => s.id)).toEqual(['istio:payments/Deployment/payments-api:8080', 'istio:payments/Deployment/payments-api:9901']);
    expect(model.servers[0]).toMatchObject({
      provider: 'istio',
      mode: 'PERMISSIVE',
      inMesh: true,
      hosts: ['payments-api.payments.svc.cluster.local'],
      labels: { team: 'payments', app: 'payments-api', version: 'v3' },
      resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file: 'k8s/payments.yaml' },
    });
    expect(model.resourceCount).toBe(3);
  });

  it('gives a workload without any known port one server without a port when a Service selects it, else none', () => {
    const jobs = (...more: string[]) =>
      istioModelOf(
        docs(
          `apiVersion: v1
kind: Namespace
metadata:
  name: jobs
  labels:
    istio-injection: enabled
`,
          deployment('jobs', 'reconciler', { ports: [] }),
          ...more,
        ),
      );
    // Nothing listens and nothing sends to it: a worker that only calls out.
    expect(jobs().servers).toEqual([]);
    // A Service's named targetPort that no container port resolves still brings callers.
    const svc = serviceYaml('jobs', 'reconciler', [{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(jobs(svc).servers.map((s) => [s.id, s.resource.port])).toEqual([['istio:jobs/Deployment/reconciler:*', undefined]]);
  });

  it('reads the MeshConfig root namespace from the istio ConfigMap', () => {
    const model = istioModelOf(
      docs(
        `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    rootNamespace: mesh-root
    enableAutoMtls: true
  meshNetworks: 'networks: {}'
`,
        peerAuthenticationYaml('mesh-root', 'default', 'STRICT'),
        deployment('orders', 'orders-api'),
      ),
    );
    expect(model.servers[0]).toMatchObject({ mode: 'STRICT', cause: { scope: 'mesh', namespace: 'mesh-root' } });
    expect(model.problems).toEqual([]);
  });

  describe('the root namespace that rules/ sources.istio.rootNamespace configures', () => {
    const meshWide = peerAuthenticationYaml('mesh-root', 'default', 'STRICT');
    const meshConfig = meshConfigYaml('enableAutoMtls: true');
    const modelOf = (yaml: string, istioRootNamespace?: string) =>
      buildIstioModel(inventoryFromYaml(yaml), { ...NOW, ...(istioRootNamespace ? { istioRootNamespace } : {}) });

    it('stands in when the inputs hold no MeshConfig', () => {
      const model = modelOf(docs(meshWide, deployment('orders', 'orders-api')), 'mesh-root');
      expect(model.servers[0]).toMatchObject({ mode: 'STRICT', cause: { scope: 'mesh', namespace: 'mesh-root' } });
    });

    it('is not guessed without it: the policy is then only its own namespace\'s', () => {
      const model = modelOf(docs(meshWide, deployment('orders', 'orders-api')));
      expect(model.servers[0]).toMatchObject({ mode: 'PERMISSIVE' });
    });

    it('gives way to a MeshConfig, which without rootNamespace means Istio\'s default', () => {
      const model = modelOf(docs(meshConfig, meshWide, deployment('orders', 'orders-api')), 'mesh-root');
      expect(model.servers[0]).toMatchObject({ mode: 'PERMISSIVE' });
    });
  });

  it('reports a MeshConfig that is not valid YAML at the ConfigMap, and keeps the defaults', () => {
    const first = deployment('orders', 'orders-api');
    const yaml = docs(
      first,
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    rootNamespace: [istio-system
    enableAutoMtls: false
`,
    );
    const model = istioModelOf(yaml, 'k8s/istio.yaml');
    expect(model.problems).toEqual([
      expect.objectContaining({ file: 'k8s/istio.yaml', line: lineAfter(first), field: 'data.mesh', kind: 'ConfigMap', name: 'istio' }),
    ]);
    expect(model.problems[0]!.message).toMatch(/not valid YAML/);
    // Defaults still apply: auto mTLS on, so no plaintext client records appear.
    expect(model.clients).toEqual([]);
  });

  it('reports a MeshConfig field of the wrong type', () => {
    const model = istioModelOf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    enableAutoMtls: "no"
`);
    expect(model.problems).toEqual([expect.objectContaining({ field: 'data.mesh.enableAutoMtls', line: 1 })]);
  });

  it.each([
    {
      what: 'an unknown PeerAuthentication mode',
      yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: STRICTEST
`,
      problem: { field: 'spec.mtls.mode', kind: 'PeerAuthentication', name: 'default' },
    },
    {
      what: 'a PeerAuthentication selector that is not a label map',
      yaml: `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    matchLabels:
    - app=orders-api
  mtls:
    mode: STRICT
`,
      problem: { field: 'spec.selector.matchLabels', kind: 'PeerAuthentication', name: 'orders-api' },
    },
    {
      what: 'an unknown DestinationRule tls mode',
      yaml: `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: orders-api
  namespace: orders
spec:
  host: orders-api
  trafficPolicy:
    tls:
      mode: ISTIO_MTLS
`,
      problem: { field: 'spec.trafficPolicy.tls.mode', kind: 'DestinationRule', name: 'orders-api' },
    },
    {
      what: 'a DestinationRule workloadSelector with a non-string label value',
      yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: orders-api
  namespace: orders
spec:
  host: orders-api
  workloadSelector:
    matchLabels:
      version: 2
  trafficPolicy:
    tls:
      mode: DISABLE
`,
      problem: { field: 'spec.workloadSelector.matchLabels', kind: 'DestinationRule', name: 'orders-api' },
    },
    {
      what: 'a port-level DestinationRule mode that does not exist',
      yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: orders-api
  namespace: orders
spec:
  host: orders-api
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 8080
      tls:
        mode: STRICT
`,
      problem: { field: 'spec.trafficPolicy.portLevelSettings[0].tls.mode', kind: 'DestinationRule', name: 'orders-api' },
    },
  ])('reports $what with file, line and field, and ignores the object', ({ yaml, problem }) => {
    const model = istioModelOf(docs(deployment('orders', 'orders-api'), yaml), 'policies/orders.yaml');
    expect(model.problems).toEqual([expect.objectContaining({ file: 'policies/orders.yaml', line: lineAfter(deployment('orders', 'orders-api')), ...problem })]);
    expect(model.servers[0]!.mode).toBe('PERMISSIVE');
    expect(model.clients).toEqual([]);
  });

  it('counts the objects it read, leaving App Mesh CRDs, Secrets and App Mesh namespaces to other providers', () => {
    const objects: KubeObject[] = [
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
      { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name: 'orders', namespace: 'orders' }, spec: { host: 'orders-api' } },
      { apiVersion: 'networking.istio.io/v1alpha3', kind: 'ServiceEntry', metadata: { name: 'stripe', namespace: 'orders' }, spec: { hosts: ['api.stripe.com'] } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'orders', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'checkout', labels: { 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'orders-api', namespace: 'orders' }, spec: { selector: { app: 'orders-api' }, ports: [{ port: 80, targetPort: 8080 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'checkout', namespace: 'checkout' }, spec: { selector: { app: 'checkout' }, ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'enableAutoMtls: true\n' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: 'orders' }, data: { 'root-cert.pem': '-----BEGIN CERTIFICATE-----\n' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: 'istio-system' }, type: 'Opaque', data: {} },
      { apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'VirtualNode', metadata: { name: 'checkout', namespace: 'checkout' }, spec: {} },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders-api', namespace: 'orders' }, spec: { template: { metadata: { labels: { app: 'orders-api' } }, spec: { containers: [{ name: 'app', image: 'x' }] } } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'checkout', namespace: 'checkout' }, spec: { template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'x' }] } } } },
    ];
    const model = buildIstioModel(inventoryOf(objects), NOW);
    // PA, DR, SE, Namespace orders, Service orders-api, ConfigMap istio, Deployment orders-api.
    expect(model.resourceCount).toBe(7);
    expect(model.certificates).toEqual([]);
    expect(model.servers.map((s) => s.id)).toEqual(['istio:orders/Deployment/orders-api:8080']);
  });

  // Timings live in bench/ (npm run bench); a timed assertion here fails on a busy machine.
  it('models a 10,000-workload fleet whole', () => {
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'rootNamespace: istio-system\n' } },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec: { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } },
    ];
    const namespaces = 200;
    for (let n = 0; n < namespaces; n++) {
      const ns = `team-${n}`;
      objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio-injection': n % 10 === 0 ? 'disabled' : 'enabled' } } });
      objects.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns }, spec: { mtls: { mode: n % 3 === 0 ? 'STRICT' : 'PERMISSIVE' } } });
      objects.push({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'local', namespace: ns }, spec: { host: `*.${ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: n % 4 === 0 ? 'DISABLE' : 'ISTIO_MUTUAL' } } } });
      for (let w = 0; w < 50; w++) {
        const app = `svc-${w}`;
        objects.push({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: app, namespace: ns },
          spec: { template: { metadata: { labels: { app, tier: 'backend' } }, spec: { containers: [{ name: app, image: 'x', ports: [{ containerPort: 8080, name: 'http' }] }] } } },
        });
        objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: ns }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 'http' }] } });
        if (w % 10 === 0) {
          objects.push({
            apiVersion: 'security.istio.io/v1',
            kind: 'PeerAuthentication',
            metadata: { name: app, namespace: ns },
            spec: { selector: { matchLabels: { app } }, portLevelMtls: { '8080': { mode: 'DISABLE' } } },
          });
        }
      }
    }
    const inventory = inventoryOf(objects);
    const model = buildIstioModel(inventory, NOW);
    expect(model.servers).toHaveLength(10_000);
    expect(model.clients).toHaveLength(10_000);
    // team-0, team-4, … (every fourth namespace) send plaintext to their own 50 services.
    expect(model.clients.filter((c) => c.sends === 'PLAINTEXT')).toHaveLength(50 * 50);
  });
});
