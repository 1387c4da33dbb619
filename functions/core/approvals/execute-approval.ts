import type { Remediation } from '../findings';
import { meshgovChangesSince, resultFields, wroteToMesh } from '../ledger/meshgov-changes';
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
import { undoneChange } from './expire-overdue';
import { expiredOutcome, isPastDeadline } from './expiry';
import { freshScopeFor, recheckApproval } from './recheck';
import { errorText } from './error-text';
import { isPermanentRedrawError } from './redraw-error';
import { undoableFailure } from '../remediation/undoable-failure';

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
   * Absent, or not covering the finding's provider: the fix is not re-planned here; the ledger's
   * finding record must still be open, and its executor is the last check: the GCP agent plans an Istio
   * change again on a full read of its cluster and refuses it (aborted, with what failed) unless the
   * approved change still applies with no new broken precondition; the approval then ends FAILED.
   */
  freshState?: FreshStateReader;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** For what needs a person (a message Slack will never redraw); `log` when absent. */
  logError?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Changes the calling invocation already made (blast radius per run). */
export interface RunCounter {
  changesThisRun: number;
}

export type ExecutionOutcome =
  /** Nothing to do: unknown id, or another delivery already took or finished it (a finished one is redrawn). */
  | { status: 'ignored'; approvalId: string; reason: string; notShown?: string }
  /** A REJECTED or EXPIRED approval: only its message was redrawn. */
  | { status: 'shown'; approvalId: string; state: ApprovalState; notShown?: string }
  /** Not now (a freeze window, the blast radius): still APPROVED; try again after `retryAfterSeconds`. */
  | { status: 'deferred'; approvalId: string; reason: string; retryAfterSeconds: number }
  /** Ran to an end state: EXPIRED, FAILED (refused at execution or failed), SUCCEEDED or ROLLED_BACK. */
  | { status: 'finished'; approvalId: string; state: ApprovalState; detail: string; change?: ChangeRecord; notShown?: string };
// `notShown`: the Slack message could not be redrawn (why). The ledger is right; the worker has
// the message delivered again, and a delivery of a finished approval redraws it.

/** How long a deferred execution waits before it is tried again (SQS allows at most 900 s of delay). */
export const DEFER_SECONDS = 300;

/**
 * After this long an EXECUTING approval belongs to an attempt that died (a Lambda timeout, a crash:
 * no catch ran), and a later delivery may take it over. No worker invocation outlives it: the
 * approval worker's timeout is 5 minutes and Lambda's maximum 15 (cdk/lib/constructs/
 * slack-and-agent-endpoints.ts); the approval queue's 30-minute visibility timeout redelivers a
 * failed message only after it.
 */
export const EXECUTING_TAKEOVER_MS = 15 * 60_000;

/** Tries of a ledger write after a change was applied, before giving up on it (DynamoDB throttling, a dropped connection). */
const LEDGER_ATTEMPTS = 3;

const TERMINAL_BY_OUTCOME: Record<ChangeRecord['outcome'], ApprovalState> = {
  applied: 'SUCCEEDED',
  verified: 'SUCCEEDED',
  'rolled-back': 'ROLLED_BACK',
  aborted: 'FAILED',
  failed: 'FAILED',
};

