import type { ClientPolicy, FleetModel, ServerEndpoint } from './types';

/**
 * Lookups over the model, built once per audit so that no rule scans the whole fleet for
 * each item: servers by id and by host, and the clients that reach each server.
 */
export class FleetIndex {
  readonly serverById = new Map<string, ServerEndpoint>();
  readonly clientsByServer = new Map<string, ClientPolicy[]>();
  /** Servers by host (lower case), only for the hosts of clients whose provider named no servers. */
  private readonly byHost: Map<string, ServerEndpoint[]>;
  /** Each client by id, with the servers it reaches: one map for both lookups. */
  private readonly clientsById = new Map<string, { client: ClientPolicy; servers: ServerEndpoint[] }>();

  constructor(readonly model: FleetModel) {
    const servers = model.servers;
    for (let i = 0; i < servers.length; i++) this.serverById.set(servers[i]!.id, servers[i]!);
    this.byHost = serversByHost(servers, hostsToMatch(model.clients));
    const clients = model.clients;
    for (let i = 0; i < clients.length; i++) {
      const c = clients[i]!;
      const reached = this.resolve(c);
      this.clientsById.set(c.id, { client: c, servers: reached });
      for (let j = 0; j < reached.length; j++) {
        const id = reached[j]!.id;
        const list = this.clientsByServer.get(id);
        if (list) list.push(c);
        else this.clientsByServer.set(id, [c]);
      }
    }
  }

  clientById(id: string): ClientPolicy | undefined {
    return this.clientsById.get(id)?.client;
  }

  /** The servers a client calls: those its provider resolved, else those answering for its hosts. */
  serversOf(client: ClientPolicy): ServerEndpoint[] {
    return this.clientsById.get(client.id)?.servers ?? [];
  }

  /**
   * Whether a client's destination is inside a mesh. The servers behind it decide when they are
   * known (a Service whose only workloads have no sidecar is not in the mesh, whatever its
   * host looks like); otherwise the provider's word (MESH_EXTERNAL is never in the mesh).
   */
  isInMeshDestination(client: ClientPolicy): boolean {
    if (client.inMeshDestination === false) return false;
    const servers = this.serversOf(client);
    if (servers.length > 0) return servers.some((s) => s.inMesh);
    return client.inMeshDestination ?? false;
  }

  private resolve(c: ClientPolicy): ServerEndpoint[] {
    const ids = namedServerIds(c);
    if (ids) {
      const out: ServerEndpoint[] = [];
      for (let i = 0; i < ids.length; i++) {
        const s = this.serverById.get(ids[i]!);
        if (s !== undefined) out.push(s);
      }
      return out;
    }
    const seen = new Set<ServerEndpoint>();
    const port = c.destination.port;
    for (const h of c.destination.hosts) {
      for (const s of this.byHost.get(h.toLowerCase()) ?? []) {
        if (port === undefined || reachesPort(s, port)) seen.add(s);
      }
    }
    return [...seen];
  }
}

/** The servers the client's provider named, when it named any; otherwise the client is matched by host. */
function namedServerIds(c: ClientPolicy): string[] | undefined {
  const ids = c.destination.serverIds;
  return ids && ids.length > 0 ? ids : undefined;
}

/** Whether a client addressing `port` reaches this server: by its Service ports, else its own port. */
function reachesPort(s: ServerEndpoint, port: number): boolean {
  if (s.servicePorts) return s.servicePorts.includes(port);
  return s.resource.port === undefined || s.resource.port === port;
}

/**
 * The hosts (lower case) of the clients whose provider named no servers. Most providers name
 * them, so this is usually a small set, and the host index below is built for it alone: a map
 * of every host of a large fleet costs more than all of the lookups it would serve.
 */
function hostsToMatch(clients: readonly ClientPolicy[]): Set<string> {
  const hosts = new Set<string>();
  for (let i = 0; i < clients.length; i++) {
    const c = clients[i]!;
    if (namedServerIds(c)) continue;
    for (const h of c.destination.hosts) hosts.add(h.toLowerCase());
  }
  return hosts;
}

function serversByHost(servers: readonly ServerEndpoint[], wanted: ReadonlySet<string>): Map<string, ServerEndpoint[]> {
  const byHost = new Map<string, ServerEndpoint[]>();
  if (wanted.size === 0) return byHost;
  for (let i = 0; i < servers.length; i++) {
    const s = servers[i]!;
    for (let j = 0; j < s.hosts.length; j++) {
      const key = s.hosts[j]!.toLowerCase();
      if (!wanted.has(key)) continue;
      const list = byHost.get(key);
      if (list) list.push(s);
      else byHost.set(key, [s]);
    }
  }
  return byHost;
}
