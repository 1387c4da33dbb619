import type { ApprovalRecord, ChangeRecord, Ledger } from '../ledger/types';
import type { Notifier } from '../pipeline/ports';
import { expiredOutcome } from './expiry';

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
  /** Approvals whose message now shows the expiry instead of buttons. */
  shown: string[];
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
export async function expireOverdueApprovals(deps: ExpirySweepDeps): Promise<ExpirySweepResult> {
  const { ledger } = deps;
  const result: ExpirySweepResult = { expired: [], shown: [], notShown: 0 };
  for (const listed of await ledger.listOverdueApprovals(deps.clock().toISOString())) {
    const approval = listed.state === 'EXPIRED' ? await ledger.getApproval(listed.id) : await expire(listed, ledger);
    if (approval?.state !== 'EXPIRED' || approval.expiryShown) continue;
    if (listed.state !== 'EXPIRED') result.expired.push(approval.id);
    if (!approval.slack) {
      // Never posted (its request failed and it ran out before a run posted it): nothing shows buttons.
      await ledger.markExpiryShown(approval.id);
      continue;
    }
    if (!deps.notifier) continue;
    try {
      await deps.notifier.updateApproval(approval, await undoneChange(approval, ledger));
    } catch (err) {
      result.notShown++;
      deps.log?.('expired approval message not redrawn; a later run tries again', { approvalId: approval.id, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    await ledger.markExpiryShown(approval.id);
    result.shown.push(approval.id);
  }
  return result;
}

/** For an expired Undo, the change it would have reverted: its announcement is what gets redrawn. */
export async function undoneChange(approval: ApprovalRecord, ledger: Ledger): Promise<ChangeRecord | undefined> {
  return approval.state === 'EXPIRED' && approval.undoOf !== undefined ? ledger.getChange(approval.undoOf) : undefined;
}

/** PENDING or APPROVED → EXPIRED; undefined when the stored state moved on (a click or the worker acted). */
function expire(approval: ApprovalRecord, ledger: Ledger): Promise<ApprovalRecord | undefined> {
  return ledger.transitionApproval(approval.id, [approval.state], 'EXPIRED', { outcome: expiredOutcome(approval) });
}
