import { wroteToMesh } from '../ledger/meshgov-changes';
import type { ChangeRecord } from '../ledger/types';

/**
 * Whether a change that ended `failed` after writing can be undone by its executor: it records
 * the state from before it (`null` for an object it created) and `after`, so a revert restores
 * only while the object still holds that, never over a later edit. That `after` must be what the
 * change wrote, as its executor marks it (`afterWritten`: the Istio executor's object before with
 * its patch, the App Mesh writer's spec sent at the version its write made), never an object
 * read back that may hold someone else's edit: a record without the mark (an executor or agent
 * from before it, a branch that kept a re-read) is restored by hand, its detail saying what to check.
 */
export function undoableFailure(change: ChangeRecord): boolean {
  return change.outcome === 'failed' && change.afterWritten === true && wroteToMesh(change) && change.before !== undefined && isObject(change.after);
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
