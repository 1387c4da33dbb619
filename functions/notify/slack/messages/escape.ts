import { ELLIPSIS, isHighSurrogate, truncate } from '../../../core/truncate';
import { LIMITS, type Mrkdwn, type PlainText } from './block-kit';

export { truncate };

/**
 * Slack "Formatting text for app surfaces": `&`, `<` and `>` are control characters in message
 * text and must be sent as `&amp;`, `&lt;`, `&gt;`. Everything that comes from a user or a
 * cluster (names, messages, summaries) goes through here, so it can never form a link, a
 * mention or `<!channel>`.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `raw` escaped and, when needed, cut so that the escaped text with its ellipsis fits `max`.
 * The cut is made on the raw text, so an entity (`&amp;`) is never split and the escaped
 * result never grows past the budget; whole code points only (no lone surrogate halves).
 */
export function escapeWithin(raw: string, max: number): string {
  const full = escapeText(raw);
  if (full.length <= max) return full;
  let out = '';
  for (const char of raw) {
    const piece = escapeText(char);
    if (out.length + piece.length > max - ELLIPSIS.length) break;
    out += piece;
  }
  return max >= ELLIPSIS.length ? `${out}${ELLIPSIS}` : '';
}

/**
 * Inline code of user data: escaped, with backticks (which would end the span) turned into
 * quotes. Slack applies no `*bold*`, `_italic_` or `~strike~` inside a code span, so names
 * holding those characters show as they are. With `max`, the whole span fits `max`.
 */
export function code(text: string, max: number = Number.POSITIVE_INFINITY): string {
  return `\`${escapeWithin(text.replace(/`/g, "'"), Math.max(1, max - 2))}\``;
}

/** Slack's formatting markers: a pair of them around text bolds, italicises or strikes it. */
const MARKERS = /[*_~`]/;

/**
 * True when a word could open or close Slack formatting: a backtick anywhere, or `*`, `_`, `~`
 * next to a non-alphanumeric character or the word's edge. Slack formats only at word
 * boundaries, so `payments_api` stays as it is and `_internal_` or `*.example.com` would not.
 */
function formatsInSlack(word: string): boolean {
  if (word.includes('`')) return true;
  const chars = [...word];
  return chars.some((c, i) => MARKERS.test(c) && (!isWordChar(chars[i - 1]) || !isWordChar(chars[i + 1])));
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}

interface Piece {
  raw: string;
  asCode: boolean;
}

/** Splits free text into whitespace, plain words and words that must go into a code span. */
function pieces(raw: string): Piece[] {
  const out: Piece[] = [];
  for (const token of raw.split(/(\s+)/)) {
    if (!token) continue;
    // Keep sentence punctuation outside the span: "(see _x_)." → "(see `_x_`)."
    const m = /^([([{"']*)(.*?)([)\]}"'.,;:!?]*)$/su.exec(token);
    const [lead, core, trail] = m ? [m[1], m[2], m[3]] : ['', token, ''];
    if (core && formatsInSlack(core)) {
      if (lead) out.push({ raw: lead, asCode: false });
      out.push({ raw: core, asCode: true });
      if (trail) out.push({ raw: trail, asCode: false });
    } else {
      out.push({ raw: token, asCode: false });
    }
  }
  return out;
}

/**
 * Free text from a user or a cluster (a finding's message, a reason, an outcome, an event
 * summary) as mrkdwn that says exactly what the text says: escaped, words that would turn
 * into formatting put in code spans, and cut to `max` characters without splitting an entity
 * or a span.
 */
export function prose(raw: string, max: number = Number.POSITIVE_INFINITY): string {
  let out = '';
  for (const piece of pieces(raw)) {
    const rendered = piece.asCode ? code(piece.raw) : escapeText(piece.raw);
    if (out.length + rendered.length <= max) {
      out += rendered;
      continue;
    }
    // The last piece that fits in part, then the ellipsis.
    const room = max - out.length - ELLIPSIS.length;
    if (piece.asCode && room >= 3) out += code(piece.raw, room);
    else if (!piece.asCode && room > 0) out += escapeWithin(piece.raw, room + ELLIPSIS.length).slice(0, -ELLIPSIS.length);
    return max >= ELLIPSIS.length ? `${out.trimEnd()}${ELLIPSIS}` : '';
  }
  return out;
}

/** `*text*`, or a code span when the text itself holds formatting markers (a bold would break). */
export function bold(raw: string, max: number = Number.POSITIVE_INFINITY): string {
  return MARKERS.test(raw) ? code(raw, max) : `*${escapeWithin(raw, Math.max(1, max - 2))}*`;
}

/** A link `<url|label>`: the URL with `|`, `<`, `>` percent-encoded and `&` escaped; the label escaped. */
export function link(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
  return `<${safeUrl}|${escapeText(label).replace(/\|/g, '/')}>`;
}

/** A user mention for a Slack user id; anything that is not one is shown as escaped text. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : prose(userId, 100);
}

/**
 * Cuts composed mrkdwn (escaped already) to `max` at a place that breaks nothing: never inside
 * an entity, a `<link|label>` or a code span, preferring the end of a line. A safety net
 * behind the per-field budgets of the builders, which keep it from cutting at all.
 */
export function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - ELLIPSIS.length;
  const lineEnd = text.lastIndexOf('\n', room);
  // Whole lines read best, when that keeps most of the text.
  if (lineEnd >= room / 2) return `${text.slice(0, lineEnd)}\n${ELLIPSIS}`;
  return `${text.slice(0, safeCut(text, room)).trimEnd()}${ELLIPSIS}`;
}

/** The last index ≤ `end` that is outside every entity, angle-bracket token and code span. */
function safeCut(text: string, end: number): number {
  let safe = 0;
  let inCode = false;
  let openAt = -1;
  for (let i = 0; i < end; i += 1) {
    const c = text[i];
    if (openAt >= 0) {
      if ((c === ';' && text[openAt] === '&') || (c === '>' && text[openAt] === '<')) openAt = -1;
    } else if (c === '`') {
      inCode = !inCode;
    } else if (c === '&' || (c === '<' && !inCode)) {
      openAt = i;
    }
    if (openAt < 0 && !inCode && !isHighSurrogate(text.charCodeAt(i))) safe = i + 1;
  }
  return safe;
}

/**
 * plain_text is shown as given (Slack parses no markup in it), so it is not escaped, only cut;
 * `emoji: true` draws `:shortcodes:`.
 */
export function plainText(text: string, max: number = LIMITS.header): PlainText {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

/** mrkdwn whose user data the caller has already escaped; cut safely to a section's limit. */
export function mrkdwn(text: string, max: number = LIMITS.section): Mrkdwn {
  return { type: 'mrkdwn', text: fitMrkdwn(text, max) };
}

/** `2026-11-20 15:00:49 UTC` from an ISO time; the input unchanged when it is not one. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return 'an unknown time';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return prose(iso, 60);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
