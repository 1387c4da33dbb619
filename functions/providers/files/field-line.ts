import { readFileSync } from 'node:fs';
import { parseFieldPath, type PathSegment } from './field-path';
import { followFrom, mayHoldFlow, positionedDocument, type PositionedDocument } from './flow-yaml';
import { followJsonPath, jsonSpaceEnd, jsonStringEnd } from './json-path';
import { lineOfOffset, lineStarts } from './text-lines';
import { followYamlPath, nodeAt, splitLines } from './yaml-path';

/**
 * Where a problem's field is written. Providers name a problem by the object's line and the
 * field's path (`spec.mtls.mode`, `spec.listeners[1].portMapping`), because parsers give no
 * positions; this reads the file again, only for files with problems, and follows the path
 * through the text, so that the problem points at the field itself.
 *
 * Block YAML and JSON are followed by their text; where a block walk stops at a line that opens
 * a flow collection (`spec: {mtls: {mode: PERMISSIVE}}`, an entry of `items: [{…}, {…}]`), the
 * document is read again with positions (flow-yaml.ts), and the line of the field's key is given,
 * also in a flow mapping spread over lines. Where the layout cannot be followed (anchors), or the
 * field is missing, the deepest line reached is kept, and a path that cannot be started leaves
 * the line as it is.
 */
export function fieldLineLocator(kept: ReadonlyMap<string, string> = new Map()): (file: string, line: number, field: string) => number | undefined {
  // Problems come grouped by file (each provider's in input order), so keeping the last file read
  // reads most files once, and holds one file's text at a time however large the fleet.
  let last: { file: string; read: ReadText | null } | undefined;
  return (file, line, field) => {
    if (last?.file !== file) {
      // A pipe cannot be read twice (opening a FIFO again waits for a writer forever), and a
      // UTF-16 file reads wrong as UTF-8: the collector keeps the text it decoded for those.
      const text = kept.get(file) ?? readText(file);
      last = { file, read: text === null ? null : { text } };
    }
    const read = last.read;
    const path = parseFieldPath(field);
    if (read === null || path === undefined) return undefined;
    const first = read.text.charCodeAt(jsonSpaceEnd(read.text, 0));
    const starts = (read.starts ??= lineStarts(read.text));
    if (first === 123 || first === 91) return jsonFieldLine(read.text, starts, line, path);
    const window = documentFrom(read, starts, line);
    const found = yamlFieldLine(window, 1, path);
    const reached = found === undefined ? undefined : found + line - 1;
    // The text walk stops at a flow collection: only then is the document read with positions.
    const stoppedAt = found === undefined ? firstContentLine(window) : window[found - 1];
    if (stoppedAt === undefined || !mayHoldFlow(stoppedAt)) return reached;
    return flowFieldLine(read, starts, line, path) ?? reached;
  };
}

/** The first line of a document window that holds content (past blank lines, comments and `---`). */
function firstContentLine(lines: readonly string[]): string | undefined {
  return lines.find((l) => {
    const content = l.trim();
    return content !== '' && !content.startsWith('#') && !/^---(\s|$)/.test(content);
  });
}

/**
 * The line of the field read with positions, from the object that starts on `line`: the
 * deepest step reached, as the text walk gives it.
 */
function flowFieldLine(read: ReadText, starts: readonly number[], line: number, path: readonly PathSegment[]): number | undefined {
  const document = positionedDocumentAt(read, starts, line);
  for (const inside of pathsInside(path)) {
    const steps = followFrom(document, line, inside);
    if (steps.length > 0) return steps[steps.length - 1];
  }
  return undefined;
}

/** The whole document holding `line` (from its `---`, or the file's start, to the next `---`), read with positions once. */
function positionedDocumentAt(read: ReadText, starts: readonly number[], line: number): PositionedDocument {
  const text = read.text;
  let first = Math.min(line, starts.length);
  while (first > 1 && !isDocumentMarker(text, starts[first - 1]!)) first--;
  const documents = (read.positioned ??= new Map());
  let document = documents.get(first);
  if (document) return document;
  const from = starts[first - 1] ?? 0;
  // The document ends where documentFrom ends a window: at the next `---` line.
  let end = text.length;
  for (let at = text.indexOf('\n---', from); at >= 0; at = text.indexOf('\n---', at + 4)) {
    if (isDocumentMarker(text, at + 1)) {
      end = at;
      break;
    }
  }
  document = positionedDocument(text.slice(from, end), first);
  documents.set(first, document);
  return document;
}

