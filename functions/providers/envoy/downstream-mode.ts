import { boolValue, field, isProtoObject, listField, messageField, readField, stringField, typeUrlOf, type ProtoObject } from './proto-fields';
import type { StaticSecrets } from './static-secrets';
import { SPIFFE_CERT_VALIDATOR_CONFIG, SPIFFE_CERT_VALIDATOR_NAME } from './type-urls';
import { isDataSourceSet, resolveValidationContext } from './validation-context';

/**
 * Where each semantic below comes from, in envoyproxy/envoy. The default validator decides the
 * OpenSSL verify mode in two places: `initializeSslContexts` (starts at SSL_VERIFY_NONE; a
 * trusted CA makes it SSL_VERIFY_PEER; SAN matchers, certificate hashes or SPKI pins make it
 * SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT unless ACCEPT_UNTRUSTED) and
 * `addClientValidationContext` (only when a CA is configured, `require_client_certificate`
 * sets SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
 */
export const ENVOY_SOURCES = {
  initializeSslContexts: 'envoy source/common/tls/cert_validator/default_validator.cc, DefaultCertValidator::initializeSslContexts',
  addClientValidationContext: 'envoy source/common/tls/cert_validator/default_validator.cc, DefaultCertValidator::addClientValidationContext',
  verifyCertAndUpdateStatus: 'envoy source/common/tls/cert_validator/default_validator.cc, DefaultCertValidator::doVerifyCertChain and verifyCertAndUpdateStatus (allow_untrusted_certificate_)',
  validationContextConfig: 'envoy source/common/ssl/certificate_validation_context_config_impl.cc, CertificateValidationContextConfigImpl (checks without trusted CA)',
  staticSecret: 'envoy source/common/tls/context_config_impl.cc, getCertificateValidationContextConfigProvider',
  spiffeValidator: 'envoy source/extensions/transport_sockets/tls/cert_validator/spiffe/spiffe_validator.cc, SPIFFEValidator::initializeSslContexts',
  customValidator: 'envoy api/envoy/extensions/transport_sockets/tls/v3/common.proto, CertificateValidationContext.custom_validator_config',
  certValidatorFactory: 'envoy source/common/tls/cert_validator/factory.cc, getCertValidatorName (the factory is found by custom_validator_config.name)',
} as const;

/** What one DownstreamTlsContext demands of a client, as Envoy enforces it. */
export interface DownstreamModeDecision {
  /** STRICT: a client certificate is required and verified. TLS_NO_CLIENT_AUTH: any or none. */
  mode: 'STRICT' | 'TLS_NO_CLIENT_AUTH';
  /** One sentence: why Envoy behaves so. */
  reason: string;
  /** The Envoy source of the semantic (ENVOY_SOURCES). */
  source: string;
  /** Where the trusted CA comes from, for the fix: inline/file, SDS, or nowhere (Envoy implements no certificate provider). */
  trustedCa: 'static' | 'sds' | 'none';
  /** Set when Envoy refuses this TLS context while loading it: the message Envoy gives. */
  rejected?: string;
  /** The written field that decided a non-STRICT mode, as a path inside the TLS context (as spelled). */
  decidedBy?: string;
}

/**
 * The client-certificate requirement of an Envoy `DownstreamTlsContext`, decided exactly as
 * Envoy's certificate validators decide it (see ENVOY_SOURCES): `require_client_certificate`
 * alone is not enough (it needs a trusted CA), and SAN/hash/SPKI matchers require a
 * certificate even without it.
 *
 * @example
 *   effectiveDownstreamMode({
 *     require_client_certificate: true,
 *     common_tls_context: { validation_context: { trusted_ca: { filename: '/etc/certs/root.pem' } } },
 *   }).mode; // 'STRICT'
 */
