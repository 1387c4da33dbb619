/** Line arithmetic over raw text, so that every document and error can name its line. */

/** 1-based line number of a character offset. `fromLine`/`fromOffset` let callers scan forward cheaply. */
export function lineAt(text: string, offset: number, fromOffset = 0, fromLine = 1): number {
  let line = fromLine;
  let i = text.indexOf('\n', fromOffset);
  while (i !== -1 && i < offset) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}

/** The line of the first character that is neither blank nor part of a `#` comment, from `startLine`. */
export function firstContentLine(chunk: string, startLine: number): number {
  let line = startLine;
  let pos = 0;
  while (pos < chunk.length) {
    const end = chunk.indexOf('\n', pos);
    const raw = chunk.slice(pos, end === -1 ? chunk.length : end).trim();
    if (raw !== '' && !raw.startsWith('#')) return line;
    if (end === -1) break;
    pos = end + 1;
    line++;
  }
  return startLine;
}

/**
 * For a JSON text whose top level is an array, the 1-based line where each element starts.
 * A small scanner: JSON.parse gives no positions, and describe-* arrays need one line per item.
 */
export function jsonArrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
      continue;
    }
    if (expectElement && c !== 32 && c !== 9 && c !== 10 && c !== 13) {
      expectElement = false;
      if (c !== 93) lines.push(line);
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1 && c === 91) expectElement = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expectElement = true;
  }
  return lines;
}
