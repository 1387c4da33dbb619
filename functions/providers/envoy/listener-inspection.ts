/**
 * What a listener knows about a connection when it picks a filter chain. Only listener filters
 * fill in the transport protocol, SNI and ALPN (Envoy stopped injecting the tls_inspector:
 * `envoy.reloadable_features.disable_tls_inspector_injection`, since removed). Without them,
 * source/common/listener_manager/active_tcp_socket.cc newConnection() sets the transport protocol
 * to `raw_buffer`, for TLS clients too, and leaves SNI and ALPN empty.
 */
import type { ChainMatchKeys } from './filter-chain-match';
import { boolValue, field, listField, messageField, portValue, readField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import { fullNameOf } from './type-urls';

type Role = 'tls' | 'http' | 'address' | 'neutral' | 'unknown';

/** Listener filters by message full name and registered names (legacy `envoy.listener.*` too). */
const ROLES: Array<{ role: Role; type: string; names: string[] }> = [
  { role: 'tls', type: 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', names: ['envoy.filters.listener.tls_inspector', 'envoy.listener.tls_inspector'] },
  { role: 'http', type: 'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector', names: ['envoy.filters.listener.http_inspector', 'envoy.listener.http_inspector'] },
  // These restore the original destination address, so a connection may carry any destination port.
  { role: 'address', type: 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst', names: ['envoy.filters.listener.original_dst', 'envoy.listener.original_dst'] },
  { role: 'address', type: 'envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol', names: ['envoy.filters.listener.proxy_protocol', 'envoy.listener.proxy_protocol'] },
  { role: 'neutral', type: 'envoy.extensions.filters.listener.original_src.v3.OriginalSrc', names: ['envoy.filters.listener.original_src', 'envoy.listener.original_src'] },
  { role: 'neutral', type: 'envoy.extensions.filters.listener.local_ratelimit.v3.LocalRateLimit', names: ['envoy.filters.listener.local_ratelimit'] },
];

export interface Inspection {
  /** The tls_inspector runs on every connection, on some (`filter_disabled`), or on none. */
  tls: 'always' | 'sometimes' | 'never';
  /** The http_inspector may set ALPN http/1.0, http/1.1 or h2c on cleartext HTTP. */
  http: boolean;
  /** The only destination ports a connection can have, when the listener's own port fixes it. */
  fixedPorts?: number[];
}

export function inspectionOf(listener: ProtoObject): Inspection {
  let tls: Inspection['tls'] = 'never';
  let http = false;
  let addressRestored = false;
  for (const filter of listField(listener, 'listener_filters')) {
    const role = roleOf(filter);
    const disabled = readField(filter, 'filter_disabled') !== undefined;
    // A filter meshgov does not know may detect TLS as the inspector does; assume it might.
    if (role === 'tls' || role === 'unknown') tls = tls === 'always' || (!disabled && role === 'tls') ? 'always' : 'sometimes';
    if (role === 'http' || role === 'unknown') http = true;
    if (role === 'address' || role === 'unknown') addressRestored = true;
  }
  return { tls, http, ...(addressRestored ? {} : fixedPortsOf(listener)) };
}

function roleOf(filter: unknown): Role {
  const typeUrl = typeUrlOf(field(filter, 'typed_config'));
  const name = stringField(filter, 'name');
  const known = typeUrl !== undefined ? ROLES.find((r) => r.type === fullNameOf(typeUrl)) : ROLES.find((r) => name !== undefined && r.names.includes(name));
  return known?.role ?? 'unknown';
}

/**
 * The listener's bound port is every connection's destination port, unless the original
 * destination is restored (`use_original_dst`, `transparent`), connections are handed over from
 * another listener (`bind_to_port: false`) or more addresses are bound.
 */
function fixedPortsOf(listener: ProtoObject): { fixedPorts?: number[] } {
  const port = portValue(field(messageField(messageField(listener, 'address'), 'socket_address'), 'port_value'));
  if (port === undefined || port === 0) return {};
  if (boolValue(field(listener, 'use_original_dst')) === true || boolValue(field(listener, 'transparent')) === true) return {};
  if (boolValue(field(listener, 'bind_to_port')) === false || listField(listener, 'additional_addresses').length > 0) return {};
  return { fixedPorts: [port] };
}

/** One kind of connection as the chain matcher sees it. */
export interface Probe {
  /** What the client speaks on the wire. */
  wire: 'plaintext' | 'tls';
  transportProtocol: string;
  serverName: string;
  applicationProtocols: string[];
}

/**
 * Connections that between them reach every outcome of the SNI, transport and ALPN levels: each
 * server name and ALPN value the chains name (a wildcard by a name under it), none, and one
 * that no chain names.
 */
export function probesFor(inspection: Inspection, chains: ChainMatchKeys[]): Probe[] {
  const unread = (wire: Probe['wire'], alpn: string[]): Probe => ({ wire, transportProtocol: 'raw_buffer', serverName: '', applicationProtocols: alpn });
  const probes: Probe[] = [unread('plaintext', [])];
  if (inspection.http) for (const alpn of ['http/1.0', 'http/1.1', 'h2c']) probes.push(unread('plaintext', [alpn]));
  if (inspection.tls !== 'always') probes.push(unread('tls', []));
  if (inspection.tls === 'never') return probes;

  const names = new Set(['', 'meshgov-unlisted.invalid']);
  const alpns = new Set(['meshgov-unlisted']);
  for (const c of chains) {
    for (const n of c.serverNames) names.add(n.startsWith('*.') ? `meshgov-probe${n.slice(1)}` : n);
    for (const a of c.applicationProtocols) alpns.add(a);
  }
  for (const serverName of names) {
    probes.push({ wire: 'tls', transportProtocol: 'tls', serverName, applicationProtocols: [] });
    for (const a of alpns) probes.push({ wire: 'tls', transportProtocol: 'tls', serverName, applicationProtocols: [a] });
  }
  return probes;
}