export function effectiveDownstreamMode(tlsContext: unknown, secrets: StaticSecrets = new Map()): DownstreamModeDecision {
  const common = messageField(tlsContext, 'common_tls_context');
  const requireClientCertificate = boolValue(field(tlsContext, 'require_client_certificate')) === true;
  const resolved = resolveValidationContext(common, secrets);

  if (resolved.rejected) {
    return { mode: 'TLS_NO_CLIENT_AUTH', reason: `Envoy rejects this TLS context: ${resolved.rejected}`, source: ENVOY_SOURCES.staticSecret, trustedCa: 'none', rejected: resolved.rejected };
  }
  const vc = resolved.context;
  if (vc === undefined) {
    return {
      mode: 'TLS_NO_CLIENT_AUTH',
      reason: `${ignoredProviderWords(resolved.ignoredProvider)}${
        requireClientCertificate
          ? 'require_client_certificate has no effect without a validation context: Envoy has no CA to verify a client certificate against, so it never asks for one'
          : 'no validation context: Envoy does not request a client certificate'
      }`,
      source: requireClientCertificate ? ENVOY_SOURCES.addClientValidationContext : ENVOY_SOURCES.initializeSslContexts,
      trustedCa: 'none',
    };
  }

  const custom = messageField(vc, 'custom_validator_config');
  if (custom) return customValidatorMode(custom, trustedCaOf(vc, resolved.dynamicSecret));

  const trustedCa = trustedCaOf(vc, resolved.dynamicSecret);
  const hasCa = trustedCa !== 'none';
  const sanMatchers = listField(vc, 'match_typed_subject_alt_names').length > 0 || listField(vc, 'match_subject_alt_names').length > 0;
  const pins = listField(vc, 'verify_certificate_hash').length > 0 || listField(vc, 'verify_certificate_spki').length > 0;
  const acceptUntrusted = isAcceptUntrusted(field(vc, 'trust_chain_verification'));

  if (!hasCa) {
    const rejected = rejectionWithoutCa(vc, sanMatchers);
    if (rejected) return { mode: 'TLS_NO_CLIENT_AUTH', reason: `Envoy rejects this TLS context: ${rejected}`, source: ENVOY_SOURCES.validationContextConfig, trustedCa, rejected };
  }
  if (acceptUntrusted) {
    const at = trustChainVerificationPath(tlsContext);
    return {
      ...(at ? { decidedBy: at } : {}),
      mode: 'TLS_NO_CLIENT_AUTH',
      reason:
        hasCa && requireClientCertificate
          ? 'trust_chain_verification ACCEPT_UNTRUSTED: a client certificate is required, but any certificate is accepted'
          : 'trust_chain_verification ACCEPT_UNTRUSTED: a client certificate is requested, but neither required nor verified',
      // Required-but-unverified comes from the verify path; requested-only from the verify mode.
      source: hasCa && requireClientCertificate ? ENVOY_SOURCES.verifyCertAndUpdateStatus : ENVOY_SOURCES.initializeSslContexts,
      trustedCa,
    };
  }
  if (hasCa && requireClientCertificate) {
    return { mode: 'STRICT', reason: `require_client_certificate with a trusted CA (${caWords(trustedCa, resolved)}): a client certificate is required and verified`, source: ENVOY_SOURCES.addClientValidationContext, trustedCa };
  }
  if (sanMatchers || pins) {
    const what = [sanMatchers ? 'subject alt name matchers' : '', pins ? 'certificate hash/SPKI pins' : ''].filter(Boolean).join(' and ');
    return {
      mode: 'STRICT',
      reason: hasCa
        ? `${what} make Envoy require a client certificate, verified against the trusted CA (${caWords(trustedCa, resolved)}), even without require_client_certificate`
        : `${what} make Envoy require a client certificate whose hash or public key matches a pin`,
      source: ENVOY_SOURCES.initializeSslContexts,
      trustedCa,
    };
  }
  if (hasCa) {
    // `require_client_certificate: false` written out is the field to change.
    const at = readField(tlsContext, 'require_client_certificate')?.key;
    return {
      ...(at ? { decidedBy: at } : {}),
      mode: 'TLS_NO_CLIENT_AUTH',
      reason: 'a trusted CA without require_client_certificate: a client certificate is verified when presented, but connections without one are accepted',
      source: ENVOY_SOURCES.initializeSslContexts,
      trustedCa,
    };
  }
  const caProvider = messageField(vc, 'ca_certificate_provider_instance');
  return {
    mode: 'TLS_NO_CLIENT_AUTH',
    reason: `${caProvider ? ignoredProviderWords(stringField(caProvider, 'instance_name') ?? 'ca_certificate_provider_instance', 'trusted CA') : ''}${
      requireClientCertificate
        ? 'require_client_certificate has no effect without a trusted CA: Envoy never asks for a client certificate'
        : 'the validation context has no trusted CA and no pins: Envoy does not request a client certificate'
    }`,
    source: requireClientCertificate ? ENVOY_SOURCES.addClientValidationContext : ENVOY_SOURCES.initializeSslContexts,
    trustedCa,
  };
}

/**
 * `system_root_certs` and `ca_certificate_provider_instance` are no CA here: common.proto marks
 * them `[#not-implemented-hide:]` (they are for gRPC's xDS client), and
 * CertificateValidationContextConfigImpl reads the CA from `trusted_ca` alone.
 */
