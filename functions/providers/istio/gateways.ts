import type { Workload } from './workloads';

/** Istio's gateway labels (`istio: ingressgateway` from istioctl and the gateway chart; the Gateway API's deployments). */
const GATEWAY_ISTIO_LABELS = new Set(['ingressgateway', 'egressgateway', 'eastwestgateway']);

/**
 * Whether the workload is an Istio gateway: pods injected with the `gateway` template (the
 * gateway Helm chart, gateway injection), deployed for a Kubernetes Gateway, or carrying the
 * classic `istio: ingressgateway` label. A gateway runs Envoy itself, and its listeners take
 * their TLS from Gateway resources, not from PeerAuthentication (istio/istio#23284, #25818).
 */
export function isIstioGateway(workload: Workload): boolean {
  const templates = workload.podAnnotations['inject.istio.io/templates'];
  if (templates !== undefined && templates.split(',').some((t) => t.trim() === 'gateway')) return true;
  const labels = workload.podLabels;
  if (labels['gateway.networking.k8s.io/gateway-name'] !== undefined) return true;
  const istio = labels['istio'];
  return istio !== undefined && GATEWAY_ISTIO_LABELS.has(istio);
}
