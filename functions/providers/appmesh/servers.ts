/** One ServerEndpoint per listener of every virtual node and virtual gateway. */
import type { ConfigProblem, ServerEndpoint } from '../../core/model/types';
import { causeOf, resourceOf, serverId } from './ids';
import { effectiveListenerMode } from './server-mode';
import type { AppMeshListener, AppMeshVirtualGateway, AppMeshVirtualNode } from './types';

export interface ServerTable {
  servers: ServerEndpoint[];
  byListener: Map<AppMeshListener, ServerEndpoint>;
  ownerOf: Map<ServerEndpoint, { owner: AppMeshVirtualNode | AppMeshVirtualGateway; listener: AppMeshListener }>;
}

export function buildServers(owners: Array<AppMeshVirtualNode | AppMeshVirtualGateway>, problems: ConfigProblem[]): ServerTable {
  const table: ServerTable = { servers: [], byListener: new Map(), ownerOf: new Map() };
  for (const owner of owners) {
    const ports = new Set<number>();
    for (const listener of owner.listeners) {
      // A listener without a port was reported as a problem when read; it has no identity here.
      if (listener.port === undefined) continue;
      if (ports.has(listener.port)) {
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
      ports.add(listener.port);
      const effective = effectiveListenerMode(listener.tls);
      const server: ServerEndpoint = {
        id: serverId(owner, listener.port),
        provider: 'appmesh',
        resource: resourceOf(owner, listener.port),
        mode: effective.mode,
        inMesh: true,
        cause: causeOf(owner, 'listener'),
        hosts: owner.kind === 'VirtualNode' ? [...owner.hostnames] : [],
      };
      if (owner.labels) server.labels = owner.labels;
      table.servers.push(server);
      table.byListener.set(listener, server);
      table.ownerOf.set(server, { owner, listener });
    }
  }
  return table;
}