function trustedCaOf(vc: ProtoObject, dynamicSecret: string | undefined): DownstreamModeDecision['trustedCa'] {
  if (isDataSourceSet(field(vc, 'trusted_ca'))) return 'static';
  if (dynamicSecret !== undefined) return 'sds';
  return 'none';
}

function caWords(trustedCa: DownstreamModeDecision['trustedCa'], resolved: { dynamicSecret?: string }): string {
  if (trustedCa === 'sds') return `from SDS secret '${resolved.dynamicSecret}'`;
  return 'trusted_ca';
}

function ignoredProviderWords(provider: string | undefined, supplies = 'validation context'): string {
  return provider ? `certificate provider '${provider}' is not implemented in Envoy ([#not-implemented-hide:]), so it supplies no ${supplies}; ` : '';
}

/** The checks Envoy makes on a validation context without a CA before it will load it. */
function rejectionWithoutCa(vc: ProtoObject, sanMatchers: boolean): string | undefined {
  const crl = field(vc, 'crl');
  if (isDataSourceSet(crl)) return `Failed to load CRL from ${stringField(crl, 'filename') ?? '<inline>'} without trusted CA`;
  if (sanMatchers) return 'SAN-based verification of peer certificates without trusted CA is insecure and not allowed';
  if (boolValue(field(vc, 'allow_expired_certificate')) === true) return 'Certificate validity period is always ignored without trusted CA';
  return undefined;
}

/** Where `trust_chain_verification` is written in the context itself (its validation context, or a combined one's default), if it is. */
function trustChainVerificationPath(tlsContext: unknown): string | undefined {
  const common = readField(tlsContext, 'common_tls_context');
  const direct = readField(common?.value, 'validation_context');
  const combined = readField(common?.value, 'combined_validation_context');
  const defaults = readField(combined?.value, 'default_validation_context');
  for (const [vc, prefix] of [
    [direct, `${common?.key}.${direct?.key}`],
    [defaults, `${common?.key}.${combined?.key}.${defaults?.key}`],
  ] as const) {
    const key = readField(vc?.value, 'trust_chain_verification')?.key;
    if (key) return `${prefix}.${key}`;
  }
  return undefined;
}

/** The enum may be written by name or, in proto JSON, by number (ACCEPT_UNTRUSTED = 1). */
function isAcceptUntrusted(v: unknown): boolean {
  return v === 'ACCEPT_UNTRUSTED' || v === 1;
}

/**
 * A custom validator replaces the default one entirely (common.proto). The SPIFFE validator
 * always returns SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT and verifies against its
 * trust bundles; any other validator is opaque to us, so we cannot vouch for it.
 */
function customValidatorMode(custom: ProtoObject, trustedCa: DownstreamModeDecision['trustedCa']): DownstreamModeDecision {
  const name = stringField(custom, 'name') ?? '';
  const typed = field(custom, 'typed_config');
  // cert_validator/factory.cc getCertValidatorName: the factory is looked up by name alone, so a
  // SPIFFE config under another name finds no factory and Envoy refuses the context.
  if (name !== SPIFFE_CERT_VALIDATOR_NAME && typeUrlOf(typed) === SPIFFE_CERT_VALIDATOR_CONFIG) {
    const rejected = `Failed to get certificate validator factory for ${name || '(unnamed)'}: custom_validator_config must be named ${SPIFFE_CERT_VALIDATOR_NAME} for a SPIFFECertValidatorConfig, so Envoy refuses the TLS context`;
    return { mode: 'TLS_NO_CLIENT_AUTH', reason: `Envoy rejects this TLS context: ${rejected}`, source: ENVOY_SOURCES.certValidatorFactory, trustedCa, rejected };
  }
  if (name === SPIFFE_CERT_VALIDATOR_NAME) {
    const domains = isProtoObject(typed) ? listField(typed, 'trust_domains').length : 0;
    return {
      mode: 'STRICT',
      reason: `the SPIFFE certificate validator always requires a client certificate and verifies it against the trust bundles of its ${domains} trust domain(s)`,
      source: ENVOY_SOURCES.spiffeValidator,
      trustedCa: 'static',
    };
  }
  return {
    mode: 'TLS_NO_CLIENT_AUTH',
    reason: `custom certificate validator '${name || typeUrlOf(typed) || 'unnamed'}' decides alone whether a client certificate is required; meshgov cannot verify that it does`,
    source: ENVOY_SOURCES.customValidator,
    trustedCa,
  };
}
