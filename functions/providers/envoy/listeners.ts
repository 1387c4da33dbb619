import type { ConfigProblem, ProviderFix, ResourceRef, ServerEndpoint, SourceRef } from '../../core/model/types';
import { ENVOY_SOURCES, effectiveDownstreamMode } from './downstream-mode';
import { effectiveListenerMode, type ChainPosture } from './listener-mode';
import { chainMatchKeys, type ChainMatchKeys } from './filter-chain-match';
import { listenerReach, type Reach } from './filter-chain-reach';
import { inspectionOf } from './listener-inspection';
import { ENVOY_MANUAL_REASON, listenerId } from './names';
import { withField, withMessage } from './patch-spelling';
import { field, isProtoObject, listField, messageField, portValue, readField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import { unknownStaticCertificates, type StaticSecrets } from './static-secrets';
import { QUIC_SOURCES, quicDownstreamMode } from './quic-mode';
import { removedTlsContext } from './removed-v2-fields';
import { classifyTransportSocket, typedConfigProblem } from './transport-socket';
import { DOWNSTREAM_TLS_CONTEXT, HTTP_CONNECTION_MANAGER, TCP_PROXY } from './type-urls';
import type { IstioWorkload } from './resources';
import { sidecarStrictFix } from './istio-sidecar-fix';
import { isDataSourceSet, isTlsCertificateSet } from './validation-context';
import { groupByDestinationPort, portsWithOwnChains, splitsByPort, type OnPort, type PortGroup } from './inbound-ports';

/** An Envoy listener as a server: the core ServerEndpoint plus why it has its mode. */
export interface EnvoyListenerEndpoint extends ServerEndpoint {
  /** One sentence naming the deciding filter chain and the Envoy rule (the core's mtls-not-strict reports it). */
  modeReason: string;
}

export interface ListenerInput {
  listener: unknown;
  /** Dotted path of the listener in the document, e.g. `static_resources.listeners[2]`. */
  path: string;
  source: SourceRef;
  secrets: StaticSecrets;
  /** Why a person must make the fix, when not ENVOY_MANUAL_REASON (a config dump's entries). */
  manualReason?: string;
  /** Clusters that take no connection: a chain that only proxies to one closes what it is given. */
  deadClusters?: ReadonlySet<string>;
  /** For an Istio sidecar's dump, its workload: the fix is then a PeerAuthentication, not an Envoy edit. */
  istioSidecar?: IstioWorkload;
  /** An Istio proxy's INBOUND listener, also from a dump without the node: judged per destination port (inbound-ports.ts). */
  istioInbound?: boolean;
}

export interface ListenerResult {
  /** One per listener; for an Istio sidecar's inbound listener, one per workload port and one for the catch-all chains. */
  servers: EnvoyListenerEndpoint[];
  problems: ConfigProblem[];
}

/** A chain as judged, with the `destination_port` it matches (0: any port; the default chain's too). */
type PortedChain = ChainPosture & OnPort;
/** A chain no connection is given, as the mode's reason names it. */
type Unreachable = { text: string } & OnPort;

const PLACEHOLDER_CA = '<path of the CA bundle that issues client certificates>';
const PLACEHOLDER_CHAIN = '<path of the server certificate chain>';
const PLACEHOLDER_KEY = '<path of the server private key>';

/**
 * One listener of a bootstrap as a server endpoint. A listener Envoy would refuse to load (an
 * unknown transport socket, a TLS context it rejects) yields problems and no endpoint: it
 * serves nothing.
 */
export function readListener({ listener, path, source, secrets, manualReason, deadClusters, istioSidecar, istioInbound }: ListenerInput): ListenerResult {
  const name = stringField(listener, 'name') ?? path;
  let port: number | undefined;
  const problem = (fieldPath: string, message: string): ConfigProblem => ({ file: source.file, line: source.line, field: fieldPath, message, kind: 'Listener', name, ...(port !== undefined ? { port } : {}) });
  if (!isProtoObject(listener)) return { servers: [], problems: [problem(path, 'listener must be an object')] };

  const address = messageField(listener, 'address');
  const internal = isInternalListener(listener);
  if (!address && !internal) {
    return { servers: [], problems: [problem(`${path}.address`, `listener ${name} has no address, so Envoy cannot bind it`)] };
  }
  port = listenerPort(listener);
  const quic = isQuicListener(listener);
  // A UDP listener without QUIC hands datagrams to its UDP listener filters (udp_proxy, dns_filter):
  // Envoy has no TLS or DTLS transport for them, so there is no mTLS posture to judge.
  if (!quic && isUdp(address)) return { servers: [], problems: [] };

  const problems: ConfigProblem[] = [];
  const chains: PortedChain[] = [];
  const hosts = new Set<string>();
  const listed = reachOf(listener, withMatchKeys(filterChainsOf(listener, path)), quic);
  const duplicate = readField(listener, 'filter_chain_matcher') === undefined ? duplicateMatch(listed) : undefined;
  if (duplicate) {
    const message = `${duplicate.later} has the same filter_chain_match as ${duplicate.first}, so Envoy refuses the listener ("filter chain has the same matching rules defined as …") and serves none of its chains`;
    return { servers: [], problems: [problem(duplicate.field, message)] };
  }
  const unreachable: Unreachable[] = [];
  for (const { chain, chainPath, label, reach: r, keys } of listed) {
    const destinationPort = keys?.destinationPort ?? 0;
    const add = (posture: ChainPosture) => chains.push({ ...posture, destinationPort });
    for (const [i, filter] of listField(chain, 'filters').entries()) {
      const bad = typedConfigProblem(filter, `${chainPath}.${keyName(chain, 'filters')}[${i}]`);
      if (bad) problems.push(problem(bad.field, bad.message));
      for (const domain of virtualHostDomains(filter)) hosts.add(domain);
    }
    const match = messageField(chain, 'filter_chain_match');
    for (const serverName of listField(match, 'server_names')) if (typeof serverName === 'string') hosts.add(serverName);
    // Istio's virtualInbound-blackhole: whatever reaches it is closed, so it lets no one in.
    if (deadClusters && proxiesOnlyTo(chain, deadClusters)) continue;

    const removed = removedTlsContext(chain, chainPath);
    if (removed) {
      problems.push(problem(removed.field, removed.message));
      continue;
    }
    const socket = readField(chain, 'transport_socket');
    const kind = classifyTransportSocket(socket?.value, `${chainPath}.${socket?.key ?? 'transport_socket'}`, 'downstream');
    if (kind.kind === 'invalid') {
      problems.push(problem(kind.field, kind.message));
    } else if (quic && !(kind.kind === 'tls' && kind.quic)) {
      problems.push(problem(`${chainPath}.${socket?.key ?? 'transport_socket'}`, 'wrong transport socket config specified for quic transport socket: a QUIC listener needs QuicDownstreamTransport'));
    } else if (!quic && kind.kind === 'tls' && kind.quic) {
      // quic_transport_socket_factory.h: the QUIC factory makes no TCP transport socket ("not implemented").
      problems.push(problem(`${chainPath}.${socket?.key ?? 'transport_socket'}`, 'QuicDownstreamTransport on a TCP listener: Envoy loads it, but its QUIC socket factory cannot make a TCP transport socket, so no TCP connection to this chain can be served. Use a DownstreamTlsContext, or make the listener QUIC (UDP address and udp_listener_config.quic_options)'));
    } else if (!r.byPlaintext && !r.byTls) {
      // Envoy still builds the chain (so the checks above hold), but no connection is given it.
      unreachable.push({ text: `${label} (${neverSelectedWhy(listener, keys)})`, destinationPort });
    } else if (kind.kind === 'tls') {
      const tcp = effectiveDownstreamMode(kind.tlsContext, secrets);
      const decision = kind.quic ? quicDownstreamMode(kind.tlsContext, tcp) : tcp;
      const rejected = serverCertificateProblem(kind.tlsContext) ?? decision.rejected;
      if (rejected) problems.push(problem(kind.path, `Envoy rejects the DownstreamTlsContext: ${rejected}`));
      for (const bad of unknownStaticCertificates(kind.tlsContext, kind.path, secrets)) problems.push(problem(bad.field, bad.message));
      // A TLS chain that only plaintext clients reach fails their handshake: it lets no one in.
      if (r.byTls || kind.startTls) add({ label, chainPath, kind: 'tls', decision, path: kind.path, tlsContext: kind.tlsContext, direct: kind.direct });
      if (kind.startTls) {
        add({
          label: `${label} before StartTLS`,
          chainPath,
          kind: 'plaintext',
          startTls: true,
          why: 'a StartTLS socket speaks cleartext until the protocol filter switches to TLS, and a client that never asks stays in cleartext',
        });
      }
    } else if (!r.byPlaintext) {
      add({ label, chainPath, kind: 'passthrough', why: 'only TLS clients reach the chain and it has no transport socket: Envoy forwards the TLS stream without terminating it, so it checks no client certificate' });
    } else {
      add({ label, chainPath, kind: 'plaintext', why: kind.why });
    }
  }
  if (problems.length === 0 && chains.length === 0 && unreachable.length > 0 && !internal) {
    const filtersKey = readField(listener, 'listener_filters')?.key ?? 'listener_filters';
    problems.push(problem(`${path}.${filtersKey}`, `no filter chain matches any connection, so Envoy closes every one ("no matching filter chain found"): ${texts(unreachable)}`));
  }
  // An internal listener takes connections only from this Envoy's own clusters (envoy_internal_address),
  // never from the network: no other workload can reach it, so its plaintext hop is not an mTLS gap.
  // An OUTBOUND listener takes the local application's own outgoing connections (a sidecar's
  // capture listener): its clients are the app beside it, and its TLS is the clusters' to make.
  if (problems.length > 0 || chains.length === 0 || internal || trafficDirection(listener) === 'OUTBOUND') return { servers: [], problems };

  const id = listenerId(source, name);
  const at: ServerAt = { name, source, hosts: [...hosts] };
  const destinationPorts = listed.flatMap((c) => (c.keys ? [c.keys.destinationPort] : []));
  if ((istioSidecar || istioInbound) && splitsByPort(destinationPorts)) {
    const servers = portServers(at, id, groupByDestinationPort(chains, unreachable), portsWithOwnChains(destinationPorts));
    if (istioSidecar) sharePeerAuthentication(servers, istioSidecar);
    // No node, no workload (a `?resource=` dump): each port's fix is Envoy's, on that port's chains only.
    else for (const { server, group } of servers) if (server.mode !== 'STRICT') server.fix = envoyFix(server.id, name, group.chains, secrets, manualReason);
    return { servers: servers.map((s) => s.server), problems };
  }

  const server = endpointOf(at, id, listenerResource(listener, name, source), chains, unreachable);
  if (server.mode !== 'STRICT') {
    server.fix = istioSidecar ? sidecarStrictFix([id], istioSidecar) : envoyFix(id, name, chains, secrets, manualReason);
  }
  return { servers: [server], problems };
}

function envoyFix(id: string, name: string, chains: ChainPosture[], secrets: StaticSecrets, manualReason: string | undefined): ProviderFix {
  return { ...requireClientCertificateFix(id, name, chains, secrets), ...(manualReason ? { manualReason } : {}) };
}

/** What the servers of one listener share. */
interface ServerAt {
  name: string;
  source: SourceRef;
  hosts: string[];
}

/** A server whose mode its chains decide; `scope` says which connections they take, in the reason. */
function endpointOf(at: ServerAt, id: string, resource: ResourceRef, chains: ChainPosture[], unreachable: Unreachable[], scope?: string): EnvoyListenerEndpoint {
  const { name, source } = at;
  const decided = effectiveListenerMode(chains);
  const judged = unreachable.length === 0 ? decided.reason : `${decided.reason}; never selected: ${texts(unreachable)}`;
  return {
    id,
    provider: 'envoy',
    resource,
    mode: decided.mode,
    inMesh: true,
    // The weakest chain (its transport socket's TLS context, or the chain itself) is where the finding points.
    cause: decided.at === undefined ? { kind: 'Listener', name, scope: 'listener', source } : { kind: 'Listener', name, scope: 'listener', path: decided.at, source },
    hosts: at.hosts,
    modeReason: scope === undefined ? judged : `${scope}: ${judged}`,
  };
}

type PortServer = { server: EnvoyListenerEndpoint; group: PortGroup<PortedChain, Unreachable> };

/**
 * An Istio proxy's inbound listener as its workload's ports (inbound-ports.ts): one server per
 * port with chains of its own, its resource port that port (as the Istio provider names a
 * workload's port), and one for the catch-all chains, with no port, as they serve every other one.
 */
function portServers(at: ServerAt, id: string, groups: Array<PortGroup<PortedChain, Unreachable>>, ownPorts: number[]): PortServer[] {
  return groups.map((group) => {
    const { port } = group;
    const resource: ResourceRef = { kind: 'Listener', name: at.name, ...(port !== undefined ? { port } : {}), file: at.source.file, line: at.source.line };
    const scope = port !== undefined ? `on destination port ${port}` : `on every destination port without filter chains of its own (all but ${ownPorts.join(', ')}), the catch-all chains decide`;
    return { group, server: endpointOf(at, `${id}:${port ?? CATCH_ALL}`, resource, group.chains, group.unreachable, scope) };
  });
}

/** A sidecar's ports take plaintext or not by PeerAuthentication: one policy fixes them all (istio-sidecar-fix.ts). */
function sharePeerAuthentication(servers: PortServer[], workload: IstioWorkload): void {
  const open = servers.filter((s) => s.server.mode !== 'STRICT');
  if (open.length === 0) return;
  const ports = open.flatMap((s) => (s.group.port !== undefined ? [s.group.port] : []));
  const fix = sidecarStrictFix(open.map((s) => s.server.id), workload, { ports, workloadWide: open.some((s) => s.group.port === undefined) });
  for (const { server } of open) server.fix = fix;
}

/** The id suffix of a sidecar's catch-all server. */
const CATCH_ALL = 'catch-all';

function texts(unreachable: Unreachable[]): string {
  return unreachable.map((u) => u.text).join('; ');
}

/**
 * The listener as findings name it (its server endpoint's resource), and as the certificates
 * written inline in it name their user.
 */
export function listenerResource(listener: ProtoObject, name: string, source: SourceRef): ResourceRef {
  const port = listenerPort(listener);
  return { kind: 'Listener', name, ...(port !== undefined ? { port } : {}), file: source.file, line: source.line };
}

export interface ChainAt {
  chain: ProtoObject;
  chainPath: string;
  label: string;
  /** Whether plaintext and TLS clients can be given this chain (filter-chain-reach.ts). */
  reach: Reach;
}

const EVERYONE: Reach = { byPlaintext: true, byTls: true };

/** The listener's filter chains, then its default filter chain: every place a listener has a transport socket. */
export function filterChainsOf(listener: ProtoObject, path: string): Array<ChainAt & { isDefault: boolean }> {
  const out: Array<ChainAt & { isDefault: boolean }> = [];
  const key = keyName(listener, 'filter_chains');
  const chains = listField(listener, 'filter_chains');
  // Istio names an inbound port's TLS and plaintext chains alike (`0.0.0.0_8080`): then the index tells them apart.
  const names = chains.map((chain) => stringField(chain, 'name'));
  const repeated = new Set(names.filter((n, i) => n !== undefined && names.indexOf(n) !== i));
  chains.forEach((chain, i) => {
    if (!isProtoObject(chain)) return;
    const chainName = names[i];
    const label = chainName === undefined ? `filter chain #${i}` : repeated.has(chainName) ? `filter chain #${i} (${chainName})` : `filter chain ${chainName}`;
    out.push({ chain, chainPath: `${path}.${key}[${i}]`, label, reach: EVERYONE, isDefault: false });
  });
  const fallback = readField(listener, 'default_filter_chain');
  if (fallback && isProtoObject(fallback.value)) out.push({ chain: fallback.value, chainPath: `${path}.${fallback.key}`, label: 'default filter chain', reach: EVERYONE, isDefault: true });
  return out;
}

/** A listed chain with its filter_chain_match read once; the default chain has none. */
type MatchedChain = ChainAt & { isDefault: boolean; keys?: ChainMatchKeys };

function withMatchKeys(listed: Array<ChainAt & { isDefault: boolean }>): MatchedChain[] {
  return listed.map((c) => (c.isDefault ? c : { ...c, keys: chainMatchKeys(c.chain) }));
}

/**
 * Each chain's reach, as filter-chain-reach.ts decides it. Left at EVERYONE where meshgov does not
 * model the selection: a `filter_chain_matcher` tree replaces filter_chain_match entirely
 * (FilterChainManagerImpl::setupFilterChainMatcher), and a QUIC listener matches on what the QUIC
 * handshake tells it, with transport protocol `quic`.
 */
function reachOf(listener: ProtoObject, listed: MatchedChain[], quic: boolean): MatchedChain[] {
  if (quic || readField(listener, 'filter_chain_matcher') !== undefined) return listed;
  const reach = listenerReach(listed.flatMap((c) => (c.keys ? [c.keys] : [])), inspectionOf(listener));
  let i = 0;
  for (const c of listed) c.reach = c.isDefault ? reach.defaultChain : reach.chains[i++]!;
  return listed;
}

/**
 * Two filter chains (not the default one) whose filter_chain_match is the same: Envoy's
 * FilterChainManagerImpl refuses the whole listener (verifyNoDuplicateMatchers, by message equality).
 */
function duplicateMatch(listed: readonly MatchedChain[]): { first: string; later: string; field: string } | undefined {
  const seen = new Map<string, string>();
  for (const c of listed) {
    if (!c.keys) continue;
    const key = JSON.stringify(c.keys);
    const first = seen.get(key);
    if (first !== undefined) return { first, later: c.label, field: `${c.chainPath}.${keyName(c.chain, 'filter_chain_match')}` };
    seen.set(key, c.label);
  }
  return undefined;
}

/** Why no connection is given a chain, for the mode's reason. */
function neverSelectedWhy(listener: ProtoObject, keys: ChainMatchKeys | undefined): string {
  if (!keys) return 'every connection matches one of the filter chains, and only one that matches none gets the default';
  const needsInspector = keys.serverNames.length > 0 || keys.transportProtocol === 'tls' || keys.applicationProtocols.length > 0;
  if (needsInspector && inspectionOf(listener).tls === 'never') {
    return 'it matches on server_names, transport_protocol tls or application_protocols, but without the tls_inspector listener filter every connection has transport protocol raw_buffer, no SNI and no TLS ALPN';
  }
  return 'more specific filter chains take every connection it could match';
}

function keyName(message: unknown, snake: string): string {
  return readField(message, snake)?.key ?? snake;
}

/** `internal_listener` set (listener.proto), or an `envoy_internal_address` as the listener's address. */
function isInternalListener(listener: ProtoObject): boolean {
  return readField(listener, 'internal_listener') !== undefined || messageField(messageField(listener, 'address'), 'envoy_internal_address') !== undefined;
}

/** listener.proto UdpListenerConfig.quic_options: the listener serves QUIC (HTTP/3). */
function isQuicListener(listener: ProtoObject): boolean {
  return readField(messageField(listener, 'udp_listener_config'), 'quic_options') !== undefined;
}

/** address.proto SocketAddress.protocol UDP (enum value 1). */
function isUdp(address: ProtoObject | undefined): boolean {
  const protocol = field(messageField(address, 'socket_address'), 'protocol');
  return protocol === 'UDP' || protocol === 1;
}

/**
 * A server context needs a certificate to present (tls/server_context_config_impl.cc: "No TLS
 * certificates found for server context"): inline, from SDS (content unseen here, but present),
 * or from a certificate provider, custom handshaker or certificate selector that supplies one.
 */
function serverCertificateProblem(tlsContext: ProtoObject): string | undefined {
  const common = messageField(tlsContext, 'common_tls_context');
  const entries = listField(common, 'tls_certificates');
  const inline = entries.length > 0;
  const sds = listField(common, 'tls_certificate_sds_secret_configs').length > 0;
  if (inline && sds) return 'SDS and non-SDS TLS certificates may not be mixed in server contexts';
  // Envoy skips an entry with nothing in it (getTlsCertificateConfigProviders), then finds none.
  if (inline && !entries.some(isTlsCertificateSet)) return 'Server TlsCertificates must have a certificate specified: every tls_certificates entry is empty';
  const policy = field(tlsContext, 'ocsp_staple_policy');
  if (inline && (policy === 'MUST_STAPLE' || policy === 2) && entries.some((e) => isTlsCertificateSet(e) && !isDataSourceSet(field(e, 'ocsp_staple')))) {
    return 'Required OCSP response is missing from TLS context: ocsp_staple_policy MUST_STAPLE needs an ocsp_staple on every certificate';
  }
  if (inline || sds) return undefined;
  const others = ['tls_certificate_provider_instance', 'tls_certificate_certificate_provider_instance', 'custom_handshaker', 'custom_tls_certificate_selector'];
  return others.some((member) => readField(common, member) !== undefined) ? undefined : 'No TLS certificates found for server context';
}

/** The domains of an inline HttpConnectionManager route_config (RDS names are not followed). */
function virtualHostDomains(filter: unknown): string[] {
  const typed = field(filter, 'typed_config');
  if (typeUrlOf(typed) !== HTTP_CONNECTION_MANAGER) return [];
  const out: string[] = [];
  for (const vh of listField(messageField(typed, 'route_config'), 'virtual_hosts')) {
    for (const domain of listField(vh, 'domains')) {
      if (typeof domain !== 'string' || domain === '*') continue;
      out.push(domain.replace(/:\d+$/, ''));
    }
  }
  return out;
}

/**
 * The fix Envoy needs: on every chain that lets a client in without a verified certificate, a
 * DownstreamTlsContext with `require_client_certificate: true` and a trusted CA. A person must
 * apply it: certificates for plaintext chains must be issued, and a CA chosen where none is known.
 */
function requireClientCertificateFix(id: string, listenerName: string, chains: ChainPosture[], secrets: StaticSecrets): ProviderFix {
  const knownCa = chains.map((c) => (c.kind === 'tls' ? staticTrustedCa(c.tlsContext) : undefined)).find((ca) => ca !== undefined);
  const blockers: string[] = [];
  const patches: Array<Record<string, unknown>> = [];
  for (const chain of chains) {
    if (chain.kind === 'tls' && chain.decision.mode === 'STRICT') continue;
    if (chain.kind === 'passthrough') {
      blockers.push(`${chain.label} of listener ${listenerName} passes TLS through; the upstream must require client certificates`);
      continue;
    }
    if (chain.kind === 'plaintext' && chain.startTls) {
      // No socket replaces StartTLS without breaking the protocol: its filter must refuse clients that do not switch.
      blockers.push(`${chain.label} of listener ${listenerName}: clients that do not ask for TLS stay in cleartext; make the protocol filter refuse them where it can`);
      continue;
    }
    let context: ProtoObject;
    if (chain.kind === 'tls') {
      context = withField(chain.tlsContext, 'require_client_certificate', true);
      if (chain.decision.trustedCa === 'none') {
        context = withCa(context, knownCa);
        if (!knownCa) blockers.push(`${chain.label} of listener ${listenerName} has no trusted CA: set validation_context.trusted_ca to the CA that issues client certificates`);
      }
      context = withMessage(context, 'common_tls_context', (common) => dropAcceptUntrusted(common));
      const untrusting = secretAcceptingUntrusted(chain.tlsContext, secrets);
      if (untrusting) {
        // The secret's non-default value wins the merge: only editing the secret fixes it.
        blockers.push(`static secret ${untrusting} sets validation_context.trust_chain_verification: ACCEPT_UNTRUSTED, which overrides the listener's: remove it from the secret`);
      }
      if (chain.decision.source === ENVOY_SOURCES.customValidator) {
        blockers.push(`${chain.label} of listener ${listenerName} uses a custom certificate validator: confirm that it requires client certificates`);
      }
    } else {
      blockers.push(`${chain.label} of listener ${listenerName} is plaintext: a server certificate and key must be issued for it`);
      if (!knownCa) blockers.push(`no trusted CA is known for listener ${listenerName}: choose the CA that issues client certificates`);
      context = {
        '@type': DOWNSTREAM_TLS_CONTEXT,
        require_client_certificate: true,
        common_tls_context: {
          tls_certificates: [{ certificate_chain: { filename: PLACEHOLDER_CHAIN }, private_key: { filename: PLACEHOLDER_KEY } }],
          validation_context: { trusted_ca: knownCa ?? { filename: PLACEHOLDER_CA } },
        },
      };
    }
    if (chain.kind === 'tls' && !chain.direct) {
      // Inside a wrapper or a QUIC socket: patch the context in place, keeping what wraps it.
      patches.push({ filter_chain: chain.label, path: chain.path, downstream_tls_context: context });
      if (chain.decision.source === QUIC_SOURCES.serverFactory) blockers.push(`${chain.label} of listener ${listenerName} is QUIC: client authentication over QUIC needs an Envoy release after 1.39`);
      continue;
    }
    patches.push({ filter_chain: chain.label, path: chain.chainPath, transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: context } });
  }
  return {
    action: 'envoy.listener.require-client-certificate',
    change: { listener: listenerName, filter_chains: patches },
    affectsServers: [id],
    blockers,
    manualOnly: true,
    manualReason: ENVOY_MANUAL_REASON,
  };
}

