import type { ApprovalRecord, Ledger } from '../ledger/types';
import { routeFor } from '../pipeline/route';
import type { Policy } from '../policy/types';
import type { ApproverDirectory } from './approver-directory';
import type { Decision, DecisionRequest, Refusal, RefusalReason } from './decision';
import { expiredOutcome, isPastDeadline } from './expiry';
import { errorText } from './error-text';

export interface DecideDeps {
  ledger: Ledger;
  directory: ApproverDirectory;
  /** The current rules: ownership decides who may approve, now rather than when asked. */
  policy: Policy;
  clock: () => Date;
}

/**
 * Decides one Approve, Reject or Undo click. In order:
 * 1. the approval must exist, be of the button's kind (Undo for the Undo button of a change
 *    announcement; Approve or Reject for a request, a proposed rollback included), and still be PENDING;
 * 2. the clicker must be one of the owning team's approvers (by user id or user group); a team
 *    with no approvers refuses everyone, and a Slack failure refuses rather than guesses;
 * 3. the person whose change caused the finding may not approve (or undo) its fix; they may reject it;
 * 4. an approval past `approvalExpiresAt` is moved to EXPIRED and cannot be decided (one already
 *    EXPIRED is refused as expired at step 1);
 * 5. the decision is one conditional ledger write (PENDING → APPROVED / REJECTED): of two racing
 *    clicks exactly one takes effect, and the other is told who decided first.
 * An Approve or Undo click on an APPROVED approval that passes 2 and 3 is decided `again`, so the
 * endpoint hands it off again (see handOffAgain).
 */
export async function decide(request: DecisionRequest, deps: DecideDeps): Promise<Decision> {
  const { ledger } = deps;
  const approval = await ledger.getApproval(request.approvalId);
  if (!approval) return refused(request, 'unknown-approval');
  if (offeredAsUndoButton(approval) !== (request.verb === 'undo')) return refused(request, 'wrong-button', approval);
  const now = deps.clock();
  const again = handOffAgain(approval, request, now);
  // Expired by an earlier click, the worker or the expiry sweep: the clicker is told when, not "already decided".
  if (approval.state === 'EXPIRED') return refused(request, 'expired', approval);
  // A click on the message of an earlier request of this approval (asked again since, in a new
  // message): that request expired, or its approved fix failed; the live one is decided on its own message.
  if (request.messageTs !== undefined && approval.slack !== undefined && request.messageTs !== approval.slack.ts && (approval.expiredRequests ?? 0) + (approval.failedRequests ?? 0) > 0) {
    const after = approval.askedAgainAfter ?? ((approval.expiredRequests ?? 0) > 0 ? 'expiry' : 'failure');
    return { kind: 'refused', refusal: { ...refusal(request, 'superseded', approval), requestedAt: approval.requestedAt, askedAgainAfter: after } };
  }
  if (approval.state !== 'PENDING' && !again) return refused(request, 'already-decided', approval);

  // Ownership as the rules say now: a team whose approvers changed since the request decides with the new list.
  const route = routeFor(approval.finding, deps.policy);
  const owned = { ...approval, ...(route.team ? { team: route.team } : {}) };
  if (route.approvers.users.length === 0 && route.approvers.usergroups.length === 0) return refused(request, 'no-approvers', owned);
  try {
    if (!(await deps.directory.isApprover(request.slackUserId, route))) return refused(request, 'not-approver', owned);
    if (request.verb !== 'reject') {
      const author = await authorAmong(approval, request.slackUserId, deps.directory);
      if (author !== undefined) return refused(request, 'self-approval', { ...owned, causedBy: author });
    }
  } catch (err) {
    return { kind: 'refused', refusal: { ...refusal(request, 'directory-unavailable', owned), error: errorText(err) } };
  }

  // Past its expiry too: the worker moves it to EXPIRED and redraws its message.
  if (again) return { kind: 'decided', verb: request.verb, approval, again: true };

  if (isPastDeadline(approval, now)) {
    const expired = await ledger.transitionApproval(approval.id, ['PENDING'], 'EXPIRED', { outcome: expiredOutcome(approval) });
    const current = expired ?? (await ledger.getApproval(approval.id)) ?? approval;
    return { kind: 'refused', refusal: refusal(request, 'expired', current), ...(expired ? { changed: expired } : {}) };
  }

  const to = request.verb === 'reject' ? 'REJECTED' : 'APPROVED';
  const decided = await ledger.transitionApproval(approval.id, ['PENDING'], to, { decidedBy: request.slackUserId, decidedAt: now.toISOString() });
  if (!decided) {
    // Lost the race: tell the clicker what the winner did.
    const winner = (await ledger.getApproval(approval.id)) ?? approval;
    // The expiry sweep (or the worker) moved it at its deadline: an expiry, not someone's decision.
    return refused(request, winner.state === 'EXPIRED' ? 'expired' : 'already-decided', winner);
  }
  return { kind: 'decided', verb: request.verb, approval: decided };
}

