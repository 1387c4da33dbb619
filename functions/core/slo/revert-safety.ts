import { sameJson } from '../approvals/same-json';
import type { ChangeRecord } from '../ledger/types';

/**
 * Whether undoing a change can only loosen servers, which no caller's call can fail on: a server
 * taken back to PERMISSIVE still accepts the mTLS its clients send. Undoing a client's mTLS is
 * not that: since the change, a server it calls may have gone STRICT on the strength of it, and
 * the restored plaintext is then refused. A rollback nobody approves is kept to the first kind.
 * - Istio: a PeerAuthentication change is server-side only; a DestinationRule change is a client's.
 * - App Mesh: one change carries the whole spec (listeners and backends together); it is
 *   server-side only when its backends and backend defaults, the client policies, are the same
 *   before and after.
 */
export function undoLoosensOnlyServers(change: Pick<ChangeRecord, 'provider' | 'action' | 'before' | 'after'>): boolean {
  if (change.provider === 'istio') return change.action.startsWith('istio.peerauthentication.');
  if (change.provider !== 'appmesh') return false;
  const before = specOf(change.before);
  const after = specOf(change.after);
  if (before === undefined || after === undefined) return false;
  return sameJson(before.backends ?? null, after.backends ?? null) && sameJson(before.backendDefaults ?? null, after.backendDefaults ?? null);
}

/** A virtual node's or gateway's spec, as App Mesh changes record it (the spec itself, or an object holding it). */
function specOf(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const inner = record.spec;
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : record;
}
