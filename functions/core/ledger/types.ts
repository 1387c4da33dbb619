import type { Finding, Remediation } from '../findings';
import type { Trigger } from '../pipeline/trigger';

/**
 * The ledger: what meshgov has seen, asked and done. Every state change is a conditional
 * write, so that concurrent runs and double clicks act once. Items carry `expiresAt` (epoch
 * seconds) for TTL tidying, but no code relies on TTL deletion: readers compare expiresAt.
 */

export type FindingStatus = 'open' | 'resolved' | 'suppressed';

export interface SlackRef {
  channel: string;
  ts: string;
}

export interface FindingRecord {
  id: string;
  status: FindingStatus;
  finding: Finding;
  /** The hub's clock when it recorded the finding first and last (not when an audit read the fleet: see auditReadAt). */
  firstSeen: string;
  lastSeen: string;
  resolvedAt?: string;
  /**
   * When the audit that last decided this record read the fleet (ISO; its report's generatedAt,
   * see fleetReadAt): the newest report that saw the finding, or that looked where it was and no
   * longer saw it. Reports arrive out of order (redelivery, retries, concurrent runs), and one
   * that read the fleet before this time neither resolves, reopens nor updates the record
   * (observe-findings.ts). Absent on records written before it was kept: the first report to
   * decide such a record then stamps it.
   */
  auditReadAt?: string;
  /** When the owner was last told, and at what severity (to notify again only on escalation or reminder). */
  lastNotifiedAt?: string;
  notifiedSeverity?: Finding['severity'];
  /** A notification that failed (Slack down) and must be sent by a later run. */
  notificationPending?: boolean;
  /**
   * The run that last notified this finding was in dry-run: its fix was planned but neither
   * applied nor put to an approver, and the message says so. Absent on older records.
   */
  dryRun?: boolean;
  slack?: SlackRef;
  trigger?: Trigger;
  /** Optimistic concurrency for conditional writes. */
  version: number;
  expiresAt: number;
}

export type ApprovalState = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'EXECUTING' | 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';

/** The allowed moves; anything else is refused by the ledger. */
export const APPROVAL_TRANSITIONS: Record<ApprovalState, ApprovalState[]> = {
  PENDING: ['APPROVED', 'REJECTED', 'EXPIRED'],
  APPROVED: ['EXECUTING', 'EXPIRED'],
  REJECTED: [],
  // Asked again: a request nobody decided in time (or that never ran) does not bar its fix for good (govern's requestApproval).
  EXPIRED: ['PENDING'],
  // EXECUTING → EXECUTING: a later delivery takes over an attempt that died (execute-approval.ts).
  EXECUTING: ['EXECUTING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK'],
  SUCCEEDED: [],
  // Asked again: an approved fix that failed (an API error, a conflict, a permission since fixed) may be approved once more, at most once per approval TTL (govern's requestApproval).
  FAILED: ['PENDING'],
  ROLLED_BACK: [],
};

export interface TransitionOptions {
  /** Only when the stored record is still at this version: what a takeover of EXECUTING needs, whose state does not change. */
  version?: number;
}

