import type { ClientPolicy, FleetModel, ServerEndpoint } from '../model/types';
import type { SloDefinition } from './definition';
import { sloServiceKeys } from './suspects';

/**
 * Where an SLO's service sits in the mesh, as ledger service keys (`<provider>:<namespace or
 * mesh>/<name>`, the keys change records carry): what else reaches the service itself, and
 * what it calls. Read off the model's clients and their destinations, so both meshes are
 * handled by the providers' own resolution (App Mesh backends through virtual services and
 * routers to the virtual nodes behind them; Istio destinations and the DestinationRules the
 * service's namespace uses toward them).
 */
export interface SloTopology {
  /** Keys of the service itself beyond sloServiceKeys: the virtual services that route to its node, the workloads behind its host. */
  service: string[];
  /** Keys of what it calls: destinations, the client-side rules toward them, and the servers behind them, nearest first. */
  dependencies: string[];
}

/**
 * Hops followed from the service: latency adds up along a call chain, but a change three
 * calls away is a weak suspect, and a hub-and-spoke mesh would otherwise make everything a dependency.
 */
export const DEPENDENCY_HOPS = 3;

/**
 * @example
 *   const model = buildModel(await source.collect({ kind: 'all', providers: ['appmesh'], meshes: [slo.meshName!] }), { builders, now });
 *   const { service, dependencies } = sloTopology(slo, model);
 *   // service: ['appmesh:prod-mesh/payments-api.payments.svc.cluster.local'], dependencies: ['appmesh:prod-mesh/ledger.payments.svc.cluster.local', 'appmesh:prod-mesh/ledger-db', …]
 */
export function sloTopology(slo: SloDefinition, model: FleetModel, hops = DEPENDENCY_HOPS): SloTopology {
  const topology = slo.mesh === 'istio' ? istioTopology(slo, model, hops) : appMeshTopology(slo, model, hops);
  const own = new Set([...sloServiceKeys(slo), ...topology.service]);
  return { service: topology.service, dependencies: topology.dependencies.filter((k) => !own.has(k)) };
}

function appMeshTopology(slo: SloDefinition, model: FleetModel, hops: number): SloTopology {
  const mesh = slo.meshName ?? '';
  const key = (name: string) => `appmesh:${mesh}/${name}`;
  const servers = serversById(model);
  const inMesh = (c: ClientPolicy) => c.provider === 'appmesh' && c.resource.mesh === mesh;
  const node = slo.virtualNode ?? slo.service;
  const nodeServers = new Set(model.servers.filter((s) => s.provider === 'appmesh' && s.resource.mesh === mesh && s.resource.kind === 'VirtualNode' && s.resource.name === node).map((s) => s.id));

  // The virtual services whose traffic reaches the node (directly, or through a router's routes).
  const service = unique(model.clients.filter((c) => inMesh(c) && (c.destination.serverIds ?? []).some((id) => nodeServers.has(id))).flatMap((c) => c.destination.hosts.map(key)));

  const dependencies: string[] = [];
  const visited = new Set([node]);
  let frontier = [node];
  for (let hop = 0; hop < hops && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const caller of frontier) {
      for (const client of model.clients) {
        // A virtual node's backends; a gateway is nobody's SLO service.
        if (!inMesh(client) || client.resource.kind !== 'VirtualNode' || client.resource.name !== caller) continue;
        dependencies.push(...client.destination.hosts.map(key));
        for (const id of client.destination.serverIds ?? []) {
          const name = servers.get(id)?.resource.name;
          if (name === undefined) continue;
          dependencies.push(key(name));
          if (!visited.has(name)) {
            visited.add(name);
            next.push(name);
          }
        }
      }
    }
    frontier = next;
  }
  return { service, dependencies: unique(dependencies) };
}

/** Istio's client records name the namespaces that use them (IstioClientPolicy, an optional extension of ClientPolicy). */
interface CallerNamespaces {
  clientNamespaces?: unknown;
}

/** functions/providers/istio/clients.ts: the record for "any namespace without rules of its own". */
const ANY_OTHER_NAMESPACE = '\u0000any';

function istioTopology(slo: SloDefinition, model: FleetModel, hops: number): SloTopology {
  const servers = serversById(model);
  const ownHost = `${slo.service}.${slo.namespace ?? ''}.svc.cluster.local`;
  const service = unique(model.servers.filter((s) => s.provider === 'istio' && s.hosts.includes(ownHost)).map((s) => istioKey(s.resource.namespace, s.resource.name)));

  const dependencies: string[] = [];
  const visited = new Set([slo.namespace ?? '']);
  let frontier = [slo.namespace ?? ''];
  for (let hop = 0; hop < hops && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const namespace of frontier) {
      for (const client of clientsUsedBy(namespace, model.clients)) {
        for (const host of client.destination.hosts) {
          if (host === ownHost) continue;
          const target = kubernetesServiceOf(host);
          if (target) dependencies.push(istioKey(target.namespace, target.name));
          dependencies.push(istioKey(client.resource.namespace, client.resource.name));
          for (const id of client.destination.serverIds ?? []) {
            const server = servers.get(id);
            if (!server) continue;
            dependencies.push(istioKey(server.resource.namespace, server.resource.name));
            const ns = server.resource.namespace;
            if (ns !== undefined && !visited.has(ns)) {
              visited.add(ns);
              next.push(ns);
            }
          }
        }
      }
    }
    frontier = next;
  }
  return { service, dependencies: unique(dependencies) };
}

/**
 * The Istio client records that decide what workloads of `namespace` send: per destination, the
 * record naming the namespace, else the one for every other namespace. An Istio client record
 * exists only where a rule decides (a DestinationRule, or MeshConfig with auto mTLS off), so a
 * destination reached under plain auto mTLS is not known as a dependency.
 */
function clientsUsedBy(namespace: string, clients: ClientPolicy[]): ClientPolicy[] {
  const byDestination = new Map<string, { named: ClientPolicy[]; others: ClientPolicy[] }>();
  for (const client of clients) {
    if (client.provider !== 'istio') continue;
    const callers = (client as ClientPolicy & CallerNamespaces).clientNamespaces;
    if (!Array.isArray(callers)) continue;
    const destination = client.destination.hosts.join(',');
    const group = byDestination.get(destination) ?? { named: [], others: [] };
    if (callers.includes(namespace)) group.named.push(client);
    else if (callers.includes(ANY_OTHER_NAMESPACE)) group.others.push(client);
    byDestination.set(destination, group);
  }
  return [...byDestination.values()].flatMap((g) => (g.named.length > 0 ? g.named : g.others));
}

/** `reviews.bookinfo.svc.cluster.local`, `reviews.bookinfo.svc` or `reviews.bookinfo` → the Service; other hosts name no Service. */
function kubernetesServiceOf(host: string): { name: string; namespace: string } | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/.exec(host);
  return match ? { name: match[1]!, namespace: match[2]! } : undefined;
}

function istioKey(namespace: string | undefined, name: string): string {
  return `istio:${namespace ?? ''}/${name}`;
}

function serversById(model: FleetModel): Map<string, ServerEndpoint> {
  return new Map(model.servers.map((s) => [s.id, s]));
}

function unique(keys: string[]): string[] {
  return [...new Set(keys)];
}
