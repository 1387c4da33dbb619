import { LIMITS, type Mrkdwn, type PlainText } from './block-kit';

/**
 * Slack "Formatting text for app surfaces": `&`, `<` and `>` are control characters in message
 * text and must be sent as `&amp;`, `&lt;`, `&gt;`. Everything that comes from a user or a
 * cluster (names, messages, summaries) goes through here, so it can never form a link, a
 * mention or `<!channel>`.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code of user data: escaped, with backticks (which would end the span) turned into quotes. */
export function code(text: string): string {
  return `\`${escapeText(text).replace(/`/g, "'")}\``;
}

/** A link `<url|label>`: the URL with `|`, `<`, `>` percent-encoded and `&` escaped; the label escaped. */
export function link(url: string, label: string): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
  return `<${safeUrl}|${escapeText(label).replace(/\|/g, '/')}>`;
}

/** A user mention for a Slack user id; anything that is not one is shown as escaped text. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : escapeText(userId);
}

/** Cuts text to `max` characters, ending in an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * plain_text is shown as given (Slack parses no markup in it), so it is not escaped, only cut;
 * `emoji: true` draws `:shortcodes:`.
 */
export function plainText(text: string, max: number = LIMITS.header): PlainText {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

/** mrkdwn whose user data the caller has already escaped; cut to a section's limit. */
export function mrkdwn(text: string, max: number = LIMITS.section): Mrkdwn {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

/** `2026-11-20 15:00:49 UTC` from an ISO time; the input unchanged when it is not one. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return 'an unknown time';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
