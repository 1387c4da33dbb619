/**
 * Callers of a virtual node that no mesh configuration names: a listener in `tls.mode: STRICT`
 * takes only TLS (API `ListenerTls`), so each of them is reset once it goes STRICT, and the
 * precondition "every known client sends mTLS" proves nothing while they exist. The same
 * preconditions as the Istio side (README, "Fixes, and when they run on their own"):
 * - a LoadBalancer, NodePort or externalIPs Service that selects the node's pods, an Ingress
 *   to a Service that does, or an AWS Load Balancer Controller `TargetGroupBinding`
 *   (elbv2.k8s.aws) that registers such a Service's pods or nodes in a target group of a load
 *   balancer made elsewhere (Terraform, CloudFormation): its clients are outside the mesh and send
 *   plaintext;
 * - workloads of the cluster without the Envoy sidecar: nothing says whom they call.
 *   aws-app-mesh-controller-for-k8s injects Envoy only into pods of a namespace labelled
 *   `appmesh.k8s.aws/sidecarInjectorWebhook: enabled` (the webhook's namespaceSelector) that
 *   one VirtualNode of their namespace selects by `podSelector`
 *   (pkg/virtualnode/membership_designator.go), unless the pod annotates the same key
 *   `disabled` (pkg/inject/sidecar_utils.go ShouldInject);
 *
 * With none of the node's pods read (App Mesh API objects, as the hub reads them; ECS; a CRD whose
 * workload was not given) there is no such evidence, and the gate goes by the clients it knows,
 * as DESIGN.md's safety rule says ("every known client already sends mTLS").
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import type { KubeObject, Located } from '../../core/model/inventory';
import { labelSelectorMatches } from './label-selector';
import { coercedLabelMap } from '../istio/labels';
import { namespaceLabelsOf, type AppMeshGraph, type AppMeshVirtualNode, type LabelSelector } from './types';

export const INJECTOR_KEY = 'appmesh.k8s.aws/sidecarInjectorWebhook';

/** Namespaces whose pods call no mesh service: the Kubernetes system and the App Mesh controller. */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'appmesh-system']);

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** A workload as the injector sees it: its pods' labels and annotations. */
interface Workload {
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, unknown>;
  /** An `envoy` container already there (a live pod, or a template with the proxy written in). */
  hasEnvoy: boolean;
}

interface OutsideEntry {
  namespace: string;
  /** Why its clients come from outside: "Service shop/front is a LoadBalancer". */
  what: string;
  selector: Record<string, string>;
  /** Container ports it sends to; undefined: any (a named targetPort, an Ingress). */
  ports?: number[];
}

/** At most this many callers are named in one blocker. */
const NAMED = 3;

export class ClusterCallers {
  private readonly workloads: Workload[] = [];
  private readonly outside: OutsideEntry[] = [];
  private unmeshedNames: string | undefined;

  constructor(kubernetes: readonly Located<KubeObject>[], private readonly graph: Pick<AppMeshGraph, 'nodes' | 'meshes' | 'namespaceLabels'>) {
    if (graph.nodes.length === 0) return;
    const inScope = clusterScope(kubernetes, graph);
    const services = new Map<string, KubeObject>();
    const ingresses: KubeObject[] = [];
    const bindings: KubeObject[] = [];
    for (let i = 0; i < kubernetes.length; i++) {
      const doc = kubernetes[i].doc;
      const namespace = doc.metadata?.namespace ?? 'default';
      if (!inScope(namespace)) continue;
      if (doc.apiVersion === 'v1' && doc.kind === 'Service') services.set(`${namespace}/${doc.metadata.name}`, doc);
      else if (doc.kind === 'Ingress' && doc.apiVersion.startsWith('networking.k8s.io/')) ingresses.push(doc);
      else if (doc.kind === 'TargetGroupBinding' && doc.apiVersion.startsWith('elbv2.k8s.aws/')) bindings.push(doc);
      else if (WORKLOAD_KINDS.has(doc.kind)) this.addWorkload(doc, namespace);
    }
    for (const svc of services.values()) this.addOutsideService(svc);
    for (const ingress of ingresses) this.addIngress(ingress, services);
    for (const binding of bindings) this.addTargetGroupBinding(binding, services);
  }

  /**
   * The blockers of a STRICT fix of `node`'s listener on `port` (`server` names it), which
   * takes plaintext today when `takesPlaintext`.
   */
  blockersOf(node: AppMeshVirtualNode, port: number, server: string, takesPlaintext: boolean): string[] {
    const pods = this.podsOf(node);
    const out: string[] = [];
    for (const entry of this.outside) {
      if (entry.namespace !== node.namespace || (entry.ports && !entry.ports.includes(port))) continue;
      if (pods.some((w) => labelSelectorMatches({ matchLabels: entry.selector }, w.labels))) {
        out.push(`${entry.what}: its clients outside the mesh send plaintext to port ${port} of the pods of ${server}, which STRICT refuses`);
      }
    }
    // As in the Istio gate, only a listener that takes plaintext today loses callers without a sidecar.
    const unmeshed = takesPlaintext ? this.unmeshedCallers() : undefined;
    if (unmeshed) out.push(`${unmeshed} may call ${server} in plaintext`);
    return out;
  }

