import type { DestinationRulePolicy } from './destinationRule';
import { CLUSTER_DOMAIN, isWildcardHost } from './hostMatch';
import type { ServiceEntryHosts } from './serviceEntry';
import type { KubeService } from './services';

/** A host a client can call, with what the model knows about it. */
export interface Destination {
  host: string;
  /** Where the host is defined (the Service's or ServiceEntry's namespace); Istio looks for its DestinationRules there. */
  namespace?: string;
  kind: 'Service' | 'ServiceEntry' | 'DestinationRuleHost';
  service?: KubeService;
  /** Service (or ServiceEntry) ports; empty when unknown. */
  ports: number[];
  /** Istio builds no auto-mTLS for a MESH_EXTERNAL host. */
  meshExternal: boolean;
  /** ClientPolicy.inMeshDestination: true for Services and MESH_INTERNAL entries, false for MESH_EXTERNAL, else unknown. */
  inMesh?: boolean;
}

/**
 * Every host the client side is computed for: Kubernetes Services, ServiceEntry hosts, and the
 * hosts of DestinationRules that match neither (a partial input still shows what those rules
 * would do; the core then decides by host match).
 */
export function collectDestinations(services: KubeService[], entries: ServiceEntryHosts[], rules: DestinationRulePolicy[]): Destination[] {
  const byHost = new Map<string, Destination>();
  for (const svc of services) {
    byHost.set(svc.host, {
      host: svc.host,
      namespace: svc.namespace,
      kind: 'Service',
      service: svc,
      ports: svc.ports.map((p) => p.port),
      meshExternal: false,
      ...(svc.externalName ? {} : { inMesh: true }),
    });
  }
  for (const entry of entries) {
    for (const host of entry.hosts) {
      const known = byHost.get(host);
      if (known?.kind === 'Service') continue; // a Kubernetes Service owns its host
      if (known) {
        // Several entries for one host: MESH_INTERNAL wins, as any internal entry puts the host in the mesh.
        if (entry.location === 'MESH_INTERNAL') Object.assign(known, { meshExternal: false, inMesh: true });
        for (const p of entry.ports) if (!known.ports.includes(p)) known.ports.push(p);
        continue;
      }
      const internal = entry.location === 'MESH_INTERNAL';
      byHost.set(host, { host, namespace: entry.namespace, kind: 'ServiceEntry', ports: [...entry.ports], meshExternal: !internal, inMesh: internal });
    }
  }
  const knownSuffixes = dotSuffixes(byHost.keys());
  for (const rule of rules) {
    if (byHost.has(rule.host)) continue;
    // A wildcard rule that matches a known host is reported through that host.
    if (isWildcardHost(rule.host) && (rule.host === '*' ? byHost.size > 0 : knownSuffixes.has(rule.host.slice(1)))) continue;
    const namespace = namespaceOfClusterHost(rule.host);
    byHost.set(rule.host, { host: rule.host, ...(namespace ? { namespace } : {}), kind: 'DestinationRuleHost', ports: [], meshExternal: false });
  }
  return [...byHost.values()];
}

/** `.b.c` and `.c` for `a.b.c`: the suffixes a `*.`-wildcard can stand for. */
function dotSuffixes(hosts: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const host of hosts) {
    const base = host.startsWith('*') ? host.slice(1) : host;
    if (host.startsWith('*')) out.add(base);
    for (let i = base.indexOf('.'); i >= 0; i = base.indexOf('.', i + 1)) out.add(base.slice(i));
  }
  return out;
}

/** `name.ns.svc.cluster.local` and `*.ns.svc.cluster.local` name their namespace. */
function namespaceOfClusterHost(host: string): string | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!host.endsWith(suffix)) return undefined;
  const parts = host.slice(0, -suffix.length).split('.');
  return parts.length === 2 && parts[1] !== '' ? parts[1] : undefined;
}
