/**
 * `clientToken` for App Mesh writes: "Up to 36 letters, numbers, hyphens, and underscores"
 * (API Reference, UpdateVirtualNode). The change id is the token when it fits, so a retried
 * write of the same change is applied once (App Mesh returns the first result again); an id
 * that does not fit is hashed into one that does.
 */
import { createHash } from 'node:crypto';

const TOKEN = /^[A-Za-z0-9_-]{1,36}$/;

/**
 * @param purpose distinguishes two writes of one change (the change and its rollback), which
 * must not share a token: App Mesh refuses a token reused with a different spec.
 *
 * @example
 * clientTokenFor('chg-4f1a2b'); // 'chg-4f1a2b'
 * clientTokenFor('chg-4f1a2b', 'rollback'); // 'chg-4f1a2b-rollback'
 */
export function clientTokenFor(changeId: string, purpose?: string): string {
  const candidate = purpose ? `${changeId}-${purpose}` : changeId;
  if (TOKEN.test(candidate)) return candidate;
  const digest = createHash('sha256').update(candidate).digest('hex');
  return `mg-${digest.slice(0, 33)}`;
}
