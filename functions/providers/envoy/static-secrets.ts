import { isProtoObject, listField, readField, stringField, type ProtoObject } from './proto-fields';

/**
 * The `static_resources.secrets` of a bootstrap, by name. An `SdsSecretConfig` without
 * `sds_config` names one of these (envoy: "a static secret to be loaded from the bootstrap").
 */
export type StaticSecrets = ReadonlyMap<string, ProtoObject>;

export function staticSecretsOf(staticResources: unknown): StaticSecrets {
  const secrets = new Map<string, ProtoObject>();
  for (const secret of listField(staticResources, 'secrets')) {
    const name = stringField(secret, 'name');
    if (isProtoObject(secret) && name !== undefined) secrets.set(name, secret);
  }
  return secrets;
}

/** A certificate SDS reference Envoy refuses to load, with the dotted path of its entry. */
export interface UnknownStaticCertificate {
  field: string;
  message: string;
}

/**
 * The `tls_certificate_sds_secret_configs` entries of a TLS context that Envoy refuses while
 * loading it. An entry without `sds_config` names a static secret of the bootstrap, which must
 * hold a `tls_certificate` (context_config_impl.cc: "Unknown static secret: NAME"; a secret with
 * only a validation context is not one). `path` is the TLS context's dotted path.
 */
export function unknownStaticCertificates(tlsContext: unknown, path: string, secrets: StaticSecrets): UnknownStaticCertificate[] {
  const common = readField(tlsContext, 'common_tls_context');
  const configs = readField(common?.value, 'tls_certificate_sds_secret_configs');
  if (!common || !configs) return [];
  const out: UnknownStaticCertificate[] = [];
  listField(common.value, 'tls_certificate_sds_secret_configs').forEach((config, i) => {
    if (readField(config, 'sds_config')) return;
    const name = stringField(config, 'name') ?? '';
    if (readField(secrets.get(name), 'tls_certificate')) return;
    const known = [...secrets].filter(([, s]) => readField(s, 'tls_certificate')).map(([n]) => `'${n}'`);
    out.push({
      field: `${path}.${common.key}.${configs.key}[${i}].name`,
      message: `Unknown static secret: ${name}: without sds_config the name must be a static_resources.secrets entry with a tls_certificate (${known.length > 0 ? `known: ${known.join(', ')}` : 'the bootstrap has none'})`,
    });
  });
  return out;
}
