/**
 * One ClientPolicy per (client virtual node or gateway, backend virtual service). Virtual nodes
 * name their backends; a virtual gateway's backends are the virtual services its gateway routes
 * target, and only its `backendDefaults.clientPolicy` applies to them. When `tls.ports` makes
 * the answer differ between the destination's ports, the pair is split per port.
 */
import type { ClientPolicy, ResourceRef, ServerEndpoint } from '../../core/model/types';
import type { CallerReach } from './caller-reach';
import type { ListenerCallers } from './caller-trust';
import { clientEnforceFix } from './client-fix';
import { clientCertificateOf, effectiveClientPolicy, hasClientCertificate, lacksValidation, type EffectiveClientPolicy } from './client-policy';
import type { DestinationTrusts } from './destination-trust';
import { DiscoveryPins, pinsNoSans } from './discovery-pins';
import type { AppMeshIndex } from './graph-index';
import { causeOf, clientId, ownerFindingKey, ownerPath, resourceOf } from './ids';
import type { DestinationPort, ResolvedDestination, VirtualServiceResolver } from './resolve';
import { pinnedNames, svidOf, type SanPins } from './san-pins';
import type { ServerTable } from './servers';
import type { TrustPools } from './trust-pool';
import type { TrustRefusals } from './trust-refusals';
import type {
  AppMeshBackend,
  AppMeshGraph,
  AppMeshListener,
  AppMeshVirtualGateway,
  AppMeshVirtualNode,
  AppMeshVirtualService,
  ClientPolicySpec,
  ClientPolicyTls,
} from './types';

type ClientOwner = AppMeshVirtualNode | AppMeshVirtualGateway;

/** A client that does not send mTLS, waiting for its fix until every client of its pair is known. */
interface PendingFix {
  client: ClientPolicy;
  owner: ClientOwner;
  backend?: AppMeshBackend;
  effective: EffectiveClientPolicy;
  destination: ResolvedDestination;
  port?: number;
  servers: ServerEndpoint[];
  /** The listeners of `servers`, in the same order. */
  listeners: AppMeshListener[];
  /**
   * The clients the fix alters: a node's fix changes one backend (all clients of that pair), a
   * gateway's fix changes its backendDefaults (all clients of the gateway).
   */
  affectsClients: string[];
}

/** The client owner being emitted: what all its clients share. */
interface OwnerClients {
  owner: ClientOwner;
  /** `ownerPath(owner)`, the start of each client id. */
  path: string;
  /** One ResourceRef per client owner, shared by its clients (10k nodes make 20k+ clients). */
  resource: ResourceRef;
}

interface Context {
  servers: ServerTable;
  clients: ClientPolicy[];
  pending: PendingFix[];
  callers: ListenerCallers;
  sanPins: SanPins;
  discoveryPins: DiscoveryPins;
  trustRefusals: TrustRefusals;
  reach: CallerReach;
}

/** What one destination port of a backend is sent. */
interface PortDecision {
  entry: DestinationPort;
  effective: EffectiveClientPolicy;
}

/** Destination ports of one backend; a single port-less entry when nothing resolved. */
function entriesOf(destination: ResolvedDestination, onlyPorts?: Set<number>): DestinationPort[] {
  const ports = onlyPorts ? destination.ports.filter((p) => p.port !== undefined && onlyPorts.has(p.port)) : destination.ports;
  return ports.length > 0 ? ports : [{ port: onlyPorts && onlyPorts.size === 1 ? [...onlyPorts][0] : undefined, listeners: [] }];
}

function sameDecision(a: EffectiveClientPolicy, b: EffectiveClientPolicy): boolean {
  return a.sends === b.sends && a.reason === b.reason && a.scope === b.scope;
}

/** The `tls.ports` of the policy in effect, when it names any: undefined means every port. */
function restrictedPorts(backendPolicy: ClientPolicySpec | undefined, defaults: ClientPolicySpec | undefined): number[] | undefined {
  const ports = (backendPolicy ?? defaults)?.tls?.ports;
  return Array.isArray(ports) && ports.length > 0 ? ports : undefined;
}

