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
/** Wraps another transport socket and collects its stats. */
export const INTERNAL_UPSTREAM = `${PREFIX}envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport`;
/** QUIC listeners carry their DownstreamTlsContext in `downstream_tls_context`. */
export const QUIC_DOWNSTREAM = `${PREFIX}envoy.extensions.transport_sockets.quic.v3.QuicDownstreamTransport`;
/** QUIC clusters carry their UpstreamTlsContext in `upstream_tls_context`. */
export const QUIC_UPSTREAM = `${PREFIX}envoy.extensions.transport_sockets.quic.v3.QuicUpstreamTransport`;

export const HTTP_CONNECTION_MANAGER = `${PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;

export const SPIFFE_CERT_VALIDATOR_CONFIG = `${PREFIX}envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig`;
/** The name under which envoy registers the SPIFFE validator factory (spiffe_validator.cc). */
export const SPIFFE_CERT_VALIDATOR_NAME = 'envoy.tls.cert_validator.spiffe';
