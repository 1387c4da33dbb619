import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack "Verifying requests from Slack" (docs.slack.dev/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature` is `v0=` + hex HMAC-SHA256, keyed by the app's signing secret, of
 * `v0:<X-Slack-Request-Timestamp>:<raw request body>`; a request whose timestamp is more than
 * five minutes from now, either way, is refused so a captured request cannot be replayed later.
 *
 * @slack/bolt exports an equivalent `verifySlackRequest`, but Bolt is not a dependency of this
 * project, so this is the same check on node:crypto, with a constant-time comparison.
 */
export const SLACK_SIGNATURE_VERSION = 'v0';
export const SLACK_REPLAY_WINDOW_SECONDS = 300;

export type SignatureRejection = 'missing-timestamp' | 'missing-signature' | 'malformed-timestamp' | 'malformed-signature' | 'stale' | 'mismatch';

export type SignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: SignatureRejection; message: string };

export interface SignedRequest {
  signingSecret: string;
  /** `x-slack-request-timestamp`. */
  timestamp: string | undefined;
  /** `x-slack-signature`. */
  signature: string | undefined;
  /** The body exactly as received (decoded from base64 when API Gateway encoded it), before any parsing. */
  rawBody: Buffer | string;
  now: Date;
  windowSeconds?: number;
}

export function verifySlackSignature(request: SignedRequest): SignatureVerdict {
  const window = request.windowSeconds ?? SLACK_REPLAY_WINDOW_SECONDS;
  if (!request.timestamp) return reject('missing-timestamp', 'no x-slack-request-timestamp header');
  if (!request.signature) return reject('missing-signature', 'no x-slack-signature header');
  if (!/^\d{1,12}$/.test(request.timestamp)) return reject('malformed-timestamp', 'x-slack-request-timestamp is not unix seconds');
  if (!/^v0=[0-9a-f]{64}$/.test(request.signature)) return reject('malformed-signature', 'x-slack-signature is not v0=<64 hex digits>');
  const timestamp = Number(request.timestamp);
  const skew = Math.abs(Math.floor(request.now.getTime() / 1000) - timestamp);
  if (skew > window) return reject('stale', `timestamp is ${skew} s from now, outside the ${window} s window`);
  const expected = slackSignature(request.signingSecret, request.timestamp, request.rawBody);
  // Both are 67 ASCII bytes here (checked above), so timingSafeEqual cannot throw on length.
  if (!timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(request.signature, 'latin1'))) return reject('mismatch', 'signature does not match the body');
  return { ok: true, timestamp };
}

/** `v0=<hex HMAC-SHA256 of v0:<timestamp>:<body>>`, over the body's bytes as received. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${SLACK_SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

function reject(reason: SignatureRejection, message: string): SignatureVerdict {
  return { ok: false, reason, message };
}
