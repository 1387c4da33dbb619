import { isTcp } from './portProtocol';
import type { KubeObject, Located } from '../../core/model/inventory';
import type { SourceRef } from '../../core/model/types';
import { coercedLabelMap, isEmptyLabels, labelMapAsIs, SelectorIndex, type Labels } from './labels';
import { NamespaceRun } from './namespaceRun';
import { append } from './shortLists';
import { nameOf, namespaceOf } from './objectKey';
import { serviceFqdn } from './hostMatch';
import type { Workload } from './workloads';
import { standaloneNegPorts, type OutsideRoute } from './outsideRoutes';

export interface ServicePort {
  port: number;
  name?: string;
  /** A number, a container port name, or undefined (= `port`). */
  targetPort?: number | string;
}

export interface KubeService {
  /** Set when the object is not a Service but stands for one (a GKE MultiClusterService, multiClusterIngress.ts). */
  kind?: string;
  name: string;
  namespace: string;
  host: string;
  /** Undefined for a Service without a selector (manual Endpoints, ExternalName): it selects no pods. */
  selector?: Labels;
  ports: ServicePort[];
  externalName: boolean;
  /** `clusterIP: None`: Istio's Passthrough resolution, an ORIGINAL_DST cluster in a sidecar. */
  headless: boolean;
  /** `spec.type`, ClusterIP when absent. */
  type: string;
  /** `spec.externalIPs`, when it lists any: addresses outside the cluster's Service network route to the pods. */
  externalIPs?: string[];
  /** Ingresses and Gateway API routes of other classes than Istio's that send to it (outsideRoutes.ts). */
  outsideRoutes?: OutsideRoute[];
  /** Service ports (or `*`, every port) its `cloud.google.com/neg` annotation exposes through standalone NEGs (outsideRoutes.ts). */
  standaloneNegPorts?: Array<number | string>;
  source: SourceRef;
}

export function readService(obj: Located<KubeObject>): KubeService {
  const { doc, source } = obj;
  const spec = doc.spec ?? {};
  // The selector is only read: the object itself when it is clean, else a copy with each value
  // as the string its author meant (`tier: 2`), which the file source reports (object-metadata.ts).
  const selector = labelMapAsIs(spec.selector) ?? coercedLabelMap(spec.selector);
  let ports: ServicePort[] | undefined;
  const rawPorts = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = isHeadless(spec);
  for (let i = 0; i < rawPorts.length; i++) {
    const p = rawPorts[i];
    const port = Number(p?.port);
    if (!Number.isInteger(port) || !isTcp(p)) continue;
    const entry: ServicePort = { port };
    if (typeof p.name === 'string') entry.name = p.name;
    // Headless: nothing translates ports. The sidecar listens on podIP:port and its ORIGINAL_DST
    // cluster keeps the dialed port (listener.go, cluster_builder.go; PassthroughTargetPorts is
    // only set for ServiceEntries), so a targetPort there reaches nothing (istio/istio#51908).
    const targetPort = headless ? undefined : readTargetPort(p.targetPort);
    if (targetPort !== undefined) entry.targetPort = targetPort;
    ports = append(ports, entry);
  }
  const name = nameOf(doc);
  const namespace = namespaceOf(doc);
  const hasSelector = !isEmptyLabels(selector);
  const type = typeof spec.type === 'string' && spec.type !== '' ? spec.type : 'ClusterIP';
  const service: KubeService = { name, namespace, host: serviceFqdn(name, namespace), ports: ports ?? [], externalName: type === 'ExternalName', headless, type, source };
  if (Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0) service.externalIPs = spec.externalIPs.map(String);
  if (hasSelector) service.selector = selector;
  const negPorts = standaloneNegPorts(doc.metadata?.annotations);
  if (negPorts) service.standaloneNegPorts = negPorts;
  return service;
}

/** True when clients outside the mesh reach the Service's pods: through a node port, a load balancer or an external IP. */
export function takesOutsideClients(svc: KubeService): boolean {
  return svc.type === 'LoadBalancer' || svc.type === 'NodePort' || svc.externalIPs !== undefined;
}

/** How the Service lets outside clients in, for a reason: "is a LoadBalancer", "has externalIPs (203.0.113.10)". */
export function outsideEntry(svc: KubeService): string {
  if (svc.type === 'LoadBalancer' || svc.type === 'NodePort') return `is a ${svc.type}`;
  return `has externalIPs (${(svc.externalIPs ?? []).join(', ')})`;
}

/** `clusterIP: None` (or the first of `clusterIPs`, which Kubernetes keeps equal to it). */
function isHeadless(spec: Record<string, any>): boolean {
  if (spec.clusterIP === 'None') return true;
  return spec.clusterIP === undefined && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] === 'None';
}

/** An IntOrString: a number, a numeric string (`"8080"`), or a container port name. */
function readTargetPort(raw: unknown): number | string | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return undefined;
  return isDigits(raw) ? Number(raw) : raw;
}

/** `/^\d+$/` without a regex in the per-port loop. */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The workload port a Service port sends to: a numeric targetPort, a named one resolved through
 * the workload's container port names, or the Service port itself when targetPort is absent.
 * Undefined when a name does not resolve.
 */
export function targetPortOn(servicePort: ServicePort, workload: Workload): number | undefined {
  const target = servicePort.targetPort;
  if (target === undefined) return servicePort.port;
  if (typeof target === 'number') return target;
  const declared = workload.containerPorts;
  for (let i = 0; i < declared.length; i++) if (declared[i]!.name === target) return declared[i]!.port;
  return undefined;
}

export const NO_SERVICES: readonly KubeService[] = Object.freeze([]);

/** Services per namespace, found by the workloads they select. */
export class ServiceIndex {
  private readonly selecting = new Map<string, SelectorIndex<KubeService>>();
  readonly all: KubeService[] = [];

  constructor(services: KubeService[]) {
    const indexOf = new NamespaceRun((namespace) => {
      let index = this.selecting.get(namespace);
      if (!index) this.selecting.set(namespace, (index = new SelectorIndex()));
      return index;
    });
    for (let i = 0; i < services.length; i++) {
      const svc = services[i]!;
      this.all.push(svc);
      if (svc.selector) indexOf.get(svc.namespace).add(svc.selector, svc);
    }
  }

  /** Services in the workload's namespace whose selector matches its pod labels. */
  selectingWorkload(workload: Workload): readonly KubeService[] {
    return this.inNamespace(workload.namespace)?.matching(workload.podLabels) ?? NO_SERVICES;
  }

  /** The selecting Services of one namespace, for a run of its workloads; undefined when it has none. */
  inNamespace(namespace: string): SelectorIndex<KubeService> | undefined {
    return this.selecting.get(namespace);
  }
}
