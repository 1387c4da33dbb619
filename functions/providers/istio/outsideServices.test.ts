import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { readService } from './services';
import { deployment, docs, istioModelOf, meshConfigYaml, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml as service } from './testInventory';

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

describe('server fixes: Ingresses and Gateway API routes of other classes than Istio\'s', () => {
  /*
   * GKE's Ingress controller (class gce, gce-internal, or no class at all) and its Gateway classes
   * (gke-l7-global-external-managed, gke-l7-rilb, …) are Google load balancers: with
   * container-native load balancing (`cloud.google.com/neg`) they send to the pod IPs, otherwise
   * to a node port, in plaintext either way. Istio's own classes go through Envoy that sends mTLS.
   */
  const ingress = (meta: string, spec: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: payments-web
  namespace: payments
${meta}spec:
${spec}  rules:
  - host: pay.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: payments-api
            port:
              number: 9090
`;
  const gceAnnotation = '  annotations:\n    kubernetes.io/ingress.class: gce\n';
  const gateway = (className: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: external
  namespace: payments
spec:
  gatewayClassName: ${className}
  listeners:
  - name: http
    protocol: HTTP
    port: 80
`;
  const httpRoute = (parentRef: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: payments-api
  namespace: payments
spec:
  parentRefs:
${parentRef}  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /pay
    backendRefs:
    - name: payments-api
      port: 8080
`;
  const blockersOf = (...extra: string[]) => fixOf(fleet(...extra), 'istio:payments/Deployment/ledger:8080').blockers;

  it.each([
    ['the kubernetes.io/ingress.class annotation gce', gceAnnotation, '', 'class gce'],
    ['ingressClassName gce-internal', '', '  ingressClassName: gce-internal\n', 'class gce-internal'],
    ['no class (GKE serves it)', '', '', "no ingress class, which GKE's load balancer controller serves"],
  ])('holds STRICT for a person when an Ingress with %s sends to a port in scope', (_how, meta, spec, cls) => {
    expect(blockersOf(ingress(meta, spec))).toEqual([
      `Ingress payments/payments-web (${cls}) sends to Service payments/payments-api port 9090: that load balancer is outside the mesh and sends plaintext to port 9090 of payments/Deployment/payments-api, which STRICT refuses`,
    ]);
  });

  it("leaves an Ingress of Istio's class alone: the Istio ingress gateway sends mTLS", () => {
    expect(blockersOf(ingress('', '  ingressClassName: istio\n'))).toEqual([]);
    const istioClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: mesh-edge
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: istio.io/ingress-controller
`;
    expect(blockersOf(istioClass, ingress('', '  ingressClassName: mesh-edge\n'))).toEqual([]);
    // A class-less Ingress gets the default IngressClass.
    expect(blockersOf(istioClass, ingress('', ''))).toEqual([]);
    // The MeshConfig may rename the class Istio serves.
    expect(blockersOf(meshConfigYaml('ingressClass: mesh-edge'), ingress('  annotations:\n    kubernetes.io/ingress.class: mesh-edge\n', ''))).toEqual([]);
  });

  it('gives the remediation approval, naming the Ingress', () => {
    const findings = evaluateModel(istioModelOf(fleet(ingress(gceAnnotation, ''))), shippedPolicy(), NOW);
    const finding = findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api' && f.resource.port === 9090)!;
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: expect.stringContaining('Ingress payments/payments-web (class gce) sends to Service payments/payments-api port 9090') });
  });

  it('blocks only a change whose scope holds the port the Ingress sends to', () => {
    const portPolicy = peerAuthentication('payments', 'payments-api', 'PERMISSIVE', { app: 'payments-api', ports: { 8080: 'DISABLE' } });
    const fix = fixOf(fleet(portPolicy, ingress(gceAnnotation, '')), 'istio:payments/Deployment/payments-api:8080');
    expect(fix.change).toMatchObject({ patch: { spec: { portLevelMtls: { '8080': { mode: 'STRICT' } } } } });
    expect(fix.blockers).toEqual([]);
  });

  it.each(['gke-l7-global-external-managed', 'gke-l7-rilb'])('holds STRICT for a person when an HTTPRoute of a %s Gateway sends to a port in scope', (className) => {
    expect(blockersOf(gateway(className), httpRoute('  - name: external\n'))).toEqual([
      `HTTPRoute payments/payments-api through Gateway payments/external (class ${className}) sends to Service payments/payments-api port 8080: that load balancer is outside the mesh and sends plaintext to port 8080 of payments/Deployment/payments-api, which STRICT refuses`,
    ]);
  });

  it("leaves routes of Istio's Gateway classes, and mesh routes on a Service, alone", () => {
    for (const className of ['istio', 'istio-waypoint']) expect(blockersOf(gateway(className), httpRoute('  - name: external\n'))).toEqual([]);
    expect(blockersOf(httpRoute('  - group: ""\n    kind: Service\n    name: payments-api\n    port: 8080\n'))).toEqual([]);
  });

  // GEP-1748; GKE's multi-cluster Gateways route to a ServiceImport, reaching the same-named Service's pods in each cluster.
  it.each(['net.gke.io', 'multicluster.x-k8s.io'])('holds STRICT for a person when the route sends to a ServiceImport of group %s', (group) => {
    const toImport = httpRoute('  - name: external\n').replace('    - name: payments-api\n      port: 8080\n', `    - group: ${group}\n      kind: ServiceImport\n      name: payments-api\n      port: 8080\n`);
    expect(toImport).toContain('kind: ServiceImport');
    expect(blockersOf(gateway('gke-l7-global-external-managed-mc'), toImport)).toEqual([
      'HTTPRoute payments/payments-api through Gateway payments/external (class gke-l7-global-external-managed-mc) sends to Service payments/payments-api port 8080: that load balancer is outside the mesh and sends plaintext to port 8080 of payments/Deployment/payments-api, which STRICT refuses',
    ]);
  });

  it('counts a Gateway the audit does not hold as outside the mesh: its class is unknown', () => {
    expect(blockersOf(httpRoute('  - name: shared-edge\n    namespace: infra\n'))).toEqual([
      'HTTPRoute payments/payments-api through Gateway infra/shared-edge (not in this audit, so of unknown class) sends to Service payments/payments-api port 8080: that load balancer is outside the mesh and sends plaintext to port 8080 of payments/Deployment/payments-api, which STRICT refuses',
    ]);
  });
});

