/**
 * The services an Istio policy change touches, as ledger service keys (`istio:<namespace>/<service>`,
 * the keys sloServiceKeys gives an Istio SLO), computed from the objects the agent's scoped
 * audit just read:
 * - a DestinationRule or ServiceEntry: the Kubernetes services its hosts name
 *   (`payments-api.payments.svc.cluster.local`, or a short name relative to the object's own
 *   namespace; Istio DestinationRule reference, `host`); a wildcard `*.payments.svc.cluster.local`
 *   names every service of payments, `*` every service read; an external host none;
 * - a PeerAuthentication with a workload selector: the services that select the workloads it
 *   selects (Service `spec.selector` ⊆ the pod template's labels ⊇ the policy's `matchLabels`),
 *   else, when no such workload was read, every service of its namespace;
 * - a namespace-wide PeerAuthentication: every service of its namespace; in the root
 *   namespace (the mesh-wide policy), every service read.
 */
import { isLooseRecord as isRecord } from '../../../core/is-record';
import type { KubeObject } from '../../../core/model/inventory';
import { isEmptyLabels, selectorMatches, type Labels } from '../labels';

export interface ChangedObject {
  kind: string;
  namespace: string;
  /** The spec after the change, or before it for a delete; either may be missing. */
  specs: unknown[];
}

/** The ledger key of a Kubernetes service. */
export function istioServiceKey(namespace: string, service: string): string {
  return `istio:${namespace}/${service}`;
}

export function touchedServices(changed: ChangedObject, objects: readonly KubeObject[], rootNamespace: string): string[] {
  const services = objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1' && typeof o.metadata?.namespace === 'string');
  const inNamespace = (ns: string) => services.filter((s) => s.metadata.namespace === ns).map((s) => istioServiceKey(ns, s.metadata.name));
  const everyService = () => services.map((s) => istioServiceKey(s.metadata.namespace!, s.metadata.name));
  const keys = new Set<string>();
  for (const spec of changed.specs.filter(isRecord)) {
    if (changed.kind === 'DestinationRule') addHost(keys, spec['host'], changed.namespace, inNamespace, everyService);
    if (changed.kind === 'ServiceEntry' && Array.isArray(spec['hosts'])) for (const host of spec['hosts']) addHost(keys, host, changed.namespace, inNamespace, everyService);
    if (changed.kind === 'PeerAuthentication') {
      const selector = matchLabelsOf(spec['selector']);
      if (selector === undefined) {
        for (const key of changed.namespace === rootNamespace ? everyService() : inNamespace(changed.namespace)) keys.add(key);
        continue;
      }
      const selecting = servicesSelectingWorkloads(selector, changed.namespace, objects, services);
      for (const key of selecting ?? inNamespace(changed.namespace)) keys.add(key);
    }
  }
  return [...keys].sort();
}

function addHost(keys: Set<string>, host: unknown, namespace: string, inNamespace: (ns: string) => string[], everyService: () => string[]): void {
  if (typeof host !== 'string' || host === '') return;
  if (host === '*') {
    for (const key of everyService()) keys.add(key);
    return;
  }
  if (!host.includes('.')) {
    keys.add(istioServiceKey(namespace, host));
    return;
  }
  // <service or *>.<namespace>.svc[.<cluster domain>]; `*.svc.cluster.local` and `*.cluster.local` span namespaces.
  const labels = host.split('.');
  if (labels[0] === '*' && labels.length >= 2 && (labels[1] === 'svc' || labels.slice(1).join('.') === 'cluster.local')) {
    for (const key of everyService()) keys.add(key);
    return;
  }
  if (labels[2] !== 'svc' || !labels[1]) return;
  if (labels[0] === '*') for (const key of inNamespace(labels[1])) keys.add(key);
  else keys.add(istioServiceKey(labels[1], labels[0]!));
}

/**
 * The services of `namespace` that select a workload `selector` selects; undefined when no
 * workload of the namespace was read that the selector matches (the caller falls back).
 */
function servicesSelectingWorkloads(selector: Labels, namespace: string, objects: readonly KubeObject[], services: readonly KubeObject[]): string[] | undefined {
  const podLabels = objects
    .filter((o) => o.metadata?.namespace === namespace)
    .map(podLabelsOf)
    .filter((labels): labels is Labels => labels !== undefined && selectorMatches(selector, labels));
  if (podLabels.length === 0) return undefined;
  const out: string[] = [];
  for (const service of services.filter((s) => s.metadata.namespace === namespace)) {
    const own = matchLabelsOfService(service);
    if (own && podLabels.some((labels) => selectorMatches(own, labels))) out.push(istioServiceKey(namespace, service.metadata.name));
  }
  return out;
}

/** The labels a workload's pods carry: a controller's pod template, or a Pod's own. */
function podLabelsOf(object: KubeObject): Labels | undefined {
  if (object.kind === 'Pod') return labelMap(object.metadata?.labels);
  if (object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'DaemonSet' || object.kind === 'Job') return labelMap(object.spec?.template?.metadata?.labels);
  if (object.kind === 'CronJob') return labelMap(object.spec?.jobTemplate?.spec?.template?.metadata?.labels);
  return undefined;
}

/** A Service selects nothing without a non-empty `spec.selector` (its endpoints are managed by hand). */
function matchLabelsOfService(service: KubeObject): Labels | undefined {
  const selector = labelMap(service.spec?.selector);
  return isEmptyLabels(selector) ? undefined : selector;
}

/** Istio WorkloadSelector `matchLabels`; undefined when absent or empty (the policy is namespace-wide). */
function matchLabelsOf(selector: unknown): Labels | undefined {
  const labels = isRecord(selector) ? labelMap(selector['matchLabels']) : undefined;
  return isEmptyLabels(labels) ? undefined : labels;
}

function labelMap(value: unknown): Labels | undefined {
  if (!isRecord(value)) return undefined;
  const out: Labels = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