/**
 * Runs one approved fix (or Undo) exactly once, re-checking everything at execution time:
 * 1. only an APPROVED approval runs; REJECTED and EXPIRED ones get their message redrawn, and any
 *    other state means another delivery has it (SQS delivers at least once), except an EXECUTING
 *    one claimed more than EXECUTING_TAKEOVER_MS ago, whose attempt died: this delivery finishes it;
 * 2. past `approvalExpiresAt` it becomes EXPIRED instead;
 * 3. the gate with `approved: true`: dry-run and manual refuse; a freeze window or the blast
 *    radius (per run, and per hour from the ledger's change records) defers it, still APPROVED;
 * 4. the fix is planned again on fresh state and must be the one approved, with no new broken
 *    precondition (recheckApproval); an Undo needs its change to be on record and to have held.
 *    These only read, before the claim: when one throws (App Mesh or DynamoDB unreachable) the
 *    approval is still APPROVED and the SQS retry runs it;
 * 5. APPROVED → EXECUTING is one conditional write, stamped with its time and change id: of two
 *    deliveries only one goes on (a takeover re-stamps the EXECUTING record at the version it read);
 * 6. the executor that handles the action applies it (Undo: reverts the recorded change), the
 *    change record is written, and the approval ends SUCCEEDED, ROLLED_BACK or FAILED;
 * 7. the Slack message shows the outcome.
 * Ledger writes after the apply are tried a few times. A change record that still cannot be
 * written is logged whole and named in the approval's outcome; an approval that cannot be moved
 * out of EXECUTING throws, SQS delivers the message again after its visibility timeout, and that
 * delivery takes it over: it finishes from the change record when there is one, and otherwise
 * re-checks and applies with the same change id, so a change already made is not made twice (the
 * finding is gone, or the resource's version moved).
 */
