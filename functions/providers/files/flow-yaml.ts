/**
 * Lines in YAML that the block walker (yaml-path.ts) cannot follow: flow collections
 * (`items: [{apiVersion: …, spec: {mtls: {mode: PERMISSIVE}}}]`), also spread over several lines.
 * Read with the `yaml` parser, which keeps every node's position. That parser is slower than the
 * text walk and js-yaml, so it is loaded and run only where a line shows a flow collection and
 * the text walk came short, one document at a time.
 */
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { keySegments, type PathSegment } from './field-path';

type YamlModule = typeof import('yaml');

/** One YAML document read with positions, and the file line its text starts on. */
export interface PositionedDocument {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** 1-based line of the file on which the document's text starts. */
  firstLine: number;
}

let yamlModule: YamlModule | undefined;

function yamlParser(): YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: see above.
  return (yamlModule ??= require('yaml') as YamlModule);
}

/** Whether a line may open a flow collection: only then is the slower reading worth it. */
export function mayHoldFlow(line: string): boolean {
  return line.includes('{') || line.includes('[');
}

/** Reads one document's text (`---` to `---`) with positions; `firstLine` is its first line in the file. */
export function positionedDocument(text: string, firstLine: number): PositionedDocument {
  const yaml = yamlParser();
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'silent', uniqueKeys: false });
  return { doc, lineCounter, firstLine };
}

/**
 * The file lines (1-based) where each entry of the sequence at `path` (keys from the document's
 * root: `['items']`) starts; [] when there is no sequence there. For a flow sequence, an entry
 * is where its `{` is.
 */
export function sequenceEntryLinesAt(read: PositionedDocument, path: readonly PathSegment[]): number[] {
  if (!agreesWithReader(read)) return [];
  const { node, steps } = follow(read.doc.contents, path);
  if (steps !== path.length || !isSeq(node)) return [];
  return node.items.map((item) => lineOf(read, (item as YamlNode).range?.[0] ?? 0));
}

/**
 * The file lines (1-based) of each step of `path` reached from the object that starts on
 * `objectLine` (or first after it, past comments and `---`): the line of each key, or entry,
 * on the way; in a flow mapping spread over lines, the line its key is on. [] when no object
 * starts there or the path's first step is not in it.
 */
export function followFrom(read: PositionedDocument, objectLine: number, path: readonly PathSegment[]): number[] {
  if (!agreesWithReader(read)) return [];
  const object = objectAt(read, objectLine);
  if (!object) return [];
  return follow(object, path).lines.map((offset) => lineOf(read, offset));
}

/**
 * The mapping that starts first at or after `objectLine`, outermost first: the object a
 * provider names by that line (a document's root, or an entry of a `kind: List`).
 */
function objectAt(read: PositionedDocument, objectLine: number): YamlNode | undefined {
  const yaml = yamlParser();
  let found: YamlNode | undefined;
  yaml.visit(read.doc, {
    Map: (_key, node) => {
      const start = node.range?.[0];
      if (start === undefined || lineOf(read, start) < objectLine) return undefined;
      found = node;
      return yaml.visit.BREAK;
    },
  });
  return found;
}

/**
 * Follows `path` down from `start`, by mapping keys (a key with dots may spell several steps,
 * as the block walker reads them) and sequence indexes. Stops at an alias, as the block walker
 * does at an anchor: the value is written elsewhere.
 */
function follow(start: unknown, path: readonly PathSegment[]): { node: unknown; steps: number; lines: number[] } {
  const yaml = yamlParser();
  const lines: number[] = [];
  let node = start;
  let s = 0;
  while (s < path.length) {
    if (yaml.isMap(node)) {
      let taken = 0;
      const pair = node.items.find((p) => yaml.isScalar(p.key) && (taken = keySegments(String(p.key.value), path, s)) > 0);
      const keyStart = pair && yaml.isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (!pair || keyStart === undefined) break;
      lines.push(keyStart);
      s += taken;
      node = pair.value;
    } else if (yaml.isSeq(node) && typeof path[s] === 'number') {
      const item = node.items[path[s] as number] as YamlNode | undefined;
      const itemStart = item?.range?.[0];
      if (itemStart === undefined) break;
      lines.push(itemStart);
      s += 1;
      node = item;
    } else {
      break;
    }
  }
  return { node, steps: s, lines };
}

/**
 * The documents were read with js-yaml, which accepted them; where this parser finds an error in
 * one, the two may not see the same structure, and its positions are not trusted: the callers
 * then keep the lines the text walk gives.
 */
function agreesWithReader(read: PositionedDocument): boolean {
  return read.doc.errors.length === 0;
}

function isSeq(node: unknown): node is { items: unknown[] } {
  return yamlParser().isSeq(node);
}

function lineOf(read: PositionedDocument, offset: number): number {
  return read.firstLine + read.lineCounter.linePos(offset).line - 1;
}
