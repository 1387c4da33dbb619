/**
 * The resource types the emulator serves, described as the API server's discovery documents
 * describe them (meta/v1 APIResource). One entry per resource; a CRD served under several
 * versions has one entry and one object store, and answers under every version it lists, as
 * a CRD with `served: true` on each version and no conversion webhook does.
 */

export interface ResourceType {
  /** API group; '' is the legacy core group served under /api. */
  group: string;
  /** Served versions, the storage (preferred) version first. */
  versions: string[];
  kind: string;
  /** URL segment and authorization resource, e.g. `peerauthentications`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Writes to the main resource leave `.status` alone; `/status` writes touch only `.status`. */
  hasStatusSubresource: boolean;
  /** Whether the API server maintains `metadata.generation` for this kind. */
  tracksGeneration: boolean;
  /** DELETE answers with the object (genericregistry.Store ReturnDeletedObject) instead of a Status. */
  returnsDeletedObject: boolean;
  /** Built-in types omit kind/apiVersion on list items; custom resources carry them. */
  isCustomResource: boolean;
  /** Label keys the API server sets itself, computed from the object. */
  systemLabels?: (name: string) => Record<string, string>;
}

const crdVerbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
const builtinVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const istioNetworkingVersions = ['v1', 'v1beta1', 'v1alpha3'];

/** A Gateway API v1.2 experimental-channel install: every kind, v1alpha2 GRPCRoute no longer served. */
function gatewayApi(kind: string, plural: string, versions: string[], namespaced: boolean): ResourceType {
  return {
    group: 'gateway.networking.k8s.io', versions, kind, plural, singular: kind.toLowerCase(), namespaced,
    shortNames: kind === 'GatewayClass' ? ['gc'] : kind === 'Gateway' ? ['gtw'] : [], categories: ['gateway-api'], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  };
}