describe('server fixes: standalone network endpoint groups (GKE cloud.google.com/neg exposed_ports)', () => {
  /*
   * A Service annotated `cloud.google.com/neg: '{"exposed_ports": {...}}'` has GKE keep network
   * endpoint groups of its pods' IPs, for a load balancer made outside the cluster's objects (by
   * hand, by Terraform, by Multi Cluster Ingress for the Services it derives). That load balancer
   * sends plaintext straight to the pods; the audit shows only the annotation.
   */
  const annotated = (value: string) => `apiVersion: v1
kind: Service
metadata:
  name: payments-neg
  namespace: payments
  annotations:
    cloud.google.com/neg: '${value}'
spec:
  selector:
    app: payments-api
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: 9090
  - name: grpc
    port: 81
    protocol: TCP
    targetPort: 8080
`;
  const blockersOf = (...extra: string[]) => fixOf(fleet(...extra), 'istio:payments/Deployment/ledger:8080').blockers;
  const sender = 'a Google load balancer through the standalone network endpoint groups of Service payments/payments-neg (cloud.google.com/neg exposed_ports)';

  it('holds STRICT for a person on the port a standalone NEG exposes, naming the annotation', () => {
    expect(blockersOf(annotated('{"exposed_ports": {"80": {}}}'))).toEqual([
      `${sender} sends to Service payments/payments-neg port 80: that load balancer is outside the mesh and sends plaintext to port 9090 of payments/Deployment/payments-api, which STRICT refuses`,
    ]);
    const findings = evaluateModel(istioModelOf(fleet(annotated('{"exposed_ports":{"80":{"name":"payments-neg-http"}}}'))), shippedPolicy(), NOW);
    const finding = findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api' && f.resource.port === 9090)!;
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: expect.stringContaining(`${sender} sends to Service payments/payments-neg port 80`) });
  });

  it('leaves ports the annotation does not expose, and a NEG for an Ingress only, alone', () => {
    const portPolicy = peerAuthentication('payments', 'payments-api', 'PERMISSIVE', { app: 'payments-api', ports: { 8080: 'DISABLE' } });
    const fix = fixOf(fleet(portPolicy, annotated('{"exposed_ports": {"80": {}}}')), 'istio:payments/Deployment/payments-api:8080');
    expect(fix.blockers).toEqual([]);
    // `{"ingress": true}` makes NEGs for an Ingress to the Service, which is weighed as an Ingress.
    expect(blockersOf(annotated('{"ingress": true}'))).toEqual([]);
  });

  it('counts every port exposed when the annotation names exposed_ports but cannot be read', () => {
    expect(blockersOf(annotated('{"exposed_ports": {"80": {}}'))).toEqual([
      `${sender} sends to Service payments/payments-neg port 81: that load balancer is outside the mesh and sends plaintext to port 8080 of payments/Deployment/payments-api, which STRICT refuses`,
      `${sender} sends to Service payments/payments-neg port 80: that load balancer is outside the mesh and sends plaintext to port 9090 of payments/Deployment/payments-api, which STRICT refuses`,
    ]);
  });
});