/**
 * The port `tls.ports` is compared with: the virtual node listener port the client's proxy
 * connects to. `ClientPolicyTls.ports` scopes "which upstream ports to enforce TLS on"
 * (aws/aws-app-mesh-roadmap#38, the design of client policies), and a router forwards to "the
 * Virtual Node on its listener port" (aws-app-mesh-controller-for-k8s#228): a router listener
 * on 80 in front of node listeners on 8080 is TLS under `ports: [8080]`, not `[80]`. When no
 * listener is known, the port the client calls is the best there is.
 */
function upstreamPortOf(entry: DestinationPort): number | undefined {
  if (entry.upstreamPort !== undefined) return entry.upstreamPort;
  const listeners = entry.listeners;
  return listeners.length > 0 && listeners[0].port !== undefined ? listeners[0].port : entry.port;
}

/**
 * Under a `tls.ports` restriction, a destination port whose listeners sit on upstream ports the
 * restriction treats differently is cut into one part per upstream port. Every other entry is
 * kept as it is (a restriction is rare, and a mixed port rarer).
 */
function splitByUpstreamPort(entries: DestinationPort[], restricted: number[]): DestinationPort[] {
  let out: DestinationPort[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const parts = mixedParts(entry, restricted);
    if (!parts) {
      out?.push(entry);
      continue;
    }
    out ??= entries.slice(0, i);
    for (let p = 0; p < parts.length; p++) out.push(parts[p]);
  }
  return out ?? entries;
}

/** The parts of an entry whose listeners' ports fall both inside and outside `restricted`; undefined when they agree. */
function mixedParts(entry: DestinationPort, restricted: number[]): DestinationPort[] | undefined {
  const listeners = entry.listeners;
  if (listeners.length < 2) return undefined;
  const first = listeners[0].port;
  let mixed = false;
  for (let l = 1; l < listeners.length && !mixed; l++) {
    const port = listeners[l].port;
    // Two ports outside the restriction give two different reasons (`excludes port …`) too.
    if (port !== first) mixed = restricted.includes(port as number) !== restricted.includes(first as number) || !restricted.includes(port as number);
  }
  if (!mixed) return undefined;
  const byPort = new Map<number | undefined, AppMeshListener[]>();
  for (let l = 0; l < listeners.length; l++) {
    const list = byPort.get(listeners[l].port);
    if (list) list.push(listeners[l]);
    else byPort.set(listeners[l].port, [listeners[l]]);
  }
  const parts: DestinationPort[] = [];
  for (const [upstreamPort, reached] of byPort) parts.push({ port: entry.port, listeners: reached, upstreamPort });
  return parts;
}

/**
 * Where the deciding client policy setting is written: the backend's own `clientPolicy` or
 * `backendDefaults`, down to `tls.enforce` or `tls.ports` when one of them decided; the backend
 * itself when no policy applies.
 */
function clientPolicyPath(backend: AppMeshBackend | undefined, effective: EffectiveClientPolicy): string | undefined {
  let policy: string;
  if (effective.scope === 'backend' && backend) policy = `spec.backends[${backend.index}].virtualService.clientPolicy`;
  else if (effective.scope === 'backendDefaults') policy = 'spec.backendDefaults.clientPolicy';
  else if (backend?.group) return `spec.backendGroups[${backend.group.index}]`;
  else return backend ? `spec.backends[${backend.index}]` : undefined;
  const tls = effective.tls;
  if (!tls) return policy;
  if (lacksValidation(tls)) return `${policy}.tls`;
  if (tls.enforce === false) return `${policy}.tls.enforce`;
  if (effective.sends === 'PLAINTEXT' && tls.ports !== undefined) return `${policy}.tls.ports`;
  return `${policy}.tls`;
}

/**
 * The clients of one (owner, destination) pair: one, or one per port when the policy's answer
 * differs between the destination's ports.
 */
