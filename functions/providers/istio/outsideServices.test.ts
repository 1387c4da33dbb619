import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { readService } from './services';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

/*
 * A LoadBalancer or NodePort Service, or one with externalIPs, lets clients outside the mesh
 * (a cloud load balancer, anything that reaches a node port) open plaintext connections to the
 * pods it selects. STRICT on those ports refuses them, so the change is a person's to make.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

/** payments-api behind its ClusterIP Service, and a second Service that exposes it outside the cluster. */
const exposing = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: payments-public
  namespace: payments
spec:
${spec}  selector:
    app: payments-api
  ports:
  - name: https
    port: 443
    protocol: TCP
    targetPort: 8080
`;

const fleet = (...extra: string[]) =>
  docs(
    namespace('payments'),
    peerAuthentication('payments', 'default', 'PERMISSIVE'),
    deployment('payments', 'payments-api', { ports: [8080, 9090] }),
    service('payments', 'payments-api', [8080, 9090]),
    deployment('payments', 'ledger', { ports: [8080] }),
    service('payments', 'ledger', [8080]),
    ...extra,
  );

const fixOf = (yaml: string, id: string) => istioModelOf(yaml).servers.find((s) => s.id === id)!.fix!;

describe('readService', () => {
  const located = (spec: Record<string, unknown>) => ({
    doc: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments-public', namespace: 'payments' }, spec },
    source: { file: 'f.yaml', line: 1 },
  });

  it('reads type (ClusterIP when absent) and externalIPs', () => {
    expect(readService(located({ selector: { app: 'a' } }))).toMatchObject({ type: 'ClusterIP' });
    expect(readService(located({ type: 'LoadBalancer', selector: { app: 'a' } }))).toMatchObject({ type: 'LoadBalancer' });
    expect(readService(located({ type: 'ClusterIP', externalIPs: ['203.0.113.10'], selector: { app: 'a' } }))).toMatchObject({ externalIPs: ['203.0.113.10'] });
    expect(readService(located({ externalIPs: [] }))).not.toHaveProperty('externalIPs');
  });
});

describe('server fixes: Services that bring clients from outside the mesh', () => {
  it.each([
    ['LoadBalancer', '  type: LoadBalancer\n  externalTrafficPolicy: Local\n', 'Service payments/payments-public is a LoadBalancer'],
    ['NodePort', '  type: NodePort\n', 'Service payments/payments-public is a NodePort'],
    ['externalIPs', '  type: ClusterIP\n  externalIPs:\n  - 203.0.113.10\n', 'Service payments/payments-public has externalIPs (203.0.113.10)'],
  ])('holds STRICT for a person when a %s Service targets a port in scope', (_type, spec, who) => {
    const fix = fixOf(fleet(exposing(spec)), 'istio:payments/Deployment/ledger:8080');
    expect(fix.action).toBe('istio.peerauthentication.set-strict');
    expect(fix.affectsServers).toContain('istio:payments/Deployment/payments-api:8080');
    expect(fix.blockers).toEqual([`${who}: its clients outside the mesh send plaintext to port 8080 of payments/Deployment/payments-api, which STRICT refuses`]);
  });

  it('gives the remediation approval, naming the Service', () => {
    const findings = evaluateModel(istioModelOf(fleet(exposing('  type: LoadBalancer\n'))), shippedPolicy(), NOW);
    const finding = findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api' && f.resource.port === 9090)!;
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: expect.stringContaining('Service payments/payments-public is a LoadBalancer') });
  });

  it('does not block a change whose scope leaves the exposed port out', () => {
    const portPolicy = peerAuthentication('payments', 'payments-api', 'PERMISSIVE', { app: 'payments-api', ports: { 9090: 'DISABLE' } });
    const fix = fixOf(fleet(portPolicy, exposing('  type: LoadBalancer\n')), 'istio:payments/Deployment/payments-api:9090');
    expect(fix.change).toMatchObject({ patch: { spec: { portLevelMtls: { '9090': { mode: 'STRICT' } } } } });
    expect(fix.blockers).toEqual([]);
  });

  it('leaves ClusterIP and headless Services alone', () => {
    expect(fixOf(fleet(exposing('  type: ClusterIP\n')), 'istio:payments/Deployment/ledger:8080').blockers).toEqual([]);
    expect(fixOf(fleet(exposing('  clusterIP: None\n')), 'istio:payments/Deployment/ledger:8080').blockers).toEqual([]);
  });
});

describe('an Istio ingress gateway behind its LoadBalancer Service', () => {
  /*
   * The gateway's pods run Envoy itself (the gateway injection template); its listeners take the
   * TLS settings of Gateway resources, and PeerAuthentication does not govern them: STRICT
   * refuses none of the load balancer's clients there, so their Service blocks nothing.
   */
  const gateway = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-ingress
spec:
  selector:
    matchLabels:
      app: istio-ingressgateway
      istio: ingressgateway
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        app: istio-ingressgateway
        istio: ingressgateway
        sidecar.istio.io/inject: "true"
    spec:
      containers:
      - name: istio-proxy
        image: auto
        ports:
        - containerPort: 15090
          name: http-envoy-prom
          protocol: TCP
`;
  const gatewayService = `apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-ingress
spec:
  type: LoadBalancer
  selector:
    app: istio-ingressgateway
    istio: ingressgateway
  ports:
  - name: status-port
    port: 15021
    protocol: TCP
    targetPort: 15021
  - name: http2
    port: 80
    protocol: TCP
    targetPort: 80
  - name: https
    port: 443
    protocol: TCP
    targetPort: 443
`;

  it("is no mTLS server at all, so its own ports get neither a finding nor a blocker", () => {
    const yaml = docs(namespace('istio-ingress'), peerAuthentication('istio-ingress', 'default', 'PERMISSIVE'), gateway, gatewayService);
    expect(istioModelOf(yaml).servers.filter((s) => s.resource.name === 'istio-ingressgateway')).toEqual([]);
  });

  it('does not hide the blocker of an application workload in the same scope', () => {
    const app = deployment('istio-ingress', 'edge-auth', { ports: [8080] });
    const appService = exposing('  type: NodePort\n').replace(/payments/g, 'istio-ingress').replace('app: istio-ingress-api', 'app: edge-auth');
    const yaml = docs(namespace('istio-ingress'), peerAuthentication('istio-ingress', 'default', 'PERMISSIVE'), gateway, gatewayService, app, appService);
    const fix = fixOf(yaml, 'istio:istio-ingress/Deployment/edge-auth:8080');
    expect(fix.blockers).toEqual([
      'Service istio-ingress/istio-ingress-public is a NodePort: its clients outside the mesh send plaintext to port 8080 of istio-ingress/Deployment/edge-auth, which STRICT refuses',
    ]);
  });
});
