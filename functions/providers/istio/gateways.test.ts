import { isIstioGateway } from './gateways';
import { deployment, docs, istioModelOf, namespaceYaml, peerAuthenticationYaml } from './testInventory';
import type { Workload } from './workloads';

const workload = (podLabels: Record<string, string>, podAnnotations: Record<string, string> = {}): Workload => ({
  kind: 'Deployment',
  name: 'w',
  namespace: 'istio-system',
  key: 'istio-system/Deployment/w',
  podLabels,
  podAnnotations,
  labels: podLabels,
  containerPorts: [],
  declaresSidecar: true,
  live: false,
  hostNetwork: false,
  source: { file: 'f.yaml', line: 1 },
});

describe('isIstioGateway', () => {
  it.each<[string, Record<string, string>, Record<string, string>, boolean]>([
    ['gateway chart (gateway injection template)', { app: 'istio-ingress', istio: 'ingress' }, { 'inject.istio.io/templates': 'gateway' }, true],
    ['istioctl install (operator) ingress gateway', { app: 'istio-ingressgateway', istio: 'ingressgateway' }, {}, true],
    ['egress gateway', { app: 'istio-egressgateway', istio: 'egressgateway' }, {}, true],
    ['Gateway API deployment', { 'gateway.networking.k8s.io/gateway-name': 'edge', 'istio.io/gateway-name': 'edge' }, {}, true],
    ['istiod', { app: 'istiod', istio: 'pilot' }, {}, false],
    ['an application', { app: 'payments-api' }, { 'inject.istio.io/templates': 'sidecar' }, false],
  ])('%s', (_what, labels, annotations, expected) => {
    expect(isIstioGateway(workload(labels, annotations))).toBe(expected);
  });
});

describe('a gateway is not an mTLS server of the mesh', () => {
  // istioctl install's ingress gateway under a PERMISSIVE mesh: its listeners take their TLS from
  // Gateway resources, so PeerAuthentication changes nothing there and a STRICT fix would be a no-op.
  const fleet = docs(
    namespaceYaml('istio-system', {}),
    peerAuthenticationYaml('istio-system', 'default', 'PERMISSIVE'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  selector:
    matchLabels:
      app: istio-ingressgateway
  template:
    metadata:
      labels:
        app: istio-ingressgateway
        istio: ingressgateway
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.24.2
        args: ["proxy", "router", "--domain", "$(POD_NAMESPACE).svc.cluster.local"]
        ports:
        - containerPort: 8080
        - containerPort: 8443
`,
    namespaceYaml('payments'),
    deployment('payments', 'payments-api', { ports: [8080] }),
  );

  it('gets no server records, while the mesh workloads beside it still do', () => {
    const model = istioModelOf(fleet);
    expect(model.servers.map((s) => s.resource.name)).toEqual(['payments-api']);
  });
});
