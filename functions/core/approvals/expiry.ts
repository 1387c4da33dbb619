import type { ApprovalRecord } from '../ledger/types';

/** An approval may be decided and run until `approvalExpiresAt`, not at that moment or after. */
export function isPastDeadline(approval: Pick<ApprovalRecord, 'approvalExpiresAt'>, now: Date): boolean {
  return now.getTime() >= Date.parse(approval.approvalExpiresAt);
}

/** The outcome an approval records when it expires: nobody decided it (PENDING), or it was decided and never ran (APPROVED). */
export function expiredOutcome(approval: Pick<ApprovalRecord, 'state' | 'approvalExpiresAt'>): string {
  const why = approval.state === 'APPROVED' ? 'before it could run' : 'before anyone decided';
  return `expired at ${approval.approvalExpiresAt} ${why}; nothing was changed`;
}