export async function executeApproval(approvalId: string, deps: ExecuteApprovalDeps, run: RunCounter = { changesThisRun: 0 }): Promise<ExecutionOutcome> {
  const { ledger } = deps;
  const approval = await ledger.getApproval(approvalId);
  if (!approval) return { status: 'ignored', approvalId, reason: 'no such approval on record' };
  if (approval.state === 'REJECTED' || approval.state === 'EXPIRED') {
    return { status: 'shown', approvalId, state: approval.state, ...(await show(approval, deps)) };
  }

  const now = deps.clock();
  let takeover: Claim | undefined;
  if (approval.state === 'EXECUTING') {
    const claim = claimOf(approval);
    if (!isAbandoned(claim, approval, now)) return { status: 'ignored', approvalId, reason: 'already EXECUTING' };
    takeover = claim;
    deps.log?.('taking over an approval whose attempt died while EXECUTING', { approvalId, claimedAt: claim.at, changeId: claim.changeId });
    // It died after writing its change record: finish from the record, without applying again.
    const recorded = claim.changeId ? await ledger.getChange(claim.changeId) : undefined;
    if (recorded && recorded.approvalId === approvalId) return finish(approval, recorded, `${describeOutcome(recorded)} (change ${recorded.id})`, deps);
  } else if (approval.state !== 'APPROVED') {
    // A finished approval delivered again may be the retry of one whose message was not redrawn.
    return { status: 'ignored', approvalId, reason: `already ${approval.state}`, ...(FINISHED.has(approval.state) ? await show(approval, deps) : {}) };
  }
  const interrupted = takeover ? `${interruptedNote(takeover)}; ` : '';

  if (isPastDeadline(approval, now)) {
    // EXECUTING cannot become EXPIRED: a taken-over approval ends FAILED, saying why.
    if (takeover) return refuse(approval, `${interrupted}expired at ${approval.approvalExpiresAt} before it could run again; nothing more was changed`, deps);
    const detail = expiredOutcome(approval);
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
    // A taken-over approval stays EXECUTING and abandoned, so the delayed delivery takes it over again.
    await show({ ...approval, outcome: `waiting: ${verdict.reason}; meshgov tries again until ${approval.approvalExpiresAt}` }, deps);
    return { status: 'deferred', approvalId, reason: verdict.reason, retryAfterSeconds: DEFER_SECONDS };
  }

  // The same change id on a takeover: the writers use it as their idempotency token.
  const changeId = takeover?.changeId ?? deps.newId('chg');
  // The count above can be passed by concurrent deliveries at once; the slot is the atomic check
  // (a takeover gets back the slot its change id already holds).
  const slot = verdict.act && !isUndo ? await ledger.reserveChangeSlot(changeId, safety.maxChangesPerHour) : undefined;
  if (verdict.act && !isUndo && slot === undefined) {
    const reason = `blast radius: ${safety.maxChangesPerHour} change(s) in the last hour already made or under way`;
    await show({ ...approval, outcome: `waiting: ${reason}; meshgov tries again until ${approval.approvalExpiresAt}` }, deps);
    return { status: 'deferred', approvalId, reason, retryAfterSeconds: DEFER_SECONDS };
  }
  const releaseSlot = async () => {
    if (slot !== undefined) await ledger.releaseChangeSlot(slot, changeId);
  };
  let ready: Ready;
  let claimed: ApprovalRecord | undefined;
  try {
    ready = verdict.act ? await prepare(approval, deps) : { ok: false, detail: `not applied: ${verdict.reason}` };
    // APPROVED → EXECUTING; a takeover claims the EXECUTING record at the version it read, so of two
    // deliveries that both found the attempt abandoned only one goes on, and the fresh stamp keeps
    // later deliveries off it for another window.
    claimed = takeover
      ? await ledger.transitionApproval(approvalId, ['EXECUTING'], 'EXECUTING', { outcome: claimNote(now, changeId) }, { version: approval.version })
      : await ledger.transitionApproval(approvalId, ['APPROVED'], 'EXECUTING', { outcome: claimNote(now, changeId) });
  } catch (err) {
    // Nothing was applied, and the SQS retry runs as a new change with a slot of its own: a slot
    // kept here would block the hour's blast radius for nothing. A takeover keeps the dead attempt's.
    if (!takeover) await releaseQuietly(releaseSlot, approvalId, deps);
    throw err;
  }
  if (!claimed) {
    // The delivery that did claim it runs as its own change (or, on a takeover, as this same one).
    if (!takeover) await releaseSlot();
    return { status: 'ignored', approvalId, reason: takeover ? 'another delivery took it over' : 'another delivery took it' };
  }
  const executing = claimed;
  if (!ready.ok) {
    if (takeover && ready.findingGone) {
      // Most likely the dead attempt made the change before it could record it; never make it twice.
      const detail = `${interrupted}the finding is no longer there, so nothing more was applied: the interrupted attempt most likely made the change, but its change record was never written`;
      return finish(executing, undefined, detail, deps, 'SUCCEEDED');
    }
    // Whether the dead attempt wrote is unknown: a takeover keeps its slot.
    if (!takeover) await releaseSlot();
    return refuse(executing, `${interrupted}${ready.detail}`, deps);
  }

  const trigger = approvalTrigger(executing, now);
  let result: ApplyResult;
  try {
    result = ready.original
      ? await ready.executor.revert(ready.original, { trigger, changeId })
      : await ready.executor.apply(executing.remediation, { trigger, changeId, findingId: executing.findingId, approved: true });
  } catch (err) {
    // Whether it wrote is unknown after a throw: left unsaid, it counts as a write (wroteToMesh).
    result = { outcome: 'failed', detail: errorText(err), target: targetOf(executing.remediation) };
  }
  // A write that landed counts, and keeps its slot, whatever its check said; only one that certainly wrote nothing gives it back.
  if (wroteToMesh(result)) run.changesThisRun++;
  else await releaseSlot();

  const change: ChangeRecord = {
    id: changeId,
    findingId: executing.findingId,
    approvalId,
    provider: executing.finding.provider,
    action: executing.remediation.action,
    ...resultFields(result),
    reason: executing.remediation.reason,
    trigger,
    ...(executing.decidedBy ? { approvedBy: executing.decidedBy } : {}),
    at: now.toISOString(),
    service: serviceOf(executing.finding),
    expiresAt: expiresAt(now),
  };
  let detail = `${interrupted}${describeOutcome(result)} (change ${changeId})`;
  try {
    await persist(() => ledger.recordChange(change), 'change record', approvalId, deps);
  } catch (err) {
    // The change is made; its record is lost to the ledger, not to the log, and the approval says so.
    deps.log?.('change made but its record could not be written', { approvalId, change, error: errorText(err) });
    detail += `; its change record could not be written (${errorText(err)}), so it is missing from the ledger`;
  }
  const outcome = await finish(executing, change, detail, deps);
  deps.log?.('approved change ran', { approvalId, changeId, outcome: result.outcome, detail: result.detail });
  return outcome;
}

