import type { Finding, Remediation } from '../../../core/findings';
import type { ApprovalRecord } from '../../../core/ledger/types';
import { isUndoAction } from '../../../core/remediation/undo-action';
import { ACTION_IDS, BLOCK_IDS, buttonValue } from './action-ids';
import { LIMITS, type Block, type Button, type ConfirmDialog, type SlackMessage } from './block-kit';
import { actionTitle, changeSummary, describeResource, shortActor, shortResource } from './describe-finding';
import { code, formatTime, mrkdwn, plainText, prose } from './escape';
import { evidenceFor, evidenceMrkdwn, type EvidenceContext } from './evidence';
import { fallbackText, fitLines, type Line } from './fit-lines';

/** Rules whose fixes can cut traffic when a client is not ready: they get a confirm dialog. */
const RISKY_RULES = new Set<Finding['rule']>(['mtls-not-strict', 'mtls-conflict']);

/** True for a fix that can break calls (STRICT, conflicting TLS) or that rolls a change back. */
export function isRisky(remediation: Pick<Remediation, 'action'>, finding: Finding): boolean {
  return RISKY_RULES.has(finding.rule) || isUndoAction(remediation.action) || remediation.action.includes('rollback');
}

/** What could go wrong, for the confirm dialog (plain text; plainText() cuts it to 300 characters). */
function riskText(remediation: Pick<Remediation, 'action'>, finding: Finding): string {
  if (isUndoAction(remediation.action)) return `This restores the previous spec of ${shortResource(finding)}, undoing meshgov's change.`;
  if (finding.rule === 'mtls-not-strict') return `Clients of ${shortResource(finding)} that do not present a trusted client certificate will be refused.`;
  if (finding.rule === 'mtls-conflict') return `This changes how ${shortResource(finding)} speaks TLS; calls may fail until both sides agree.`;
  return `This changes ${shortResource(finding)} in production.`;
}

export function confirmDialog(remediation: Pick<Remediation, 'action'>, finding: Finding, confirmLabel: string): ConfirmDialog {
  return {
    title: plainText(isUndoAction(remediation.action) ? 'Undo this change?' : 'Apply this change?', LIMITS.confirmTitle),
    text: plainText(riskText(remediation, finding), LIMITS.confirmText),
    confirm: plainText(confirmLabel, LIMITS.confirmButton),
    deny: plainText('Cancel', LIMITS.confirmButton),
    style: 'danger',
  };
}

/**
 * An approval request: what would change, why it needs a person, the evidence, and Approve /
 * Reject buttons whose values name the approval (`approve:rmd-…`). Risky fixes put a confirm
 * dialog on Approve.
 */
export function approvalRequestMessage(approval: ApprovalRecord, context: EvidenceContext = {}): SlackMessage {
  const { finding, remediation } = approval;
  const title = actionTitle(remediation, finding);
  const approve: Button = {
    type: 'button',
    action_id: ACTION_IDS.approve,
    text: plainText('Approve', LIMITS.buttonText),
    style: 'primary',
    value: buttonValue('approve', approval.id),
  };
  if (isRisky(remediation, finding)) approve.confirm = confirmDialog(remediation, finding, 'Approve');
  const reject: Button = { type: 'button', action_id: ACTION_IDS.reject, text: plainText('Reject', LIMITS.buttonText), style: 'danger', value: buttonValue('reject', approval.id) };

  const blocks: Block[] = [
    { type: 'header', block_id: BLOCK_IDS.title, text: plainText(`Approval needed: ${title}`) },
    { type: 'section', block_id: BLOCK_IDS.finding, text: mrkdwn(approvalBody(approval, context, true)) },
    { type: 'actions', block_id: BLOCK_IDS.decision, elements: [approve, reject] },
    { type: 'context', block_id: BLOCK_IDS.meta, elements: [mrkdwn(approvalMeta(approval))] },
  ];
  return { text: fallbackText(`meshgov: approval needed - ${finding.rule} on ${shortResource(finding)}`), blocks };
}

/** The request's facts (mrkdwn): rule, resource, change, why it waits for a person, evidence. */
export function approvalBody(approval: ApprovalRecord, context: EvidenceContext, withWhy: boolean): string {
  const { finding, remediation } = approval;
  const lines: Line[] = [
    `*Rule:* ${code(finding.rule)} (${finding.severity})`,
    `*Resource:* ${describeResource(finding)}`,
    { prefix: '*Problem:* ', raw: finding.message },
    `*Change:* ${changeSummary(remediation.change)}`,
  ];
  if (approval.alsoFixes?.length) lines.push({ prefix: '*Also fixes:* ', raw: approval.alsoFixes.join('; ') });
  // A long list of blockers in the reason is cut, never the evidence link after it.
  if (withWhy) lines.push({ prefix: '*Why approval:* ', raw: remediation.reason });
  // A request asked again after its approved fix failed says why (provider error text of any length: cut to fit).
  if (withWhy && approval.previousFailure) lines.push({ prefix: '*The last approved attempt failed:* ', raw: withoutFinalStop(approval.previousFailure), suffix: '. Asked again.' });
  const evidence = evidenceFor(finding, context);
  if (evidence) lines.push(evidenceMrkdwn(evidence));
  return fitLines(lines);
}

export function approvalMeta(approval: ApprovalRecord): string {
  const parts = [`finding ${code(approval.findingId)}`];
  if (approval.causedBy) parts.push(`changed by ${prose(shortActor(approval.causedBy), 200)}`);
  parts.push(`remediation ${code(approval.id)}`, `expires ${formatTime(approval.approvalExpiresAt)}`);
  if (approval.expiredRequests) parts.push(`asked again: ${approval.expiredRequests === 1 ? 'an earlier request' : `${approval.expiredRequests} earlier requests`} expired undecided`);
  if (approval.failedRequests) parts.push(`asked again: ${approval.failedRequests === 1 ? 'an earlier approved attempt' : `${approval.failedRequests} earlier approved attempts`} failed`);
  return parts.join(' · ');
}

/** A failure's text ends the sentence the message puts it in: its own final full stop would double it. */
function withoutFinalStop(text: string): string {
  return text.trim().replace(/\.+$/, '');
}
