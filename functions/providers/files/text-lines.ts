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

/** Line numbers of offsets asked for in increasing order, counting each newline once. */
export function forwardLineCounter(text: string): (offset: number) => number {
  let line = 1;
  let counted = 0;
  return (offset) => {
    line = lineAt(text, offset, counted, line);
    counted = offset;
    return line;
  };
}

/** The offset where each line starts: the table `lineOfOffset` searches. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line number of an offset, by binary search of `lineStarts(text)`. */
export function lineOfOffset(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}
