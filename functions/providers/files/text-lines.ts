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
 * The lines where the entries of the block sequence at `path` start: `['items']` for a `kind:
 * List` from `kubectl get -o yaml`, `['static_resources', 'listeners']` for an Envoy bootstrap.
 * Each key must sit alone on its line in plain block layout, with its entries below it (indented
 * or not). Any other layout (flow style, a quoted key) gives [], and callers fall back to the
 * document's own line.
 */
export function sequenceEntryLines(text: string, startLine: number, path: readonly string[]): number[] {
  const lines = text.split('\n');
  let from = 0;
  let keyIndent = -1;
  for (let depth = 0; depth < path.length; depth++) {
    const at = keyLine(lines, from, keyIndent, path[depth]!);
    if (at < 0) return [];
    keyIndent = indentOf(lines[at]!);
    from = at + 1;
  }
  const out: number[] = [];
  let indent = -1;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    const content = line.trimStart();
    if (isBlankOrComment(content)) continue;
    const ind = line.length - content.length;
    const entry = content === '-' || content.startsWith('- ') || content === '-\r';
    if (indent < 0) {
      if (!entry || ind < keyIndent) return [];
      indent = ind;
    }
    if (ind < indent || (ind === indent && !entry)) break;
    if (ind === indent) out.push(startLine + i);
  }
  return out;
}

/**
 * The index of the line holding `key:` with nothing after it, among the children of the block
 * that starts at `from` (whose parent key is indented `parentIndent`); -1 when the block ends first.
 */
function keyLine(lines: readonly string[], from: number, parentIndent: number, key: string): number {
  let childIndent = -1;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    const content = line.trimStart();
    if (isBlankOrComment(content)) continue;
    const ind = line.length - content.length;
    if (ind <= parentIndent) return -1;
    if (childIndent < 0) childIndent = ind;
    if (ind < childIndent) return -1;
    if (ind === childIndent && content.startsWith(key) && isBareKey(content.slice(key.length))) return i;
  }
  return -1;
}

/** What may follow a key that opens a block: the colon, then only spaces or a comment. */
function isBareKey(rest: string): boolean {
  return /^:\s*(#.*)?$/.test(rest);
}

function isBlankOrComment(content: string): boolean {
  return content === '' || content.startsWith('#');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
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
  const first = jsonSpaceEnd(text, open + 1);
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
  return starts.map(forwardLineCounter(text));
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** The index of the first character at or after `from` that is not JSON whitespace. */
export function jsonSpaceEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The scanner: strings are skipped with indexOf, and newlines are counted only up to each
 * element start, so the cost stays close to one native pass over the text.
 */
function scannedElementLines(text: string): number[] {
  return jsonArrayLinesAt(text, []);
}

/**
 * For a JSON text, the 1-based line where each element of the array at `path` starts (object
 * keys from the top: `['staticResources', 'listeners']`, or `[]` for a top-level array); []
 * when no array is there. One pass over the text, as `scannedElementLines` says.
 */
export function jsonArrayLinesAt(text: string, path: readonly string[]): number[] {
  const structural = /["[\]{},]/g;
  // One frame per open container: whether it is an object, its key being read, whether it lies on `path`.
  const frames: Array<{ object: boolean; key?: string; onPath: boolean }> = [];
  let expectKey = false;
  let target = -1;
  const lines: number[] = [];
  const lineOf = forwardLineCounter(text);
  const elementAfter = (i: number) => {
    const j = jsonSpaceEnd(text, i + 1);
    if (j < text.length && text.charCodeAt(j) !== 93) lines.push(lineOf(j));
  };
  let m: RegExpExecArray | null;
  while ((m = structural.exec(text)) !== null) {
    const i = m.index;
    const c = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === 34) {
      const end = jsonStringEnd(text, i + 1);
      if (top?.object && expectKey) {
        top.key = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      structural.lastIndex = end;
    } else if (c === 91 || c === 123) {
      const depth = frames.length;
      const onPath = depth === 0 || (top!.onPath && top!.object && depth <= path.length && top!.key === path[depth - 1]);
      frames.push({ object: c === 123, onPath });
      expectKey = c === 123;
      if (c === 91 && onPath && depth === path.length) {
        target = frames.length;
        elementAfter(i);
      }
    } else if (c === 93 || c === 125) {
      if (frames.length === target) return lines;
      frames.pop();
      expectKey = false;
    } else if (top?.object) {
      expectKey = true;
    } else if (frames.length === target) {
      elementAfter(i);
    }
  }
  return lines;
}

/** Line numbers of offsets asked for in increasing order, counting each newline once. */
function forwardLineCounter(text: string): (offset: number) => number {
  let line = 1;
  let counted = 0;
  return (offset) => {
    line = lineAt(text, offset, counted, line);
    counted = offset;
    return line;
  };
}

/** The index just past the closing quote of a JSON string whose body starts at `from`. */
export function jsonStringEnd(text: string, from: number): number {
  let i = text.indexOf('"', from);
  while (i !== -1) {
    let backslashes = 0;
    for (let j = i - 1; j >= from && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return i + 1;
    i = text.indexOf('"', i + 1);
  }
  return text.length;
}
