import type { Refusal } from '../../../core/approvals/decision';
import { bold, code, formatTime, mention, prose } from './escape';
import { shortActor } from './describe-finding';

/**
 * What the clicker alone is told (chat.postEphemeral) when a click did nothing: why, and that
 * nothing was changed.
 */
export function refusalText(refusal: Refusal): string {
  const id = code(refusal.approvalId);
  const team = refusal.team ? `team ${bold(refusal.team, 200)}` : 'the owning team';
  switch (refusal.reason) {
    case 'unknown-approval':
      return `:warning: meshgov has no request ${id} on record (it may have aged out of the ledger). Nothing was changed.`;
    case 'wrong-button':
      return `:warning: That button does not belong to request ${id}. Nothing was changed.`;
    case 'already-decided': {
      const who = refusal.decidedBy ? ` by ${mention(refusal.decidedBy)}` : '';
      const when = refusal.decidedAt ? ` at ${formatTime(refusal.decidedAt)}` : '';
      return `:information_source: Request ${id} was already ${DECIDED[refusal.state ?? 'APPROVED']}${who}${when}. Your click changed nothing.`;
    }
    case 'expired':
      // Approved in time but never run (its hand-off was lost, or it waited past the deadline).
      if (refusal.decidedBy) return `:hourglass: Request ${id} was approved by ${mention(refusal.decidedBy)} but expired at ${formatTime(refusal.approvalExpiresAt)}, before it could run. Nothing was changed.`;
      return `:hourglass: Request ${id} expired at ${formatTime(refusal.approvalExpiresAt)}, before anyone decided. Nothing was changed.`;
    case 'superseded': {
      const before = refusal.askedAgainAfter === 'failure' ? 'was approved, and its fix failed' : 'expired before anyone decided';
      return `:hourglass: This request ${id} ${before}; it was asked again${refusal.requestedAt ? ` at ${formatTime(refusal.requestedAt)}` : ''} in a newer message: decide there. Nothing was changed.`;
    }
    case 'no-approvers':
      return `:lock: ${capitalise(team)} lists no approvers in meshgov's rules (\`ownership\` in rules/), so nobody can decide request ${id}. Nothing was changed.`;
    case 'not-approver':
      return `:lock: Only approvers of ${team} can decide request ${id}, and you are not one of them. Nothing was changed.`;
    case 'self-approval':
      // An Undo has no Reject button: its author can only leave it to someone else.
      return refusal.verb === 'undo'
        ? `:lock: You made the change that caused this finding (${prose(shortActor(refusal.causedBy), 200)}), so someone else must decide whether to undo meshgov's fix of it. Nothing was changed.`
        : `:lock: You made the change that caused this finding (${prose(shortActor(refusal.causedBy), 200)}), so someone else must approve its fix. You may still reject it. Nothing was changed.`;
    case 'directory-unavailable':
      return `:warning: meshgov could not check the approvers with Slack just now${refusal.error ? ` (${prose(refusal.error, 500)})` : ''}. Nothing was changed; try again in a minute.`;
    case 'hand-off-failed': {
      const button = refusal.verb === 'undo' ? 'Undo' : 'Approve';
      return `:warning: Your ${button} of request ${id} is on record, but meshgov could not pass it on to be applied just now${refusal.error ? ` (${prose(refusal.error, 500)})` : ''}. Nothing was changed yet: click ${button} again to retry.`;
    }
  }
}

/** How a request that is past deciding reads, by its state. */
const DECIDED: Record<NonNullable<Refusal['state']>, string> = {
  PENDING: 'decided',
  APPROVED: 'approved',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXECUTING: 'approved, and is being applied,',
  SUCCEEDED: 'approved and applied',
  FAILED: 'approved, but could not be applied,',
  ROLLED_BACK: 'approved, applied and rolled back',
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
