import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The hub–agent signing key: MESHGOV_LINK_SECRET_ARN in Secrets Manager (read once per
 * container, a plain string or JSON `{"secret": "…"}`), or MESHGOV_LINK_SECRET for local runs.
 */
export function linkSecretLoader(env: NodeJS.ProcessEnv, client?: SecretsManagerClient): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= (async () => {
      if (env.MESHGOV_LINK_SECRET) return env.MESHGOV_LINK_SECRET;
      const arn = env.MESHGOV_LINK_SECRET_ARN;
      if (!arn) throw new Error('neither MESHGOV_LINK_SECRET_ARN nor MESHGOV_LINK_SECRET is set: the hub cannot sign requests to the agent');
      const out = await (client ?? new SecretsManagerClient({ region: env.AWS_REGION })).send(new GetSecretValueCommand({ SecretId: arn }));
      const text = out.SecretString ?? '';
      const value = text.trim().startsWith('{') ? (JSON.parse(text) as { secret?: string }).secret : text;
      if (!value) throw new Error(`secret ${arn} holds no signing key (expected a string or {"secret": "…"})`);
      return value;
    })().catch((err) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}
