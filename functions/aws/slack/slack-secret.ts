import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** CONTRACT.md MESHGOV_SLACK_SECRET_ARN: JSON `{"token": "xoxb-…", "signingSecret": "…"}`. */
export interface SlackSecret {
  token: string;
  signingSecret: string;
}

/** The secret is missing or not of the agreed shape; `field` names what is wrong. */
export class SlackSecretError extends Error {
  constructor(
    readonly secretArn: string,
    readonly field: string,
    message: string,
  ) {
    super(`Slack secret ${secretArn}: ${field}: ${message}`);
    this.name = 'SlackSecretError';
  }
}

/**
 * Reads the Slack secret once per container and keeps it: every invocation after the first
 * costs no Secrets Manager call (the Lambda container is the cache). A failed read is not
 * kept, so the next invocation tries again.
 */
export function slackSecretLoader(secretArn: string, client: SecretsManagerClient = new SecretsManagerClient({})): () => Promise<SlackSecret> {
  let cached: Promise<SlackSecret> | undefined;
  return () => {
    cached ??= readSlackSecret(client, secretArn);
    cached.catch(() => (cached = undefined));
    return cached;
  };
}

export async function readSlackSecret(client: SecretsManagerClient, secretArn: string): Promise<SlackSecret> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (typeof out.SecretString !== 'string') throw new SlackSecretError(secretArn, 'SecretString', 'absent (a binary secret?); store JSON {"token","signingSecret"}');
  let value: unknown;
  try {
    value = JSON.parse(out.SecretString);
  } catch {
    throw new SlackSecretError(secretArn, 'SecretString', 'not JSON');
  }
  const v = value as Record<string, unknown>;
  if (typeof v?.token !== 'string' || !v.token.startsWith('xox')) throw new SlackSecretError(secretArn, 'token', 'missing, or not a Slack token (xoxb-…)');
  if (typeof v.signingSecret !== 'string' || v.signingSecret.length < 16) throw new SlackSecretError(secretArn, 'signingSecret', 'missing or too short');
  return { token: v.token, signingSecret: v.signingSecret };
}