/** The inline `trusted_ca` of a chain, reused for the chains that lack one. */
function staticTrustedCa(tlsContext: ProtoObject): unknown {
  const vc = messageField(messageField(tlsContext, 'common_tls_context'), 'validation_context');
  return field(vc, 'trusted_ca');
}

/**
 * The context with a trusted CA. validation_context, validation_context_sds_secret_config and
 * combined_validation_context are one oneof (tls.proto `validation_context_type`): a CA added
 * beside an SDS secret makes Envoy refuse the context, so it goes into the combined context's
 * default, which Envoy merges with the secret.
 */
function withCa(context: ProtoObject, knownCa: unknown): ProtoObject {
  const ca = knownCa ?? { filename: PLACEHOLDER_CA };
  return withMessage(context, 'common_tls_context', (common) => {
    if (readField(common, 'combined_validation_context')) {
      return withMessage(common, 'combined_validation_context', (combined) => withMessage(combined, 'default_validation_context', (vc) => withField(vc, 'trusted_ca', ca)));
    }
    const sds = readField(common, 'validation_context_sds_secret_config');
    if (sds) {
      const { [sds.key]: _secret, ...rest } = common;
      return withField(rest, 'combined_validation_context', { default_validation_context: { trusted_ca: ca }, validation_context_sds_secret_config: sds.value });
    }
    return withMessage(common, 'validation_context', (vc) => withField(vc, 'trusted_ca', ca));
  });
}

