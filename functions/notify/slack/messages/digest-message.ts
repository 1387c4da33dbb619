import type { FindingRecord } from '../../../core/ledger/types';
import { SEVERITIES, type Severity } from '../../../core/model/types';
import type { Trigger } from '../../../core/pipeline/trigger';
import { BLOCK_IDS } from './action-ids';
import { LIMITS, type Block, type SlackMessage } from './block-kit';
import { describeResource, shortResource } from './describe-finding';
import { code, formatTime, mrkdwn, plainText, prose } from './escape';
import { fallbackText } from './fit-lines';

/** At most this many findings are listed one per line; the rest are counted. */
export const DIGEST_MAX_LINES = 40;

const DOT: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/**
 * One message for a scheduled run's new findings in one channel, instead of a burst: counts by
 * severity, then one line per finding, most severe first.
 */
export function digestMessage(records: FindingRecord[], trigger: Trigger): SlackMessage {
  const sorted = [...records].sort((a, b) => SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity) || a.id.localeCompare(b.id));
  const counts = SEVERITIES.map((s) => [s, sorted.filter((r) => r.finding.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(' · ');
  const noun = records.length === 1 ? 'finding' : 'findings';
  const blocks: Block[] = [
    { type: 'header', block_id: BLOCK_IDS.title, text: plainText(`:clipboard: meshgov: ${records.length} new ${noun}`) },
    { type: 'context', block_id: BLOCK_IDS.meta, elements: [mrkdwn(`${counts} · ${prose(trigger.summary, 500)} at ${formatTime(trigger.eventTime)}`)] },
  ];

  const lines = sorted.slice(0, DIGEST_MAX_LINES).map((r) => {
    const f = r.finding;
    // Cut on the raw message: cutting escaped text could split `&amp;` or overrun the 180.
    return `${DOT[f.severity]} ${code(f.rule)} on ${describeResource(f)}: ${prose(f.message, 180)}`;
  });
  if (sorted.length > DIGEST_MAX_LINES) lines.push(`and ${sorted.length - DIGEST_MAX_LINES} more; \`meshgov audit\` lists them all`);
  // Sections hold at most 3000 characters: pack lines into as few as fit.
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > LIMITS.section) {
      blocks.push({ type: 'section', text: mrkdwn(current) });
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) blocks.push({ type: 'section', text: mrkdwn(current) });

  const first = sorted.slice(0, 3).map((r) => `${r.finding.rule} on ${shortResource(r.finding)}`).join(', ');
  return { text: fallbackText(`meshgov: ${records.length} new ${noun} (${counts}): ${first}${records.length > 3 ? ', …' : ''}`), blocks };
}
