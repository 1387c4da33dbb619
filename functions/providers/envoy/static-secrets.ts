import { isProtoObject, listField, stringField, type ProtoObject } from './proto-fields';

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
