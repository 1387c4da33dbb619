import { readFileSync } from 'node:fs';
import { jsonSpaceEnd, jsonStringEnd, lineAt } from './text-lines';

/**
 * Where a problem's field is written. Providers name a problem by the object's line and the
 * field's path (`spec.mtls.mode`, `spec.listeners[1].portMapping`), because parsers give no
 * positions; this reads the file again, only for files with problems, and follows the path
 * through the text, so that the problem points at the field itself.
 *
 * Block YAML and JSON are followed; where the layout cannot be followed (flow style, anchors),
 * the deepest line reached is kept, and a path that cannot be started leaves the line as it is.
 */
export function fieldLineLocator(): (file: string, line: number, field: string) => number | undefined {
  // Each file is read and cut into lines once, however many of its objects have problems.
  const texts = new Map<string, { text: string; lines?: string[] } | null>();
  return (file, line, field) => {
    let read = texts.get(file);
    if (read === undefined) {
      const text = readText(file);
      read = text === null ? null : { text };
      texts.set(file, read);
    }
    const path = parseFieldPath(field);
    if (read === null || path === undefined) return undefined;
    if (isJson(read.text)) return jsonFieldLine(read.text, line, path);
    read.lines ??= read.text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    return yamlFieldLine(read.lines, line, path);
  };
}