  /** The workloads whose pods the node's `podSelector` selects (CRDs only: API objects select no pods). */
  private podsOf(node: AppMeshVirtualNode): Workload[] {
    const selector = node.origin === 'crd' ? podSelectorOf(node) : undefined;
    if (!selector) return [];
    return this.workloads.filter((w) => w.namespace === node.namespace && labelSelectorMatches(selector, w.labels));
  }

  /** One phrase for the cluster's workloads without Envoy, worked out once; undefined when none. */
  private unmeshedCallers(): string | undefined {
    if (this.unmeshedNames === undefined) {
      const outside = this.workloads.filter((w) => !this.injected(w)).map((w) => `${w.kind} ${w.namespace}/${w.name}`);
      const first = outside.slice(0, NAMED).join(', ');
      const more = outside.length > NAMED ? `, and ${outside.length - NAMED} more` : '';
      this.unmeshedNames = outside.length === 0 ? '' : outside.length === 1 ? `${first} has no Envoy sidecar and` : `${outside.length} workloads without an Envoy sidecar (${first}${more})`;
    }
    return this.unmeshedNames || undefined;
  }

  /** Whether the injector gives the workload's pods Envoy, or they have it already. */
  private injected(w: Workload): boolean {
    if (w.hasEnvoy) return true;
    if (namespaceLabelsOf(this.graph, w.namespace)[INJECTOR_KEY] !== 'enabled') return false;
    const opt = w.annotations[INJECTOR_KEY];
    if (typeof opt === 'string' && opt.toLowerCase() === 'disabled') return false;
    return this.graph.nodes.some((n) => n.origin === 'crd' && n.namespace === w.namespace && selectsPods(n, w.labels));
  }

  private addWorkload(doc: KubeObject, namespace: string): void {
    // A Pod or ReplicaSet that a controller owns is that controller's, read (or not) on its own.
    if (isOwned(doc)) return;
    const template = podTemplateOf(doc);
    if (!template) return;
    const meta = isObject(template.metadata) ? template.metadata : {};
    const containers: unknown[] = Array.isArray(template.spec?.containers) ? template.spec.containers : [];
    this.workloads.push({
      kind: doc.kind,
      name: doc.metadata.name,
      namespace,
      labels: coercedLabelMap(meta.labels),
      annotations: isObject(meta.annotations) ? meta.annotations : {},
      hasEnvoy: containers.some((c) => isObject(c) && c.name === 'envoy'),
    });
  }

  private addOutsideService(svc: KubeObject): void {
    const spec = isObject(svc.spec) ? svc.spec : {};
    const selector = coercedLabelMap(spec.selector);
    if (Object.keys(selector).length === 0) return;
    const how = outsideEntry(spec);
    if (!how) return;
    this.outside.push({ namespace: svc.metadata.namespace ?? 'default', what: `Service ${svc.metadata.namespace ?? 'default'}/${svc.metadata.name} ${how}`, selector, ports: targetPorts(spec) });
  }

  /** An Ingress's controller (an ALB in IP mode, an NGINX pod) is outside the mesh: it sends its backends plaintext. */
  private addIngress(ingress: KubeObject, services: ReadonlyMap<string, KubeObject>): void {
    const namespace = ingress.metadata.namespace ?? 'default';
    for (const name of ingressServiceNames(ingress.spec)) {
      const svc = services.get(`${namespace}/${name}`);
      const selector = coercedLabelMap(isObject(svc?.spec) ? svc.spec.selector : undefined);
      if (Object.keys(selector).length === 0) continue;
      this.outside.push({ namespace, what: `Ingress ${namespace}/${ingress.metadata.name} sends to Service ${namespace}/${name}`, selector, ports: targetPorts(svc!.spec) });
    }
  }

  /**
   * A TargetGroupBinding puts the pods (`targetType: ip`) or the nodes' port (`instance`) behind
   * `spec.serviceRef.port` of a Service into a target group whose load balancer is not among the
   * cluster's objects. Either way that load balancer sends to the pods from outside the mesh.
   */
  private addTargetGroupBinding(binding: KubeObject, services: ReadonlyMap<string, KubeObject>): void {
    const namespace = binding.metadata.namespace ?? 'default';
    const ref = isObject(binding.spec) && isObject(binding.spec.serviceRef) ? binding.spec.serviceRef : undefined;
    if (typeof ref?.name !== 'string') return;
    const svc = services.get(`${namespace}/${ref.name}`);
    const selector = coercedLabelMap(isObject(svc?.spec) ? svc.spec.selector : undefined);
    if (Object.keys(selector).length === 0) return;
    const group = typeof binding.spec.targetGroupARN === 'string' ? ` (target group ${binding.spec.targetGroupARN})` : '';
    this.outside.push({
      namespace,
      what: `TargetGroupBinding ${namespace}/${binding.metadata.name}${group} sends to Service ${namespace}/${ref.name} port ${String(ref.port)}`,
      selector,
      ports: targetPorts(svc!.spec, ref.port),
    });
  }
}