function emit(
  ctx: Context,
  owner: OwnerClients,
  backend: AppMeshBackend | undefined,
  destination: ResolvedDestination,
  entries: DestinationPort[],
  backendPolicy: ClientPolicySpec | undefined,
  defaults: ClientPolicySpec | undefined,
): void {
  const restricted = restrictedPorts(backendPolicy, defaults);
  if (restricted) entries = splitByUpstreamPort(entries, restricted);
  // Most pairs have one destination port: decide it without building any list. Without a
  // restriction the port does not matter, and none is looked up.
  if (entries.length === 1) {
    const port = restricted ? upstreamPortOf(entries[0]) : entries[0].port;
    emitClient(ctx, owner, backend, destination, entries, 0, 1, effectiveClientPolicy(backendPolicy, defaults, port), false);
    return;
  }
  const decisions: PortDecision[] = [];
  let split = false;
  for (let i = 0; i < entries.length; i++) {
    const effective = effectiveClientPolicy(backendPolicy, defaults, restricted ? upstreamPortOf(entries[i]) : entries[i].port);
    if (i > 0 && !sameDecision(effective, decisions[0].effective)) split = true;
    decisions.push({ entry: entries[i], effective });
  }
  if (!split) {
    emitClient(ctx, owner, backend, destination, entries, 0, entries.length, decisions[0].effective, false);
    return;
  }
  for (let i = 0; i < decisions.length; i++) emitClient(ctx, owner, backend, destination, entries, i, i + 1, decisions[i].effective, true);
}

/** One client for `entries[from..to)`, all of which are sent `effective`. */
function emitClient(
  ctx: Context,
  owner: OwnerClients,
  backend: AppMeshBackend | undefined,
  destination: ResolvedDestination,
  entries: DestinationPort[],
  from: number,
  to: number,
  effective: EffectiveClientPolicy,
  split: boolean,
): void {
  // Listener lists are short (one or two per port): an array beats a Set here. The lists start
  // as one-element literals (most clients reach one server), and the listeners are only wanted
  // for a fix.
  const needsFix = effective.sends !== 'MTLS';
  let servers: ServerEndpoint[] | undefined;
  let serverIds: string[] = [];
  let listeners: AppMeshListener[] | undefined;
  for (let e = from; e < to; e++) {
    const reached = entries[e].listeners;
    for (let r = 0; r < reached.length; r++) {
      const server = ctx.servers.byListener.get(reached[r]);
      if (!server) continue;
      if (!servers) {
        servers = [server];
        serverIds = [server.id];
        if (needsFix) listeners = [reached[r]];
      } else if (!servers.includes(server)) {
        servers.push(server);
        serverIds.push(server.id);
        listeners?.push(reached[r]);
      }
    }
  }
  const port = to - from === 1 ? entries[from].port : undefined;
  // Only the parts of a port cut by `tls.ports` (splitByUpstreamPort) carry an upstream port.
  const upstreamPort = to - from === 1 ? entries[from].upstreamPort : undefined;
  const hosts = [destination.serviceName];
  const destinationOf: ClientPolicy['destination'] = port === undefined ? { hosts, serverIds } : { hosts, port, serverIds };
  const client: ClientPolicy = {
    id: clientId(owner.path, destination.serviceName, split ? port : undefined, upstreamPort),
    provider: 'appmesh',
    resource: owner.resource,
    sends: effective.sends,
    reason: effective.reason,
    cause: causeOf(owner.owner, effective.scope, clientPolicyPath(backend, effective)),
    destination: destinationOf,
    // A backend is a virtual service, which only exists inside a mesh: the destination is in-mesh
    // even when its object was not read (a scoped read of one virtual node, normalize.ts).
    inMeshDestination: true,
  };
  if (owner.owner.labels) client.labels = owner.owner.labels;
  // Two parts of one destination port, same-named meshes of two regions or accounts, or two clusters' CRDs: their findings must not share an id.
  const findingKey = findingKeyOf(owner.owner, upstreamPort);
  if (findingKey !== undefined) client.findingKey = findingKey;
  ctx.clients.push(client);
  if (servers && effective.sends !== 'PLAINTEXT') checkRefusals(ctx, client, effective, entries, from, to);
  if (!needsFix && servers) addCaller(ctx, owner, effective, entries, from, to);
  if (needsFix) {
    const affectsClients: string[] = [];
    ctx.pending.push({ client, owner: owner.owner, backend, effective, destination, port, servers: servers ?? [], listeners: listeners ?? [], affectsClients });
  }
}

/** What tells a client's findings apart from another's with the same resource and destination; undefined in the usual case. */
function findingKeyOf(owner: ClientOwner, upstreamPort: number | undefined): string | undefined {
  const upstream = upstreamPort === undefined ? undefined : `upstream:${upstreamPort}`;
  const scope = ownerFindingKey(owner);
  if (scope === undefined) return upstream;
  return upstream === undefined ? scope : `${scope}#${upstream}`;
}

