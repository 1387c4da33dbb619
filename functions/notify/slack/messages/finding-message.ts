import type { FindingRecord } from '../../../core/ledger/types';
import { BLOCK_IDS } from './action-ids';
import type { Block, SlackMessage } from './block-kit';
import { describeCause, describeFix, describeResource, SEVERITY_BADGE, shortResource } from './describe-finding';
import { code, formatTime, mrkdwn, plainText } from './escape';
import { evidenceFor, evidenceMrkdwn, type EvidenceContext } from './evidence';
import { fallbackText, fitLines } from './fit-lines';

export type FindingMessageState = 'open' | 'resolved';

/**
 * The one message a finding gets, posted when it is new and redrawn (chat.update) when it
 * changes or resolves: severity and rule, the resource, the problem, the cause (event and
 * actor, or file and line), the fix, and a link to the evidence. A resolved finding keeps its
 * content struck through under a "Resolved" header.
 */
export function findingMessage(record: FindingRecord, state: FindingMessageState, context: EvidenceContext = {}): SlackMessage {
  const f = record.finding;
  const resolved = state === 'resolved';
  const title = resolved
    ? `:white_check_mark: Resolved: ${f.rule} on ${shortResource(f)}`
    : `${SEVERITY_BADGE[f.severity]}: ${f.rule} on ${shortResource(f)}`;

  const blocks: Block[] = [
    { type: 'header', block_id: BLOCK_IDS.title, text: plainText(title) },
    {
      type: 'section',
      block_id: BLOCK_IDS.finding,
      // Struck through when resolved; prose() keeps the message's own `~` from ending the strike.
      text: mrkdwn(fitLines([`*Rule:* ${code(f.rule)} (${f.severity})`, `*Resource:* ${describeResource(f)}`, { prefix: resolved ? '*Problem:* ~' : '*Problem:* ', raw: f.message, suffix: resolved ? '~' : '' }])),
    },
  ];
  const cause = describeCause(record);
  if (cause) blocks.push({ type: 'section', block_id: BLOCK_IDS.cause, text: mrkdwn(`*Cause:* ${cause}`) });
  if (f.remediation && !resolved) blocks.push({ type: 'section', block_id: BLOCK_IDS.fix, text: mrkdwn(describeFix(f.remediation, f, record.dryRun === true)) });
  const evidence = evidenceFor(f, context);
  if (evidence) {
    blocks.push({ type: 'context', block_id: BLOCK_IDS.evidence, elements: [mrkdwn(evidenceMrkdwn(evidence))] });
  }
  const seen = resolved
    ? `resolved ${formatTime(record.resolvedAt)} · first seen ${formatTime(record.firstSeen)}`
    : `first seen ${formatTime(record.firstSeen)} · last seen ${formatTime(record.lastSeen)}`;
  blocks.push({ type: 'context', block_id: BLOCK_IDS.meta, elements: [mrkdwn(`finding ${code(f.id)} · ${seen}`)] });

  const text = resolved
    ? `meshgov: resolved - ${f.rule} on ${shortResource(f)}`
    : `meshgov: ${f.severity} ${f.rule} on ${shortResource(f)} - ${f.message}`;
  return { text: fallbackText(text), blocks };
}