function readText(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

function isJson(text: string): boolean {
  const first = text.charCodeAt(jsonSpaceEnd(text, 0));
  return first === 123 || first === 91;
}

type Segment = string | number;

/**
 * `spec.listeners[0].tls.mode` → ['spec', 'listeners', 0, 'tls', 'mode'];
 * `data["cert-chain.pem"]` → ['data', 'cert-chain.pem']. Undefined for a path it cannot read.
 */
export function parseFieldPath(field: string): Segment[] | undefined {
  const out: Segment[] = [];
  const part = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/y;
  let at = 0;
  while (at < field.length) {
    if (field[at] === '.' && out.length > 0) at++;
    part.lastIndex = at;
    const m = part.exec(field);
    if (!m) return undefined;
    out.push(m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : m[3]!);
    at = part.lastIndex;
  }
  return out.length > 0 ? out : undefined;
}

/* ---------------------------------------------------------------- YAML */

/** Where a node's content starts: a line (0-based) and a column. */
interface Place {
  line: number;
  column: number;
}

/**
 * The line of the field, looked up from the object at `line`, else from the root of the
 * document holding it (an Envoy listener's paths start at `static_resources`, a List item's at
 * `items[i]`).
 */
function yamlFieldLine(lines: readonly string[], line: number, path: readonly Segment[]): number | undefined {
  const start = contentPlace(lines, line - 1);
  if (start === undefined) return undefined;
  const root = contentPlace(lines, documentStart(lines, line - 1));
  return followYaml(lines, start, path) ?? (root === undefined ? undefined : followYaml(lines, root, path));
}

function followYaml(lines: readonly string[], start: Place, path: readonly Segment[]): number | undefined {
  let node = start;
  let reached: number | undefined;
  for (let s = 0; s < path.length; ) {
    const found = typeof path[s] === 'number' ? entryOf(lines, node, path[s] as number) : keyOf(lines, node, path, s);
    if (found === undefined) return reached;
    reached = found.line + 1;
    s += found.segments;
    if (s === path.length) break;
    const value = found.value ?? nodeBelow(lines, found.line, node.column);
    if (value === undefined) return reached;
    node = value;
  }
  return reached;
}

interface Found {
  line: number;
  /** The node the key or entry holds, when it starts on the same line. */
  value?: Place;
  /** How many path segments the key took (a key with dots takes several). */
  segments: number;
}

/** The key of a block mapping whose first key is at `node`, matched against path[s…]. */
function keyOf(lines: readonly string[], node: Place, path: readonly Segment[], s: number): Found | undefined {
  for (let i = node.line; i < lines.length; i++) {
    const line = lines[i]!;
    const column = i === node.line ? node.column : indentOf(line);
    const content = line.slice(column);
    if (i > node.line && isBlankOrComment(content)) continue;
    if (column < node.column) return undefined;
    if (column > node.column) continue;
    const key = mappingKey(content);
    if (key === undefined) return undefined;
    const segments = keySegments(key.name, path, s);
    if (segments > 0) {
      const rest = content.slice(key.end).trimStart();
      const value = rest === '' || rest.startsWith('#') || !isBlockStart(rest) ? undefined : { line: i, column: column + content.length - rest.length };
      return { line: i, segments, ...(value ? { value } : {}) };
    }
  }
  return undefined;
}

/** How many segments from path[s] spell `name` (`app.kubernetes.io/name` takes three), or 0. */
function keySegments(name: string, path: readonly Segment[], s: number): number {
  let joined = '';
  for (let n = s; n < path.length; n++) {
    joined = n === s ? String(path[n]) : `${joined}.${String(path[n])}`;
    if (joined === name) return n - s + 1;
    if (!name.startsWith(joined)) return 0;
  }
  return 0;
}

/** Entry `index` of a block sequence whose first entry is at `node`. */
function entryOf(lines: readonly string[], node: Place, index: number): Found | undefined {
  let seen = -1;
  for (let i = node.line; i < lines.length; i++) {
    const line = lines[i]!;
    const column = i === node.line ? node.column : indentOf(line);
    const content = line.slice(column);
    if (i > node.line && isBlankOrComment(content)) continue;
    if (column < node.column) return undefined;
    if (column > node.column) continue;
    if (content !== '-' && !content.startsWith('- ')) return undefined;
    if (++seen < index) continue;
    const rest = content.slice(1).trimStart();
    const value = rest === '' || rest.startsWith('#') ? undefined : { line: i, column: column + content.length - rest.length };
    return { line: i, segments: 1, ...(value ? { value } : {}) };
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
    if (indent > column || (indent === column && (content === '-' || content.startsWith('- ')))) return { line: i, column: indent };
    return undefined;
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

/** Whether a value written after its key on the same line is a block node the path can enter. */
function isBlockStart(rest: string): boolean {
  return rest.startsWith('- ') || mappingKey(rest) !== undefined;
}

/** The first content line at or after `line`, and its indentation (past a `- ` when it is an entry's first key). */
function contentPlace(lines: readonly string[], line: number): Place | undefined {
  for (let i = Math.max(0, line); i < lines.length; i++) {
    const content = lines[i]!.trimStart();
    if (isBlankOrComment(content) || content === '---' || content.startsWith('--- ')) continue;
    const column = lines[i]!.length - content.length;
    if (content.startsWith('- ')) {
      const inner = content.slice(1).trimStart();
      // A List item or array element whose first key shares the dash's line.
      if (mappingKey(inner) !== undefined) return { line: i, column: column + content.length - inner.length };
    }
    return { line: i, column };
  }
  return undefined;
}

/** The first line of the YAML document holding `line`: just after the `---` above it. */
function documentStart(lines: readonly string[], line: number): number {
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    if (/^---(?:[ \t]|$)/.test(lines[i]!)) return i + 1;
  }
  return 0;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isBlankOrComment(content: string): boolean {
  const trimmed = content.trimStart();
  return trimmed === '' || trimmed.startsWith('#');
}

/* ---------------------------------------------------------------- JSON */

/**
 * The line of the field, looked up from the value that starts on `line` (an element of a
 * describe-* array), inside its single wrapper key (`{"virtualNode": {…}}`, whose data the
 * App Mesh paths start from), else from the top of the text.
 */
function jsonFieldLine(text: string, line: number, path: readonly Segment[]): number | undefined {
  const at = jsonSpaceEnd(text, lineStart(text, line));
  const starts = [at, wrappedValue(text, at), jsonSpaceEnd(text, 0)];
  for (const start of starts) {
    if (start === undefined) continue;
    const found = followJson(text, start, path);
    if (found !== undefined) return lineAt(text, found);
  }
  return undefined;
}

/** Offset of the key or element the path ends at (or the deepest one reached); undefined when none. */
function followJson(text: string, start: number, path: readonly Segment[]): number | undefined {
  let at = start;
  let reached: number | undefined;
  for (let s = 0; s < path.length; ) {
    const seg = path[s]!;
    const found = typeof seg === 'number' ? jsonElement(text, at, seg) : jsonMember(text, at, path, s);
    if (found === undefined) return reached;
    reached = found.offset;
    s += found.segments;
    at = found.value;
  }
  return reached;
}

/** The member of the object at `at` whose key spells path[s…]: the key's offset and its value's. */
function jsonMember(text: string, at: number, path: readonly Segment[], s: number): { offset: number; value: number; segments: number } | undefined {
  if (text.charCodeAt(at) !== 123) return undefined;
  let i = jsonSpaceEnd(text, at + 1);
  while (text.charCodeAt(i) === 34) {
    const keyEnd = jsonStringEnd(text, i + 1);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const colon = jsonSpaceEnd(text, keyEnd);
    const value = jsonSpaceEnd(text, colon + 1);
    const segments = keySegments(key, path, s);
    if (segments > 0) return { offset: i, value, segments };
    const next = jsonSpaceEnd(text, jsonValueEnd(text, value));
    if (text.charCodeAt(next) !== 44) return undefined;
    i = jsonSpaceEnd(text, next + 1);
  }
  return undefined;
}

/** Element `index` of the array at `at`: its offset, which is also where its value starts. */
function jsonElement(text: string, at: number, index: number): { offset: number; value: number; segments: number } | undefined {
  if (text.charCodeAt(at) !== 91) return undefined;
  let i = jsonSpaceEnd(text, at + 1);
  for (let n = 0; i < text.length && text.charCodeAt(i) !== 93; n++) {
    if (n === index) return { offset: i, value: i, segments: 1 };
    const next = jsonSpaceEnd(text, jsonValueEnd(text, i));
    if (text.charCodeAt(next) !== 44) return undefined;
    i = jsonSpaceEnd(text, next + 1);
  }
  return undefined;
}

/** The value of an object's only member, when it is an object or array (a describe-* wrapper). */
function wrappedValue(text: string, at: number): number | undefined {
  if (text.charCodeAt(at) !== 123) return undefined;
  const key = jsonSpaceEnd(text, at + 1);
  if (text.charCodeAt(key) !== 34) return undefined;
  const value = jsonSpaceEnd(text, jsonSpaceEnd(text, jsonStringEnd(text, key + 1)) + 1);
  const after = jsonSpaceEnd(text, jsonValueEnd(text, value));
  const c = text.charCodeAt(value);
  return text.charCodeAt(after) === 125 && (c === 123 || c === 91) ? value : undefined;
}

/** The offset just past the JSON value starting at `at`. */
function jsonValueEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === 34) return jsonStringEnd(text, at + 1);
  if (c !== 123 && c !== 91) {
    let i = at;
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 34) i = jsonStringEnd(text, i + 1) - 1;
    else if (d === 123 || d === 91) depth++;
    else if ((d === 125 || d === 93) && --depth === 0) return i + 1;
  }
  return text.length;
}

function lineStart(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return at;
}
