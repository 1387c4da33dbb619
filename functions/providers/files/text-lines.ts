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
 * JSON.parse gives no positions, and describe-* arrays need one line per item. When the caller
 * knows how many elements the array has, indented output (`aws … --output json`, `jq`,
 * JSON.stringify with a space) is read by its layout first; anything else, or a layout that does
 * not account for every element, goes through the scanner.
 */
export function jsonArrayElementLines(text: string, elementCount?: number): number[] {
  if (elementCount !== undefined) {
    const lines = indentedElementLines(text, elementCount);
    if (lines) return lines;
  }
  return scannedElementLines(text);
}

/**
 * Indented output puts each element of the top-level array on a line of its own, at the first
 * element's indentation, with everything nested deeper; a JSON string holds no raw newline.
 * So the element starts are the lines that begin with exactly that indentation and the first
 * element's opening bracket, found with indexOf. Undefined unless they number `elementCount`.
 */
function indentedElementLines(text: string, elementCount: number): number[] | undefined {
  const open = text.indexOf('[');
  if (open < 0) return undefined;
  let first = open + 1;
  while (first < text.length && isJsonSpace(text.charCodeAt(first))) first++;
  if (text.charCodeAt(first) === 93 /* ] */) return elementCount === 0 ? [] : undefined;
  const opener = text[first];
  if (opener !== '{' && opener !== '[') return undefined;
  const lineStart = text.lastIndexOf('\n', first) + 1;
  for (let i = lineStart; i < first; i++) if (text.charCodeAt(i) !== 32) return undefined;
  const marker = `\n${' '.repeat(first - lineStart)}${opener}`;
  const starts = [first];
  for (let at = text.indexOf(marker, first); at >= 0; at = text.indexOf(marker, at + marker.length)) {
    if (starts.length === elementCount) return undefined;
    starts.push(at + marker.length - 1);
  }
  if (starts.length !== elementCount) return undefined;
  const lines = new Array<number>(starts.length);
  let line = 1;
  let counted = 0;
  for (let i = 0; i < starts.length; i++) {
    line = lineAt(text, starts[i]!, counted, line);
    counted = starts[i]!;
    lines[i] = line;
  }
  return lines;
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * The scanner: strings are skipped with indexOf, and newlines are counted only up to each
 * element start, so the cost stays close to one native pass over the text.
 */
function scannedElementLines(text: string): number[] {
  const lines: number[] = [];
  const structural = /["[\]{},]/g;
  let depth = 0;
  let line = 1;
  let counted = 0;
  const elementAfter = (i: number) => {
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13 || text.charCodeAt(j) === 9)) j++;
    if (j >= text.length || text.charCodeAt(j) === 93) return;
    line = lineAt(text, j, counted, line);
    counted = j;
    lines.push(line);
  };
  let m: RegExpExecArray | null;
  while ((m = structural.exec(text)) !== null) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === 34) {
      structural.lastIndex = endOfString(text, i + 1);
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1 && c === 91) elementAfter(i);
    } else if (c === 93 || c === 125) {
      depth--;
    } else if (c === 44 && depth === 1) {
      elementAfter(i);
    }
  }
  return lines;
}

/** The index just past the closing quote of a JSON string whose body starts at `from`. */
function endOfString(text: string, from: number): number {
  let i = text.indexOf('"', from);
  while (i !== -1) {
    let backslashes = 0;
    for (let j = i - 1; j >= from && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
    i = text.indexOf('"', i + 1);
  }
  return text.length;
}
