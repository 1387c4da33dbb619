import { readField } from './proto-fields';

/**
 * v2 fields that Envoy v3 removed and reserved (listener_components.proto FilterChain and
 * cluster.proto Cluster: `reserved "tls_context"`). Envoy parses a v3 bootstrap strictly, so such a
 * field is an unknown field and the bootstrap is refused; read as absent, the TLS it meant would
 * pass for plaintext.
 */
export function removedTlsContext(message: unknown, path: string): { field: string; message: string } | undefined {
  const read = readField(message, 'tls_context');
  if (!read) return undefined;
  return { field: `${path}.${read.key}`, message: 'tls_context is a v2 field removed in Envoy v3; use transport_socket (envoy.transport_sockets.tls with a typed_config). Envoy refuses the bootstrap' };
}
