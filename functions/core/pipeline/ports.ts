import type { Finding, Remediation } from '../findings';
import type { ApprovalRecord, ChangeRecord, FindingRecord, SlackRef } from '../ledger/types';
import type { Inventory } from '../model/inventory';
import type { AuditScope, Trigger } from './trigger';

/**
 * The ports a governance run talks through. Providers, the Slack notifier and the ledger
 * implement them; the Lambda handlers and Cloud Functions wire real implementations, tests
 * wire emulator-backed ones.
 */

/** The collect stage: reads what a scope needs, from files or live APIs. */
export interface InventorySource {
  collect(scope: AuditScope): Promise<Inventory>;
}

/** What applying a remediation did. */
export interface ApplyResult {
  outcome: 'verified' | 'rolled-back' | 'aborted' | 'failed';
  /** Human-readable: why it aborted, what the verification saw. */
  detail: string;
  before?: unknown;
  after?: unknown;
  target: Record<string, unknown>;
  /**
   * Whether this change wrote to the mesh, or may have: a write was sent, including one whose
   * answer never came (a timeout, a dropped connection, a 5xx), or an earlier attempt under the
   * same change id is found to have landed. False only when nothing of it can have been written.
   * The outcome does not tell: a write can land and still end `failed` (its read-back failed).
   * The blast radius counts every change that wrote (wroteToMesh); left out, a change counts
   * unless it aborted, so an executor that does not say errs towards fewer changes.
   */
  wrote?: boolean;
  /**
   * Set on a change that ended `failed` after writing when `after` is what the executor wrote
   * (the object before with its patch, the spec it sent at the version its write made), never an
   * object read back that may hold someone else's edit: only such a record can be undone
   * (undoableFailure). Executors and agents from before it leave it out: their failed changes
   * are restored by hand.
   */
  afterWritten?: boolean;
}

/** What meshgov's own executors answer: they always say whether they wrote. */
export type WriteReport = ApplyResult & { wrote: boolean };

/** What the caller of `apply` knows about the change beyond the change itself. */
export interface ApplyContext {
  trigger: Trigger;
  changeId: string;
  /**
   * The finding the change fixes, and whether a person approved it. An executor that plans the
   * finding again before writing (the GCP agent, which alone can read its cluster at that moment)
   * needs both; one that does not ignores them.
   */
  findingId?: string;
  approved?: boolean;
}

/**
 * The act and verify stages for one provider: applies a remediation's change with optimistic
 * concurrency, re-reads to verify, and restores the previous spec when the check fails.
 */
export interface RemediationExecutor {
  /** True when this executor applies this action (e.g. `appmesh.listener.set-strict`). */
  handles(remediation: Remediation): boolean;
  apply(remediation: Remediation, context: ApplyContext): Promise<ApplyResult>;
  /** Restores a recorded change's `before` (Undo, rollback of a change that caused an SLO burn). */
  revert(change: ChangeRecord, context: { trigger: Trigger; changeId: string }): Promise<ApplyResult>;
}

/** Where a finding's messages go: the owning team's channel and approvers. */
export interface Route {
  team?: string;
  channel: string;
  approvers: { users: string[]; usergroups: string[] };
}

/** The notify stage. Every method may throw when Slack is unreachable; the caller records that and retries later. */
export interface Notifier {
  /** Posts or updates one message for a finding; returns where it lives. */
  notifyFinding(record: FindingRecord, route: Route, change: 'new' | 'escalated' | 'reminder' | 'updated' | 'resolved'): Promise<SlackRef>;
  /** One digest per channel for a scheduled run, instead of a burst. */
  postDigest(route: Route, records: FindingRecord[], trigger: Trigger): Promise<SlackRef>;
  /** An approval request with Approve / Reject buttons. */
  requestApproval(approval: ApprovalRecord, route: Route): Promise<SlackRef>;
  /**
   * Updates an approval's message with its outcome (approved, executed, failed, rolled back,
   * expired). `undone`: for an Undo, the change it would revert (its announcement is redrawn).
   */
  updateApproval(approval: ApprovalRecord, undone?: ChangeRecord): Promise<void>;
  /** Announces an automatic change after the fact: with an Undo button when it was verified, saying what happened when it failed or was rolled back. */
  announceChange(change: ChangeRecord, finding: Finding, route: Route, undoApprovalId?: string): Promise<SlackRef>;
}
