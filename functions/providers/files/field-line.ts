import { readFileSync } from 'node:fs';
import { followJsonPath, jsonSpaceEnd, jsonStringEnd } from './json-path';
import { lineAt } from './text-lines';
import { documentStart, followYamlPath, nodeAt, splitLines, type PathSegment } from './yaml-path';

/**
 * Where a problem's field is written. Providers name a problem by the object's line and the
 * field's path (`spec.mtls.mode`, `spec.listeners[1].portMapping`), because parsers give no
 * positions; this reads the file again, only for files with problems, and follows the path
 * through the text, so that the problem points at the field itself.
 *
 * Block YAML and JSON are followed; where the layout cannot be followed (flow style, anchors),
 * or the field is missing, the deepest line reached is kept, and a path that cannot be started
 * leaves the line as it is.
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
    const first = read.text.charCodeAt(jsonSpaceEnd(read.text, 0));
    if (first === 123 || first === 91) return jsonFieldLine(read.text, line, path);
    read.lines ??= splitLines(read.text);
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

/**
 * `spec.listeners[0].tls.mode` → ['spec', 'listeners', 0, 'tls', 'mode'];
 * `data["cert-chain.pem"]` → ['data', 'cert-chain.pem']. Undefined for a path it cannot read.
 */
export function parseFieldPath(field: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
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

/**
 * From the object at `line`, else from the root of the document holding it when the path runs
 * through the object (an Envoy listener's paths start at `static_resources`, a List item's at
 * `items[i]`); never to a field of some other object.
 */
function yamlFieldLine(lines: readonly string[], line: number, path: readonly PathSegment[]): number | undefined {
  const object = nodeAt(lines, line - 1);
  if (object === undefined) return undefined;
  const own = followYamlPath(lines, object, path).steps;
  if (own.length > 0) return own[own.length - 1]! + 1;
  const root = nodeAt(lines, documentStart(lines, line - 1));
  const steps = root ? followYamlPath(lines, root, path).steps : [];
  return steps.includes(object.line) ? steps[steps.length - 1]! + 1 : undefined;
}

/**
 * From the value that starts on `line` (an element of a describe-* array), inside its first
 * member (the `{"virtualNode": {…}}` wrapper has only that one, and App Mesh paths start from
 * its data), else from the top of the text when the path runs through that value.
 */
function jsonFieldLine(text: string, line: number, path: readonly PathSegment[]): number | undefined {
  const at = jsonSpaceEnd(text, lineStart(text, line));
  for (const from of [at, firstMemberValue(text, at)]) {
    const steps = from === undefined ? [] : followJsonPath(text, from, path).steps;
    if (steps.length > 0) return lineAt(text, steps[steps.length - 1]!);
  }
  const steps = followJsonPath(text, jsonSpaceEnd(text, 0), path).steps;
  return steps.includes(at) ? lineAt(text, steps[steps.length - 1]!) : undefined;
}

/** Where the value of the first member of the object at `at` starts. */
function firstMemberValue(text: string, at: number): number | undefined {
  if (text.charCodeAt(at) !== 123) return undefined;
  const key = jsonSpaceEnd(text, at + 1);
  if (text.charCodeAt(key) !== 34) return undefined;
  const colon = jsonSpaceEnd(text, jsonStringEnd(text, key + 1));
  return jsonSpaceEnd(text, colon + 1);
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
