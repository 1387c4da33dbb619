import { sameJson } from '../approvals/same-json';
import { isRecord } from '../is-record';
import type { ChangeRecord } from '../ledger/types';

/**
 * Whether undoing a change can only loosen servers to PERMISSIVE, which no caller's call can fail
 * on: a PERMISSIVE server still accepts the mTLS its clients send. Any other undo can break calls:
 * a server taken back to DISABLED (or to plaintext) refuses the mTLS that clients enforced since,
 * and undoing a client's mTLS sends plaintext to servers that may have gone STRICT on the strength
 * of it. A rollback nobody approves is kept to the first kind.
 * - Istio: a PeerAuthentication patch whose previous spec is PERMISSIVE at every level it sets; a
 *   created one (its undo deletes it, and the inherited mode is not in the record) or a
 *   DestinationRule change is not.
 * - App Mesh: one change carries the whole spec; its backends and backend defaults (the client
 *   policies) must be the same before and after, and every listener it changed must have been
 *   PERMISSIVE before.
 */
export function undoLoosensOnlyServers(change: Pick<ChangeRecord, 'provider' | 'action' | 'before' | 'after'>): boolean {
  if (change.provider === 'istio') return change.action.startsWith('istio.peerauthentication.') && restoresPermissivePolicy(change.before);
  if (change.provider !== 'appmesh') return false;
  const before = specOf(change.before);
  const after = specOf(change.after);
  if (before === undefined || after === undefined) return false;
  if (!sameJson(before.backends ?? null, after.backends ?? null) || !sameJson(before.backendDefaults ?? null, after.backendDefaults ?? null)) return false;
  const afterListeners = listenersOf(after);
  return listenersOf(before).every((listener) => {
    const port = listener.portMapping?.port;
    const now = afterListeners.find((l) => l.portMapping?.port === port);
    return (now !== undefined && sameJson(listener, now)) || listener.tls?.mode === 'PERMISSIVE';
  });
}

/** A PeerAuthentication as recorded before the change: PERMISSIVE as a whole and on every port it names. */
function restoresPermissivePolicy(before: unknown): boolean {
  const spec = specOf(before);
  if (spec === undefined) return false;
  const mtls = spec.mtls as { mode?: unknown } | undefined;
  if (mtls?.mode !== 'PERMISSIVE') return false;
  const ports = spec.portLevelMtls as Record<string, { mode?: unknown }> | undefined;
  return Object.values(ports ?? {}).every((p) => p?.mode === 'PERMISSIVE');
}

interface Listener {
  portMapping?: { port?: number };
  tls?: { mode?: string };
}

function listenersOf(spec: Record<string, unknown>): Listener[] {
  return Array.isArray(spec.listeners) ? (spec.listeners as Listener[]) : [];
}

/** A spec as changes record it: the spec itself, or an object holding it. */
function specOf(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  return isRecord(value.spec) ? value.spec : value;
}
