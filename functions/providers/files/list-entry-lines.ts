import type { PathSegment } from './field-path';
import { mayHoldFlow, positionedDocument, sequenceEntryLinesAt, type PositionedDocument } from './flow-yaml';
import { sequenceEntryLines } from './yaml-path';

/**
 * The finder of the lines where the entries of a list start (`items` of a `kind: List`, an Envoy
 * bootstrap's listeners), for one YAML document's text starting on file line `startLine`, by the
 * block layout, the way nearly every file is written.
 *
 * A `kind: List` whose `items` are written in flow style (`items: [{…}, {…}]`, on one line or
 * many) is read with the positions of the `yaml` parser, so that each item points at its own line
 * (its `{`) rather than the document's, and its fields are found from there (field-line.ts).
 * Envoy's lists keep the bootstrap's line in flow style: a field of them is still found, by its
 * whole path from the bootstrap (test/unit/files/parse-documents.test.ts holds that layout).
 */
export function listEntryLineFinder(text: string, startLine: number): (path: PathSegment[]) => number[] {
  let positioned: PositionedDocument | undefined;
  return (path) => {
    const block = sequenceEntryLines(text, startLine, path);
    if (block.length > 0 || !isListItems(path) || !mayHoldFlow(text)) return block;
    positioned ??= positionedDocument(text, startLine);
    return sequenceEntryLinesAt(positioned, path);
  };
}

function isListItems(path: readonly PathSegment[]): boolean {
  return path.length === 1 && path[0] === 'items';
}
