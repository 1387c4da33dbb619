/** Precedence corners a mutation run found untested: each test here fails on one mutant of the rule it names. */
import { evaluateModel } from '../../../functions/core/rules/engine';
import { shippedPolicy } from '../../support/model';
import { deployment, docs, istioModelOf, namespaceYaml } from '../../../functions/providers/istio/testInventory';

const NOW = new Date('2026-11-26T00:00:00Z');
const pa = (ns: string, name: string, mode: string, extra = '') => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${ns}
${extra}spec:
  mtls:
    mode: ${mode}
`;
const paSel = (ns: string, name: string, mode: string, key: string, value: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      ${key}: ${value}
  mtls:
    mode: ${mode}
`;
const server = (yaml: string, id: string) => {
  const s = istioModelOf(yaml).servers.find((x) => x.id === id);
  if (!s) throw new Error('no server ' + id);
  return s;
};

test('G1 root-namespace PA with a selector is ignored for a workload IN the root namespace', () => {
  const yaml = docs(
    pa('istio-system', 'default', 'STRICT'),
    paSel('istio-system', 'agent-off', 'DISABLE', 'app', 'telemetry-agent'),
    deployment('istio-system', 'telemetry-agent', { labels: { app: 'telemetry-agent' }, ports: [8080] }),
  );
  const s = server(yaml, 'istio:istio-system/Deployment/telemetry-agent:8080');
  expect(s.mode).toBe('STRICT');
  expect(s.cause.scope).toBe('mesh');
});

test('G2 a workload selector matches pod-template labels, not the Deployment metadata labels', () => {
  const dep = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  namespace: orders
  labels:
    team: payments
spec:
  selector:
    matchLabels:
      app: orders-api
  template:
    metadata:
      labels:
        app: orders-api
    spec:
      containers:
      - name: orders-api
        image: registry.example.com/orders/orders-api:1.4.2
        ports:
        - containerPort: 8080
`;
  const yaml = docs(namespaceYaml('orders'), pa('orders', 'default', 'STRICT'), paSel('orders', 'team-off', 'DISABLE', 'team', 'payments'), dep);
  const s = server(yaml, 'istio:orders/Deployment/orders-api:8080');
  expect(s.mode).toBe('STRICT');
  expect(s.cause.scope).toBe('namespace');
});

test('G3 a PA without creationTimestamp counts as the oldest of its namespace', () => {
  const yaml = docs(
    namespaceYaml('orders'),
    pa('orders', 'dated', 'STRICT', '  creationTimestamp: "2026-03-01T08:00:00Z"\n'),
    pa('orders', 'undated', 'DISABLE'),
    deployment('orders', 'orders-api', { ports: [8080] }),
  );
  const s = server(yaml, 'istio:orders/Deployment/orders-api:8080');
  expect(s.mode).toBe('DISABLED');
  expect(s.cause.name).toBe('undated');
});

test('G4 DR DISABLE toward a Service with one meshed and one unmeshed workload is mtls-client-not-enforced', () => {
  const svc = `apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: shop
spec:
  selector:
    app: payments
  ports:
  - name: http
    port: 8080
    targetPort: 8080
`;
  const dr = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: payments-plain
  namespace: web
spec:
  host: payments.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
`;
  const yaml = docs(
    namespaceYaml('shop'),
    namespaceYaml('web'),
    svc,
    dr,
    deployment('shop', 'payments-v1', { labels: { app: 'payments', version: 'v1' } }),
    deployment('shop', 'payments-legacy', { labels: { app: 'payments', version: 'legacy' }, annotations: { 'sidecar.istio.io/inject': 'false' } }),
    deployment('web', 'frontend'),
  );
  const findings = evaluateModel(istioModelOf(yaml), shippedPolicy(), NOW);
  const f = findings.filter((x) => x.rule === 'mtls-client-not-enforced' && x.resource.name === 'payments-plain');
  expect(f.length).toBeGreaterThan(0);
});
