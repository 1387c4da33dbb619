import type { Inventory, KubeObject, Located } from '../../core/model/inventory';
import { isMeshConfigMap } from './meshConfig';
import { NamespaceRun } from './namespaceRun';
import { namespaceOf } from './objectKey';
import { podTemplateOf } from './workloads';

const SECURITY_VERSIONS = new Set(['security.istio.io/v1', 'security.istio.io/v1beta1']);
const NETWORKING_VERSIONS = new Set(['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']);

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
      case 'Namespace':
        if (apiVersion === 'v1') out.namespaces.push(obj);
        break;
      case 'Service':
        if (apiVersion === 'v1') out.services.push(obj);
        break;
      case 'Pod':
        if (apiVersion === 'v1') out.pods.push(obj);
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
      case 'CronJob':
        if (apiVersion === 'batch/v1') out.controllers.push(obj);
        break;
      case 'MutatingWebhookConfiguration':
        if (apiVersion.startsWith('admissionregistration.k8s.io/') && typeof obj.doc.metadata?.labels?.['istio.io/tag'] === 'string') out.revisionTags.push(obj);
        break;
    }
  }
  return out;
}

/**
 * True when the inputs show Istio at all: an Istio resource, the MeshConfig, a namespace or pod
 * labelled for injection, or a pod with an Istio sidecar. Without any, plain Deployments (say,
 * an App Mesh fleet's) must not be reported as unprotected Istio workloads.
 */
export function showsIstio(inputs: IstioInputs): boolean {
  if (inputs.peerAuthentications.length + inputs.destinationRules.length + inputs.serviceEntries.length + inputs.meshConfigMaps.length > 0) {
    return true;
  }
  const hasIstioLabel = (labels: unknown): boolean =>
    !!labels && typeof labels === 'object' && Object.keys(labels).some((k) => k === 'istio-injection' || k === 'istio.io/rev' || k.startsWith('sidecar.istio.io/'));
  if (inputs.namespaces.some((n) => hasIstioLabel(n.doc.metadata?.labels))) return true;
  const podShowsIstio = (meta: any, spec: any): boolean =>
    hasIstioLabel(meta?.labels) ||
    hasIstioLabel(meta?.annotations) ||
    [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].some((c: any) => c?.name === 'istio-proxy');
  if (inputs.pods.some((p) => podShowsIstio(p.doc.metadata, p.doc.spec))) return true;
  return inputs.controllers.some((c) => {
    const template = podTemplateOf(c.doc);
    return podShowsIstio(template?.metadata, template?.spec);
  });
}

export function inNamespaces(objects: Located<KubeObject>[], excluded: ReadonlySet<string>): Located<KubeObject>[] {
  if (excluded.size === 0) return objects;
  const isExcluded = new NamespaceRun((namespace) => excluded.has(namespace));
  return objects.filter((o) => !isExcluded.get(namespaceOf(o.doc)));
}
