/**
 * The kinds the live Istio provider reads, with where the API server serves them. Istio's
 * CRDs serve several versions of one stored object; the reader asks for the newest one the
 * cluster serves (security.istio.io/v1 arrived in Istio 1.22, networking.istio.io/v1 in 1.22
 * too), so the model sees the same fields whichever release runs. The Gateway API, Google
 * Managed Prometheus, trust-manager, the AWS Load Balancer Controller and GKE Multi Cluster
 * Ingress are add-ons a cluster may lack: their kinds are optional.
 */

export interface ResourceType {
  kind: string;
  /** '' is the core group, served under /api. */
  group: string;
  /** Versions to use, most preferred first; core, apps and batch kinds have exactly one. */
  versions: string[];
  plural: string;
  namespaced: boolean;
  /** A CRD that may be absent from a cluster (cert-manager): its absence is not an error. */
  optional?: boolean;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({ kind, group: '', versions: ['v1'], plural, namespaced });
const gatewayApi = (kind: string, plural: string, versions: string[], namespaced = true): ResourceType => ({ kind, group: 'gateway.networking.k8s.io', versions, plural, namespaced, optional: true });
const gmp = (kind: string, plural: string, namespaced: boolean): ResourceType => ({ kind, group: 'monitoring.googleapis.com', versions: ['v1', 'v1alpha1'], plural, namespaced, optional: true });
const apps = (kind: string, plural: string): ResourceType => ({ kind, group: 'apps', versions: ['v1'], plural, namespaced: true });
const batch = (kind: string, plural: string): ResourceType => ({ kind, group: 'batch', versions: ['v1'], plural, namespaced: true });

export const NAMESPACES = core('Namespace', 'namespaces', false);
export const SERVICES = core('Service', 'services');
export const PODS = core('Pod', 'pods');
export const CONFIG_MAPS = core('ConfigMap', 'configmaps');
export const SECRETS = core('Secret', 'secrets');
export const DEPLOYMENTS = apps('Deployment', 'deployments');
export const STATEFUL_SETS = apps('StatefulSet', 'statefulsets');
export const DAEMON_SETS = apps('DaemonSet', 'daemonsets');
export const JOBS = batch('Job', 'jobs');
export const CRON_JOBS = batch('CronJob', 'cronjobs');

export const PEER_AUTHENTICATIONS: ResourceType = {
  kind: 'PeerAuthentication',
  group: 'security.istio.io',
  versions: ['v1', 'v1beta1'],
  plural: 'peerauthentications',
  namespaced: true,
};
export const DESTINATION_RULES: ResourceType = {
  kind: 'DestinationRule',
  group: 'networking.istio.io',
  versions: ['v1', 'v1beta1', 'v1alpha3'],
  plural: 'destinationrules',
  namespaced: true,
};
export const SERVICE_ENTRIES: ResourceType = {
  kind: 'ServiceEntry',
  group: 'networking.istio.io',
  versions: ['v1', 'v1beta1', 'v1alpha3'],
  plural: 'serviceentries',
  namespaced: true,
};
export const CERTIFICATES: ResourceType = {
  kind: 'Certificate',
  group: 'cert-manager.io',
  versions: ['v1'],
  plural: 'certificates',
  namespaced: true,
  optional: true,
};

/** Istio's own, like DestinationRule: a Sidecar whose egress leaves a host out sends around mTLS (sidecarScope.ts). */
export const SIDECARS: ResourceType = {
  kind: 'Sidecar',
  group: 'networking.istio.io',
  versions: ['v1', 'v1beta1', 'v1alpha3'],
  plural: 'sidecars',
  namespaced: true,
};

// Built in since Kubernetes 1.19; v1beta1 went with 1.22, which nothing supported still runs.
export const INGRESSES: ResourceType = { kind: 'Ingress', group: 'networking.k8s.io', versions: ['v1'], plural: 'ingresses', namespaced: true };
export const INGRESS_CLASSES: ResourceType = { kind: 'IngressClass', group: 'networking.k8s.io', versions: ['v1'], plural: 'ingressclasses', namespaced: false };

/**
 * Gateway API (gateway.networking.k8s.io). Gateway, GatewayClass and HTTPRoute are v1 since
 * v1.0 and still serve v1beta1; GRPCRoute is v1 since v1.1 (v1alpha2 served until v1.2);
 * TCPRoute is experimental, v1alpha2 only; TLSRoute is v1alpha2 in the experimental channel,
 * v1alpha3 from v1.3, and v1 in the standard channel from v1.5.
 */
export const GATEWAYS = gatewayApi('Gateway', 'gateways', ['v1', 'v1beta1']);
export const GATEWAY_CLASSES = gatewayApi('GatewayClass', 'gatewayclasses', ['v1', 'v1beta1'], false);
export const HTTP_ROUTES = gatewayApi('HTTPRoute', 'httproutes', ['v1', 'v1beta1']);
export const GRPC_ROUTES = gatewayApi('GRPCRoute', 'grpcroutes', ['v1', 'v1alpha2']);
export const TCP_ROUTES = gatewayApi('TCPRoute', 'tcproutes', ['v1alpha2']);
export const TLS_ROUTES = gatewayApi('TLSRoute', 'tlsroutes', ['v1', 'v1alpha3', 'v1alpha2']);

/** Google Managed Prometheus scrape configuration: v1, and the deprecated v1alpha1 its CRDs still serve. */
export const POD_MONITORINGS = gmp('PodMonitoring', 'podmonitorings', true);
export const CLUSTER_POD_MONITORINGS = gmp('ClusterPodMonitoring', 'clusterpodmonitorings', false);

/** AWS Load Balancer Controller (Istio on EKS): a load balancer made elsewhere sends to a Service's pods; v1beta1, and the v1alpha1 its CRD still serves. */
export const TARGET_GROUP_BINDINGS: ResourceType = {
  kind: 'TargetGroupBinding',
  group: 'elbv2.k8s.aws',
  versions: ['v1beta1', 'v1alpha1'],
  plural: 'targetgroupbindings',
  namespaced: true,
  optional: true,
};

/** GKE Multi Cluster Ingress, in the fleet's config cluster: a Google load balancer sends to the pods a MultiClusterService selects. */
export const MULTI_CLUSTER_INGRESSES: ResourceType = { kind: 'MultiClusterIngress', group: 'networking.gke.io', versions: ['v1'], plural: 'multiclusteringresses', namespaced: true, optional: true };
export const MULTI_CLUSTER_SERVICES: ResourceType = { kind: 'MultiClusterService', group: 'networking.gke.io', versions: ['v1'], plural: 'multiclusterservices', namespaced: true, optional: true };

/** Injector webhooks; the reader lists only those of revision tags (label `istio.io/tag`). */
export const MUTATING_WEBHOOK_CONFIGURATIONS: ResourceType = {
  kind: 'MutatingWebhookConfiguration',
  group: 'admissionregistration.k8s.io',
  versions: ['v1'],
  plural: 'mutatingwebhookconfigurations',
  namespaced: false,
};

/** trust-manager's Bundle: trust.cert-manager.io serves v1alpha1 only. */
export const TRUST_BUNDLES: ResourceType = {
  kind: 'Bundle',
  group: 'trust.cert-manager.io',
  versions: ['v1alpha1'],
  plural: 'bundles',
  namespaced: false,
  optional: true,
};

/** The kinds the writer may change, by kind. */
export const WRITABLE_KINDS: Record<string, ResourceType> = {
  PeerAuthentication: PEER_AUTHENTICATIONS,
  DestinationRule: DESTINATION_RULES,
};

/** A resource as RBAC and `kubectl auth can-i` name it: `ingresses.networking.k8s.io`, `secrets`. */
export function rbacResourceName(group: string, plural: string): string {
  return group === '' ? plural : `${plural}.${group}`;
}

/** `apiVersion` for a group and version (`v1` for the core group). */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** The collection path: `/api/v1/pods`, `/apis/security.istio.io/v1/namespaces/payments/peerauthentications`. */
export function collectionPath(type: ResourceType, version: string, namespace?: string): string {
  const root = type.group === '' ? `/api/${version}` : `/apis/${type.group}/${version}`;
  if (!type.namespaced || namespace === undefined) return `${root}/${type.plural}`;
  return `${root}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}

/** The path of one object, also its `source.file` in the inventory. */
export function objectPath(type: ResourceType, version: string, namespace: string | undefined, name: string): string {
  return `${collectionPath(type, version, type.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}
