import type { DestinationRulePolicy } from './destinationRule';
import { CLUSTER_DOMAIN, isWildcardHost } from './hostMatch';
import type { ServiceEntryHosts } from './serviceEntry';
import type { KubeService, ServicePort } from './services';

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
export function collectDestinations(
  services: KubeService[],
  entries: ServiceEntryHosts[],
  rules: DestinationRulePolicy[],
  needsDestination: (svc: KubeService) => boolean = () => true,
): Destination[] {
  const byHost = new Map<string, Destination>();
  // Services that need no destination stay out of the map (no rule names their hosts, so the
  // rule loop below cannot meet them); a ServiceEntry for a cluster-local host checks them.
  const skipped: KubeService[] = [];
  let skippedHosts: Set<string> | undefined;
  for (let i = 0; i < services.length; i++) {
    const svc = services[i]!;
    if (!needsDestination(svc)) {
      skipped.push(svc);
      continue;
    }
    const destination: Destination = { host: svc.host, namespace: svc.namespace, kind: 'Service', service: svc, ports: portsOf(svc), meshExternal: false };
    if (!svc.externalName) destination.inMesh = true;
    byHost.set(svc.host, destination);
  }
  for (const entry of entries) {
    for (const host of entry.hosts) {
      const known = byHost.get(host);
      if (known?.kind === 'Service') continue; // a Kubernetes Service owns its host
      if (!known && skipped.length > 0 && host.endsWith(SERVICE_HOST_SUFFIX) && (skippedHosts ??= hostsOf(skipped)).has(host)) continue;
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
  // Built only if a wildcard rule needs it (every dot-suffix of every host is a lot of strings),
  // and then from the hosts known before this loop, as the loop adds rule hosts of its own.
  const knownCount = byHost.size;
  let knownSuffixes: Set<string> | undefined;
  for (const rule of rules) {
    if (byHost.has(rule.host)) continue;
    // A wildcard rule that matches a known host is reported through that host.
    if (isWildcardHost(rule.host)) {
      if (rule.host === '*' ? byHost.size > 0 : (knownSuffixes ??= dotSuffixes(byHost.keys(), knownCount)).has(rule.host.slice(1))) continue;
    }
    const namespace = namespaceOfClusterHost(rule.host);
    byHost.set(rule.host, { host: rule.host, ...(namespace ? { namespace } : {}), kind: 'DestinationRuleHost', ports: [], meshExternal: false });
  }
  return [...byHost.values()];
}

/** What `serviceFqdn` appends to `<name>.<namespace>`: no other host can be a Service's. */
const SERVICE_HOST_SUFFIX = `.svc.${CLUSTER_DOMAIN}`;

function hostsOf(services: readonly KubeService[]): Set<string> {
  const hosts = new Set<string>();
  for (const svc of services) hosts.add(svc.host);
  return hosts;
}

function portsOf(svc: KubeService): number[] {
  return svc.ports.map(portNumberOf);
}

function portNumberOf(port: ServicePort): number {
  return port.port;
}

/** `.b.c` and `.c` for `a.b.c`: the suffixes a `*.`-wildcard can stand for, over the first `count` hosts. */
function dotSuffixes(hosts: Iterable<string>, count: number): Set<string> {
  const out = new Set<string>();
  let seen = 0;
  for (const host of hosts) {
    if (seen++ === count) break;
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
