import { effectiveDownstreamMode } from './downstream-mode';

/*
 * CertificateValidationContext.system_root_certs (common.proto, field 17) is
 * `[#not-implemented-hide:]`: it was added for gRPC's xDS client (envoyproxy/envoy#34235, gRFC
 * A82). Envoy's CertificateValidationContextConfigImpl takes its CA from `trusted_ca` only, so
 * with system_root_certs alone DefaultCertValidator::addClientValidationContext finds no CA and
 * never asks for a client certificate.
 */

const DOWNSTREAM = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const SERVER_CERT = [{ certificate_chain: { filename: '/etc/envoy/certs/server.pem' }, private_key: { filename: '/etc/envoy/certs/server-key.pem' } }];

describe('system_root_certs is not a trusted CA in Envoy', () => {
  test('require_client_certificate with only system_root_certs: no CA, so no client certificate is asked for', () => {
    const decision = effectiveDownstreamMode({
      '@type': DOWNSTREAM,
      require_client_certificate: true,
      common_tls_context: { tls_certificates: SERVER_CERT, validation_context: { system_root_certs: {} } },
    });
    expect(decision).toMatchObject({ mode: 'TLS_NO_CLIENT_AUTH', trustedCa: 'none' });
  });

  test('SAN matchers with only system_root_certs (proto JSON): Envoy refuses them without a trusted CA', () => {
    const decision = effectiveDownstreamMode({
      '@type': DOWNSTREAM,
      requireClientCertificate: true,
      commonTlsContext: {
        tlsCertificates: [{ certificateChain: { filename: '/etc/envoy/certs/server.pem' }, privateKey: { filename: '/etc/envoy/certs/server-key.pem' } }],
        validationContext: { systemRootCerts: {}, matchTypedSubjectAltNames: [{ sanType: 'DNS', matcher: { exact: 'partner.example.com' } }] },
      },
    });
    expect(decision.rejected).toMatch(/SAN-based verification of peer certificates without trusted CA/);
  });

  test('trusted_ca beside system_root_certs is still the CA', () => {
    const decision = effectiveDownstreamMode({
      '@type': DOWNSTREAM,
      require_client_certificate: true,
      common_tls_context: { tls_certificates: SERVER_CERT, validation_context: { trusted_ca: { filename: '/etc/envoy/certs/client-ca.pem' }, system_root_certs: {} } },
    });
    expect(decision).toMatchObject({ mode: 'STRICT', trustedCa: 'static' });
  });
});
