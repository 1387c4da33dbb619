import type { Inventory, KubeObject, Located } from '../../core/model/inventory';
import { INJECT_YES } from './membership';
import { isMeshConfigMap } from './meshConfig';
import { isMultiClusterIngressObject } from './multiClusterIngress';
import { NamespaceRun } from './namespaceRun';
import { namespaceOf } from './objectKey';
import { isGmpScrapeConfig } from './podMonitorings';
import { podTemplateOf } from './workloads';

const SECURITY_VERSIONS = new Set(['security.istio.io/v1', 'security.istio.io/v1beta1']);
const NETWORKING_VERSIONS = new Set(['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']);
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io/';

/** The Kubernetes objects the Istio provider reads, sorted by kind. */
export interface IstioInputs {
  peerAuthentications: Located<KubeObject>[];
  destinationRules: Located<KubeObject>[];
  serviceEntries: Located<KubeObject>[];
  meshConfigMaps: Located<KubeObject>[];
  namespaces: Located<KubeObject>[];
  services: Located<KubeObject>[];
  controllers: Located<KubeObject>[];
  pods: Located<KubeObject>[];
  /** The injector webhooks of revision tags (`istioctl tag set`): labelled `istio.io/tag`. */
  revisionTags: Located<KubeObject>[];
  /** App Mesh `Mesh` objects (appmesh.k8s.aws): their `namespaceSelector` says which namespaces are App Mesh's. */
  appMeshMeshes: Located<KubeObject>[];
  /** Ingresses and their classes: one of another class than Istio's brings outside clients to its Services (outsideRoutes.ts). */
  ingresses: Located<KubeObject>[];
  ingressClasses: Located<KubeObject>[];
  /** Gateway API Gateways, GatewayClasses and routes (gateway.networking.k8s.io), for the same reason. */
  gateways: Located<KubeObject>[];
  gatewayClasses: Located<KubeObject>[];
  routes: Located<KubeObject>[];
  /** GKE MultiClusterIngresses and MultiClusterServices (networking.gke.io): a Google load balancer sends to the pods the services select (multiClusterIngress.ts). */
  multiClusterIngress: Located<KubeObject>[];
  /** AWS Load Balancer Controller TargetGroupBindings (elbv2.k8s.aws): a load balancer made elsewhere sends to a Service's pods. */
  targetGroupBindings: Located<KubeObject>[];
  /** Sidecar resources (networking.istio.io): an egress that leaves a host out lets calls to it pass through in plaintext. */
  sidecars: Located<KubeObject>[];
  /** Google Managed Prometheus PodMonitorings and ClusterPodMonitorings: their collectors scrape in plaintext (podMonitorings.ts). */
  gmpScrapeConfigs: Located<KubeObject>[];
}

/** Picks the objects this provider understands out of the inventory; everything else is left to other providers. */
export function selectIstioInputs(inventory: Inventory): IstioInputs {
  const out: IstioInputs = {
    peerAuthentications: [],
    destinationRules: [],
    serviceEntries: [],
    meshConfigMaps: [],
    namespaces: [],
    services: [],
    controllers: [],
    pods: [],
    revisionTags: [],
    appMeshMeshes: [],
    ingresses: [],
    ingressClasses: [],
    gateways: [],
    gatewayClasses: [],
    routes: [],
    targetGroupBindings: [],
    multiClusterIngress: [],
    sidecars: [],
    gmpScrapeConfigs: [],
  };
  const objects = inventory.kubernetes;
  // An indexed loop over every document of the inventory: cold code allocates a result object per for-of step.
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    const { apiVersion, kind } = obj.doc;
    // The kind first: a string switch rejects most documents before any apiVersion is hashed.
    switch (kind) {
      case 'PeerAuthentication':
        if (SECURITY_VERSIONS.has(apiVersion)) out.peerAuthentications.push(obj);
        break;
      case 'DestinationRule':
        if (NETWORKING_VERSIONS.has(apiVersion)) out.destinationRules.push(obj);
        break;
      case 'ServiceEntry':
        if (NETWORKING_VERSIONS.has(apiVersion)) out.serviceEntries.push(obj);
        break;
      case 'PodMonitoring':
      case 'ClusterPodMonitoring':
        if (isGmpScrapeConfig(obj)) out.gmpScrapeConfigs.push(obj);
        break;
      case 'Sidecar':
        if (NETWORKING_VERSIONS.has(apiVersion)) out.sidecars.push(obj);
        break;
      case 'Namespace':
        if (apiVersion === 'v1') out.namespaces.push(obj);
        break;
      case 'Service':
        if (apiVersion === 'v1') out.services.push(obj);
        break;
      case 'Pod':
        if (apiVersion === 'v1' && !isHelmHook(obj.doc)) out.pods.push(obj);
        break;
      case 'ConfigMap':
        if (apiVersion === 'v1' && isMeshConfigMap(obj.doc)) out.meshConfigMaps.push(obj);
        break;
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
        if (apiVersion === 'apps/v1') out.controllers.push(obj);
        break;
      case 'Job':
        if (apiVersion === 'batch/v1' && !isHelmHook(obj.doc)) out.controllers.push(obj);
        break;
      case 'CronJob':
        if (apiVersion === 'batch/v1') out.controllers.push(obj);
        break;
      case 'Mesh':
        if (typeof apiVersion === 'string' && apiVersion.startsWith('appmesh.k8s.aws/')) out.appMeshMeshes.push(obj);
        break;
      case 'Ingress':
        // networking.k8s.io/v1, and the v1beta1 that clusters before 1.22 served (its backends are read too).
        if (apiVersion.startsWith('networking.k8s.io/') || apiVersion === 'extensions/v1beta1') out.ingresses.push(obj);
        break;
      case 'IngressClass':
        if (apiVersion.startsWith('networking.k8s.io/')) out.ingressClasses.push(obj);
        break;
      case 'Gateway':
        // Istio's own `networking.istio.io` Gateway configures an Istio gateway: not this one.
        if (apiVersion.startsWith(GATEWAY_API_GROUP)) out.gateways.push(obj);
        break;
      case 'GatewayClass':
        if (apiVersion.startsWith(GATEWAY_API_GROUP)) out.gatewayClasses.push(obj);
        break;
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'TCPRoute':
      case 'TLSRoute':
        if (apiVersion.startsWith(GATEWAY_API_GROUP)) out.routes.push(obj);
        break;
      case 'MultiClusterIngress':
      case 'MultiClusterService':
        if (isMultiClusterIngressObject(obj)) out.multiClusterIngress.push(obj);
        break;
      case 'TargetGroupBinding':
        if (apiVersion.startsWith('elbv2.k8s.aws/')) out.targetGroupBindings.push(obj);
        break;
      case 'MutatingWebhookConfiguration':
        if (apiVersion.startsWith('admissionregistration.k8s.io/') && typeof obj.doc.metadata?.labels?.['istio.io/tag'] === 'string') out.revisionTags.push(obj);
        break;
    }
  }
  return out;
}