/** Whether the line starting at `at` is a `---` document marker (alone, or before a space or tab). */
function isDocumentMarker(text: string, at: number): boolean {
  if (!text.startsWith('---', at)) return false;
  const next = text.charCodeAt(at + 3);
  return Number.isNaN(next) || next === 10 || next === 13 || next === 32 || next === 9;
}

interface ReadText {
  text: string;
  starts?: number[];
  /** The lines of the document from a line on, by that line: findings of one policy share it. */
  documents?: Map<number, string[]>;
  /** Documents read with positions (flow-yaml.ts), by their first line: only those holding a flow collection a field is in. */
  positioned?: Map<number, PositionedDocument>;
}

/**
 * The lines from `line` to the end of its document (the next `---`): a walk stays inside its
 * object, and splitting only the documents asked about keeps the rest of a large file (the
 * workloads beside the policies) from becoming one string per line.
 */
function documentFrom(read: ReadText, starts: readonly number[], line: number): string[] {
  const documents = (read.documents ??= new Map());
  let lines = documents.get(line);
  if (lines) return lines;
  const text = read.text;
  const from = starts[Math.min(line, starts.length) - 1] ?? 0;
  let end = text.length;
  // A `---` on the object's own line has its newline before `from`: it does not end the window.
  for (let at = text.indexOf('\n---', from); at >= 0; at = text.indexOf('\n---', at + 4)) {
    const next = text.charCodeAt(at + 4);
    if (Number.isNaN(next) || next === 10 || next === 13 || next === 32 || next === 9) {
      end = at;
      break;
    }
  }
  lines = splitLines(text.slice(from, end));
  documents.set(line, lines);
  return lines;
}

function readText(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

/**
 * The ways a path may go on inside the object at a problem's line: the whole path (`spec.mtls.mode`
 * from a PeerAuthentication), else what follows each index step, first to last
 * (`static_resources.listeners[1].address` from listener 1 is `address`; `items[3].metadata.name`
 * from item 3 is `metadata.name`). The walk stays inside the object, so it never reaches a field
 * of another object, and costs no more than the object's own text.
 */
function pathsInside(path: readonly PathSegment[]): PathSegment[][] {
  const out = [path.slice()];
  for (let k = 0; k < path.length - 1; k++) if (typeof path[k] === 'number') out.push(path.slice(k + 1));
  return out;
}

function yamlFieldLine(lines: readonly string[], line: number, path: readonly PathSegment[]): number | undefined {
  const object = nodeAt(lines, line - 1);
  if (object === undefined) return undefined;
  for (const inside of pathsInside(path)) {
    const steps = followYamlPath(lines, object, inside).steps;
    if (steps.length > 0) return steps[steps.length - 1]! + 1;
  }
  return undefined;
}

/**
 * From the value that starts on `line` (an element of a describe-* array), or inside its first
 * member (the `{"virtualNode": {…}}` wrapper has only that one, and App Mesh paths start from
 * its data).
 */
function jsonFieldLine(text: string, starts: readonly number[], line: number, path: readonly PathSegment[]): number | undefined {
  const at = jsonSpaceEnd(text, starts[Math.min(line, starts.length) - 1] ?? 0);
  const wrapped = firstMemberValue(text, at);
  for (const inside of pathsInside(path)) {
    for (const from of wrapped === undefined ? [at] : [at, wrapped]) {
      const steps = followJsonPath(text, from, inside).steps;
      if (steps.length > 0) return lineOfOffset(starts, steps[steps.length - 1]!);
    }
  }
  return undefined;
}

/** Where the value of the first member of the object at `at` starts. */
function firstMemberValue(text: string, at: number): number | undefined {
  if (text.charCodeAt(at) !== 123) return undefined;
  const key = jsonSpaceEnd(text, at + 1);
  if (text.charCodeAt(key) !== 34) return undefined;
  const colon = jsonSpaceEnd(text, jsonStringEnd(text, key + 1));
  return jsonSpaceEnd(text, colon + 1);
}
