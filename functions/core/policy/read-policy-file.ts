import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { ConfigProblem } from '../model/types';
import { policyFileSchema, type PolicyFile } from './schema';

export interface PolicyFileResult {
  value?: PolicyFile;
  problems: ConfigProblem[];
}

/**
 * Reads one rules file. The `yaml` parser (not js-yaml) is used here because it keeps node
 * positions, so that every schema error can name its line; rules files are small.
 */
export function readPolicyFile(file: string, text: string): PolicyFileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const data = doc.toJS() ?? {};
  const parsed = policyFileSchema.safeParse(data);
  if (parsed.success) return { value: parsed.data, problems: [] };
  return {
    problems: parsed.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      // An unknown key is reported on the key itself, not on its parent map.
      const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
      const fieldPath = keys.length > 0 ? [...path, keys[0]] : path;
      return {
        file,
        line: lineOf(doc, lineCounter, path, keys[0]),
        field: formatPath(fieldPath),
        message: issue.message,
      };
    }),
  };
}

function lineOf(doc: Document, lineCounter: LineCounter, path: Array<string | number>, key?: string): number {
  // Walk down as far as the path exists, so a missing field points at its parent.
  let node: unknown = doc.contents;
  let offset = 0;
  const take = (n: unknown) => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    if (range) offset = range[0];
  };
  take(node);
  const segments = key !== undefined ? [...path, key] : path;
  for (const [i, segment] of segments.entries()) {
    if (!node || typeof node !== 'object' || !('items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(node)) {
      const pair = items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(segment));
      if (!pair || !isPair(pair)) break;
      take(pair.key);
      // An unknown key is reported on the key itself, not on its value.
      if (key !== undefined && i === segments.length - 1) break;
      next = pair.value;
    } else if (typeof segment === 'number') {
      next = items[segment];
    }
    if (next === undefined || next === null) break;
    take(next);
    node = next;
  }
  return lineCounter.linePos(offset).line;
}

export function formatPath(path: Array<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}