/**
 * True when the inputs show Istio at all: an Istio resource, the MeshConfig, a revision tag's
 * webhook, a namespace that enrols its pods (`istio-injection=enabled`, `istio.io/rev`, ambient),
 * or a pod that has a sidecar or opts in. Without any, plain Deployments (say, an App Mesh
 * fleet's) must not be reported as unprotected Istio workloads. An opt-out
 * (`sidecar.istio.io/inject: "false"`, `istio-injection=disabled`) is no evidence: charts set it
 * on their Jobs whatever mesh the cluster runs.
 */
export function showsIstio(inputs: IstioInputs): boolean {
  if (inputs.peerAuthentications.length + inputs.destinationRules.length + inputs.serviceEntries.length + inputs.meshConfigMaps.length + inputs.revisionTags.length > 0) {
    return true;
  }
  if (inputs.namespaces.some((n) => enrols(n.doc.metadata?.labels))) return true;
  if (inputs.pods.some((p) => podShowsIstio(p.doc.metadata, p.doc.spec))) return true;
  return inputs.controllers.some((c) => {
    const template = podTemplateOf(c.doc);
    return podShowsIstio(template?.metadata, template?.spec);
  });
}

/** Labels (of a namespace or a pod) that put pods in the mesh: injection or ambient enrolment. */
function enrols(labels: unknown): boolean {
  if (!labels || typeof labels !== 'object') return false;
  const l = labels as Record<string, unknown>;
  return l['istio-injection'] === 'enabled' || l['istio.io/rev'] !== undefined || l['istio.io/dataplane-mode'] === 'ambient';
}

/** A sidecar already there (container, injector status, its tlsMode label), or a pod opting in. */
function podShowsIstio(meta: any, spec: any): boolean {
  const labels = meta?.labels;
  const annotations = meta?.annotations;
  if (enrols(labels) || optsIn(labels) || optsIn(annotations)) return true;
  if (annotations?.['sidecar.istio.io/status'] !== undefined || labels?.['security.istio.io/tlsMode'] !== undefined) return true;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].some((c: any) => c?.name === 'istio-proxy');
}

function optsIn(map: any): boolean {
  const value = map?.['sidecar.istio.io/inject'];
  // An unquoted `true` in a file is read as a boolean.
  return value === true || (typeof value === 'string' && INJECT_YES.has(value.toLowerCase()));
}

/**
 * A Pod or Job a Helm chart runs once around an install or as `helm test` (annotation
 * `helm.sh/hook`): it serves nothing and calls only while it runs, so it is no workload to audit.
 */
function isHelmHook(doc: KubeObject): boolean {
  return doc.metadata?.annotations?.['helm.sh/hook'] !== undefined;
}

export function inNamespaces(objects: Located<KubeObject>[], excluded: ReadonlySet<string>): Located<KubeObject>[] {
  if (excluded.size === 0) return objects;
  const isExcluded = new NamespaceRun((namespace) => excluded.has(namespace));
  return objects.filter((o) => !isExcluded.get(namespaceOf(o.doc)));
}
