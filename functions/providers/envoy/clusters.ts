import { isIP } from 'node:net';
import type { ClientPolicy, ConfigProblem, ProviderFix, ResourceRef, SourceRef } from '../../core/model/types';
import { ENVOY_MANUAL_REASON, clusterId } from './names';
import { withField, withMessage } from './patch-spelling';
import { field, isProtoObject, listField, messageField, portValue, readField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import { decideByMatcher, decideSending, staticEndpointsOf, type Candidate, type Decision } from './socket-matches';
import { matcherTargets } from './transport-socket-matcher';
import { UPSTREAM_TLS_CONTEXT } from './type-urls';
import { unknownStaticCertificates, type StaticSecrets } from './static-secrets';
import { classifyTransportSocket } from './transport-socket';
import { combinedContextProblem, isTlsCertificateSet } from './validation-context';
import { removedTlsContext } from './removed-v2-fields';

export interface ClusterInput {
  cluster: unknown;
  /** Dotted path of the cluster in the document, e.g. `static_resources.clusters[0]`. */
  path: string;
  source: SourceRef;
  /** The bootstrap's static secrets, which SDS references without `sds_config` name. */
  secrets: StaticSecrets;
  /** Why a person must make the fix, when not ENVOY_MANUAL_REASON (a config dump's entries). */
  manualReason?: string;
}

export interface ClusterResult {
  client?: ClientPolicy;
  problems: ConfigProblem[];
}

/**
 * One cluster of a bootstrap as a client policy: what Envoy sends to the cluster's endpoints.
 * A cluster Envoy would refuse to load yields problems and no policy.
 */
export function readCluster({ cluster, path, source, secrets, manualReason }: ClusterInput): ClusterResult {
  const name = stringField(cluster, 'name') ?? path;
  const problem = (fieldPath: string, message: string): ConfigProblem => ({ file: source.file, line: source.line, field: fieldPath, message, kind: 'Cluster', name });
  if (!isProtoObject(cluster)) return { problems: [problem(path, 'cluster must be an object')] };

  const problems: ConfigProblem[] = [];
  const removed = removedTlsContext(cluster, path);
  if (removed) return { problems: [problem(removed.field, removed.message)] };
  const candidates: Candidate[] = [];
  const read = (socket: unknown, socketPath: string, entry?: { name: string; match: ProtoObject }) => {
    const kind = classifyTransportSocket(socket, socketPath, 'upstream');
    const from = entry ? { entry: entry.name, match: entry.match } : {};
    if (kind.kind === 'invalid') problems.push(problem(kind.field, kind.message));
    else if (kind.kind === 'plaintext') candidates.push({ sends: 'PLAINTEXT', reason: kind.why, ...from });
    else {
      for (const bad of unknownStaticCertificates(kind.tlsContext, kind.path, secrets)) problems.push(problem(bad.field, bad.message));
      const combined = combinedContextProblem(messageField(kind.tlsContext, 'common_tls_context'));
      if (combined) problems.push(problem(`${kind.path}.common_tls_context.combined_validation_context`, `Envoy rejects the UpstreamTlsContext: ${combined}`));
      const sending = tlsSending(kind.tlsContext);
      // UpstreamStartTlsConfig: TLS once the protocol filter switches (postgres_proxy upstream_ssl); named, since before that it is cleartext.
      if (kind.startTls) sending.reason = `${sending.reason}, after the StartTLS switch (cleartext until the protocol filter asks for TLS)`;
      candidates.push({ ...sending, tlsContext: kind.tlsContext, tlsAt: { path: kind.path, direct: kind.direct }, ...from });
    }
  };
  const matcher = messageField(cluster, 'transport_socket_matcher');
  for (const at of clusterSockets(cluster, path)) {
    if (at.entry === undefined) {
      read(at.socket, at.path);
      continue;
    }
    const { value: entry, index: i, path: entryPath } = at.entry;
    const match = field(entry, 'match');
    if (match !== undefined && !isProtoObject(match)) {
      problems.push(problem(`${entryPath}.match`, 'match must be an object of endpoint metadata labels (a google.protobuf.Struct)'));
      continue;
    }
    const entryName = stringField(entry, 'name');
    // transport_socket_match_impl.cc setupTransportSocketMatcher: the matcher selects entries by name.
    if (matcher && !entryName) problems.push(problem(`${entryPath}.name`, 'Transport socket name is required when using transport_socket_matcher'));
    read(at.socket, at.path, { name: entryName ?? `#${i}`, match: match ?? {} });
  }
  if (problems.length > 0) return { problems };

  const internal = internalListenersOf(cluster);
  const decided = matcher ? decideWithMatcher(matcher, candidates) : decideSending(candidates, staticEndpointsOf(cluster));
  const { sends, tlsContext, entry } = decided;
  const reason = internal ? `${decided.reason}, to internal listener(s) ${internal.join(', ')} of this Envoy (envoy_internal_address): the bytes never leave the process` : decided.reason;
  const { hosts, port } = destinationOf(cluster, name, tlsContext);
  const id = clusterId(source, name);
  const client: ClientPolicy = {
    id,
    provider: 'envoy',
    resource: resourceOf(name, port, source),
    sends,
    reason,
    cause: { kind: 'Cluster', name, scope: 'cluster', source },
    destination: { hosts, ...(port !== undefined ? { port } : {}) },
  };
  // An external destination reached in plaintext is not a mesh call; elsewhere the core matches hosts.
  if (sends === 'PLAINTEXT' && hosts.length > 0 && hosts.every((h) => !isClusterLocal(h))) client.inMeshDestination = false;
  // TLS without a client certificate is reported whatever servers are among the inputs, unless
  // every host is plainly outside (a public DNS name or IP); those are left to the servers found.
  if (sends === 'TLS' && (hosts.length === 0 || !hosts.every(isPlainlyExternal))) client.inMeshDestination = true;
  // An internal listener is reached through a user-space socket inside this Envoy, not the network.
  if (internal) client.inMeshDestination = false;
  // The fix rewrites the cluster's transport_socket, which changes nothing where an entry decides.
  const chosen = candidates.find((c) => c.tlsContext === tlsContext && c.entry === undefined);
  // TLS without a client certificate: the finding points at that UpstreamTlsContext.
  if (sends === 'TLS' && chosen?.tlsAt) client.cause.path = chosen.tlsAt.path;
  if (sends === 'TLS' && tlsContext && entry === undefined && chosen?.tlsAt) client.fix = { ...addClientCertificateFix(id, name, tlsContext, chosen.tlsAt), ...(manualReason ? { manualReason } : {}) };
  return { client, problems };
}

/** One transport socket of a cluster, with the transport_socket_matches entry that holds it (none for the cluster's own). */
export interface ClusterSocket {
  socket: unknown;
  /** Dotted path of the socket in the document. */
  path: string;
  entry?: { value: unknown; index: number; path: string };
}

/** A cluster's transport sockets in the order Envoy tries them: each transport_socket_matches entry's, then the cluster's own. */
export function clusterSockets(cluster: unknown, path: string): ClusterSocket[] {
  const matchesKey = readField(cluster, 'transport_socket_matches')?.key ?? 'transport_socket_matches';
  const out: ClusterSocket[] = listField(cluster, 'transport_socket_matches').map((entry, index) => {
    const entryPath = `${path}.${matchesKey}[${index}]`;
    const socket = readField(entry, 'transport_socket');
    return { socket: socket?.value, path: `${entryPath}.${socket?.key ?? 'transport_socket'}`, entry: { value: entry, index, path: entryPath } };
  });
  const socket = readField(cluster, 'transport_socket');
  out.push({ socket: socket?.value, path: `${path}.${socket?.key ?? 'transport_socket'}` });
  return out;
}

/**
 * The cluster as findings name it (its client policy's resource), and as the certificates
 * written inline in it name their user.
 */
export function clusterResource(cluster: ProtoObject, name: string, source: SourceRef): ResourceRef {
  return resourceOf(name, destinationOf(cluster, name, undefined).port, source);
}

function resourceOf(name: string, port: number | undefined, source: SourceRef): ResourceRef {
  return { kind: 'Cluster', name, ...(port !== undefined ? { port } : {}), file: source.file, line: source.line };
}

/** What one UpstreamTlsContext sends: mTLS when it holds a client certificate, by any of its sources. */
function tlsSending(tlsContext: ProtoObject): { sends: 'MTLS' | 'TLS'; reason: string } {
  if (!hasClientCertificate(tlsContext)) return { sends: 'TLS', reason: 'UpstreamTlsContext without a client certificate' };
  const configs = listField(messageField(tlsContext, 'common_tls_context'), 'tls_certificate_sds_secret_configs');
  const names = (dynamic: boolean) =>
    configs
      .filter((c) => (readField(c, 'sds_config') !== undefined) === dynamic)
      .map((c) => `'${stringField(c, 'name') ?? ''}'`)
      .join(', ');
  // tls.proto: an SDS certificate is fetched at run time; meshgov sees its name, not its content.
  const fetched = names(true);
  if (fetched) return { sends: 'MTLS', reason: `UpstreamTlsContext with a client certificate from SDS secret ${fetched} (delivered at run time; meshgov cannot see its content)` };
  const bootstrap = names(false);
  if (bootstrap) return { sends: 'MTLS', reason: `UpstreamTlsContext with a client certificate from static secret ${bootstrap} of the bootstrap` };
  return { sends: 'MTLS', reason: 'UpstreamTlsContext with a client certificate' };
}

/**
 * With a transport_socket_matcher, Envoy ignores the entries' `match` labels: the candidates are
 * the entries the tree names (that exist), and the cluster's transport_socket when reachable.
 */
function decideWithMatcher(matcher: ProtoObject, candidates: Candidate[]): Decision {
  const entries = candidates.filter((c) => c.match !== undefined);
  const fallback = candidates.find((c) => c.match === undefined)!;
  const { names, fallbackReachable } = matcherTargets(matcher, new Set(entries.map((c) => c.entry!)));
  const reachable = entries.filter((c) => names.includes(c.entry!));
  if (fallbackReachable || reachable.length === 0) reachable.push(fallback);
  return decideByMatcher(reachable);
}

/**
 * The internal listeners a cluster sends to, when every endpoint is an `envoy_internal_address`
 * (address.proto EnvoyInternalAddress): such a connection goes to a listener of the same Envoy
 * through a user-space socket, so the bytes never reach a network.
 */
function internalListenersOf(cluster: ProtoObject): string[] | undefined {
  const names: string[] = [];
  let endpoints = 0;
  for (const locality of listField(messageField(cluster, 'load_assignment'), 'endpoints')) {
    for (const lb of listField(locality, 'lb_endpoints')) {
      endpoints++;
      const internal = messageField(messageField(messageField(lb, 'endpoint'), 'address'), 'envoy_internal_address');
      if (!internal) return undefined;
      const listener = stringField(internal, 'server_listener_name') ?? '(unnamed)';
      if (!names.includes(listener)) names.push(listener);
    }
  }
  return endpoints > 0 ? names : undefined;
}

/**
 * tls.proto CommonTlsContext: Envoy's client certificate comes from `tls_certificates` or
 * `tls_certificate_sds_secret_configs` (context_config_impl.cc getTlsCertificateConfigProviders
 * reads nothing else); the certificate provider instances are `[#not-implemented-hide:]`.
 */
export function hasClientCertificate(tlsContext: ProtoObject): boolean {
  const common = messageField(tlsContext, 'common_tls_context');
  return listField(common, 'tls_certificates').some(isTlsCertificateSet) || listField(common, 'tls_certificate_sds_secret_configs').length > 0;
}


/**
 * The hosts a cluster sends to: the socket addresses of its static load_assignment (DNS names
 * for STRICT_DNS / LOGICAL_DNS clusters), else the host of an Istio-style EDS name
 * (`outbound|9080||reviews.bookinfo.svc.cluster.local`); and the TLS SNI, always.
 */
function destinationOf(cluster: ProtoObject, name: string, tlsContext: ProtoObject | undefined): { hosts: string[]; port?: number } {
  const hosts: string[] = [];
  let port: number | undefined;
  for (const locality of listField(messageField(cluster, 'load_assignment'), 'endpoints')) {
    for (const lb of listField(locality, 'lb_endpoints')) {
      const socketAddress = messageField(messageField(messageField(lb, 'endpoint'), 'address'), 'socket_address');
      const address = stringField(socketAddress, 'address');
      if (address && !hosts.includes(address)) hosts.push(address);
      port ??= portValue(field(socketAddress, 'port_value'));
    }
  }
  if (hosts.length === 0) {
    const serviceName = stringField(messageField(cluster, 'eds_cluster_config'), 'service_name') ?? name;
    const istio = /^(?:outbound|inbound)\|(\d*)\|[^|]*\|(.+)$/.exec(serviceName);
    if (istio) {
      hosts.push(istio[2]);
      port ??= istio[1] ? Number(istio[1]) : undefined;
    }
  }
  // The SNI names the service behind IP endpoints too: it is how a listener of that host is found.
  const sni = tlsContext ? stringField(tlsContext, 'sni') : undefined;
  if (sni && !hosts.includes(sni)) hosts.push(sni);
  return { hosts, ...(port !== undefined ? { port } : {}) };
}

/**
 * Kubernetes service DNS (`svc`, `svc.cluster.local`, any `.cluster.local`) or a bare name the
 * resolver's search path completes. IP literals and other FQDNs are outside the cluster.
 */
function isClusterLocal(host: string): boolean {
  if (isIP(host) !== 0) return false;
  const h = host.toLowerCase().replace(/\.$/, '');
  return !h.includes('.') || h.endsWith('.svc') || h.endsWith('.cluster.local');
}

/**
 * A public DNS name or a public IP literal. Private, loopback and link-local addresses, and the
 * private suffixes (`.internal`, `.local`, Kubernetes service DNS) or a bare name, may be in a mesh.
 */
function isPlainlyExternal(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (isIP(h) !== 0) return !isPrivateAddress(h);
  return !isClusterLocal(h) && !h.endsWith('.internal') && !h.endsWith('.local');
}

/** RFC 1918, RFC 6598, loopback, link-local and IPv6 unique-local / link-local / loopback addresses. */
function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 6) return ip === '::1' || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip);
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

