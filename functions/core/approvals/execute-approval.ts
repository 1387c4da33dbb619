import type { Remediation } from '../findings';
import { meshgovChangesSince } from '../ledger/meshgov-changes';
import type { ApprovalRecord, ApprovalState, ChangeRecord, Ledger } from '../ledger/types';
import type { ModelBuilder } from '../model/provider';
import type { Provider } from '../model/types';
import { auditScope } from '../pipeline/audit-scope';
import { serviceOf } from '../pipeline/govern';
import { expiresAt } from '../pipeline/observe-findings';
import type { ApplyResult, InventorySource, Notifier, RemediationExecutor } from '../pipeline/ports';
import type { Trigger } from '../pipeline/trigger';
import type { Policy } from '../policy/types';
import { gateExecution } from '../remediation/gate';
import { freshScopeFor, recheckApproval } from './recheck';

/** Reads the live state again before an approved fix runs, for the providers it can read. */
export interface FreshStateReader {
  providers: Provider[];
  source: InventorySource;
  builders: ModelBuilder[];
}

export interface ExecuteApprovalDeps {
  ledger: Ledger;
  /** Updates the approval's Slack message with the outcome; absent: the ledger alone records it. */
  notifier?: Notifier;
  executors: RemediationExecutor[];
  policy: Policy;
  dryRun: boolean;
  clock: () => Date;
  newId: (prefix: string) => string;
  /**
   * Absent, or not covering the finding's provider: the fix is not re-planned here, and its
   * executor's own optimistic concurrency is the last check (the GCP agent applies Istio
   * changes only at the `resourceVersion` they were planned on).
   */
  freshState?: FreshStateReader;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Changes the calling invocation already made (blast radius per run). */
export interface RunCounter {
  changesThisRun: number;
}

export type ExecutionOutcome =
  /** Nothing to do: unknown id, or another delivery already took or finished it. */
  | { status: 'ignored'; approvalId: string; reason: string }
  /** A REJECTED or EXPIRED approval: only its message was redrawn. */
  | { status: 'shown'; approvalId: string; state: ApprovalState }
  /** Not now (a freeze window, the blast radius): still APPROVED; try again after `retryAfterSeconds`. */
  | { status: 'deferred'; approvalId: string; reason: string; retryAfterSeconds: number }
  /** Ran to an end state: EXPIRED, FAILED (refused at execution or failed), SUCCEEDED or ROLLED_BACK. */
  | { status: 'finished'; approvalId: string; state: ApprovalState; detail: string; change?: ChangeRecord };

/** How long a deferred execution waits before it is tried again (SQS allows at most 900 s of delay). */
export const DEFER_SECONDS = 300;

const TERMINAL_BY_OUTCOME: Record<ApplyResult['outcome'], ApprovalState> = {
  verified: 'SUCCEEDED',
  'rolled-back': 'ROLLED_BACK',
  aborted: 'FAILED',
  failed: 'FAILED',
};

/**
 * Runs one approved fix (or Undo) exactly once, re-checking everything at execution time:
 * 1. only an APPROVED approval runs; REJECTED and EXPIRED ones get their message redrawn, and any
 *    other state means another delivery has it (SQS delivers at least once);
 * 2. past `approvalExpiresAt` it becomes EXPIRED instead;
 * 3. the gate with `approved: true`: dry-run and manual refuse; a freeze window or the blast
 *    radius (per run, and per hour from the ledger's change records) defers it, still APPROVED;
 * 4. APPROVED → EXECUTING is one conditional write: of two deliveries only one goes on;
 * 5. the fix is planned again on fresh state and must be the one approved, with no new broken
 *    precondition (recheckApproval); an Undo needs its change to be on record and to have held;
 * 6. the executor that handles the action applies it (Undo: reverts the recorded change), the
 *    change record is written, and the approval ends SUCCEEDED, ROLLED_BACK or FAILED;
 * 7. the Slack message shows the outcome.
 */
export async function executeApproval(approvalId: string, deps: ExecuteApprovalDeps, run: RunCounter = { changesThisRun: 0 }): Promise<ExecutionOutcome> {
  const { ledger } = deps;
  const approval = await ledger.getApproval(approvalId);
  if (!approval) return { status: 'ignored', approvalId, reason: 'no such approval on record' };
  if (approval.state === 'REJECTED' || approval.state === 'EXPIRED') {
    await show(approval, deps);
    return { status: 'shown', approvalId, state: approval.state };
  }
  if (approval.state !== 'APPROVED') return { status: 'ignored', approvalId, reason: `already ${approval.state}` };

  const now = deps.clock();
  if (now.getTime() >= Date.parse(approval.approvalExpiresAt)) {
    const detail = `expired at ${approval.approvalExpiresAt} before it could run; nothing was changed`;
    const expired = await ledger.transitionApproval(approvalId, ['APPROVED'], 'EXPIRED', { outcome: detail });
    if (!expired) return { status: 'ignored', approvalId, reason: 'another delivery took it' };
    await show(expired, deps);
    return { status: 'finished', approvalId, state: 'EXPIRED', detail };
  }

  const isUndo = approval.undoOf !== undefined;
  const safety = { ...deps.policy.remediation, dryRun: deps.dryRun };
  const changesLastHour = await meshgovChangesSince(ledger, new Date(now.getTime() - 3_600_000));
  // An Undo restores what meshgov itself changed: it shrinks the blast radius rather than adding to it.
  const verdict = gateExecution(approval.remediation, safety, {
    now,
    changesThisRun: isUndo ? 0 : run.changesThisRun,
    changesLastHour: isUndo ? 0 : changesLastHour,
    approved: true,
  });
  if (!verdict.act && verdict.retryable) {
    await show({ ...approval, outcome: `waiting: ${verdict.reason}; meshgov tries again until ${approval.approvalExpiresAt}` }, deps);
    return { status: 'deferred', approvalId, reason: verdict.reason, retryAfterSeconds: DEFER_SECONDS };
  }

  const executing = await ledger.transitionApproval(approvalId, ['APPROVED'], 'EXECUTING');
  if (!executing) return { status: 'ignored', approvalId, reason: 'another delivery took it' };
  if (!verdict.act) return refuse(executing, `not applied: ${verdict.reason}`, deps);

  const trigger = approvalTrigger(executing, now);
  const changeId = deps.newId('chg');
  let result: ApplyResult;
  let original: ChangeRecord | undefined;
  if (isUndo) {
    original = await ledger.getChange(executing.undoOf!);
    if (!original) return refuse(executing, `change ${executing.undoOf} is not on record: nothing to undo`, deps);
    if (original.outcome !== 'verified' && original.outcome !== 'applied') {
      return refuse(executing, `change ${original.id} ended ${original.outcome}: there is nothing of it to undo`, deps);
    }
  } else {
    const rechecked = await recheck(executing, deps);
    if (!rechecked.ok) return refuse(executing, `refused at execution: ${rechecked.reason}`, deps);
  }
  const executor = deps.executors.find((e) => e.handles(executing.remediation));
  if (!executor) return refuse(executing, `no executor here applies ${executing.remediation.action}`, deps);

  try {
    result = original ? await executor.revert(original, { trigger, changeId }) : await executor.apply(executing.remediation, { trigger, changeId });
  } catch (err) {
    result = { outcome: 'failed', detail: err instanceof Error ? err.message : String(err), target: targetOf(executing.remediation) };
  }
  if (result.outcome === 'verified') run.changesThisRun++;

  const change: ChangeRecord = {
    id: changeId,
    findingId: executing.findingId,
    approvalId,
    provider: executing.finding.provider,
    action: executing.remediation.action,
    target: result.target,
    before: result.before,
    after: result.after,
    reason: executing.remediation.reason,
    trigger,
    ...(executing.decidedBy ? { approvedBy: executing.decidedBy } : {}),
    at: now.toISOString(),
    outcome: result.outcome,
    detail: result.detail,
    service: serviceOf(executing.finding),
    expiresAt: expiresAt(now),
  };
  await ledger.recordChange(change);
  const state = TERMINAL_BY_OUTCOME[result.outcome];
  const detail = `${describeOutcome(result)} (change ${changeId})`;
  const finished = await ledger.transitionApproval(approvalId, ['EXECUTING'], state, { outcome: detail });
  await show(finished ?? { ...executing, state, outcome: detail }, deps);
  deps.log?.('approved change ran', { approvalId, changeId, outcome: result.outcome, detail: result.detail });
  return { status: 'finished', approvalId, state, detail, change };
}

async function recheck(approval: ApprovalRecord, deps: ExecuteApprovalDeps): Promise<{ ok: true } | { ok: false; reason: string }> {
  const fresh = deps.freshState;
  if (!fresh || !fresh.providers.includes(approval.finding.provider)) {
    deps.log?.('fix not re-planned here; the executor checks the resource version', { approvalId: approval.id, provider: approval.finding.provider });
    return { ok: true };
  }
  const trigger = approvalTrigger(approval, deps.clock());
  const scoped = await auditScope(trigger, freshScopeFor(approval.finding), { source: fresh.source, builders: fresh.builders, policy: deps.policy, clock: deps.clock });
  return recheckApproval(approval, scoped.report);
}

async function refuse(approval: ApprovalRecord, detail: string, deps: ExecuteApprovalDeps): Promise<ExecutionOutcome> {
  const failed = await deps.ledger.transitionApproval(approval.id, ['EXECUTING'], 'FAILED', { outcome: detail });
  await show(failed ?? { ...approval, state: 'FAILED', outcome: detail }, deps);
  deps.log?.('approved change refused at execution', { approvalId: approval.id, detail });
  return { status: 'finished', approvalId: approval.id, state: 'FAILED', detail };
}

/** The run an approval starts: a Slack decision, by the approver. */
export function approvalTrigger(approval: ApprovalRecord, now: Date): Trigger {
  const by = approval.decidedBy ? `Slack user ${approval.decidedBy}` : 'an approver';
  const what = approval.undoOf ? `Undo of change ${approval.undoOf}` : `approval ${approval.id}`;
  return {
    source: 'slack',
    eventId: approval.id,
    eventTime: approval.decidedAt ?? now.toISOString(),
    ...(approval.decidedBy ? { actor: `slack:${approval.decidedBy}` } : {}),
    summary: `${what} by ${by}`,
  };
}

function describeOutcome(result: ApplyResult): string {
  switch (result.outcome) {
    case 'verified':
      return `applied and verified: ${result.detail}`;
    case 'rolled-back':
      return `applied, but the check failed, so the previous spec was restored: ${result.detail}`;
    case 'aborted':
      return `not applied: ${result.detail}`;
    case 'failed':
      return `failed: ${result.detail}`;
  }
}

function targetOf(remediation: Remediation): Record<string, unknown> {
  const t = remediation.change.target;
  return t && typeof t === 'object' && !Array.isArray(t) ? { ...(t as Record<string, unknown>) } : {};
}

/** Redraws the approval's message; a Slack failure is logged, never undoes what the ledger says. */
async function show(approval: ApprovalRecord, deps: ExecuteApprovalDeps): Promise<void> {
  if (!deps.notifier) return;
  try {
    await deps.notifier.updateApproval(approval);
  } catch (err) {
    deps.log?.('approval message not updated', { approvalId: approval.id, error: err instanceof Error ? err.message : String(err) });
  }
}
