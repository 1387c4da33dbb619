import { awaitsExpirySweep, type ApprovalRecord, type ChangeRecord, type Ledger } from '../ledger/types';
import type { Notifier } from '../pipeline/ports';
import { expiredOutcome, isPastDeadline } from './expiry';

export interface ExpirySweepDeps {
  ledger: Ledger;
  /** Absent where nothing can be posted (the CLI): the redraws stay owed. */
  notifier?: Notifier;
  clock: () => Date;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface ExpirySweepResult {
  /** Approvals this sweep moved to EXPIRED. */
  expired: string[];
  /** Redraws Slack did not take; they stay owed and a later sweep tries again. */
  notShown: number;
}

/**
 * Without a sweep, a request nobody answered keeps its Approve and Reject buttons until someone
 * clicks one (and is refused). This moves every approval past its deadline that could still be
 * decided or run to EXPIRED, and redraws its message (an Undo's: the change announcement)
 * without buttons. Each move is a conditional write, so a click or a worker that gets there
 * first wins and redraws the message itself; an expired approval stays listed until its message
 * has been redrawn, so a Slack failure delays the redraw to a later run and loses nothing.
 */
export async function expireOverdueApprovals(deps: ExpirySweepDeps, result: ExpirySweepResult = { expired: [], notShown: 0 }, done: ReadonlySet<string> = new Set()): Promise<ExpirySweepResult> {
  const now = deps.clock();
  for (const listed of await deps.ledger.listOverdueApprovals(now.toISOString())) {
    if (done.has(listed.id)) continue;
    // The listing may lag (an index, or another run acting since): decide on the stored record,
    // which may have been asked again with a new deadline and message.
    const current = await deps.ledger.getApproval(listed.id);
    if (current) await expireApproval(current, deps, now, result);
  }
  return result;
}

/**
 * Expires one approval read from the ledger, when it is past its deadline and still awaits it,
 * and redraws its message; for the sweep, and for a run that meets such an approval by its
 * finding (one stored before the deadline index existed is never listed).
 */
export async function expireApproval(current: ApprovalRecord, deps: ExpirySweepDeps, now: Date, result: ExpirySweepResult): Promise<void> {
  const { ledger } = deps;
  if (!awaitsExpirySweep(current) || !isPastDeadline(current, now)) return;
  const approval = current.state === 'EXPIRED' ? current : await expire(current, ledger);
  if (!approval) return;
  if (current.state !== 'EXPIRED') result.expired.push(approval.id);
  if (!approval.slack) {
    // Never posted (its request failed and it ran out before a run posted it): nothing shows buttons.
    await ledger.markExpiryShown(approval.id, approval.version);
    return;
  }
  if (!deps.notifier) return;
  try {
    await deps.notifier.updateApproval(approval, await undoneChange(approval, ledger));
  } catch (err) {
    result.notShown++;
    deps.log?.('expired approval message not redrawn; a later run tries again', { approvalId: approval.id, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  // At the version redrawn: a request asked again since has a message of its own.
  await ledger.markExpiryShown(approval.id, approval.version);
}

/** For an expired Undo, the change it would have reverted: its announcement is what gets redrawn. */
export async function undoneChange(approval: ApprovalRecord, ledger: Ledger): Promise<ChangeRecord | undefined> {
  return approval.state === 'EXPIRED' && approval.undoOf !== undefined ? ledger.getChange(approval.undoOf) : undefined;
}

/** PENDING or APPROVED → EXPIRED; undefined when the stored record moved on (a click, the worker or a renewal). */
function expire(approval: ApprovalRecord, ledger: Ledger): Promise<ApprovalRecord | undefined> {
  return ledger.transitionApproval(approval.id, [approval.state], 'EXPIRED', { outcome: expiredOutcome(approval) }, { version: approval.version });
}