export interface ApprovalRecord {
  /** e.g. `rmd-7c1e9a44d2b0`. */
  id: string;
  findingId: string;
  state: ApprovalState;
  remediation: Remediation;
  /** The finding's resource and provider, so execution can find its writer. */
  finding: Finding;
  requestedAt: string;
  /** ISO time after which the approval can no longer run. */
  approvalExpiresAt: string;
  /** Team whose approvers may decide. */
  team?: string;
  /** Who caused the finding (may not approve its own fix). */
  causedBy?: string;
  /**
   * Others a later event of the same finding named as its cause (a CloudTrail event that reached
   * the hub after AWS Config's, which names nobody, had created the approval): they may not
   * approve its fix either. Absent on older records.
   */
  alsoCausedBy?: string[];
  /** The other findings the same change fixes (`mtls-client-not-enforced on VirtualNode prod-mesh/web`): approving it fixes them too. */
  alsoFixes?: string[];
  decidedBy?: string;
  decidedAt?: string;
  outcome?: string;
  /** For an Undo: the change record it reverts. */
  undoOf?: string;
  slack?: SlackRef;
  /**
   * EXPIRED only: the expiry sweep is done with its message: redrawn without buttons, it had none,
   * or the sweep gave up on it (`expiryNotShown` says why). Takes it off the deadline index.
   */
  expiryShown?: boolean;
  /** EXPIRED only: redraws of this expiry Slack did not take (see expire-overdue.ts), the first one's time, and the last error. */
  expiryRedrawFailures?: number;
  expiryRedrawFirstFailedAt?: string;
  expiryRedrawError?: string;
  /** EXPIRED only: why the sweep stopped trying to show the expiry; the message may still show buttons (a click on them is refused as expired). */
  expiryNotShown?: string;
  /** How many earlier requests for the same fix expired before this one was asked. */
  expiredRequests?: number;
  /** FAILED only: when the approval reached FAILED (execute-approval's finish); a request asked again starts without it. */
  failedAt?: string;
  /** How many earlier requests for the same fix were approved and then failed before this one was asked. */
  failedRequests?: number;
  /** Why the last approved attempt of this fix failed (its `outcome` then), shown when it is asked again. */
  previousFailure?: string;
  /** Why the live request was asked again on this id: the one before expired, or its approved fix failed. */
  askedAgainAfter?: 'expiry' | 'failure';
  version: number;
  expiresAt: number;
}

/** What belongs to one expiry's redraw: a request asked again starts without it. */
export const EXPIRY_REDRAW_FIELDS = ['expiryRedrawFailures', 'expiryRedrawFirstFailedAt', 'expiryRedrawError', 'expiryNotShown'] as const satisfies ReadonlyArray<keyof ApprovalRecord>;

/**
 * Approvals the expiry sweep must look at once `approvalExpiresAt` has passed: those that could
 * still be decided or run (their message still has buttons), and EXPIRED ones whose message has
 * not been redrawn (or given up) by the sweep yet.
 */
export function awaitsExpirySweep(approval: Pick<ApprovalRecord, 'state' | 'expiryShown'>): boolean {
  return approval.state === 'PENDING' || approval.state === 'APPROVED' || (approval.state === 'EXPIRED' && approval.expiryShown !== true);
}

export interface ChangeRecord {
  id: string;
  findingId?: string;
  approvalId?: string;
  provider: Finding['provider'];
  action: string;
  target: Record<string, unknown>;
  before: unknown;
  after: unknown;
  reason: string;
  trigger: Trigger;
  approvedBy?: string;
  at: string;
  outcome: 'applied' | 'verified' | 'rolled-back' | 'aborted' | 'failed';
  /** What its executor said of whether it wrote to the mesh (ApplyResult `wrote`); see wroteToMesh for records without it. */
  wrote?: boolean;
  /** ApplyResult `afterWritten`: `after` is what the change wrote (see undoableFailure). */
  afterWritten?: boolean;
  detail?: string;
  /** The service the change touched, for SLO suspect lookups. */
  service?: string;
  /**
   * An automatic change whose announcement (with its Undo) Slack did not take: a later run sends
   * it (govern). Absent on older records and on changes announced or never to be.
   */
  announcementPending?: boolean;
  expiresAt: number;
}

export interface Ledger {
  getFinding(id: string): Promise<FindingRecord | undefined>;
  /** Creates the record when absent; returns undefined when another writer created it first. */
  createFinding(record: FindingRecord): Promise<FindingRecord | undefined>;
  /** Writes `next` only when the stored version is `next.version - 1`; undefined when it lost the race. */
  updateFinding(next: FindingRecord): Promise<FindingRecord | undefined>;
  /** Open findings whose id starts with nothing in particular but whose scope key matches (for resolving). */
  listOpenFindings(filter?: { provider?: string; namespace?: string; mesh?: string }): Promise<FindingRecord[]>;
  /** Findings whose notification is still owed. */
  listPendingNotifications(): Promise<FindingRecord[]>;

