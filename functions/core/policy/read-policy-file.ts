import * as jsYaml from 'js-yaml';
import type { Document, LineCounter } from 'yaml';
import type { ConfigProblem } from '../model/types';
import { policyFileSchema, type PolicyFile } from './schema';

type YamlModule = typeof import('yaml');

export interface PolicyFileResult {
  value?: PolicyFile;
  problems: ConfigProblem[];
}

/**
 * Reads one rules file. A valid file is read with js-yaml, whose default schema is the YAML 1.2
 * core schema that the `yaml` parser also uses, so both read the same data (test/unit/policy/
 * read-policy-file.test.ts holds them to it). Any error sends the file to the `yaml` parser,
 * which keeps node positions, so that every problem names its line and field. The `yaml`
 * parser is loaded only then: every audit reads the policy, and loading and warming up that
 * parser cost more than the rest of reading it.
 */
export function readPolicyFile(file: string, text: string): PolicyFileResult {
  return readValid(text) ?? readWithPositions(file, text);
}

function readValid(text: string): PolicyFileResult | undefined {
  let data: unknown;
  try {
    data = jsYaml.load(text);
  } catch {
    return undefined;
  }
  const parsed = policyFileSchema.safeParse(data ?? {});
  return parsed.success ? { value: parsed.data, problems: [] } : undefined;
}

/** The `yaml` parser's reading, with positions: the one that reports problems. */
export function readWithPositions(file: string, text: string): PolicyFileResult {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: see readPolicyFile.
  const yaml = require('yaml') as YamlModule;
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
        line: lineOf(yaml, doc, lineCounter, path, keys[0]),
        field: formatPath(fieldPath),
        message: issue.message,
      };
    }),
  };
}

function lineOf({ isMap, isPair, isScalar }: YamlModule, doc: Document, lineCounter: LineCounter, path: Array<string | number>, key?: string): number {
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
