/**
 * A MESH_INTERNAL ServiceEntry with a `workloadSelector` makes the pods it selects (in its own
 * namespace) the endpoints of its hosts, as a Service's selector does (istio.io ServiceEntry
 * reference, `workloadSelector`). Istio builds the same per-pod endpoints for them, each with its
 * own sidecar and PeerAuthentication, so a client of such a host is a client of those pods.
 *
 * The model already follows Services from their hosts to the workloads they select (servers.ts,
 * clients.ts), so each such host is handed to it as a Service of its own: the entry's ports, each
 * sending to its `targetPort`. A host a Kubernetes Service owns stays the Service's (Istio lets
 * the Service win), and a wildcard host names no single destination.
 */
import type { Destination } from './destinations';
import { isWildcardHost } from './hostMatch';
import type { ServiceEntryHosts } from './serviceEntry';
import type { KubeService } from './services';

/** One Service per host of every entry that selects workloads; the first entry of a host wins. */
export function serviceEntryServices(entries: readonly ServiceEntryHosts[], services: readonly KubeService[]): KubeService[] {
  const out: KubeService[] = [];
  let taken: Set<string> | undefined;
  for (const entry of entries) {
    const selector = entry.workloadSelector;
    if (!selector) continue;
    taken ??= new Set(services.map(hostOf));
    for (const host of entry.hosts) {
      if (taken.has(host) || isWildcardHost(host)) continue;
      taken.add(host);
      out.push({
        name: entry.name,
        namespace: entry.namespace,
        host,
        selector,
        ports: entry.portTargets.map((p) => (p.name !== undefined ? { port: p.number, name: p.name, targetPort: p.targetPort } : { port: p.number, targetPort: p.targetPort })),
        externalName: false,
        headless: false,
        type: 'ClusterIP',
        source: entry.source,
      });
    }
  }
  return out;
}

/** Gives each ServiceEntry destination its entry's Service, so its clients reach the selected workloads. */
export function attachEntryServices(destinations: readonly Destination[], entryServices: readonly KubeService[]): void {
  if (entryServices.length === 0) return;
  const byHost = new Map<string, KubeService>();
  for (const svc of entryServices) byHost.set(svc.host, svc);
  for (const destination of destinations) {
    if (destination.kind !== 'ServiceEntry' || !destination.inMesh) continue;
    const svc = byHost.get(destination.host);
    if (svc) destination.service = svc;
  }
}

function hostOf(svc: KubeService): string {
  return svc.host;
}
