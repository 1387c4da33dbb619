/** A carriage return not followed by a line feed. Not global: `test` must keep no state between calls. */
const LONE_CARRIAGE_RETURN = /\r(?!\n)/;

/**
 * The text with each lone carriage return (classic Mac OS line ends, some exporters) made a line
 * feed. YAML 1.2 and JSON both take CR as a line break, but the document splitter and every line
 * count here go by LF: without this a whole CR-only file was one line, and its `---` documents one
 * document. The number of lines stays the same, so lines reported match an editor's. CRLF files,
 * the common case, are only scanned, never copied.
 */
export function withLineFeeds(text: string): string {
  if (text.indexOf('\r') < 0 || !LONE_CARRIAGE_RETURN.test(text)) return text;
  return text.replace(/\r(?!\n)/g, '\n');
}
