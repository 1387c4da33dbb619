import { awaitsExpirySweep, type ApprovalRecord, type ChangeRecord, type Ledger } from '../ledger/types';
import type { Notifier } from '../pipeline/ports';
import { expiredOutcome, isPastDeadline } from './expiry';
import { errorTextWithCauses } from './error-text';
import { isPermanentRedrawError } from './redraw-error';

/**
 * When the sweep stops trying a redraw Slack keeps failing for reasons that may pass (rate
 * limits, 5xx, the network): once it has failed `failures` times AND the first failure is at
 * least `spanMs` old. Both, because runs come unevenly: a burst of events can make many runs
 * within one short Slack incident, which a count alone would spend at once; a hub that only runs
 * on its daily schedule gets one try a day, which a time alone would cut to one or two.
 */
export interface RedrawRetryBound {
  failures: number;
  spanMs: number;
}

/**
 * 5 failures over at least a day: a Slack incident rarely outlasts a day (the default approval
 * TTL as well). With events or hourly SLO runs that ends about a day after the first failure;
 * with the default daily schedule alone, at the fifth daily run.
 */
export const DEFAULT_REDRAW_RETRY_BOUND: RedrawRetryBound = { failures: 5, spanMs: 24 * 3_600_000 };

export interface ExpirySweepDeps {
  ledger: Ledger;
  /** Absent where nothing can be posted (the CLI): the redraws stay owed. */
  notifier?: Notifier;
  clock: () => Date;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** For a redraw the sweep gives up on; `log` when absent. */
  logError?: (message: string, fields?: Record<string, unknown>) => void;
  redrawRetryBound?: RedrawRetryBound;
}

export interface ExpirySweepResult {
  /** Approvals this sweep moved to EXPIRED. */
  expired: string[];
  /** Redraws Slack did not take; they stay owed and a later sweep tries again. */
  notShown: number;
  /**
   * Expired approvals whose redraw this sweep gave up on (Slack refused it for good, or kept
   * failing past the bound): their messages may still show buttons; each record says why (`expiryNotShown`).
   */
  abandoned: string[];
}

/**
 * Without a sweep, a request nobody answered keeps its Approve and Reject buttons until someone
 * clicks one (and is refused). This moves every approval past its deadline that could still be
 * decided or run to EXPIRED, and redraws its message (an Undo's: the change announcement)
 * without buttons. Each move is a conditional write, so a click or a worker that gets there
 * first wins and redraws the message itself; an expired approval stays listed until its message
 * has been redrawn, so a Slack failure delays the redraw to a later run and loses nothing. Not
 * for ever: one Slack refuses for good, or that keeps failing past the bound, is given up,
 * recorded on the approval, logged as an error and counted in `abandoned`.
 */
export async function expireOverdueApprovals(deps: ExpirySweepDeps, result: ExpirySweepResult = { expired: [], notShown: 0, abandoned: [] }, done: ReadonlySet<string> = new Set()): Promise<ExpirySweepResult> {
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
    await redrawFailed(approval, err, deps, now, result);
    return;
  }
  // At the version redrawn: a request asked again since has a message of its own.
  await ledger.markExpiryShown(approval.id, approval.version);
}

/** Counts the failure on the approval, then gives up on a permanent one or one past the bound; otherwise a later run tries again. */
async function redrawFailed(approval: ApprovalRecord, err: unknown, deps: ExpirySweepDeps, now: Date, result: ExpirySweepResult): Promise<void> {
  const permanent = isPermanentRedrawError(err);
  const error = permanent ? err.code : errorTextWithCauses(err);
  // At the version tried: undefined when another run redrew it or asked again meanwhile.
  const failed = await deps.ledger.recordExpiryRedrawFailure(approval.id, approval.version, { at: now.toISOString(), error });
  if (!failed) return;
  const failures = failed.expiryRedrawFailures ?? 1;
  const firstFailedAt = failed.expiryRedrawFirstFailedAt ?? now.toISOString();
  const bound = deps.redrawRetryBound ?? DEFAULT_REDRAW_RETRY_BOUND;
  const exhausted = failures >= bound.failures && now.getTime() - Date.parse(firstFailedAt) >= bound.spanMs;
  if (!permanent && !exhausted) {
    result.notShown++;
    deps.log?.('expired approval message not redrawn; a later run tries again', { approvalId: approval.id, error, failures, firstFailedAt });
    return;
  }
  const why = permanent
    ? `Slack refuses to redraw the message for good (${error}); its buttons may remain, and a click on them is refused as expired`
    : `Slack did not take the redraw ${failures} times since ${firstFailedAt} (last: ${error}); its buttons may remain, and a click on them is refused as expired`;
  // Off the deadline index, at the version tried; the same as a redraw, so the fix can be asked again.
  if (!(await deps.ledger.markExpiryShown(approval.id, approval.version, why))) return;
  result.abandoned.push(approval.id);
  (deps.logError ?? deps.log)?.('expired approval message given up: Slack will not show its expiry', {
    approvalId: approval.id,
    slack: approval.slack,
    error,
    permanent,
    failures,
    firstFailedAt,
  });
}

/** For an expired Undo, the change it would have reverted: its announcement is what gets redrawn. */
export async function undoneChange(approval: ApprovalRecord, ledger: Ledger): Promise<ChangeRecord | undefined> {
  return approval.state === 'EXPIRED' && approval.undoOf !== undefined ? ledger.getChange(approval.undoOf) : undefined;
}

/** PENDING or APPROVED → EXPIRED; undefined when the stored record moved on (a click, the worker or a renewal). */
function expire(approval: ApprovalRecord, ledger: Ledger): Promise<ApprovalRecord | undefined> {
  return ledger.transitionApproval(approval.id, [approval.state], 'EXPIRED', { outcome: expiredOutcome(approval) }, { version: approval.version });
}