/** Who holds an EXECUTING approval: when it was claimed, and the change id it runs as. */
interface Claim {
  at?: string;
  changeId?: string;
}

/**
 * The claim is written into `outcome`, the one free-text field the ledger keeps, while the
 * approval is EXECUTING; every end state replaces it with the result.
 */
function claimNote(at: Date, changeId: string): string {
  return `applying since ${at.toISOString()} as change ${changeId}`;
}

const CLAIM_NOTE = /^applying since (\S+) as change (\S+)$/;

function claimOf(approval: ApprovalRecord): Claim {
  const match = CLAIM_NOTE.exec(approval.outcome ?? '');
  return match && !Number.isNaN(Date.parse(match[1])) ? { at: match[1], changeId: match[2] } : {};
}

/**
 * An EXECUTING approval whose attempt cannot still be running. One claimed without a stamp (by a
 * worker before stamps) is judged by its decision, the latest time known before the claim.
 */
function isAbandoned(claim: Claim, approval: ApprovalRecord, now: Date): boolean {
  const since = claim.at ?? approval.decidedAt;
  return since !== undefined && now.getTime() - Date.parse(since) >= EXECUTING_TAKEOVER_MS;
}

function interruptedNote(claim: Claim): string {
  const started = claim.at ? ` that started at ${claim.at}` : '';
  const as = claim.changeId ? ` as change ${claim.changeId}` : '';
  return `the attempt${started}${as} was interrupted`;
}

type Ready =
  | { ok: true; executor: RemediationExecutor; original?: ChangeRecord }
  | { ok: false; detail: string; findingGone?: boolean };

/** Every check that only reads, so it runs before the claim: a throw leaves the approval APPROVED. */
async function prepare(approval: ApprovalRecord, deps: ExecuteApprovalDeps): Promise<Ready> {
  let original: ChangeRecord | undefined;
  if (approval.undoOf !== undefined) {
    original = await deps.ledger.getChange(approval.undoOf);
    if (!original) return { ok: false, detail: `change ${approval.undoOf} is not on record: nothing to undo` };
    // A failed change that wrote, recording what it wrote, may be in effect: its Undo restores only while that write still holds.
    if (original.outcome !== 'verified' && original.outcome !== 'applied' && !undoableFailure(original)) {
      return { ok: false, detail: `change ${original.id} ended ${original.outcome}: there is nothing of it to undo` };
    }
  } else {
    const rechecked = await recheck(approval, deps);
    if (!rechecked.ok) return { ok: false, detail: `refused at execution: ${rechecked.reason}`, findingGone: rechecked.findingGone };
  }
  const executor = deps.executors.find((e) => e.handles(approval.remediation));
  if (!executor) return { ok: false, detail: `no executor here applies ${approval.remediation.action}` };
  return { ok: true, executor, ...(original ? { original } : {}) };
}

/** Gives a slot back while another error is on its way out: a failure here is logged, not thrown over it. */
async function releaseQuietly(release: () => Promise<void>, approvalId: string, deps: ExecuteApprovalDeps): Promise<void> {
  try {
    await release();
  } catch (err) {
    deps.log?.('blast-radius slot not given back; it frees itself after an hour', { approvalId, error: errorText(err) });
  }
}

