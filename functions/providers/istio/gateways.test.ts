import { isIstioGateway } from './gateways';
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
