import type { Finding } from '../../../core/findings';
import type { ChangeRecord } from '../../../core/ledger/types';
import { ACTION_IDS, BLOCK_IDS, buttonValue } from './action-ids';
import { LIMITS, type Block, type ConfirmDialog, type SlackMessage } from './block-kit';
import { actionTitle, beforeState, changeSummary, describeResource, shortResource } from './describe-finding';
import { code, formatTime, mrkdwn, plainText, prose, truncate } from './escape';
import { evidenceFor, evidenceMrkdwn, type EvidenceContext } from './evidence';
import { fallbackText, fitLines, type Line } from './fit-lines';

export interface AnnouncementOptions {
  /** When the Undo ran out: the announcement is redrawn with this instead of its button. */
  undoExpiredAt?: string;
}

/** How an automatic change that may have touched the mesh is headed, by its outcome. */
const HEADLINE: Partial<Record<ChangeRecord['outcome'], string>> = {
  verified: ':wrench: Fixed automatically',
  'rolled-back': ':leftwards_arrow_with_hook: Automatic fix rolled back',
  failed: ':x: Automatic fix failed',
};

/**
 * After an automatic change: what meshgov changed and why it could, the trigger, and, when
 * `undoApprovalId` is given, an Undo button (`undo:<approvalId>`, with a confirm dialog) that
 * restores the previous spec, under the same approval rules as any fix. A fix that failed or
 * was rolled back is announced too (the mesh may have been written to), saying what happened.
 */
export function changeAnnouncementMessage(change: ChangeRecord, finding: Finding, undoApprovalId: string | undefined, context: EvidenceContext = {}, options: AnnouncementOptions = {}): SlackMessage {
  const remediation = finding.remediation ?? { action: change.action, mode: 'auto' as const, reason: change.reason, change: {} };
  const title = actionTitle(remediation, finding);
  const headline = HEADLINE[change.outcome] ?? HEADLINE.failed!;
  const lines: Line[] = [
    `*Rule:* ${code(finding.rule)} (${finding.severity})`,
    `*Resource:* ${describeResource(finding)}`,
    { prefix: '*Was:* ', raw: finding.message },
    `*Change:* ${changeSummary(remediation.change)}`,
    { prefix: '*Why automatic:* ', raw: change.reason },
    { prefix: '*Result:* ', raw: change.detail ?? change.outcome },
  ];
  const evidence = evidenceFor(finding, context);
  if (evidence) lines.push(evidenceMrkdwn(evidence));

  const blocks: Block[] = [
    { type: 'header', block_id: BLOCK_IDS.title, text: plainText(`${headline}: ${title}`) },
    { type: 'section', block_id: BLOCK_IDS.finding, text: mrkdwn(fitLines(lines)) },
  ];
  if (options.undoExpiredAt !== undefined) {
    blocks.push({ type: 'context', block_id: BLOCK_IDS.outcome, elements: [mrkdwn(`:hourglass: Undo no longer available: it expired at ${formatTime(options.undoExpiredAt)}`)] });
  } else if (undoApprovalId !== undefined) {
    blocks.push({
      type: 'actions',
      block_id: BLOCK_IDS.undo,
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.undo,
          text: plainText('Undo', LIMITS.buttonText),
          value: buttonValue('undo', undoApprovalId),
          confirm: undoConfirmDialog(change, finding, title),
        },
      ],
    });
  }
  blocks.push({
    type: 'context',
    block_id: BLOCK_IDS.meta,
    elements: [mrkdwn(`change ${code(change.id)} at ${formatTime(change.at)} · ${prose(change.trigger.summary, 500)} · finding ${code(finding.id)}`)],
  });
  const text =
    change.outcome === 'verified'
      ? `meshgov fixed ${finding.rule} on ${shortResource(finding)} automatically: ${title}`
      : `meshgov's automatic fix of ${finding.rule} on ${shortResource(finding)} ${change.outcome === 'rolled-back' ? 'was rolled back' : 'failed'}: ${title}`;
  return { text: fallbackText(text), blocks };
}

/**
 * The Undo button's dialog: what will be reverted, in words a person can weigh before
 * clicking: the resource, the change (its id and what it did), and the state Undo returns
 * to. Plain text within the dialog's 300 characters; names are cut first so the state,
 * the part that says what will be lost, keeps its room.
 */
export function undoConfirmDialog(change: ChangeRecord, finding: Finding, changeTitle: string): ConfirmDialog {
  const resource = truncate(`${finding.resource.kind} ${shortResource(finding)}`, 90);
  const what = `change ${truncate(change.id, 40)} (${truncate(changeTitle, 90)})`;
  const state = beforeState(change.before);
  const text =
    change.before === null
      ? `Deletes the object that ${what} created; before that change it did not exist.`
      : state
        ? `Restores ${resource} to how it was before ${what}. After Undo: ${state}.`
        : `Restores ${resource} to the spec recorded before ${what}, reverting everything that change set.`;
  return {
    title: plainText('Undo this change?', LIMITS.confirmTitle),
    text: plainText(text, LIMITS.confirmText),
    confirm: plainText('Undo', LIMITS.confirmButton),
    deny: plainText('Cancel', LIMITS.confirmButton),
    style: 'danger',
  };
}