/** Google Managed Prometheus (prometheus-engine's CRDs): v1, and v1alpha1 still served, deprecated. */
function gmp(kind: string, plural: string, namespaced: boolean): ResourceType {
  return {
    group: 'monitoring.googleapis.com', versions: ['v1', 'v1alpha1'], kind, plural, singular: kind.toLowerCase(), namespaced,
    shortNames: [], categories: [], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  {
    group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', singular: 'namespace',
    namespaced: false, shortNames: ['ns'], categories: [],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    hasStatusSubresource: true, tracksGeneration: false, returnsDeletedObject: true, isCustomResource: false,
    // Kubernetes 1.21+: the NamespaceDefaultLabelName feature labels every namespace with its name.
    systemLabels: (name) => ({ 'kubernetes.io/metadata.name': name }),
  },
  {
    group: '', versions: ['v1'], kind: 'Service', plural: 'services', singular: 'service',
    namespaced: true, shortNames: ['svc'], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: false, returnsDeletedObject: true, isCustomResource: false,
  },
  {
    group: '', versions: ['v1'], kind: 'Pod', plural: 'pods', singular: 'pod',
    namespaced: true, shortNames: ['po'], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: false, returnsDeletedObject: true, isCustomResource: false,
  },
  {
    group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap',
    namespaced: true, shortNames: ['cm'], categories: [], verbs: builtinVerbs,
    hasStatusSubresource: false, tracksGeneration: false, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', singular: 'secret',
    namespaced: true, shortNames: [], categories: [], verbs: builtinVerbs,
    hasStatusSubresource: false, tracksGeneration: false, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'apps', versions: ['v1'], kind: 'Deployment', plural: 'deployments', singular: 'deployment',
    namespaced: true, shortNames: ['deploy'], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'apps', versions: ['v1'], kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset',
    namespaced: true, shortNames: ['sts'], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'apps', versions: ['v1'], kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset',
    namespaced: true, shortNames: ['ds'], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'batch', versions: ['v1'], kind: 'Job', plural: 'jobs', singular: 'job',
    namespaced: true, shortNames: [], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'batch', versions: ['v1'], kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob',
    namespaced: true, shortNames: ['cj'], categories: ['all'], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'security.istio.io', versions: ['v1', 'v1beta1'], kind: 'PeerAuthentication',
    plural: 'peerauthentications', singular: 'peerauthentication', namespaced: true, shortNames: ['pa'],
    categories: ['istio-io', 'security-istio-io'], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  {
    group: 'networking.istio.io', versions: istioNetworkingVersions, kind: 'DestinationRule',
    plural: 'destinationrules', singular: 'destinationrule', namespaced: true, shortNames: ['dr'],
    categories: ['istio-io', 'networking-istio-io'], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  {
    group: 'networking.istio.io', versions: istioNetworkingVersions, kind: 'ServiceEntry',
    plural: 'serviceentries', singular: 'serviceentry', namespaced: true, shortNames: ['se'],
    categories: ['istio-io', 'networking-istio-io'], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  {
    group: 'networking.istio.io', versions: istioNetworkingVersions, kind: 'Sidecar',
    plural: 'sidecars', singular: 'sidecar', namespaced: true, shortNames: [],
    categories: ['istio-io', 'networking-istio-io'], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  {
    group: 'cert-manager.io', versions: ['v1'], kind: 'Certificate', plural: 'certificates',
    singular: 'certificate', namespaced: true, shortNames: ['cert', 'certs'], categories: ['cert-manager'],
    verbs: crdVerbs, hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false,
    isCustomResource: true,
  },
  {
    group: 'networking.k8s.io', versions: ['v1'], kind: 'Ingress', plural: 'ingresses', singular: 'ingress',
    namespaced: true, shortNames: ['ing'], categories: [], verbs: builtinVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'networking.k8s.io', versions: ['v1'], kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass',
    namespaced: false, shortNames: [], categories: [], verbs: builtinVerbs,
    hasStatusSubresource: false, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  {
    group: 'admissionregistration.k8s.io', versions: ['v1'], kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations', singular: 'mutatingwebhookconfiguration', namespaced: false,
    shortNames: [], categories: ['api-extensions'], verbs: builtinVerbs,
    hasStatusSubresource: false, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: false,
  },
  gatewayApi('GatewayClass', 'gatewayclasses', ['v1', 'v1beta1'], false),
  gatewayApi('Gateway', 'gateways', ['v1', 'v1beta1'], true),
  gatewayApi('HTTPRoute', 'httproutes', ['v1', 'v1beta1'], true),
  gatewayApi('GRPCRoute', 'grpcroutes', ['v1'], true),
  gatewayApi('TCPRoute', 'tcproutes', ['v1alpha2'], true),
  gatewayApi('TLSRoute', 'tlsroutes', ['v1alpha2'], true),
  gmp('PodMonitoring', 'podmonitorings', true),
  gmp('ClusterPodMonitoring', 'clusterpodmonitorings', false),
  // AWS Load Balancer Controller: v1beta1 stored, v1alpha1 still served.
  {
    group: 'elbv2.k8s.aws', versions: ['v1beta1', 'v1alpha1'], kind: 'TargetGroupBinding', plural: 'targetgroupbindings',
    singular: 'targetgroupbinding', namespaced: true, shortNames: [], categories: [], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  // GKE Multi Cluster Ingress, installed in the fleet's config cluster.
  {
    group: 'networking.gke.io', versions: ['v1'], kind: 'MultiClusterIngress', plural: 'multiclusteringresses',
    singular: 'multiclusteringress', namespaced: true, shortNames: ['mci'], categories: [], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  {
    group: 'networking.gke.io', versions: ['v1'], kind: 'MultiClusterService', plural: 'multiclusterservices',
    singular: 'multiclusterservice', namespaced: true, shortNames: ['mcs'], categories: [], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
  {
    group: 'trust.cert-manager.io', versions: ['v1alpha1'], kind: 'Bundle', plural: 'bundles', singular: 'bundle',
    namespaced: false, shortNames: [], categories: [], verbs: crdVerbs,
    hasStatusSubresource: true, tracksGeneration: true, returnsDeletedObject: false, isCustomResource: true,
  },
];

/** `group/version`, or just `version` for the core group, as written in `apiVersion`. */
export function groupVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Splits an `apiVersion` into group and version (`v1` → core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The resource served at `group`/`version` under `plural`, if any. */
export function resourceAt(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.group === group && r.plural === plural && r.versions.includes(version));
}

/** The resource whose objects carry this apiVersion and kind. */
export function resourceForObject(apiVersion: string, kind: string): ResourceType | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return RESOURCE_TYPES.find((r) => r.group === group && r.kind === kind && r.versions.includes(version));
}

/**
 * Resolves the names a test may use for a kind, as kubectl does: `PeerAuthentication`,
 * `peerauthentication`, `peerauthentications`, `pa`, or `peerauthentications.security.istio.io`.
 */
export function resolveResourceName(name: string): ResourceType {
  const dot = name.indexOf('.');
  const head = (dot < 0 ? name : name.slice(0, dot)).toLowerCase();
  const group = dot < 0 ? undefined : name.slice(dot + 1);
  const matches = RESOURCE_TYPES.filter(
    (r) =>
      (group === undefined || r.group === group) &&
      (r.plural === head || r.singular === head || r.kind.toLowerCase() === head || r.shortNames.includes(head)),
  );
  if (matches.length !== 1) {
    const known = RESOURCE_TYPES.map((r) => r.plural).join(', ');
    throw new Error(matches.length === 0 ? `kubernetes emulator: unknown kind "${name}" (serves ${known})` : `kubernetes emulator: ambiguous kind "${name}"`);
  }
  return matches[0]!;
}

/** `peerauthentications.security.istio.io`, or `pods` for the core group (schema.GroupResource.String). */
export function qualifiedResource(resource: ResourceType): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** `PeerAuthentication.security.istio.io`, or `Pod` for the core group (schema.GroupKind.String). */
export function qualifiedKind(resource: ResourceType): string {
  return resource.group === '' ? resource.kind : `${resource.kind}.${resource.group}`;
}

/** The apiVersion objects are stored under: the first (preferred) version. */
export function storageApiVersion(resource: ResourceType): string {
  return groupVersionOf(resource.group, resource.versions[0]!);
}
