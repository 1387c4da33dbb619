import type { ApplyResult } from '../pipeline/ports';
import type { ChangeRecord, Ledger } from './types';

/**
 * Whether meshgov made a change: its own fixes carry the finding they fix, approved ones the
 * approval. A person's change that the hub recorded (for SLO suspects) carries neither.
 */
export function madeByMeshgov(change: ChangeRecord): boolean {
  return change.findingId !== undefined || change.approvalId !== undefined;
}

/** The changes meshgov made since `since` that wrote to the mesh: what the hourly blast radius counts. */
export async function meshgovChangesSince(ledger: Ledger, since: Date): Promise<number> {
  const changes = await ledger.listChanges(since.toISOString());
  return changes.filter((c) => madeByMeshgov(c) && wroteToMesh(c)).length;
}

/**
 * Whether a change counts against the blast radius: it wrote to the mesh, or may have, whatever
 * its outcome (a write whose read-back failed ends `failed`, one put back ends `rolled-back`,
 * and both changed the mesh). A result or record that does not say (a record from before
 * `wrote`, an executor that leaves it out) counts unless it aborted, since an aborted change
 * wrote nothing by contract and any other may have.
 */
export function wroteToMesh(result: { outcome: ChangeRecord['outcome']; wrote?: boolean }): boolean {
  return result.wrote ?? result.outcome !== 'aborted';
}

/**
 * What a change record keeps of its executor's answer: where it wrote, the state before and
 * after, how it ended and why, whether it wrote, and whether `after` is what it wrote. One
 * mapping for every path that records a change (an automatic fix, an approved one, an Undo).
 */
export function resultFields(result: ApplyResult): Pick<ChangeRecord, 'target' | 'before' | 'after' | 'outcome' | 'wrote' | 'afterWritten' | 'detail'> {
  return {
    target: result.target,
    before: result.before,
    after: result.after,
    outcome: result.outcome,
    ...(result.wrote !== undefined ? { wrote: result.wrote } : {}),
    ...(result.afterWritten === true ? { afterWritten: true } : {}),
    detail: result.detail,
  };
}
