import { namespaceInjects, type NamespaceInfo } from './membership';
import type { WorkloadTable } from './workloadTable';

/**
 * Namespaces whose callers all reach the mesh through ztunnel (ambient mode, no sidecar): every
 * workload the inputs hold there is ztunnel's, or, with none, the namespace is labelled ambient
 * and injects no sidecars. ztunnel reads neither DestinationRules nor MeshConfig auto mTLS: it
 * sends HBONE mTLS to every in-mesh destination (ambient or sidecar) and plaintext to the rest
 * (istio.io, "Ambient data plane"), so what those say decides nothing for these callers.
 *
 * A DestinationRule's TLS is applied in ambient mode only by a waypoint (istio.io, "Migrate
 * policies"), toward the destinations behind it. meshgov does not model waypoints
 * (`istio.io/use-waypoint`, the Gateway they run as), so an ambient caller is never judged by
 * DestinationRule TLS, waypoint or not: judging it by its own namespace's rules, which no proxy
 * on its path reads, would raise conflicts that do not happen. A namespace that also holds a
 * sidecar (or a workload outside the mesh) keeps being judged, for those.
 */
export function ambientOnlyNamespaces(namespaces: readonly string[], table: WorkloadTable, namespaceInfo: (name: string) => NamespaceInfo): Set<string> {
  const ambient = new Set<string>();
  const other = new Set<string>();
  for (let i = 0; i < table.workloads.length; i++) {
    const ns = table.workloads[i]!.namespace;
    if (table.entries[i]!.membership.ambient === true) ambient.add(ns);
    else other.add(ns);
  }
  const out = new Set<string>();
  for (const ns of namespaces) {
    if (other.has(ns)) continue;
    if (ambient.has(ns) || enrolsAmbientOnly(namespaceInfo(ns))) out.add(ns);
  }
  return out;
}

/** An ambient namespace whose pods get no sidecar by its labels (the injector runs before ztunnel). */
function enrolsAmbientOnly(ns: NamespaceInfo): boolean {
  return ns.ambient && !namespaceInjects(ns);
}
