import type { ChangeRecord, Ledger } from './types';

/**
 * Whether meshgov made a change: its own fixes carry the finding they fix, approved ones the
 * approval. A person's change that the hub recorded (for SLO suspects) carries neither.
 */
export function madeByMeshgov(change: ChangeRecord): boolean {
  return change.findingId !== undefined || change.approvalId !== undefined;
}

/** The changes meshgov made since `since` that took effect: what the hourly blast radius counts. */
export async function meshgovChangesSince(ledger: Ledger, since: Date): Promise<number> {
  const changes = await ledger.listChanges(since.toISOString());
  return changes.filter((c) => madeByMeshgov(c) && tookEffect(c.outcome)).length;
}

/** Whether a change with this outcome counts against the blast radius (it changed the mesh). */
export function tookEffect(outcome: ChangeRecord['outcome']): boolean {
  return outcome === 'verified' || outcome === 'applied';
}
