import { timingSafeEqual } from 'node:crypto';
import type { NonceStore } from './nonce-store';
import { NONCE_HEADER, NONCE_PATTERN, REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, SIGNATURE_VERSION, TIMESTAMP_HEADER, TIMESTAMP_PATTERN } from './protocol';
import { computeSignature } from './signature';

/** Why a request was refused. Every reason is a 401 to the sender; the codes are for logs and tests. */
export type LinkRejectionReason =
  | 'missing-header'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'malformed-nonce'
  | 'malformed-signature'
  | 'bad-signature'
  | 'replayed-nonce';

export type LinkVerification =
  | { ok: true; timestamp: number; nonce: string }
  | { ok: false; reason: LinkRejectionReason; message: string; header?: string };

/** Incoming headers as Node exposes them: lower-case names, a string or (when repeated) a list. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

const SIGNATURE_SHAPE = new RegExp(`^${SIGNATURE_VERSION}=[0-9a-f]{64}$`);

/**
 * Checks a signed request from the other side of the link, in this order: the three headers
 * are present and well formed, the timestamp is within five minutes of `now` either way, the
 * signature matches the raw body (constant-time), and only then is the nonce remembered, so
 * that unsigned junk cannot fill the nonce store. `secret` may list several keys during a
 * rotation: the request passes when any of them signed it.
 *
 * @example
 *   const verdict = await verifyRequest(req.headers, req.rawBody!, secret, new Date(), nonces);
 *   if (!verdict.ok) return res.status(401).json({ error: verdict.reason, message: verdict.message });
 */
export async function verifyRequest(
  headers: IncomingHeaders,
  rawBody: string | Uint8Array,
  secret: string | readonly string[],
  now: Date,
  nonceStore: NonceStore,
): Promise<LinkVerification> {
  const timestamp = singleHeader(headers, TIMESTAMP_HEADER);
  const nonce = singleHeader(headers, NONCE_HEADER);
  const signature = singleHeader(headers, SIGNATURE_HEADER);
  for (const [name, value] of [[TIMESTAMP_HEADER, timestamp], [NONCE_HEADER, nonce], [SIGNATURE_HEADER, signature]] as const) {
    if (value === undefined) return reject('missing-header', `header ${name} is missing or repeated`, name);
  }
  if (!TIMESTAMP_PATTERN.test(timestamp!)) return reject('malformed-timestamp', `${TIMESTAMP_HEADER} must be unix seconds`, TIMESTAMP_HEADER);
  if (!NONCE_PATTERN.test(nonce!)) return reject('malformed-nonce', `${NONCE_HEADER} must be 16 to 128 URL-safe characters`, NONCE_HEADER);
  if (!SIGNATURE_SHAPE.test(signature!)) return reject('malformed-signature', `${SIGNATURE_HEADER} must be ${SIGNATURE_VERSION}= and 64 hex digits`, SIGNATURE_HEADER);

  const sentAt = Number(timestamp);
  const skew = Math.floor(now.getTime() / 1000) - sentAt;
  if (skew > REPLAY_WINDOW_SECONDS) return reject('stale-timestamp', `request was signed ${skew}s ago, beyond the ${REPLAY_WINDOW_SECONDS}s window`, TIMESTAMP_HEADER);
  if (-skew > REPLAY_WINDOW_SECONDS) return reject('future-timestamp', `request is signed ${-skew}s in the future, beyond the ${REPLAY_WINDOW_SECONDS}s window`, TIMESTAMP_HEADER);

  const secrets = typeof secret === 'string' ? [secret] : secret;
  const presented = Buffer.from(signature!, 'utf8');
  let matched = false;
  for (const key of secrets) {
    if (key === '') continue;
    const expected = Buffer.from(computeSignature(key, timestamp!, nonce!, rawBody), 'utf8');
    // Both are `v1=` + 64 hex digits here, so the lengths agree and timingSafeEqual cannot throw.
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) matched = true;
  }
  if (!matched) return reject('bad-signature', 'signature does not match the body and the shared secret', SIGNATURE_HEADER);

  // The nonce cannot be accepted again once the timestamp leaves the window, so remember it until then.
  const acceptedUntil = new Date((sentAt + REPLAY_WINDOW_SECONDS) * 1000);
  if (!(await nonceStore.remember(nonce!, acceptedUntil))) return reject('replayed-nonce', 'this nonce was already used: the request is a replay', NONCE_HEADER);
  return { ok: true, timestamp: sentAt, nonce: nonce! };
}

function singleHeader(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

function reject(reason: LinkRejectionReason, message: string, header?: string): LinkVerification {
  return { ok: false, reason, message, ...(header === undefined ? {} : { header }) };
}