/** Ends an EXECUTING approval in the state its change's outcome gives (or `state`), and redraws it. */
async function finish(approval: ApprovalRecord, change: ChangeRecord | undefined, detail: string, deps: ExecuteApprovalDeps, state?: ApprovalState): Promise<ExecutionOutcome> {
  const to = state ?? TERMINAL_BY_OUTCOME[change?.outcome ?? 'failed'];
  // failedAt: a FAILED fix may be asked again one approval TTL later (govern's requestApproval).
  const patch = { outcome: detail, ...(to === 'FAILED' ? { failedAt: deps.clock().toISOString() } : {}) };
  const finished = await persist(() => deps.ledger.transitionApproval(approval.id, ['EXECUTING'], to, patch), 'approval outcome', approval.id, deps);
  const shown = await show(finished ?? { ...approval, state: to, outcome: detail }, deps);
  return { status: 'finished', approvalId: approval.id, state: to, detail, ...(change ? { change } : {}), ...shown };
}

/** A ledger write after the change was made, tried a few times: throwing now leaves the approval EXECUTING until a takeover. */
async function persist<T>(write: () => Promise<T>, what: string, approvalId: string, deps: ExecuteApprovalDeps): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= LEDGER_ATTEMPTS) throw err;
      deps.log?.(`${what} not written; trying again`, { approvalId, attempt, error: errorText(err) });
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

async function recheck(approval: ApprovalRecord, deps: ExecuteApprovalDeps): Promise<{ ok: true } | { ok: false; reason: string; findingGone: boolean }> {
  const fresh = deps.freshState;
  if (!fresh || !fresh.providers.includes(approval.finding.provider)) {
    // The executor is left to plan it again where it can read the live state (the GCP agent, for
    // Istio); here, whether the finding is still there is what the ledger last heard from that provider's audits.
    const record = await deps.ledger.getFinding(approval.findingId);
    if (record && record.status !== 'open') {
      const when = record.resolvedAt ? ` at ${record.resolvedAt}` : '';
      return { ok: false, reason: `the finding is no longer open (${record.status}${when}): it was fixed or changed since the request`, findingGone: true };
    }
    deps.log?.('fix not re-planned here; its executor re-plans it or checks the resource version', { approvalId: approval.id, provider: approval.finding.provider });
    return { ok: true };
  }
  const trigger = approvalTrigger(approval, deps.clock());
  const scoped = await auditScope(trigger, freshScopeFor(approval.finding), { source: fresh.source, builders: fresh.builders, policy: deps.policy, clock: deps.clock });
  const verdict = recheckApproval(approval, scoped.report);
  return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason, findingGone: !scoped.report.findings.some((f) => f.id === approval.findingId) };
}

async function refuse(approval: ApprovalRecord, detail: string, deps: ExecuteApprovalDeps): Promise<ExecutionOutcome> {
  const outcome = await finish(approval, undefined, detail, deps, 'FAILED');
  deps.log?.('approved change refused at execution', { approvalId: approval.id, detail });
  return outcome;
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

function describeOutcome(change: Pick<ChangeRecord, 'outcome' | 'detail'>): string {
  const result = { outcome: change.outcome, detail: change.detail ?? 'no detail recorded' };
  switch (result.outcome) {
    case 'applied':
      return `applied: ${result.detail}`;
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

/** The states an execution ends in; a delivery that finds one redraws its message. */
const FINISHED = new Set<ApprovalState>(Object.values(TERMINAL_BY_OUTCOME));

/**
 * Redraws the approval's message; a Slack failure is logged and reported (`notShown`), never
 * undoes what the ledger says. One Slack will never take is only logged: a delivery again cannot help.
 */
async function show(approval: ApprovalRecord, deps: ExecuteApprovalDeps): Promise<{ notShown?: string }> {
  if (!deps.notifier) return {};
  try {
    await deps.notifier.updateApproval(approval, await undoneChange(approval, deps.ledger));
    return {};
  } catch (err) {
    if (isPermanentRedrawError(err)) {
      (deps.logError ?? deps.log)?.('approval message cannot be redrawn; Slack refuses it for good', { approvalId: approval.id, state: approval.state, slack: approval.slack, error: err.code });
      return {};
    }
    deps.log?.('approval message not updated', { approvalId: approval.id, error: errorText(err) });
    return { notShown: errorText(err) };
  }
}

