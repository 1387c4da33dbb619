import { isProtoObject, messageField, readField, stringField, type ProtoObject } from './proto-fields';
import type { StaticSecrets } from './static-secrets';

/**
 * The CertificateValidationContext a TLS context ends up with, found through whichever member
 * of `CommonTlsContext.validation_context_type` is set (envoy
 * api/envoy/extensions/transport_sockets/tls/v3/tls.proto).
 */
export interface ResolvedValidationContext {
  /** The statically known part of the context (undefined: none is configured). */
  context?: ProtoObject;
  /**
   * Set when the context, or part of it, arrives over SDS and cannot be read here: the SDS
   * secret's name. Such secrets carry the trusted CA (Istio's `ROOTCA`, for instance).
   */
  dynamicSecret?: string;
  /**
   * Set when a certificate provider member is written: Envoy does not implement them
   * (`[#not-implemented-hide:]`, for gRPC's xDS client), so it supplies no CA. Named in reasons only.
   */
  ignoredProvider?: string;
  /** Set when Envoy refuses the configuration while loading it. */
  rejected?: string;
}

export function resolveValidationContext(commonTlsContext: unknown, secrets: StaticSecrets): ResolvedValidationContext {
  const direct = messageField(commonTlsContext, 'validation_context');
  if (direct) return { context: direct };

  const sds = messageField(commonTlsContext, 'validation_context_sds_secret_config');
  if (sds) return fromSdsSecret(sds, secrets, undefined);

  const combined = messageField(commonTlsContext, 'combined_validation_context');
  if (combined) {
    const defaults = messageField(combined, 'default_validation_context') ?? {};
    const dynamic = messageField(combined, 'validation_context_sds_secret_config');
    if (!dynamic) return { context: defaults, rejected: COMBINED_WITHOUT_SDS };
    if (readField(combined, 'default_validation_context') === undefined) return { context: defaults, rejected: COMBINED_WITHOUT_DEFAULT };
    return fromSdsSecret(dynamic, secrets, defaults);
  }

  // context_config_impl.cc getCertificateValidationContextConfigProvider reads only the three
  // members above: a provider instance leaves the context without any validation context.
  const provider = providerName(commonTlsContext);
  return provider ? { ignoredProvider: provider } : {};
}

/**
 * tls.proto CombinedCertificateValidationContext.validation_context_sds_secret_config is
 * `(validate.rules).message = {required: true}`: Envoy refuses a combined context without it.
 */
export const COMBINED_WITHOUT_SDS =
  'combined_validation_context without validation_context_sds_secret_config: the field is required (validate.rules), so Envoy refuses the TLS context';

/** tls.proto marks `default_validation_context` required too. */
export const COMBINED_WITHOUT_DEFAULT =
  'combined_validation_context without default_validation_context: the field is required (validate.rules), so Envoy refuses the TLS context';

/** The combined_validation_context of a CommonTlsContext that Envoy refuses, if any (upstream and downstream alike). */
export function combinedContextProblem(commonTlsContext: unknown): string | undefined {
  const combined = messageField(commonTlsContext, 'combined_validation_context');
  if (!combined) return undefined;
  if (!messageField(combined, 'validation_context_sds_secret_config')) return COMBINED_WITHOUT_SDS;
  return readField(combined, 'default_validation_context') === undefined ? COMBINED_WITHOUT_DEFAULT : undefined;
}

function fromSdsSecret(sds: ProtoObject, secrets: StaticSecrets, defaults: ProtoObject | undefined): ResolvedValidationContext {
  const name = stringField(sds, 'name') ?? '';
  // envoy ContextConfigImpl: with `sds_config` the secret is fetched; without it, it must be a
  // static secret of the bootstrap, or the context fails with "Unknown static certificate
  // validation context".
  if (readField(sds, 'sds_config')) return { context: defaults ?? {}, dynamicSecret: name };
  const secret = secrets.get(name);
  const fromSecret = messageField(secret, 'validation_context');
  if (!fromSecret) {
    return { context: defaults ?? {}, rejected: `Unknown static certificate validation context: ${name}` };
  }
  return { context: defaults ? mergeValidationContexts(defaults, fromSecret) : fromSecret };
}

/**
 * tls.proto, CombinedCertificateValidationContext: the dynamic context is merged into the
 * default one with `Message::MergeFrom()`: singular fields override, repeated fields
 * concatenate, booleans are OR-ed. A proto3 scalar at its default (false, 0, "", an enum's zero
 * value) counts as unset and is not copied: a secret saying `VERIFY_TRUST_CHAIN` leaves the
 * default context's `ACCEPT_UNTRUSTED` in force.
 */
export function mergeValidationContexts(defaults: ProtoObject, dynamic: ProtoObject): ProtoObject {
  const merged: ProtoObject = { ...defaults };
  for (const [key, value] of Object.entries(dynamic)) {
    const before = merged[key];
    if (Array.isArray(value)) merged[key] = [...(Array.isArray(before) ? before : []), ...value];
    else if (typeof value === 'boolean') merged[key] = before === true || value;
    else if (isProto3Default(value)) continue;
    else merged[key] = value;
  }
  return merged;
}

/** Zero values of the enums a CertificateValidationContext holds (`trust_chain_verification`). */
const ENUM_ZERO_NAMES: ReadonlySet<string> = new Set(['VERIFY_TRUST_CHAIN']);

function isProto3Default(value: unknown): boolean {
  return value === 0 || value === '' || value === null || (typeof value === 'string' && ENUM_ZERO_NAMES.has(value));
}

/** The certificate-provider members of the oneof (tls.proto `[#not-implemented-hide:]`: gRPC xDS only, Envoy ignores them). */
function providerName(message: unknown): string | undefined {
  for (const name of ['validation_context_certificate_provider_instance', 'validation_context_certificate_provider']) {
    const provider = messageField(message, name);
    if (provider) return stringField(provider, 'instance_name') ?? stringField(provider, 'name') ?? 'default';
  }
  return undefined;
}

/** A `config.core.v3.DataSource` that holds something (file, inline bytes/string, environment variable). */
export function isDataSourceSet(v: unknown): boolean {
  if (!isProtoObject(v)) return false;
  return ['filename', 'inline_bytes', 'inline_string', 'environment_variable'].some((name) => {
    const value = readField(v, name)?.value;
    return typeof value === 'string' && value !== '';
  });
}

/**
 * A TlsCertificate entry Envoy loads: context_config_impl.cc getTlsCertificateConfigProviders
 * skips an entry with no certificate chain, private key, key provider or PKCS #12, so from
 * `[{}]` it loads no certificate at all.
 */
export function isTlsCertificateSet(entry: unknown): boolean {
  if (!isProtoObject(entry)) return false;
  if (['certificate_chain', 'private_key', 'pkcs12'].some((name) => isDataSourceSet(readField(entry, name)?.value))) return true;
  return readField(entry, 'private_key_provider') !== undefined;
}
