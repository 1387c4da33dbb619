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
        line: errorLine(yaml, text, e.code === 'MISSING_CHAR' && /quote/.test(e.message), e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line),
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

/**
 * The parser reports an error at the end of the text for what is left open there (a quote, a
 * `[`), which after a final newline is a line past the last one. An unterminated quote is
 * reported where it opens, since the quoted scalar swallows every line after it; anything else
 * on the last line.
 */
function errorLine(yaml: YamlModule, text: string, unterminatedQuote: boolean, line: number): number {
  const lastLine = Math.max(1, text.split(/\r\n|\r|\n/).length - (/[\r\n]$/.test(text) ? 1 : 0));
  if (unterminatedQuote) {
    const open = lastQuoteOffset(yaml, text);
    if (open !== undefined) return Math.min(lastLine, text.slice(0, open).split(/\r\n|\r|\n/).length);
  }
  return Math.min(line, lastLine);
}

/** Where the last quoted scalar starts: the lexer's tokens are the source, but for its one-character markers. */
function lastQuoteOffset(yaml: YamlModule, text: string): number | undefined {
  const markers = new Set<string>([yaml.CST.DOCUMENT, yaml.CST.FLOW_END, yaml.CST.SCALAR]);
  let offset = 0;
  let last: number | undefined;
  for (const token of new yaml.Lexer().lex(text)) {
    if (markers.has(token)) continue;
    if (token[0] === '"' || token[0] === "'") last = offset;
    offset += token.length;
  }
  return last;
}

/** The line of the key of the setting at `path` in a rules file's text (a list's value starts below it). */
function settingLine(text: string, path: string[]): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: see readPolicyFile.
  const yaml = require('yaml') as YamlModule;
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false });
  return lineOf(yaml, doc, lineCounter, path.slice(0, -1), path[path.length - 1]);
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

/**
 * Settings that two files of one directory give different values. Files merge in name order,
 * so the last would win without a word (`a.yaml` low, `b.yaml` critical): each such setting is a
 * problem on the later file, naming the earlier. Paths are at the depth the merge replaces
 * (load.ts resolvePolicy): a rule's setting, a remediation or sources key, a whole list.
 */
export function settingConflicts(files: ReadonlyArray<{ file: string; text: string; value: PolicyFile }>): ConfigProblem[] {
  const first = new Map<string, { file: string; text: string; path: string[]; json: string }>();
  const problems: ConfigProblem[] = [];
  for (const { file, text, value } of files) {
    for (const [path, setting] of mergedSettings(value)) {
      const key = JSON.stringify(path);
      const json = JSON.stringify(setting);
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, { file, text, path, json });
        continue;
      }
      if (earlier.json === json) continue;
      problems.push({
        file,
        line: settingLine(text, path),
        field: formatPath(path),
        message: `conflicts with ${earlier.file}:${settingLine(earlier.text, path)}, which sets it to ${earlier.json} (here ${json}): set it in one file only`,
      });
    }
  }
  return problems;
}

function mergedSettings(value: PolicyFile): Array<[string[], unknown]> {
  const out: Array<[string[], unknown]> = [];
  const add = (path: string[], section: object | undefined) => {
    for (const [key, v] of Object.entries(section ?? {})) if (v !== undefined) out.push([[...path, key], v]);
  };
  for (const [id, settings] of Object.entries(value.rules ?? {})) add(['rules', id], settings);
  add(['ownership'], value.ownership);
  add(['remediation'], value.remediation);
  add(['sources'], value.sources);
  if (value.slos !== undefined) out.push([['slos'], value.slos]);
  return out;
}
