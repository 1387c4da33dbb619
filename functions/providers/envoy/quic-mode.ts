import type { DownstreamModeDecision } from './downstream-mode';
import { boolValue, field, messageField, readField, type ProtoObject } from './proto-fields';

/**
 * Where the QUIC semantics come from, in envoyproxy/envoy. QUIC always runs TLS 1.3 (RFC 9001),
 * so a QUIC listener is never plaintext; the question is only the client certificate.
 */
export const QUIC_SOURCES = {
  serverFactory:
    'envoy source/common/quic/quic_server_transport_socket_factory.cc, QuicServerTransportSocketConfigFactory::createTransportSocketFactory (releases up to 1.39: "TLS Client Authentication is not supported over QUIC"; later: client authentication with an explicit trust anchor)',
  listenerSocket: 'envoy source/common/listener_manager/listener_impl.cc, a QUIC listener needs QuicDownstreamTransport ("wrong transport socket config specified for quic transport socket")',
} as const;

/**
 * The client-certificate requirement of a QUIC listener's DownstreamTlsContext, from the TCP
 * decision of the same context. QUIC asks for a client certificate only when
 * `require_client_certificate` is set: SAN matchers or pins alone do not make it ask. With the
 * flag, Envoy releases up to 1.39 refuse the listener, and later ones require and verify the
 * certificate, but only against a trust anchor and never with ACCEPT_UNTRUSTED.
 */
export function quicDownstreamMode(tlsContext: ProtoObject, tcp: DownstreamModeDecision): DownstreamModeDecision {
  if (tcp.rejected) return tcp;
  const requireClientCertificate = boolValue(field(tlsContext, 'require_client_certificate')) === true;
  if (!requireClientCertificate) {
    return {
      mode: 'TLS_NO_CLIENT_AUTH',
      reason: 'QUIC listener (always TLS 1.3) without require_client_certificate: Envoy does not require a client certificate over QUIC',
      source: QUIC_SOURCES.serverFactory,
      trustedCa: tcp.trustedCa,
    };
  }
  // ACCEPT_UNTRUSTED already makes the TCP decision TLS_NO_CLIENT_AUTH. Releases that take client
  // authentication over QUIC read the trust anchor from the inline validation context only: a CA
  // from SDS, a static secret or a custom validator (SPIFFE) is refused (envoyproxy/envoy#47546).
  if (tcp.mode !== 'STRICT' || tcp.trustedCa === 'none' || !hasInlineTrustedCa(tlsContext)) {
    const rejected = 'TLS Client Authentication is not supported over QUIC without a trust anchor that verifies it (require_client_certificate needs validation_context.trusted_ca written in the context itself, not from SDS, a secret or a custom validator, and no ACCEPT_UNTRUSTED)';
    return { mode: 'TLS_NO_CLIENT_AUTH', reason: `Envoy rejects this QUIC TLS context: ${rejected}`, source: QUIC_SOURCES.serverFactory, trustedCa: tcp.trustedCa, rejected };
  }
  return {
    mode: 'STRICT',
    reason: `QUIC listener (always TLS 1.3): ${tcp.reason}. Envoy releases up to 1.39 refuse client authentication over QUIC and do not start this listener; later releases enforce it`,
    source: QUIC_SOURCES.serverFactory,
    trustedCa: tcp.trustedCa,
  };
}

/** A `trusted_ca` written in the context's own validation_context, with no custom validator. */
function hasInlineTrustedCa(tlsContext: ProtoObject): boolean {
  const vc = messageField(messageField(tlsContext, 'common_tls_context'), 'validation_context');
  return readField(vc, 'trusted_ca') !== undefined && readField(vc, 'custom_validator_config') === undefined;
}