describe('server fixes: an AWS Load Balancer Controller TargetGroupBinding (Istio on EKS)', () => {
  const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/payments-api/73e2d6bc24d8a067';
  const binding = (port: string) => `apiVersion: elbv2.k8s.aws/v1beta1
kind: TargetGroupBinding
metadata:
  name: payments-api-tgb
  namespace: payments
spec:
  serviceRef:
    name: payments-api
    port: ${port}
  targetGroupARN: ${ARN}
  targetType: ip
`;
  const blockersOf = (...extra: string[]) => fixOf(fleet(...extra), 'istio:payments/Deployment/ledger:8080').blockers;

  it.each(['9090', 'http-9090'])('holds STRICT for a person on the Service port %s it binds: its load balancer sends plaintext', (port) => {
    expect(blockersOf(binding(port))).toEqual([
      `the load balancer of TargetGroupBinding payments/payments-api-tgb (target group ${ARN}) sends to Service payments/payments-api port 9090: that load balancer is outside the mesh and sends plaintext to port 9090 of payments/Deployment/payments-api, which STRICT refuses`,
    ]);
  });

  it('leaves the ports it does not bind alone', () => {
    const portPolicy = peerAuthentication('payments', 'payments-api', 'PERMISSIVE', { app: 'payments-api', ports: { 8080: 'DISABLE' } });
    expect(fixOf(fleet(portPolicy, binding('9090')), 'istio:payments/Deployment/payments-api:8080').blockers).toEqual([]);
  });
});

describe('server fixes: GKE Multi Cluster Ingress', () => {
  /*
   * A MultiClusterIngress sends, through a Google load balancer, to the pods its
   * MultiClusterService backends select in each member cluster (GKE derives an `mci-…` Service
   * there). A configuration repository holds only the two objects.
   */
  const mcs = `apiVersion: networking.gke.io/v1
kind: MultiClusterService
metadata:
  name: payments-mcs
  namespace: payments
spec:
  template:
    spec:
      selector:
        app: payments-api
      ports:
      - name: web
        protocol: TCP
        port: 8080
        targetPort: 9090
`;
  const mci = (backend: string) => `apiVersion: networking.gke.io/v1
kind: MultiClusterIngress
metadata:
  name: payments-web
  namespace: payments
spec:
  template:
    spec:
      backend:
${backend}`;
  const blockersOf = (...extra: string[]) => fixOf(fleet(...extra), 'istio:payments/Deployment/ledger:8080').blockers;

  it.each([
    ['by port number', '        serviceName: payments-mcs\n        servicePort: 8080\n'],
    ['by port name', '        serviceName: payments-mcs\n        servicePort: web\n'],
    ['without a port', '        serviceName: payments-mcs\n'],
  ])('holds STRICT for a person on the port its MultiClusterService sends to, %s', (_how, backend) => {
    expect(blockersOf(mcs, mci(backend))).toEqual([
      'MultiClusterIngress payments/payments-web sends to MultiClusterService payments/payments-mcs port 8080: that load balancer is outside the mesh and sends plaintext to port 9090 of payments/Deployment/payments-api, which STRICT refuses',
    ]);
  });

  it('leaves the pods alone when no MultiClusterIngress sends to the MultiClusterService, or its MultiClusterService is not in the audit', () => {
    expect(blockersOf(mcs)).toEqual([]);
    expect(blockersOf(mci('        serviceName: payments-mcs\n        servicePort: 8080\n'))).toEqual([]);
  });
});