/**
 * Marks the destination listeners whose handshakes with the client are known to fail whatever
 * the modes say: SAN pins of either side miss the other's certificate (san-pins.ts; without pins,
 * the service discovery names, discovery-pins.ts), or a validation trust refuses the other side's
 * certificate (trust-refusals.ts). A client sending mTLS is recorded for the STRICT fixes of the
 * listeners it fails toward, or pins no SANs toward an SVID of (caller-reach.ts).
 */
function checkRefusals(ctx: Context, client: ClientPolicy, effective: EffectiveClientPolicy, entries: DestinationPort[], from: number, to: number): void {
  const pins = clientPins(effective.tls);
  const sendsCertificate = effective.sends === 'MTLS';
  const unpinned = sendsCertificate && pinsNoSans(effective.tls);
  for (let e = from; e < to; e++) {
    const reached = entries[e].listeners;
    for (let r = 0; r < reached.length; r++) {
      const server = ctx.servers.byListener.get(reached[r]);
      if (!server) continue;
      const why = refusalOf(ctx, effective.tls, pins, reached[r], sendsCertificate);
      if (why) (client.refusesCertificateOf ??= {})[server.id] = why;
      // Only a listener short of STRICT has a STRICT fix to hold back.
      if (!sendsCertificate || server.mode === 'STRICT') continue;
      if (why) ctx.reach.refused(server.id, client.resource, why);
      else if (unpinned) {
        const svid = svidOf(reached[r].tls?.certificate);
        if (svid !== undefined) ctx.reach.unpinnedSvid(server.id, client.resource, svid, ctx.discoveryPins.namesOf(reached[r]));
      }
    }
  }
}

/** The client's own SAN pins, when its validation sets any. */
function clientPins(tls: ClientPolicyTls | undefined): string[] | undefined {
  return tls?.validation?.subjectAlternativeNames !== undefined ? pinnedNames(tls) : undefined;
}

/**
 * Why handshakes between a client sending `tls` (whose SAN pins are `pins`) and `listener` are
 * known to fail, whatever the modes say; undefined when nothing tells. The audit runs it on what
 * clients send, and client-fix.ts on what a fix would make them send.
 */
function refusalOf(ctx: Context, tls: ClientPolicyTls | undefined, pins: string[] | undefined, listener: AppMeshListener, sendsCertificate: boolean): string | undefined {
  const missed = pins && pins.length > 0 ? ctx.sanPins.missReason(pins, listener) : undefined;
  // Without pins App Mesh still checks names: the destination's service discovery names.
  const pinned = missed
    ? `the client pins subjectAlternativeNames [${pins!.join(', ')}], and ${missed}, so its TLS handshakes fail`
    : pins === undefined && pinsNoSans(tls)
      ? ctx.discoveryPins.missReason(listener)
      : undefined;
  const refused = ctx.trustRefusals.reasonFor(tls, listener, sendsCertificate);
  const listenerPinned = sendsCertificate ? listenerPinMiss(ctx, tls, listener) : undefined;
  // Joined without a list: this runs for every TLS client and listener, and almost none is refused.
  return joinReasons(joinReasons(pinned, refused), listenerPinned);
}

/** Two reasons a handshake fails, either of which may be absent. */
function joinReasons(a: string | undefined, b: string | undefined): string | undefined {
  return a && b ? `${a}; and ${b}` : a || b;
}

/** Why a STRICT listener's own SAN pins refuse the client certificate, when known (san-pins.ts). */
function listenerPinMiss(ctx: Context, clientTls: ClientPolicyTls | undefined, listener: AppMeshListener): string | undefined {
  if (listener.tls?.mode !== 'STRICT') return undefined;
  const miss = ctx.sanPins.listenerPinMiss(listener.tls, clientCertificateOf(clientTls));
  return miss && `the listener pins subjectAlternativeNames [${miss.pins.join(', ')}] for client certificates, and ${miss.missed}, so the listener refuses its TLS handshakes`;
}

/** Records which listeners the client's certificate reaches, for the trust their STRICT fixes choose (caller-trust.ts). */
function addCaller(ctx: Context, owner: OwnerClients, effective: EffectiveClientPolicy, entries: DestinationPort[], from: number, to: number): void {
  // The spec's own object: clientCertificateOf would build one per client.
  const certificate = effective.tls?.certificate;
  if (!certificate || !hasClientCertificate(effective.tls)) return;
  for (let e = from; e < to; e++) {
    const reached = entries[e].listeners;
    for (let r = 0; r < reached.length; r++) {
      const server = ctx.servers.byListener.get(reached[r]);
      if (!server) continue;
      ctx.callers.add(server.id, owner.resource, certificate, server.mode === 'STRICT' ? reached[r].tls?.validation?.trust : undefined);
    }
  }
}

