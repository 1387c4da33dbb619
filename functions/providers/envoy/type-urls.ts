/**
 * The `@type` URLs of the Envoy v3 messages this provider understands, as they appear in
 * `typed_config`. The package names are those of envoyproxy/envoy `api/envoy/...`.
 */

const PREFIX = 'type.googleapis.com/';

export const DOWNSTREAM_TLS_CONTEXT = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`;
export const UPSTREAM_TLS_CONTEXT = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`;
export const RAW_BUFFER = `${PREFIX}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer`;
/** Wraps another transport socket (`transport_socket`) and records its traffic. */
export const TAP = `${PREFIX}envoy.extensions.transport_sockets.tap.v3.Tap`;
/** Upstream only: sends a PROXY protocol header, then speaks the wrapped `transport_socket`. */
export const PROXY_PROTOCOL_UPSTREAM = `${PREFIX}envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport`;
/** Upstream only: the socket of a cluster whose endpoints are internal listeners; wraps `transport_socket`. */
export const INTERNAL_UPSTREAM = `${PREFIX}envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport`;
/** Wraps another transport socket (`transport_socket`) and emits TCP stats about it (tcp_stats.proto `Config`). */
export const TCP_STATS = `${PREFIX}envoy.extensions.transport_sockets.tcp_stats.v3.Config`;
/** Upstream only: sends an HTTP/1.1 CONNECT to a proxy, then speaks the wrapped `transport_socket`. */
export const HTTP_11_PROXY = `${PREFIX}envoy.extensions.transport_sockets.http_11_proxy.v3.Http11ProxyUpstreamTransport`;
/** QUIC listeners carry their DownstreamTlsContext in `downstream_tls_context`. */
export const QUIC_DOWNSTREAM = `${PREFIX}envoy.extensions.transport_sockets.quic.v3.QuicDownstreamTransport`;
/** QUIC clusters carry their UpstreamTlsContext in `upstream_tls_context`. */
export const QUIC_UPSTREAM = `${PREFIX}envoy.extensions.transport_sockets.quic.v3.QuicUpstreamTransport`;

/** Cleartext until a protocol filter (postgres_proxy, …) switches the connection to the TLS of `tls_socket_config` (starttls.proto). */
export const STARTTLS_DOWNSTREAM = `${PREFIX}envoy.extensions.transport_sockets.starttls.v3.StartTlsConfig`;
export const STARTTLS_UPSTREAM = `${PREFIX}envoy.extensions.transport_sockets.starttls.v3.UpstreamStartTlsConfig`;

export const HTTP_CONNECTION_MANAGER = `${PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;

export const SPIFFE_CERT_VALIDATOR_CONFIG = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig`;
/** The name under which envoy registers the SPIFFE validator factory (spiffe_validator.cc). */
export const SPIFFE_CERT_VALIDATOR_NAME = 'envoy.tls.cert_validator.spiffe';

/** Carriers of a JSON-shaped message (`type_url` + `value` Struct) inside an Any; Envoy unwraps one level (registry_utils.h getFactoryType). */
export const TYPED_STRUCT_TYPES: ReadonlySet<string> = new Set(['xds.type.v3.TypedStruct', 'udpa.type.v1.TypedStruct']);

/** The action of a Cluster `transport_socket_matcher` tree: names a `transport_socket_matches` entry. */
export const TRANSPORT_SOCKET_NAME_ACTION = `${PREFIX}envoy.extensions.matching.common_inputs.transport_socket.v3.TransportSocketNameAction`;

/**
 * The message's full name, as Envoy looks factories up: everything after the last `/` of the
 * type URL (registry_utils.h, "Unpack methods will only use the fully qualified type name after
 * the last '/'"), so `type.googleapis.com/` and any other prefix are equivalent.
 */
export function fullNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}
export const TCP_PROXY = `${PREFIX}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`;
