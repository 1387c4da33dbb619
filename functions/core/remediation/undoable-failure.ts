import { wroteToMesh } from '../ledger/meshgov-changes';
import type { ChangeRecord } from '../ledger/types';

/**
 * Whether a change that ended `failed` after writing can be undone by its executor: it records
 * the state from before it (`null` for an object it created) and `after`, so a revert restores
 * only while the object still holds that, never over a later edit. The executors record a
 * failed change's `after` only as what they wrote, never as an object read back that does not
 * hold it (the Istio executor: the object before with its patch; the App Mesh writer: the spec
 * it sent, at the version its write made). A failure with nothing recorded after it gives the
 * revert nothing to compare, and is restored by hand (its detail says what to check).
 */
export function undoableFailure(change: ChangeRecord): boolean {
  return change.outcome === 'failed' && wroteToMesh(change) && change.before !== undefined && isObject(change.after);
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
