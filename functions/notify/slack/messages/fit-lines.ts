import { LIMITS } from './block-kit';
import { fitMrkdwn, prose } from './escape';

/**
 * A message's `text` (notifications, screen readers, clients without blocks): the same words
 * as the blocks' gist, escaped like any mrkdwn, within the 4,000 characters Slack recommends.
 */
export function fallbackText(raw: string): string {
  return prose(raw, LIMITS.fallbackText);
}

/** A line of free text: `prefix` and `suffix` are mrkdwn as given, `raw` is user data shown with prose(). */
export interface FreeLine {
  prefix: string;
  raw: string;
  suffix?: string;
}

export type Line = string | FreeLine;

/**
 * Lines of mrkdwn joined within `limit` (a section's 3000 by default). Fixed lines (already
 * escaped, short by construction) are kept whole; what is left is shared out among the free
 * lines, shortest first, so one long reason cannot push the others (or the evidence link
 * after them) out of the block. Each free text is cut on its raw side, so no entity or code
 * span is split.
 */
export function fitLines(lines: Line[], limit: number = LIMITS.section): string {
  const free = lines.filter((l): l is FreeLine => typeof l !== 'string');
  const fixed = lines.reduce((n, l) => n + (typeof l === 'string' ? l.length : l.prefix.length + (l.suffix?.length ?? 0)), 0);
  let left = limit - fixed - Math.max(0, lines.length - 1);
  const budget = new Map<FreeLine, number>();
  const byNeed = [...free].sort((a, b) => prose(a.raw).length - prose(b.raw).length);
  byNeed.forEach((line, i) => {
    const share = Math.max(0, Math.floor(left / (byNeed.length - i)));
    const used = Math.min(prose(line.raw).length, share);
    budget.set(line, share);
    left -= used;
  });
  const text = lines.map((l) => (typeof l === 'string' ? l : `${l.prefix}${prose(l.raw, budget.get(l) ?? 0)}${l.suffix ?? ''}`)).join('\n');
  return fitMrkdwn(text, limit);
}
