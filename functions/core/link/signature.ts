import { createHmac } from 'node:crypto';
import { SIGNATURE_VERSION } from './protocol';

/**
 * `v1=` + hex HMAC-SHA256 over `v1:<timestamp>:<nonce>:<body>`. The body is taken as the exact
 * bytes sent (a string is hashed as UTF-8), so the receiver must verify the raw body before it
 * parses anything.
 */
export function computeSignature(secret: string, timestamp: string, nonce: string, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${SIGNATURE_VERSION}:${timestamp}:${nonce}:`, 'utf8');
  if (typeof body === 'string') hmac.update(body, 'utf8');
  else hmac.update(body);
  return `${SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}