/** The ids of `clients[from..]`, given to the fixes pending since `pendingFrom` as `affectsClients`. */
function settleAffected(ctx: Context, from: number, pendingFrom: number): void {
  if (ctx.pending.length === pendingFrom) return;
  const ids: string[] = [];
  for (let i = from; i < ctx.clients.length; i++) ids.push(ctx.clients[i].id);
  for (let i = pendingFrom; i < ctx.pending.length; i++) ctx.pending[i].affectsClients = ids;
}

/**
 * The fix of a backend a BackendGroup adds writes the node's backendDefaults (client-fix.ts),
 * which every backend without its own policy uses: it affects all the node's clients, as a
 * gateway's does. (A superset: a backend with its own policy is counted too, which only makes
 * the gate more careful.)
 */
function widenGroupFixes(ctx: Context, from: number, pendingFrom: number): void {
  let ids: string[] | undefined;
  for (let i = pendingFrom; i < ctx.pending.length; i++) {
    if (!ctx.pending[i].backend?.group) continue;
    ids ??= ctx.clients.slice(from).map((c) => c.id);
    ctx.pending[i].affectsClients = ids;
  }
}

function ownerClients(owner: ClientOwner): OwnerClients {
  return { owner, path: ownerPath(owner), resource: resourceOf(owner) };
}

export function buildClients(
  graph: AppMeshGraph,
  index: AppMeshIndex,
  resolver: VirtualServiceResolver,
  servers: ServerTable,
  pools: TrustPools,
  trusts: DestinationTrusts,
  callers: ListenerCallers,
  sanPins: SanPins,
  trustRefusals: TrustRefusals,
  reach: CallerReach,
): ClientPolicy[] {
  const discoveryPins = new DiscoveryPins(servers.served, sanPins);
  const ctx: Context = { servers, clients: [], pending: [], callers, sanPins, discoveryPins, trustRefusals, reach };

  for (let n = 0; n < graph.nodes.length; n++) {
    const node = graph.nodes[n];
    if (node.backends.length === 0) continue;
    const owner = ownerClients(node);
    const nodeFrom = ctx.clients.length;
    const nodePendingFrom = ctx.pending.length;
    for (let b = 0; b < node.backends.length; b++) {
      const backend = node.backends[b];
      const destination = resolver.resolve(backend.service, backend.serviceName, node.origin);
      const from = ctx.clients.length;
      const pendingFrom = ctx.pending.length;
      emit(ctx, owner, backend, destination, entriesOf(destination), backend.clientPolicy, node.backendDefaults);
      settleAffected(ctx, from, pendingFrom);
    }
    widenGroupFixes(ctx, nodeFrom, nodePendingFrom);
  }

  for (let g = 0; g < graph.gateways.length; g++) {
    const gateway = graph.gateways[g];
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
    if (targets.size === 0) continue;
    const owner = ownerClients(gateway);
    const from = ctx.clients.length;
    const pendingFrom = ctx.pending.length;
    for (const { destination, ports } of targets.values()) {
      emit(ctx, owner, undefined, destination, entriesOf(destination, ports), undefined, gateway.backendDefaults);
    }
    settleAffected(ctx, from, pendingFrom);
  }

  // Fixes last, once every client of the pair or gateway is known.
  const plannedRefusal = (tls: ClientPolicyTls, listener: AppMeshListener) => refusalOf(ctx, tls, clientPins(tls), listener, hasClientCertificate(tls));
  for (let i = 0; i < ctx.pending.length; i++) {
    const p = ctx.pending[i];
    p.client.fix = clientEnforceFix({
      owner: p.owner,
      backend: p.backend,
      effective: p.effective,
      destination: p.destination,
      port: p.port,
      servers: p.servers,
      serverListeners: p.listeners,
      pool: pools.poolOf(p.owner),
      trusts,
      plannedRefusal,
      affectsClients: p.affectsClients,
    });
  }
  return ctx.clients;
}