/**
 * Which namespaces hold the App Mesh cluster's workloads. When the audit also shows Istio (another
 * cluster's configuration, read alongside), only the namespaces App Mesh knows: those a Mesh
 * selects, those labelled for its injector, and those holding its CRDs. Otherwise every one.
 */
function clusterScope(kubernetes: readonly Located<KubeObject>[], graph: Pick<AppMeshGraph, 'nodes' | 'meshes' | 'namespaceLabels'>): (namespace: string) => boolean {
  const istio = new Set<string>();
  let showsIstio = false;
  for (let i = 0; i < kubernetes.length; i++) {
    const doc = kubernetes[i].doc;
    if (doc.apiVersion.includes('istio.io/')) showsIstio = true;
    else if (doc.apiVersion === 'v1' && doc.kind === 'Namespace' && enrolsInIstio(doc.metadata?.labels)) istio.add(doc.metadata.name);
  }
  showsIstio ||= istio.size > 0;
  const crdNamespaces = new Set(graph.nodes.map((n) => n.namespace).filter((ns): ns is string => ns !== undefined));
  return (namespace) => {
    if (SYSTEM_NAMESPACES.has(namespace) || istio.has(namespace)) return false;
    if (!showsIstio || crdNamespaces.has(namespace)) return true;
    const labels = namespaceLabelsOf(graph, namespace);
    return labels[INJECTOR_KEY] !== undefined || graph.meshes.some((m) => m.namespaceSelector !== undefined && labelSelectorMatches(m.namespaceSelector, labels));
  };
}

function enrolsInIstio(labels: unknown): boolean {
  if (!isObject(labels)) return false;
  return labels['istio-injection'] === 'enabled' || labels['istio.io/rev'] !== undefined || labels['istio.io/dataplane-mode'] === 'ambient';
}

/** The node's `spec.podSelector`; absent selects no pod (metav1.LabelSelectorAsSelector(nil) is Nothing). */
function podSelectorOf(node: AppMeshVirtualNode): LabelSelector | undefined {
  const selector = node.rawSpec.podSelector;
  return isObject(selector) ? (selector as LabelSelector) : undefined;
}

function selectsPods(node: AppMeshVirtualNode, labels: Record<string, string>): boolean {
  const selector = podSelectorOf(node);
  return selector !== undefined && labelSelectorMatches(selector, labels);
}

function isOwned(doc: KubeObject): boolean {
  const owners = doc.metadata?.ownerReferences;
  return Array.isArray(owners) && owners.some((o) => isObject(o) && o.controller === true);
}

function podTemplateOf(doc: KubeObject): { metadata?: any; spec?: any } | undefined {
  if (doc.kind === 'Pod') return { metadata: doc.metadata, spec: doc.spec };
  if (doc.kind === 'CronJob') return doc.spec?.jobTemplate?.spec?.template;
  return isObject(doc.spec?.template) ? doc.spec.template : undefined;
}

/** How a Service lets clients from outside the cluster's mesh in, if it does. */
function outsideEntry(spec: Record<string, any>): string | undefined {
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') return `is a ${spec.type}`;
  if (Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0) return `has externalIPs (${spec.externalIPs.join(', ')})`;
  return undefined;
}

/**
 * The container ports a Service sends to, or only those of its port `only` (a number or a port's
 * name, as a TargetGroupBinding's `serviceRef.port`); undefined when one is named (any port may be it).
 */
function targetPorts(spec: Record<string, any>, only?: unknown): number[] | undefined {
  const ports: unknown[] = Array.isArray(spec?.ports) ? spec.ports : [];
  const out: number[] = [];
  for (const p of ports) {
    if (!isObject(p)) continue;
    if (only !== undefined && p.port !== only && String(p.port) !== String(only) && p.name !== only) continue;
    const target = p.targetPort ?? p.port;
    if (typeof target === 'number') out.push(target);
    else if (typeof target === 'string' && /^\d+$/.test(target)) out.push(Number(target));
    else return undefined;
  }
  return out;
}

/** The Service names an Ingress (networking.k8s.io/v1) sends to: its default backend and every path's. */
function ingressServiceNames(spec: unknown): string[] {
  if (!isObject(spec)) return [];
  const names = new Set<string>();
  const add = (backend: unknown) => {
    const name = isObject(backend) && isObject(backend.service) ? backend.service.name : undefined;
    if (typeof name === 'string') names.add(name);
  };
  add(spec.defaultBackend);
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    const paths = isObject(rule) && isObject(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    for (const path of paths) if (isObject(path)) add(path.backend);
  }
  return [...names];
}