const PLACEHOLDER_CHAIN = '<path of the client certificate chain>';
const PLACEHOLDER_KEY = '<path of the client private key>';

/**
 * Adds a client certificate. A context that is the socket's own typed_config replaces the
 * socket; one inside a wrapper (PROXY protocol, tcp_stats, …) or a TypedStruct is patched where it
 * is, so that the wrapper, which the upstream may depend on, stays.
 */
function addClientCertificateFix(id: string, name: string, tlsContext: ProtoObject, at: { path: string; direct: boolean }): ProviderFix {
  const patched = withMessage(tlsContext, 'common_tls_context', (common) =>
    withField(common, 'tls_certificates', [{ certificate_chain: { filename: PLACEHOLDER_CHAIN }, private_key: { filename: PLACEHOLDER_KEY } }]),
  );
  const change = at.direct
    ? { cluster: name, transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: typeUrlOf(patched) ? patched : { '@type': UPSTREAM_TLS_CONTEXT, ...patched } } }
    : { cluster: name, path: at.path, upstream_tls_context: patched };
  return {
    action: 'envoy.cluster.add-client-certificate',
    change,
    affectsServers: [],
    affectsClients: [id],
    blockers: [`a client certificate and key must be issued for cluster ${name}`],
    manualOnly: true,
    manualReason: ENVOY_MANUAL_REASON,
  };
}
