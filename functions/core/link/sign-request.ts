import { randomBytes } from 'node:crypto';
import { NONCE_HEADER, NONCE_PATTERN, SIGNATURE_HEADER, TIMESTAMP_HEADER, type SignedHeaders } from './protocol';
import { computeSignature } from './signature';

/**
 * The headers that sign `body` for the other side of the link. Sign the exact string you send,
 * and sign again for every retry: a retried request reuses neither timestamp nor nonce, since
 * the receiver may already have remembered the first one.
 *
 * @example
 *   const body = JSON.stringify({ agent, scopedReport });
 *   const headers = signRequest(body, process.env.MESHGOV_LINK_SECRET!, new Date());
 *   await fetch(hubUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
 */
export function signRequest(body: string, secret: string, now: Date, nonce?: string): SignedHeaders {
  if (secret === '') throw new Error('signRequest: the link secret is empty');
  if (nonce !== undefined && !NONCE_PATTERN.test(nonce)) throw new Error(`signRequest: nonce must match ${NONCE_PATTERN}`);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const chosenNonce = nonce ?? randomBytes(16).toString('hex');
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [NONCE_HEADER]: chosenNonce,
    [SIGNATURE_HEADER]: computeSignature(secret, timestamp, chosenNonce, body),
  };
}