/** The static secret (no sds_config) that gives the context a validation context with ACCEPT_UNTRUSTED, if any. */
function secretAcceptingUntrusted(tlsContext: ProtoObject, secrets: StaticSecrets): string | undefined {
  const common = messageField(tlsContext, 'common_tls_context');
  const sds = messageField(common, 'validation_context_sds_secret_config') ?? messageField(messageField(common, 'combined_validation_context'), 'validation_context_sds_secret_config');
  const name = sds && !readField(sds, 'sds_config') ? stringField(sds, 'name') : undefined;
  if (name === undefined) return undefined;
  const verification = field(messageField(secrets.get(name), 'validation_context'), 'trust_chain_verification');
  return verification === 'ACCEPT_UNTRUSTED' || verification === 1 ? name : undefined;
}

/** ACCEPT_UNTRUSTED lets any certificate in; the default, VERIFY_TRUST_CHAIN, is what the fix needs. */
function dropAcceptUntrusted(common: ProtoObject): ProtoObject {
  for (const member of ['validation_context', 'combined_validation_context']) {
    const current = readField(common, member);
    if (!current || !isProtoObject(current.value)) continue;
    const vc = member === 'validation_context' ? current.value : (messageField(current.value, 'default_validation_context') ?? {});
    if (!readField(vc, 'trust_chain_verification')) continue;
    const fixed = withField(vc, 'trust_chain_verification', 'VERIFY_TRUST_CHAIN');
    return member === 'validation_context' ? { ...common, [current.key]: fixed } : { ...common, [current.key]: withField(current.value, 'default_validation_context', fixed) };
  }
  return common;
}

/** A listener's `address.socket_address.port_value`. */
export function listenerPort(listener: unknown): number | undefined {
  return portValue(field(messageField(messageField(listener, 'address'), 'socket_address'), 'port_value'));
}

/** listener.proto `traffic_direction`, also when proto JSON writes the enum as its number (1, 2). */
export function trafficDirection(listener: unknown): 'INBOUND' | 'OUTBOUND' | undefined {
  const direction = field(listener, 'traffic_direction');
  if (direction === 'INBOUND' || direction === 1) return 'INBOUND';
  if (direction === 'OUTBOUND' || direction === 2) return 'OUTBOUND';
  return undefined;
}

/** A chain whose last network filter is a tcp_proxy to one of `clusters`: every connection it takes is closed. */
function proxiesOnlyTo(chain: ProtoObject, clusters: ReadonlySet<string>): boolean {
  const filters = listField(chain, 'filters');
  const last = filters[filters.length - 1];
  if (typeUrlOf(field(last, 'typed_config')) !== TCP_PROXY && stringField(last, 'name') !== 'envoy.filters.network.tcp_proxy') return false;
  const cluster = stringField(field(last, 'typed_config'), 'cluster');
  return cluster !== undefined && clusters.has(cluster);
}
