import { effectiveDownstreamMode, ENVOY_SOURCES } from './downstream-mode';
import { staticSecretsOf } from './static-secrets';

const SERVER_CERT = {
  tls_certificates: [{ certificate_chain: { filename: '/etc/envoy/certs/server.pem' }, private_key: { filename: '/etc/envoy/certs/server-key.pem' } }],
};
const TRUSTED_CA = { trusted_ca: { filename: '/etc/envoy/certs/client-ca.pem' } };
const SPKI = 'NvqYIYSbgK2vCJpQhObf77vv+bQWtc5ek5RIOwPiC9A=';
const CERT_HASH = 'df6ff72fe9116521268f6f2dd4966f51df479883fe7037b39f75916ac3049d1a';
const SAN = [{ san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/shop/sa/frontend' } }];

function ctx(validation: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    common_tls_context: { ...SERVER_CERT, ...(validation ? { validation_context: validation } : {}) },
    ...extra,
  };
}

interface Row {
  rule: string;
  /** Where Envoy implements the behaviour this row checks. */
  source: string;
  tls: Record<string, unknown>;
  mode: 'STRICT' | 'TLS_NO_CLIENT_AUTH';
  trustedCa?: string;
  rejected?: RegExp;
}

const rows: Row[] = [
  {
    rule: 'no validation context: verify mode stays SSL_VERIFY_NONE, no certificate is requested',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx(undefined),
    mode: 'TLS_NO_CLIENT_AUTH',
    trustedCa: 'none',
  },
  {
    rule: 'require_client_certificate without any validation context: addClientValidationContext returns early (no CA)',
    source: ENVOY_SOURCES.addClientValidationContext,
    tls: ctx(undefined, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
  {
    rule: 'require_client_certificate with a validation context that has no CA: still no effect',
    source: ENVOY_SOURCES.addClientValidationContext,
    tls: ctx({ max_verify_depth: 3 }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
  {
    rule: 'trusted_ca + require_client_certificate: SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, chain verified',
    source: ENVOY_SOURCES.addClientValidationContext,
    tls: ctx(TRUSTED_CA, { require_client_certificate: true }),
    mode: 'STRICT',
    trustedCa: 'static',
  },
  {
    rule: 'trusted_ca without require_client_certificate: SSL_VERIFY_PEER only, a client without a certificate gets in',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx(TRUSTED_CA),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
  {
    rule: 'trusted_ca with require_client_certificate: false',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx(TRUSTED_CA, { require_client_certificate: false }),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
  {
    rule: 'trusted_ca + match_typed_subject_alt_names, no require_client_certificate: verify_mode_validation_context requires a certificate',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx({ ...TRUSTED_CA, match_typed_subject_alt_names: SAN }),
    mode: 'STRICT',
  },
  {
    rule: 'trusted_ca + deprecated match_subject_alt_names: the same matcher list',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx({ ...TRUSTED_CA, match_subject_alt_names: [{ exact: 'spiffe://cluster.local/ns/shop/sa/frontend' }] }),
    mode: 'STRICT',
  },
  {
    rule: 'verify_certificate_spki without CA: a pinned key is required',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx({ verify_certificate_spki: [SPKI] }),
    mode: 'STRICT',
    trustedCa: 'none',
  },
  {
    rule: 'verify_certificate_hash without CA: a pinned certificate is required',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx({ verify_certificate_hash: [CERT_HASH] }),
    mode: 'STRICT',
  },
  {
    rule: 'SAN matchers without CA: Envoy refuses the context as insecure',
    source: ENVOY_SOURCES.validationContextConfig,
    tls: ctx({ match_typed_subject_alt_names: SAN }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
    rejected: /SAN-based verification of peer certificates without trusted CA is insecure and not allowed/,
  },
  {
    rule: 'a CRL without CA: Envoy refuses the context',
    source: ENVOY_SOURCES.validationContextConfig,
    tls: ctx({ crl: { filename: '/etc/envoy/certs/clients.crl' } }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
    rejected: /^Failed to load CRL from \/etc\/envoy\/certs\/clients.crl without trusted CA$/,
  },
  {
    rule: 'allow_expired_certificate without CA: Envoy refuses the context',
    source: ENVOY_SOURCES.validationContextConfig,
    tls: ctx({ allow_expired_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
    rejected: /Certificate validity period is always ignored without trusted CA/,
  },
  {
    rule: 'ACCEPT_UNTRUSTED with trusted_ca + require_client_certificate: a certificate must be sent, but any is accepted',
    source: ENVOY_SOURCES.verifyCertAndUpdateStatus,
    tls: ctx({ ...TRUSTED_CA, trust_chain_verification: 'ACCEPT_UNTRUSTED' }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
    trustedCa: 'static',
  },
  {
    rule: 'ACCEPT_UNTRUSTED with SAN matchers: verify_mode_validation_context is only SSL_VERIFY_PEER',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: ctx({ ...TRUSTED_CA, match_typed_subject_alt_names: SAN, trust_chain_verification: 'ACCEPT_UNTRUSTED' }),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
  {
    rule: 'ACCEPT_UNTRUSTED as a proto-JSON enum number (1)',
    source: ENVOY_SOURCES.verifyCertAndUpdateStatus,
    tls: ctx({ ...TRUSTED_CA, trust_chain_verification: 1 }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
  {
    rule: 'combined_validation_context with the CA from SDS (Istio inbound: ROOTCA) + require_client_certificate',
    source: ENVOY_SOURCES.addClientValidationContext,
    tls: {
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'default', sds_config: { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }] } } }],
        combined_validation_context: {
          default_validation_context: { match_typed_subject_alt_names: [] },
          validation_context_sds_secret_config: { name: 'ROOTCA', sds_config: { api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }] } } },
        },
      },
      require_client_certificate: true,
    },
    mode: 'STRICT',
    trustedCa: 'sds',
  },
  {
    rule: 'validation_context_sds_secret_config (SDS CA) without require_client_certificate',
    source: ENVOY_SOURCES.initializeSslContexts,
    tls: { common_tls_context: { ...SERVER_CERT, validation_context_sds_secret_config: { name: 'client-ca', sds_config: { path_config_source: { path: '/etc/envoy/sds/client-ca.yaml' } } } } },
    mode: 'TLS_NO_CLIENT_AUTH',
    trustedCa: 'sds',
  },
  {
    rule: 'a validation context naming an unknown static secret: Envoy refuses the context',
    source: ENVOY_SOURCES.staticSecret,
    tls: { common_tls_context: { ...SERVER_CERT, validation_context_sds_secret_config: { name: 'missing-ca' } }, require_client_certificate: true },
    mode: 'TLS_NO_CLIENT_AUTH',
    rejected: /Unknown static certificate validation context: missing-ca/,
  },
  {
    rule: 'ca_certificate_provider_instance is [#not-implemented-hide:]: no CA, require_client_certificate has no effect',
    source: ENVOY_SOURCES.addClientValidationContext,
    tls: ctx({ ca_certificate_provider_instance: { instance_name: 'google_cloud_private_spiffe', certificate_name: 'ROOTCA' } }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
    trustedCa: 'none',
  },
  {
    rule: 'validation_context_certificate_provider_instance is not read by getCertificateValidationContextConfigProvider: no validation context',
    source: ENVOY_SOURCES.addClientValidationContext,
    tls: {
      common_tls_context: { ...SERVER_CERT, validation_context_certificate_provider_instance: { instance_name: 'google_cloud_private_spiffe', certificate_name: 'ROOTCA' } },
      require_client_certificate: true,
    },
    mode: 'TLS_NO_CLIENT_AUTH',
    trustedCa: 'none',
  },
  {
    rule: 'combined_validation_context without validation_context_sds_secret_config fails validation: Envoy refuses the context',
    source: ENVOY_SOURCES.staticSecret,
    tls: { common_tls_context: { ...SERVER_CERT, combined_validation_context: { default_validation_context: TRUSTED_CA } }, require_client_certificate: true },
    mode: 'TLS_NO_CLIENT_AUTH',
    rejected: /combined_validation_context without validation_context_sds_secret_config: .*Envoy refuses/,
  },
  {
    rule: 'the SPIFFE validator always requires and verifies a client certificate',
    source: ENVOY_SOURCES.spiffeValidator,
    tls: ctx({
      custom_validator_config: {
        name: 'envoy.tls.cert_validator.spiffe',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig',
          trust_domains: [{ name: 'cluster.local', trust_bundle: { filename: '/etc/envoy/spiffe/cluster.local.pem' } }],
        },
      },
    }),
    mode: 'STRICT',
  },
  {
    rule: 'a SPIFFE validator config named `spiffe`: Envoy finds factories by name only and refuses the context',
    source: ENVOY_SOURCES.certValidatorFactory,
    tls: ctx({
      custom_validator_config: {
        name: 'spiffe',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig',
          trust_domains: [{ name: 'cluster.local', trust_bundle: { filename: '/etc/envoy/spiffe/cluster.local.pem' } }],
        },
      },
    }),
    mode: 'TLS_NO_CLIENT_AUTH',
    rejected: /^Failed to get certificate validator factory for spiffe: /,
  },
  {
    rule: 'an unknown custom validator decides alone; meshgov does not vouch for it',
    source: ENVOY_SOURCES.customValidator,
    tls: ctx({ custom_validator_config: { name: 'acme.cert_validator', typed_config: { '@type': 'type.googleapis.com/acme.ValidatorConfig' } } }, { require_client_certificate: true }),
    mode: 'TLS_NO_CLIENT_AUTH',
  },
];

describe('effectiveDownstreamMode', () => {
  test.each(rows)('$rule', (row) => {
    const decision = effectiveDownstreamMode(row.tls);
    expect(decision.mode).toBe(row.mode);
    expect(decision.source).toBe(row.source);
    if (row.trustedCa) expect(decision.trustedCa).toBe(row.trustedCa);
    if (row.rejected) expect(decision.rejected).toMatch(row.rejected);
    else expect(decision.rejected).toBeUndefined();
    expect(decision.reason.length).toBeGreaterThan(20);
  });

  test('reads lowerCamelCase proto JSON the same way', () => {
    const decision = effectiveDownstreamMode({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      requireClientCertificate: true,
      commonTlsContext: {
        tlsCertificates: [{ certificateChain: { filename: '/certs/server.pem' }, privateKey: { filename: '/certs/key.pem' } }],
        validationContext: { trustedCa: { inlineString: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' } },
      },
    });
    expect(decision).toMatchObject({ mode: 'STRICT', trustedCa: 'static' });
  });

  test('a BoolValue spelled as {value: true} counts as set', () => {
    expect(effectiveDownstreamMode(ctx(TRUSTED_CA, { require_client_certificate: { value: true } })).mode).toBe('STRICT');
  });

  test('an empty trusted_ca DataSource is no CA', () => {
    expect(effectiveDownstreamMode(ctx({ trusted_ca: {} }, { require_client_certificate: true })).mode).toBe('TLS_NO_CLIENT_AUTH');
  });

  test('a static secret from the bootstrap supplies the validation context', () => {
    const secrets = staticSecretsOf({ secrets: [{ name: 'client-ca', validation_context: TRUSTED_CA }] });
    const tls = { common_tls_context: { ...SERVER_CERT, validation_context_sds_secret_config: { name: 'client-ca' } }, require_client_certificate: true };
    expect(effectiveDownstreamMode(tls, secrets)).toMatchObject({ mode: 'STRICT', trustedCa: 'static' });
  });

  test('combined context merges a static secret into the defaults (ACCEPT_UNTRUSTED in the defaults survives)', () => {
    const secrets = staticSecretsOf({ secrets: [{ name: 'client-ca', validation_context: TRUSTED_CA }] });
    const tls = {
      common_tls_context: {
        ...SERVER_CERT,
        combined_validation_context: { default_validation_context: { trust_chain_verification: 'ACCEPT_UNTRUSTED' }, validation_context_sds_secret_config: { name: 'client-ca' } },
      },
      require_client_certificate: true,
    };
    expect(effectiveDownstreamMode(tls, secrets)).toMatchObject({ mode: 'TLS_NO_CLIENT_AUTH', trustedCa: 'static' });
  });
});
