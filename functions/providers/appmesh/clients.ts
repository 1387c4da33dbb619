/**
 * One ClientPolicy per (client virtual node or gateway, backend virtual service). Virtual nodes
 * name their backends; a virtual gateway's backends are the virtual services its gateway routes
 * target, and only its `backendDefaults.clientPolicy` applies to them. When `tls.ports` makes
 * the answer differ between the destination's ports, the pair is split per port.
 */
import type { ClientPolicy, ResourceRef, ServerEndpoint } from '../../core/model/types';
import { clientEnforceFix } from './client-fix';
import { effectiveClientPolicy, type EffectiveClientPolicy } from './client-policy';
import type { AppMeshIndex } from './graph-index';
import { causeOf, clientId, resourceOf } from './ids';
import type { DestinationPort, ResolvedDestination, VirtualServiceResolver } from './resolve';
import type { ServerTable } from './servers';
import type { TrustPools } from './trust-pool';
import type {
  AppMeshBackend,
  AppMeshGraph,
  AppMeshVirtualGateway,
  AppMeshVirtualNode,
  AppMeshVirtualService,
  ClientPolicySpec,
} from './types';

type ClientOwner = AppMeshVirtualNode | AppMeshVirtualGateway;

interface PendingFix {
  client: ClientPolicy;
  owner: ClientOwner;
  backend?: AppMeshBackend;
  effective: EffectiveClientPolicy;
  destination: ResolvedDestination;
  port?: number;
  servers: ServerEndpoint[];
  /**
   * The clients the fix alters: a node's fix changes one backend (all clients of that pair), a
   * gateway's fix changes its backendDefaults (all clients of the gateway).
   */
  affectsClients: string[];
}

interface Context {
  servers: ServerTable;
  /** One ResourceRef per client owner, shared by its clients (10k nodes make 20k+ clients). */
  resources: Map<ClientOwner, ResourceRef>;
  clients: ClientPolicy[];
  pending: PendingFix[];
}

/** Destination ports of one backend; a single port-less entry when nothing resolved. */
function entriesOf(destination: ResolvedDestination, onlyPorts?: Set<number>): DestinationPort[] {
  const ports = onlyPorts ? destination.ports.filter((p) => p.port !== undefined && onlyPorts.has(p.port)) : destination.ports;
  return ports.length > 0 ? ports : [{ port: onlyPorts && onlyPorts.size === 1 ? [...onlyPorts][0] : undefined, listeners: [] }];
}

function resourceFor(ctx: Context, owner: ClientOwner): ResourceRef {
  let resource = ctx.resources.get(owner);
  if (!resource) {
    resource = resourceOf(owner);
    ctx.resources.set(owner, resource);
  }
  return resource;
}

function decisionKey(e: EffectiveClientPolicy): string {
  return `${e.sends}\u0000${e.reason}\u0000${e.scope}`;
}

function emit(
  ctx: Context,
  owner: ClientOwner,
  backend: AppMeshBackend | undefined,
  destination: ResolvedDestination,
  entries: DestinationPort[],
  backendPolicy: ClientPolicySpec | undefined,
  defaults: ClientPolicySpec | undefined,
  /** Filled with the ids of the clients emitted; a fix's `affectsClients`. */
  affected: string[],
): void {
  const decisions = entries.map((entry) => ({ entry, effective: effectiveClientPolicy(backendPolicy, defaults, entry.port) }));
  const split = decisions.length > 1 && new Set(decisions.map((d) => decisionKey(d.effective))).size > 1;
  const groups = split ? decisions.map((d) => [d]) : [decisions];
  for (const group of groups) {
    const effective = group[0].effective;
    // Listener lists are short (one or two per port): an array beats a Set here.
    const servers: ServerEndpoint[] = [];
    for (const { entry } of group) {
      for (const reached of entry.listeners) {
        const server = ctx.servers.byListener.get(reached.listener);
        if (server && !servers.includes(server)) servers.push(server);
      }
    }
    const port = group.length === 1 ? group[0].entry.port : undefined;
    const destinationOf: ClientPolicy['destination'] = { hosts: [destination.serviceName] };
    if (port !== undefined) destinationOf.port = port;
    destinationOf.serverIds = servers.map((s) => s.id);
    const client: ClientPolicy = {
      id: clientId(owner, destination.serviceName, split ? port : undefined),
      provider: 'appmesh',
      resource: resourceFor(ctx, owner),
      sends: effective.sends,
      reason: effective.reason,
      cause: causeOf(owner, effective.scope),
      destination: destinationOf,
      inMeshDestination: destination.resolved ? true : undefined,
    };
    ctx.clients.push(client);
    affected.push(client.id);
    if (effective.sends !== 'MTLS') ctx.pending.push({ client, owner, backend, effective, destination, port, servers, affectsClients: affected });
  }
}

export function buildClients(
  graph: AppMeshGraph,
  index: AppMeshIndex,
  resolver: VirtualServiceResolver,
  servers: ServerTable,
  pools: TrustPools,
): ClientPolicy[] {
  const ctx: Context = { servers, resources: new Map(), clients: [], pending: [] };

  for (const node of graph.nodes) {
    for (const backend of node.backends) {
      const destination = resolver.resolve(backend.service, backend.serviceName, node.origin);
      emit(ctx, node, backend, destination, entriesOf(destination), backend.clientPolicy, node.backendDefaults, []);
    }
  }

  for (const gateway of graph.gateways) {
    // Every virtual service the gateway's routes target, with the target ports (all when a
    // target names none).
    const targets = new Map<AppMeshVirtualService | string, { destination: ResolvedDestination; ports?: Set<number> }>();
    for (const route of index.gatewayRoutesOf(gateway)) {
      for (const target of route.targets) {
        const destination = resolver.resolve(target.service, target.serviceName, route.origin);
        const key = destination.service ?? destination.serviceName;
        let entry = targets.get(key);
        if (!entry) {
          entry = { destination, ports: new Set() };
          targets.set(key, entry);
        }
        if (target.port === undefined) entry.ports = undefined;
        else entry.ports?.add(target.port);
      }
    }
    const gatewayClients: string[] = [];
    for (const { destination, ports } of targets.values()) {
      emit(ctx, gateway, undefined, destination, entriesOf(destination, ports), undefined, gateway.backendDefaults, gatewayClients);
    }
  }

  // Fixes last, once every client of the pair or gateway is known.
  for (const p of ctx.pending) {
    p.client.fix = clientEnforceFix({
      owner: p.owner,
      backend: p.backend,
      effective: p.effective,
      destination: p.destination,
      port: p.port,
      servers: p.servers,
      serverCertificates: p.servers.map((s) => servers.ownerOf.get(s)?.listener.tls?.certificate),
      pool: pools.poolOf(p.owner.mesh),
      affectsClients: p.affectsClients,
    });
  }
  return ctx.clients;
}
