import type { ApprovalRecord, ApprovalState } from '../../../core/ledger/types';
import { BLOCK_IDS } from './action-ids';
import { approvalBody, approvalMeta } from './approval-request-message';
import type { Block, SlackMessage } from './block-kit';
import { actionTitle, shortResource } from './describe-finding';
import { formatTime, mention, mrkdwn, plainText } from './escape';
import type { EvidenceContext } from './evidence';
import { fallbackText, fitLines, type Line } from './fit-lines';

const HEADLINE: Record<ApprovalState, string> = {
  PENDING: ':hourglass_flowing_sand: Waiting for approval',
  APPROVED: ':hourglass_flowing_sand: Approved, applying',
  EXECUTING: ':hourglass_flowing_sand: Approved, applying',
  SUCCEEDED: ':white_check_mark: Applied',
  FAILED: ':x: Not applied',
  ROLLED_BACK: ':leftwards_arrow_with_hook: Applied, then rolled back',
  REJECTED: ':no_entry_sign: Rejected',
  EXPIRED: ':hourglass: Expired',
};

const UNDO_HEADLINE: Partial<Record<ApprovalState, string>> = {
  APPROVED: ':hourglass_flowing_sand: Undo approved, restoring',
  EXECUTING: ':hourglass_flowing_sand: Undo approved, restoring',
  SUCCEEDED: ':leftwards_arrow_with_hook: Undone',
  FAILED: ':x: Undo failed',
  EXPIRED: ':hourglass: Undo no longer available',
};

/**
 * An approval's message once decided: the buttons give way to who decided and what happened
 * (applied and verified; refused at execution; applied, then rolled back; rejected; expired).
 * An APPROVED approval with an `outcome` starting `waiting` is deferred (a freeze window, the
 * blast radius) and says why.
 */
export function approvalOutcomeMessage(approval: ApprovalRecord, context: EvidenceContext = {}): SlackMessage {
  const { finding, remediation } = approval;
  const undo = approval.undoOf !== undefined;
  const waiting = approval.state === 'APPROVED' && approval.outcome?.startsWith('waiting');
  const headline = waiting ? ':double_vertical_bar: Approved, waiting' : ((undo && UNDO_HEADLINE[approval.state]) || HEADLINE[approval.state]);
  const title = `${headline}: ${actionTitle(remediation, finding)}`;

  const status: Line[] = [];
  if (approval.decidedBy) {
    const verb = approval.state === 'REJECTED' ? 'Rejected' : undo ? 'Undo approved' : 'Approved';
    status.push(`*${verb} by* ${mention(approval.decidedBy)} at ${formatTime(approval.decidedAt)}`);
  }
  // An outcome carries provider error text of any length: cut to the section, never mid-entity.
  if (approval.outcome) status.push({ prefix: '*Result:* ', raw: approval.outcome });
  else if (approval.state === 'REJECTED') status.push('*Result:* nothing was changed');

  const blocks: Block[] = [
    { type: 'header', block_id: BLOCK_IDS.title, text: plainText(title) },
    { type: 'section', block_id: BLOCK_IDS.finding, text: mrkdwn(approvalBody(approval, context, false)) },
  ];
  if (status.length) blocks.push({ type: 'section', block_id: BLOCK_IDS.outcome, text: mrkdwn(fitLines(status)) });
  blocks.push({ type: 'context', block_id: BLOCK_IDS.meta, elements: [mrkdwn(approvalMeta(approval))] });

  const text = `meshgov: ${headline.replace(/^:[a-z_]+: /, '').toLowerCase()} - ${actionTitle(remediation, finding)} (${shortResource(finding)})`;
  return { text: fallbackText(text), blocks };
}
