/**
 * C0 and C1 controls and DEL (escape sequences, newlines), and the Unicode bidirectional
 * controls and line separators: a name in a config file holding U+202E can show a row's text
 * reversed on a terminal, as Trojan Source does in code.
 */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Text quoted from the inputs (names, messages, file names), made safe to write to a terminal:
 * shown escaped, such characters can neither break a line nor forge or recolour one.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
