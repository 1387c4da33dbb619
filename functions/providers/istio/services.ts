import type { KubeObject, Located } from '../../core/model/inventory';
import type { SourceRef } from '../../core/model/types';
import { isEmptyLabels, readLabelMap, SelectorIndex, type Labels } from './labels';
import { nameOf, namespaceOf } from './objectKey';
import { serviceFqdn } from './hostMatch';
import type { Workload } from './workloads';

export interface ServicePort {
  port: number;
  name?: string;
  /** A number, a container port name, or undefined (= `port`). */
  targetPort?: number | string;
}

export interface KubeService {
  name: string;
  namespace: string;
  host: string;
  /** Undefined for a Service without a selector (manual Endpoints, ExternalName): it selects no pods. */
  selector?: Labels;
  ports: ServicePort[];
  externalName: boolean;
  source: SourceRef;
}

export function readService(obj: Located<KubeObject>): KubeService {
  const { doc, source } = obj;
  const spec = doc.spec ?? {};
  const selector = readLabelMap(spec.selector);
  const ports: ServicePort[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    const port = Number(p?.port);
    if (!Number.isInteger(port)) continue;
    const target = p.targetPort;
    const targetPort = typeof target === 'number' ? target : typeof target === 'string' ? (/^\d+$/.test(target) ? Number(target) : target) : undefined;
    ports.push({ port, ...(typeof p.name === 'string' ? { name: p.name } : {}), ...(targetPort !== undefined ? { targetPort } : {}) });
  }
  const name = nameOf(doc);
  const namespace = namespaceOf(doc);
  const hasSelector = !('error' in selector) && !isEmptyLabels(selector as Labels);
  return {
    name,
    namespace,
    host: serviceFqdn(name, namespace),
    ...(hasSelector ? { selector: selector as Labels } : {}),
    ports,
    externalName: spec.type === 'ExternalName',
    source,
  };
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
  return workload.containerPorts.find((c) => c.name === target)?.port;
}

/** Services per namespace, found by the workloads they select. */
export class ServiceIndex {
  private readonly selecting = new Map<string, SelectorIndex<KubeService>>();
  readonly all: KubeService[] = [];

  constructor(services: KubeService[]) {
    for (const svc of services) {
      this.all.push(svc);
      if (!svc.selector) continue;
      let index = this.selecting.get(svc.namespace);
      if (!index) this.selecting.set(svc.namespace, (index = new SelectorIndex()));
      index.add(svc.selector, svc);
    }
  }

  /** Services in the workload's namespace whose selector matches its pod labels. */
  selectingWorkload(workload: Workload): KubeService[] {
    return this.selecting.get(workload.namespace)?.matching(workload.podLabels) ?? [];
  }
}
