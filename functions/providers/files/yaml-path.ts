/**
 * Following a path (`spec.listeners[0].tls`) through YAML text written in block layout, the
 * way `kubectl get -o yaml`, Helm and people write Kubernetes and Envoy files. Parsers give no
 * positions; this gives lines: of a list's entries (for the collector) and of a problem's field.
 * Flow style (`{ … }`, `[ … ]`), anchors and multi-line keys are not followed: the walk stops at
 * the last line it could place.
 */
import { keySegments, type PathSegment } from './field-path';

/** Where a node's content starts: a line (0-based) and a column. */
export interface Place {
  line: number;
  column: number;
}

/** The text's lines, without their line ends. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}

/**
 * The node that starts on the first content line at or after `line`: where its first key is,
 * past a `- ` when the line is a sequence entry whose first key shares the dash's line.
 */
export function nodeAt(lines: readonly string[], line: number): Place | undefined {
  for (let i = Math.max(0, line); i < lines.length; i++) {
    const content = lines[i]!.trimStart();
    if (isBlankOrComment(content) || content === '---' || content.startsWith('--- ')) continue;
    const column = lines[i]!.length - content.length;
    if (content.startsWith('- ')) {
      const inner = content.slice(1).trimStart();
      if (mappingKey(inner) !== undefined) return { line: i, column: column + content.length - inner.length };
    }
    return { line: i, column };
  }
  return undefined;
}

export interface YamlWalk {
  /** The line (0-based) of each step reached, in order. */
  steps: number[];
  /** The node the last step holds, when the whole path was followed and that node is a block. */
  node?: Place;
}

/** Follows `path` from the node at `start`. */
export function followYamlPath(lines: readonly string[], start: Place, path: readonly PathSegment[]): YamlWalk {
  const steps: number[] = [];
  let node = start;
  for (let s = 0; s < path.length; ) {
    const segment = path[s]!;
    const found = typeof segment === 'number' ? entryOf(lines, node, segment) : keyOf(lines, node, path, s);
    if (found === undefined) return { steps };
    steps.push(found.line);
    s += found.segments;
    const value = found.value ?? nodeBelow(lines, found.line, node.column);
    if (value === undefined) return { steps };
    node = value;
  }
  return { steps, node };
}

/**
 * The lines (1-based, counted from `startLine`) where the entries of the block sequence at `path`
 * start: `['items']` for a `kind: List` from `kubectl get -o yaml`, `['static_resources',
 * 'listeners']` for an Envoy bootstrap. [] for any other layout: callers then fall back to the
 * document's own line.
 */
export function sequenceEntryLines(text: string, startLine: number, path: readonly PathSegment[]): number[] {
  const lines = splitLines(text);
  const start = nodeAt(lines, 0);
  const walk = start && followYamlPath(lines, start, path);
  return walk?.node ? entryLines(lines, walk.node).map((i) => startLine + i) : [];
}

/** The lines (0-based) of the entries of the block sequence at `node`; empty when it is not one. */
export function entryLines(lines: readonly string[], node: Place): number[] {
  const out: number[] = [];
  for (const at of linesAtColumn(lines, node)) {
    if (!isEntry(at.content)) return out;
    out.push(at.line);
  }
  return out;
}

interface Found {
  line: number;
  /** The node the key or entry holds, when it starts on the same line. */
  value?: Place;
  /** How many path segments the key took (a key with dots takes several). */
  segments: number;
}

/**
 * The lines of a block node's own keys or entries: those at its column, from its first line
 * until the text is indented less. Deeper lines belong to the values, and are passed over.
 */
function* linesAtColumn(lines: readonly string[], node: Place): Generator<{ line: number; column: number; content: string }> {
  for (let i = node.line; i < lines.length; i++) {
    const line = lines[i]!;
    const column = i === node.line ? node.column : indentOf(line);
    const content = line.slice(column);
    if (i > node.line && isBlankOrComment(content)) continue;
    if (column < node.column) return;
    if (column === node.column) yield { line: i, column, content };
  }
}

/** The key of the block mapping at `node` that spells path[s…]. */
function keyOf(lines: readonly string[], node: Place, path: readonly PathSegment[], s: number): Found | undefined {
  for (const at of linesAtColumn(lines, node)) {
    // An entry at a key's own indentation belongs to the key above it (`listeners:` then `- …`).
    if (isEntry(at.content)) continue;
    const key = mappingKey(at.content);
    if (key === undefined) return undefined;
    const segments = keySegments(key.name, path, s);
    if (segments === 0) continue;
    const rest = at.content.slice(key.end).trimStart();
    // `key: - a` and `key: b: c` are not YAML: a value that starts on the key's line is a leaf.
    return { line: at.line, segments, ...(startsBlock(rest) ? { value: { line: at.line, column: at.column + at.content.length - rest.length } } : {}) };
  }
  return undefined;
}

/** Entry `index` of the block sequence at `node`. */
function entryOf(lines: readonly string[], node: Place, index: number): Found | undefined {
  let seen = -1;
  for (const at of linesAtColumn(lines, node)) {
    if (!isEntry(at.content)) return undefined;
    if (++seen < index) continue;
    const rest = at.content.slice(1).trimStart();
    const value = rest === '' || rest.startsWith('#') ? undefined : { line: at.line, column: at.column + at.content.length - rest.length };
    return { line: at.line, segments: 1, ...(value ? { value } : {}) };
  }
  return undefined;
}

/** The node held by the key or entry on `line` when its value starts on a line of its own. */
function nodeBelow(lines: readonly string[], line: number, column: number): Place | undefined {
  for (let i = line + 1; i < lines.length; i++) {
    const content = lines[i]!.trimStart();
    if (isBlankOrComment(content)) continue;
    const indent = lines[i]!.length - content.length;
    // A sequence may sit at its key's own indentation (`listeners:` then `- name: …`).
    return indent > column || (indent === column && isEntry(content)) ? { line: i, column: indent } : undefined;
  }
  return undefined;
}

/** A mapping key at the start of `content`, plain or quoted, and where its colon ends. */
function mappingKey(content: string): { name: string; end: number } | undefined {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{[\]}&*!|>%@`,?:-][^:#]*?|-[^\s:][^:#]*?))\s*:(?=\s|$)/.exec(content);
  if (!m) return undefined;
  const name = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!;
  return { name, end: m[0].length };
}

function startsBlock(rest: string): boolean {
  return isEntry(rest) || mappingKey(rest) !== undefined;
}

function isEntry(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isBlankOrComment(content: string): boolean {
  const trimmed = content.trimStart();
  return trimmed === '' || trimmed.startsWith('#');
}
