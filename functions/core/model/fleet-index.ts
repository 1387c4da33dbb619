import type { ClientPolicy, FleetModel, ServerEndpoint } from './types';

/**
 * Lookups over the model, built once per audit so that no rule scans the whole fleet for
 * each item: servers by id and by host, and the clients that reach each server.
 */
export class FleetIndex {
  readonly serverById = new Map<string, ServerEndpoint>();
  /** Built on first use: most providers name their clients' servers, so most audits never need it. */
  private byHost: Map<string, ServerEndpoint[]> | undefined;
  readonly clientsByServer = new Map<string, ClientPolicy[]>();
  private readonly destinations = new Map<string, ServerEndpoint[]>();
  private readonly clientsById = new Map<string, ClientPolicy>();

  constructor(readonly model: FleetModel) {
    const servers = model.servers;
    for (let i = 0; i < servers.length; i++) this.serverById.set(servers[i]!.id, servers[i]!);
    const clients = model.clients;
    for (let i = 0; i < clients.length; i++) {
      const c = clients[i]!;
      this.clientsById.set(c.id, c);
      const reached = this.resolve(c);
      this.destinations.set(c.id, reached);
      for (let j = 0; j < reached.length; j++) {
        const id = reached[j]!.id;
        const list = this.clientsByServer.get(id);
        if (list) list.push(c);
        else this.clientsByServer.set(id, [c]);
      }
    }
  }

  /** Servers by each host they answer for (lower case). */
  get serversByHost(): ReadonlyMap<string, ServerEndpoint[]> {
    if (this.byHost) return this.byHost;
    const byHost = new Map<string, ServerEndpoint[]>();
    for (const s of this.model.servers) {
      for (const h of s.hosts) {
        const key = h.toLowerCase();
        const list = byHost.get(key);
        if (list) list.push(s);
        else byHost.set(key, [s]);
      }
    }
    return (this.byHost = byHost);
  }

  clientById(id: string): ClientPolicy | undefined {
    return this.clientsById.get(id);
  }

  /** The servers a client calls: those its provider resolved, else those answering for its hosts. */
  serversOf(client: ClientPolicy): ServerEndpoint[] {
    return this.destinations.get(client.id) ?? [];
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
    const ids = c.destination.serverIds;
    if (ids && ids.length > 0) {
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
      for (const s of this.serversByHost.get(h.toLowerCase()) ?? []) {
        if (port === undefined || reachesPort(s, port)) seen.add(s);
      }
    }
    return [...seen];
  }
}

/** Whether a client addressing `port` reaches this server: by its Service ports, else its own port. */
function reachesPort(s: ServerEndpoint, port: number): boolean {
  if (s.servicePorts) return s.servicePorts.includes(port);
  return s.resource.port === undefined || s.resource.port === port;
}
