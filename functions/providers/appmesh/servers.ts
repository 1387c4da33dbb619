/** One ServerEndpoint per listener of every virtual node and virtual gateway. */
import type { ConfigProblem, ServerEndpoint } from '../../core/model/types';
import { causeOf, ownerFindingKey, ownerPath, resourceOf, serverId } from './ids';
import { effectiveListenerMode } from './server-mode';
import type { AppMeshGraph, AppMeshListener, AppMeshVirtualGateway, AppMeshVirtualNode } from './types';

export type ListenerOwner = AppMeshVirtualNode | AppMeshVirtualGateway;

/** A server with the listener it is. */
export interface ServedListener {
  server: ServerEndpoint;
  owner: ListenerOwner;
  listener: AppMeshListener;
}

export interface ServerTable {
  servers: ServerEndpoint[];
  /** The same servers, in the same order, with their owners and listeners. */
  served: ServedListener[];
  byListener: Map<AppMeshListener, ServerEndpoint>;
}

export function buildServers(graph: Pick<AppMeshGraph, 'nodes' | 'gateways'>, problems: ConfigProblem[]): ServerTable {
  const table: ServerTable = { servers: [], served: [], byListener: new Map() };
  for (let i = 0; i < graph.nodes.length; i++) addOwner(table, graph.nodes[i], problems);
  for (let i = 0; i < graph.gateways.length; i++) addOwner(table, graph.gateways[i], problems);
  return table;
}

function addOwner(table: ServerTable, owner: ListenerOwner, problems: ConfigProblem[]): void {
  const listeners = owner.listeners;
  let path: string | undefined;
  for (let i = 0; i < listeners.length; i++) {
    const listener = listeners[i];
    // A listener without a port was reported as a problem when read; it has no identity here.
    if (listener.port === undefined) continue;
    if (hasEarlierPort(listeners, i)) {
      problems.push({
        file: owner.source.file,
        line: owner.source.line,
        field: `spec.listeners[${listener.index}].portMapping.port`,
        message: `${owner.kind} ${owner.name} has two listeners on port ${listener.port}`,
        kind: owner.kind,
        name: owner.name,
      });
      continue;
    }
    path ??= ownerPath(owner);
    const server: ServerEndpoint = {
      id: serverId(path, listener.port),
      provider: 'appmesh',
      resource: resourceOf(owner, listener.port),
      mode: effectiveListenerMode(listener.tls).mode,
      inMesh: true,
      cause: causeOf(owner, 'listener', listenerTlsPath(listener)),
      // The owner's own list, shared: hosts are only ever added by replacing the list (model.ts).
      hosts: owner.kind === 'VirtualNode' ? owner.hostnames : [],
    };
    if (owner.labels) server.labels = owner.labels;
    // Same-named meshes of two regions or accounts, or two clusters' CRDs: the findings of their listeners must not share an id.
    const findingKey = ownerFindingKey(owner);
    if (findingKey !== undefined) server.findingKey = findingKey;
    table.servers.push(server);
    table.served.push({ server, owner, listener });
    table.byListener.set(listener, server);
  }
}

/** Where the listener's mode is written: its `tls.mode`, or the listener itself when it has no `tls` (plaintext). */
function listenerTlsPath(listener: AppMeshListener): string {
  const at = `spec.listeners[${listener.index}]`;
  if (listener.tls === undefined) return at;
  return listener.tls.mode === undefined ? `${at}.tls` : `${at}.tls.mode`;
}

/**
 * True when a listener before `index` has the same port. A scan rather than a Set per owner: an
 * owner has one listener or a few.
 */
function hasEarlierPort(listeners: AppMeshListener[], index: number): boolean {
  const port = listeners[index].port;
  for (let j = 0; j < index; j++) if (listeners[j].port === port) return true;
  return false;
}
