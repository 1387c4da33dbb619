/**
 * Google Cloud Managed Service for Prometheus scrape configuration (`monitoring.googleapis.com/v1`
 * PodMonitoring, namespaced, and ClusterPodMonitoring). Its collectors run in `gmp-system`
 * without a sidecar and scrape the named port of each selected pod directly, in plaintext:
 * Istio's metrics merging only rewrites `prometheus.io` annotations, which GMP does not read.
 * STRICT on a scraped port therefore cuts off the team's metrics.
 */
import type { KubeObject, Located } from '../../core/model/inventory';
import { isLooseRecord as isObject } from '../../core/is-record';
import { labelSelectorMatches } from '../appmesh/label-selector';
import type { LabelSelector } from '../appmesh/types';
import type { Workload } from './workloads';

const GMP_VERSION = /^monitoring\.googleapis\.com\/v1(alpha1)?$/;

interface ScrapeConfig {
  what: string;
  /** Undefined for a ClusterPodMonitoring: it selects pods in every namespace. */
  namespace?: string;
  selector: LabelSelector;
  /** `endpoints[].port`: a container port's name, or its number. */
  ports: Array<string | number>;
}

export function isGmpScrapeConfig(obj: Located<KubeObject>): boolean {
  const { apiVersion, kind } = obj.doc;
  return (kind === 'PodMonitoring' || kind === 'ClusterPodMonitoring') && typeof apiVersion === 'string' && GMP_VERSION.test(apiVersion);
}

export class GmpScrapes {
  private readonly configs: ScrapeConfig[] = [];

  constructor(objects: readonly Located<KubeObject>[]) {
    for (const { doc } of objects) {
      const spec = isObject(doc.spec) ? doc.spec : {};
      const selector = isObject(spec.selector) ? (spec.selector as LabelSelector) : {};
      const ports: Array<string | number> = [];
      for (const endpoint of Array.isArray(spec.endpoints) ? spec.endpoints : []) {
        const port = isObject(endpoint) ? endpoint.port : undefined;
        if (typeof port === 'string' || typeof port === 'number') ports.push(port);
      }
      if (ports.length === 0) continue;
      const cluster = doc.kind === 'ClusterPodMonitoring';
      const namespace = cluster ? undefined : (doc.metadata?.namespace ?? 'default');
      this.configs.push({ what: `${doc.kind} ${cluster ? '' : `${namespace}/`}${doc.metadata?.name ?? ''}`, ...(namespace !== undefined ? { namespace } : {}), selector, ports });
    }
  }

  /** Why STRICT on `port` of the workload cuts off a GMP scrape, or undefined when nothing scrapes it. */
  blockerFor(workload: Workload, port: number): string | undefined {
    for (const c of this.configs) {
      if (c.namespace !== undefined && c.namespace !== workload.namespace) continue;
      if (!c.ports.some((p) => scrapes(p, port, workload))) continue;
      if (!labelSelectorMatches(c.selector, workload.podLabels)) continue;
      return `${c.what} has Google Managed Prometheus scrape port ${port} of ${workload.key}: its collectors, outside the mesh, scrape in plaintext, which STRICT refuses`;
    }
    return undefined;
  }

  get isEmpty(): boolean {
    return this.configs.length === 0;
  }
}

function scrapes(endpoint: string | number, port: number, workload: Workload): boolean {
  if (typeof endpoint === 'number') return endpoint === port;
  if (/^\d+$/.test(endpoint)) return Number(endpoint) === port;
  return workload.containerPorts.some((p) => p.port === port && p.name === endpoint);
}
