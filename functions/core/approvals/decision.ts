import type { ApprovalRecord, ApprovalState } from '../ledger/types';

/** What a button asks: Approve or Reject an approval request, or Undo an automatic change. */
export type ApprovalVerb = 'approve' | 'reject' | 'undo';

/** One click, as the interactivity endpoint read it from a verified Slack request. */
export interface DecisionRequest {
  approvalId: string;
  verb: ApprovalVerb;
  /** The clicker's Slack user id (`user.id` of the block_actions payload). */
  slackUserId: string;
  /** The `ts` of the message clicked, when Slack says: a request asked again has a new message, and the old one's buttons speak for the expired request. */
  messageTs?: string;
}

export type RefusalReason =
  /** No approval with that id is on record (or it aged out of the ledger). */
  | 'unknown-approval'
  /** An Undo button on an approval request, or Approve/Reject on an Undo. */
  | 'wrong-button'
  /** Someone decided first (a racing click), or the request is already past deciding. */
  | 'already-decided'
  /** The approval's time ran out; it is now EXPIRED. */
  | 'expired'
  /** The click came from the message of an earlier request of this approval (it expired, or its approved fix failed); it was asked again in a newer message. */
  | 'superseded'
  /** The owning team lists no approvers, so nobody may decide (fail closed). */
  | 'no-approvers'
  | 'not-approver'
  /** The clicker made the change that caused the finding. */
  | 'self-approval'
  /** Slack could not say who the approvers are or who caused the change; refused rather than guessed. */
  | 'directory-unavailable'
  /**
   * The decision is on record (APPROVED), but handing it to the worker failed: nothing runs until
   * a click on it hands it off again (decide allows that).
   */
  | 'hand-off-failed';

/** Why a click did nothing, with the facts a message to the clicker needs. */
export interface Refusal {
  reason: RefusalReason;
  approvalId: string;
  verb: ApprovalVerb;
  /** The owning team, when routing named one. */
  team?: string;
  /** The approval's state when refused (already-decided, expired). */
  state?: ApprovalState;
  decidedBy?: string;
  decidedAt?: string;
  approvalExpiresAt?: string;
  /** When the request was asked again (superseded). */
  requestedAt?: string;
  /** Why it was asked again (superseded): the earlier request expired, or its approved fix failed. */
  askedAgainAfter?: 'expiry' | 'failure';
  /** Who caused the finding, as the trigger named them (self-approval). */
  causedBy?: string;
  /** What went wrong asking Slack (directory-unavailable), or sending to the worker (hand-off-failed). */
  error?: string;
}

export type Decision =
  /**
   * The click took effect: the approval is now APPROVED (approve, undo) or REJECTED. `again`: it
   * was APPROVED already and its hand-off to the worker may have failed, so it is handed off again
   * (the worker runs an approval once however often it is sent).
   */
  | { kind: 'decided'; verb: ApprovalVerb; approval: ApprovalRecord; again?: true }
  /**
   * The click did nothing. `changed` is the approval when refusing moved it (PENDING → EXPIRED),
   * so its message must be redrawn.
   */
  | { kind: 'refused'; refusal: Refusal; changed?: ApprovalRecord };
