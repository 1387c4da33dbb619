import type { Finding } from '../../../core/findings';
import type { ChangeRecord } from '../../../core/ledger/types';
import { undoActionOf } from '../../../core/remediation/undo-action';
import { ACTION_IDS, BLOCK_IDS, buttonValue } from './action-ids';
import { confirmDialog } from './approval-request-message';
import { LIMITS, type Block, type SlackMessage } from './block-kit';
import { actionTitle, changeSummary, describeResource, shortResource } from './describe-finding';
import { code, escapeText, formatTime, link, mrkdwn, plainText, truncate } from './escape';
import { evidenceFor, type EvidenceContext } from './evidence';

/**
 * After an automatic change: what meshgov changed and why it could, the trigger, and an Undo
 * button (`undo:<approvalId>`, with a confirm dialog) that restores the previous spec, under
 * the same approval rules as any fix.
 */
export function changeAnnouncementMessage(change: ChangeRecord, finding: Finding, undoApprovalId: string, context: EvidenceContext = {}): SlackMessage {
  const remediation = finding.remediation ?? { action: change.action, mode: 'auto' as const, reason: change.reason, change: {} };
  const title = actionTitle(remediation, finding);
  const lines = [
    `*Rule:* ${code(finding.rule)} (${finding.severity})`,
    `*Resource:* ${describeResource(finding)}`,
    `*Was:* ${escapeText(finding.message)}`,
    `*Change:* ${changeSummary(remediation.change)}`,
    `*Why automatic:* ${escapeText(change.reason)}`,
    `*Result:* ${escapeText(change.detail ?? change.outcome)}`,
  ];
  const evidence = evidenceFor(finding, context);
  if (evidence) lines.push(evidence.url ? link(evidence.url, evidence.label) : `Evidence: ${code(evidence.label)}`);

  const blocks: Block[] = [
    { type: 'header', block_id: BLOCK_IDS.title, text: plainText(`:wrench: Fixed automatically: ${title}`) },
    { type: 'section', block_id: BLOCK_IDS.finding, text: mrkdwn(lines.join('\n')) },
    {
      type: 'actions',
      block_id: BLOCK_IDS.undo,
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.undo,
          text: plainText('Undo', LIMITS.buttonText),
          value: buttonValue('undo', undoApprovalId),
          confirm: confirmDialog({ action: undoActionOf(change.action) }, finding, 'Undo'),
        },
      ],
    },
    {
      type: 'context',
      block_id: BLOCK_IDS.meta,
      elements: [mrkdwn(`change ${code(change.id)} at ${formatTime(change.at)} · ${escapeText(change.trigger.summary)} · finding ${code(finding.id)}`)],
    },
  ];
  return { text: truncate(escapeText(`meshgov fixed ${finding.rule} on ${shortResource(finding)} automatically: ${title}`), 3000), blocks };
}
