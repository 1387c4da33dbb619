import type { ClientPolicy, FleetModel, ServerEndpoint } from './types';

/**
 * Lookups over the model, built once per audit so that no rule scans the whole fleet for
 * each item: servers by id and by host, and the clients that reach each server.
 */
export class FleetIndex {
  readonly serverById = new Map<string, ServerEndpoint>();
  readonly serversByHost = new Map<string, ServerEndpoint[]>();
  readonly clientsByServer = new Map<string, ClientPolicy[]>();
  private readonly destinations = new Map<string, ServerEndpoint[]>();
  private readonly clientsById = new Map<string, ClientPolicy>();

  constructor(readonly model: FleetModel) {
    for (const s of model.servers) {
      this.serverById.set(s.id, s);
      for (const h of s.hosts) {
        const key = h.toLowerCase();
        const list = this.serversByHost.get(key);
        if (list) list.push(s);
        else this.serversByHost.set(key, [s]);
      }
    }
    for (const c of model.clients) {
      this.clientsById.set(c.id, c);
      const servers = this.resolve(c);
      this.destinations.set(c.id, servers);
      for (const s of servers) {
        const list = this.clientsByServer.get(s.id);
        if (list) list.push(c);
        else this.clientsByServer.set(s.id, [c]);
      }
    }
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
    if (c.destination.serverIds && c.destination.serverIds.length > 0) {
      return c.destination.serverIds.map((id) => this.serverById.get(id)).filter((s): s is ServerEndpoint => s !== undefined);
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