  createApproval(record: ApprovalRecord): Promise<ApprovalRecord | undefined>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /**
   * Moves an approval from one of `from` to `to` in one conditional write, with extra fields.
   * Returns the new record, or undefined when the stored state was not in `from` (someone else
   * acted), or, with `options.version`, when the stored record is no longer at that version.
   */
  transitionApproval(id: string, from: ApprovalState[], to: ApprovalState, patch?: Partial<ApprovalRecord>, options?: TransitionOptions): Promise<ApprovalRecord | undefined>;
  /**
   * Records that `actor` caused the finding of an approval too (no state change, no new version):
   * as `causedBy` when it has none, else added to `alsoCausedBy`. Conditional, so concurrent runs
   * each add theirs once. Returns the record as stored, or undefined when nothing was written
   * (no such approval, or it already names `actor`).
   */
  addApprovalCause(id: string, actor: string): Promise<ApprovalRecord | undefined>;
  /** Remembers where an approval's Slack message lives (no state change). */
  setApprovalSlack(id: string, slack: SlackRef): Promise<void>;
  /** The pending approval for a finding, if one exists (so a run does not ask twice). */
  findOpenApproval(findingId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Approvals whose `approvalExpiresAt` is at or before `dueBy` (an ISO time) and that
   * `awaitsExpirySweep`, earliest deadline first. Listings may lag a write: act on them with
   * conditional writes only.
   */
  listOverdueApprovals(dueBy: string): Promise<ApprovalRecord[]>;
  /**
   * Records that the sweep is done with an EXPIRED approval's message (no state change; others
   * are left alone): it shows the expiry or, with `notShown`, it never will, and why. With
   * `version`, only while the stored record is at that version: the one redrawn. False when
   * nothing was written.
   */
  markExpiryShown(id: string, version?: number, notShown?: string): Promise<boolean>;
  /**
   * Counts one redraw of an EXPIRED approval's expiry that Slack did not take (no state change):
   * `expiryRedrawFailures` + 1 (atomic, so concurrent runs each count), the first failure's time
   * kept, `error` as the last. Only while the stored record is EXPIRED, not yet done with, and at
   * `version`; returns it as stored, or undefined when it moved on.
   */
  recordExpiryRedrawFailure(id: string, version: number, failure: { at: string; error: string }): Promise<ApprovalRecord | undefined>;

  recordChange(change: ChangeRecord): Promise<void>;
  getChange(id: string): Promise<ChangeRecord | undefined>;
  /** Changes at or after `since`, newest first; optionally for one service. */
  listChanges(since: string, filter?: { service?: string }): Promise<ChangeRecord[]>;
  /**
   * Changes at or after `since` whose announcement is owed (announcementPending), oldest first.
   * Confirmed on the record: the caller posts to Slack before it writes.
   */
  listPendingAnnouncements(since: string): Promise<ChangeRecord[]>;
  /** Clears a change's owed announcement (nothing else changes); false when none was owed (another run sent it). */
  markChangeAnnounced(id: string): Promise<boolean>;

  /**
   * Takes one of `slots` places for an hour (from the ledger's clock) for the change `holder`:
   * the hourly blast radius, held atomically across concurrent runs, which counting the changes
   * already recorded cannot do. Returns the slot taken, the slot `holder` already holds (a retry),
   * or undefined when every slot is held.
   */
  reserveChangeSlot(holder: string, slots: number): Promise<number | undefined>;
  /** Gives back the slot `holder` took, when its change did not take effect. */
  releaseChangeSlot(slot: number, holder: string): Promise<void>;
}

/** How long a change holds its blast-radius slot. */
export const CHANGE_SLOT_SECONDS = 3600;
