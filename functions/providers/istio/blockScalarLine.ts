import { readFileSync } from 'node:fs';
import type { FieldLocator } from '../../core/model/types';

/** A place in a text embedded in a YAML value, as js-yaml's `mark` gives it (0-based line and column). */
export interface TextMark {
  line: number;
  column: number;
}

/** The file line (1-based) of a mark in the text of the field `field` of the object at `file:line`, when the file shows it. */
export type EmbeddedLineFinder = (file: string, line: number, field: string, mark: TextMark) => number | undefined;

/**
 * Finds embedded lines by reading the file again, as the field locator does: the locator gives
 * the field's key line, and the key's block scalar maps the text's lines to the file's. Only on
 * the rare problem that needs it; a file that cannot be read again (standard input) gives none.
 */
export function embeddedLineFinder(fieldLine: FieldLocator | undefined): EmbeddedLineFinder | undefined {
  if (!fieldLine) return undefined;
  return (file, line, field, mark) => {
    const keyLine = fieldLine(file, line, field);
    if (keyLine === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    return blockScalarLine(text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), keyLine, mark);
  };
}

/** `key: |`, `key: |-`, `key: >+` with an optional comment; an explicit indentation digit is not followed. */
const BLOCK_HEADER = /:[ \t]*([|>])[-+]?[ \t]*(?:#.*)?$/;

/**
 * The file line (1-based) of `mark` in the value of the block scalar whose key is on `keyLine`
 * (1-based): a literal (`|`) keeps every line, a folded one (`>`) joins lines as js-yaml does
 * (readBlockScalar), so a mark's line and column find the file line they came from. Undefined
 * when the key's value is not a block scalar (a quoted string, JSON): the caller then names the key.
 */
export function blockScalarLine(lines: readonly string[], keyLine: number, mark: TextMark): number | undefined {
  const header = BLOCK_HEADER.exec(lines[keyLine - 1] ?? '');
  if (!header) return undefined;
  const folded = header[1] === '>';
  const keyIndent = indentOf(lines[keyLine - 1]!);
  let baseIndent: number | undefined;
  // The text line (0-based) each content line starts on, and the column it starts at.
  let textLine = 0;
  let column = 0;
  let emptyLines = 0;
  let readContent = false;
  let moreIndented = false;
  let best: number | undefined;
  for (let i = keyLine; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      emptyLines++;
      continue;
    }
    const indent = indentOf(line);
    baseIndent ??= indent;
    if (indent < baseIndent || indent <= keyIndent) break;
    const content = line.slice(baseIndent);
    let breaks: number;
    if (!folded) breaks = readContent ? 1 + emptyLines : emptyLines;
    else if (indent > baseIndent) breaks = readContent ? 1 + emptyLines : emptyLines;
    else if (moreIndented) breaks = emptyLines + 1;
    else breaks = emptyLines;
    if (folded) moreIndented = indent > baseIndent;
    // A folded line with no break before it joins the previous one after a space.
    if (breaks > 0 || !readContent) column = 0;
    else column += 1;
    textLine += breaks;
    if (textLine > mark.line) break;
    if (textLine === mark.line && column > mark.column && best !== undefined) break;
    best = i + 1;
    column += content.length;
    emptyLines = 0;
    readContent = true;
  }
  return best;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