/**
 * Which of the approval's causes (causedBy, then alsoCausedBy: later events of the same finding
 * may name others) is the clicker in Slack, if any.
 */
async function authorAmong(approval: ApprovalRecord, slackUserId: string, directory: ApproverDirectory): Promise<string | undefined> {
  const causes = [...(approval.causedBy !== undefined ? [approval.causedBy] : []), ...(approval.alsoCausedBy ?? [])];
  for (const actor of causes) {
    if ((await directory.slackUserForActor(actor)) === slackUserId) return actor;
  }
  return undefined;
}

/**
 * How long a decision may still be on its way to the worker: the interactivity endpoint's own
 * timeout (10 s, cdk/lib/constructs/slack-and-agent-endpoints.ts).
 */
export const HAND_OFF_GRACE_MS = 10_000;

/**
 * An Approve (or Undo) click on an APPROVED approval hands it to the worker again: its first
 * hand-off may have failed, and the ledger cannot tell whether it went (the worker runs it once
 * however often it is sent). Only from the person who decided, or once a hand-off in flight would
 * have finished; a click racing the decision is told who decided instead. The clicker is checked
 * as for a first decision.
 */
function handOffAgain(approval: ApprovalRecord, request: DecisionRequest, now: Date): boolean {
  if (approval.state !== 'APPROVED' || request.verb === 'reject') return false;
  if (approval.decidedBy === request.slackUserId) return true;
  return approval.decidedAt !== undefined && now.getTime() - Date.parse(approval.decidedAt) >= HAND_OFF_GRACE_MS;
}

/**
 * The Undo button of a change announcement carries the approval `undo-<change id>` (see govern's
 * applyAutomatically). A rollback proposed after an SLO burn also reverts a change, but it is
 * asked as a request, with Approve and Reject.
 */
export function offeredAsUndoButton(approval: ApprovalRecord): boolean {
  return approval.undoOf !== undefined && approval.id === `undo-${approval.undoOf}`;
}

function refused(request: DecisionRequest, reason: RefusalReason, approval?: ApprovalRecord): Decision {
  return { kind: 'refused', refusal: refusal(request, reason, approval) };
}

function refusal(request: DecisionRequest, reason: RefusalReason, approval?: ApprovalRecord): Refusal {
  const out: Refusal = { reason, approvalId: request.approvalId, verb: request.verb };
  if (!approval) return out;
  out.state = approval.state;
  out.approvalExpiresAt = approval.approvalExpiresAt;
  if (approval.team) out.team = approval.team;
  if (approval.decidedBy) out.decidedBy = approval.decidedBy;
  if (approval.decidedAt) out.decidedAt = approval.decidedAt;
  if (reason === 'self-approval' && approval.causedBy) out.causedBy = approval.causedBy;
  return out;
}

