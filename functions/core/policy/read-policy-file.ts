import * as jsYaml from 'js-yaml';
import type { Document, LineCounter, Pair, YAMLError } from 'yaml';
import { closestName } from '../edit-distance';
import type { ConfigProblem } from '../model/types';
import type * as z from 'zod';
import { partialReading, unreadableFile, unreadSettings, type PartialReading } from './partial-reading';
import { policyFileSchema, RULE_SPECIFIC_SETTINGS, type PolicyFile } from './schema';

type YamlModule = typeof import('yaml');

export interface PolicyFileResult {
  value?: PolicyFile;
  problems: ConfigProblem[];
  /** For a file with problems: what of it can still be read, for the checks after the merge (merged-checks.ts). */
  partial?: PartialReading;
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
  // js-yaml reads a `%YAML 1.1` document with the 1.2 schema and the `yaml` parser with 1.1's
  // (010 is 10 or 8, off a string or false): the positional reader refuses the directive.
  if (/^%YAML\b/m.test(text)) return undefined;
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
  // logLevel error: the parser's warnings are reported below as problems; it must not also print them as Node warnings.
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const comments = new HashComments(yaml, text, lineCounter);
  const syntax: ConfigProblem[] = [];
  const version = yamlVersionProblem(file, text, doc);
  if (version) syntax.push(version);
  const aliases = unresolvedAliases(yaml, text, doc, lineCounter);
  for (const a of aliases) syntax.push({ file, line: a.line, field: formatPath(a.path), message: a.message });
  // An unresolved tag (`!Ref x`, `!!int high`) is only a warning to the parser, which then reads a plain string.
  const yamlErrors = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')].filter((e) => !(e.code === 'BAD_ALIAS' && aliases.some((a) => a.offset === e.pos[0])));
  const errors = yamlErrors.map((e) => yamlErrorProblem(yaml, file, text, doc, lineCounter, e));
  // A `#` inside { } or [ ] comments out the rest of its line, closing brackets included: the
  // parser then fails at or after that line, and reads what follows as part of the open collection.
  const cut = errors.length > 0 ? comments.inFlowBefore(Math.max(...errors.map((p) => p.line))) : undefined;
  if (cut) syntax.push(...errors.filter((p) => p.line < cut.line), { file, line: cut.line, message: `invalid YAML: ${hashHint(cut)}` });
  else syntax.push(...errors);
  if (syntax.length > 0) {
    const sorted = distinct(syntax).sort((a, b) => a.line - b.line);
    return { problems: sorted, partial: unreadableFile(sorted[0]!.line) };
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (err) {
    // What the checks above do not foresee (an alias expanding past the parser's limit): a problem, never a stack trace.
    return { problems: [{ file, line: 1, message: `invalid YAML: ${(err as Error).message}` }], partial: unreadableFile(1) };
  }
  const parsed = policyFileSchema.safeParse(data);
  if (parsed.success) return { value: parsed.data, problems: [] };
  const problems = parsed.error.issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // An unknown key is reported on the key itself, not on its parent map: one problem per key.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ file, line: lineOf(yaml, doc, lineCounter, path, key), field: formatPath([...path, key]), message: unknownKeyMessage(key, keysAt(path), path) }));
    }
    const line = lineOf(yaml, doc, lineCounter, path);
    return [{ file, line, field: formatPath(path), message: withHint(issue, valueAt(data, path), comments.after(line, path[path.length - 1])) }];
  });
  const toUnread = (issues: readonly z.core.$ZodIssue[]) => unreadSettings(issues, (path, key) => lineOf(yaml, doc, lineCounter, [...path], key));
  // zod orders issues by schema (unknown keys after a map's fields): a person reads the file top down.
  return { problems: problems.sort((a, b) => a.line - b.line), partial: partialReading(data, toUnread(parsed.error.issues), toUnread) };
}

function distinct(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}\u0000${p.field ?? ''}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A parser error, a duplicate key in the user's terms: its field and the line of the first. */
function yamlErrorProblem(yaml: YamlModule, file: string, text: string, doc: Document, lineCounter: LineCounter, e: YAMLError): ConfigProblem {
  const line = errorLine(yaml, text, e.code === 'MISSING_CHAR' && /quote/.test(e.message), e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line);
  if (e.code === 'DUPLICATE_KEY') {
    const dup = duplicateKey(yaml, doc, lineCounter, e.pos[0]);
    if (dup) return { file, line, field: formatPath(dup.path), message: `duplicate key${dup.firstLine !== undefined ? ` (first on line ${dup.firstLine})` : ''}: a key may be given once in a mapping; keep one` };
  }
  return { file, line, message: `invalid YAML: ${e.code === 'MULTIPLE_DOCS' ? 'a rules file holds one YAML document: remove this `---` or split the file in two' : firstLine(e.message)}` };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

/**
 * A `%YAML` directive other than 1.2: js-yaml reads the file as 1.2 whatever it says, the `yaml`
 * parser as the version given, so the two would read 010 or off differently. One reading: 1.2.
 */
function yamlVersionProblem(file: string, text: string, doc: Document): ConfigProblem | undefined {
  if (!doc.directives?.yaml.explicit) return undefined;
  const lines = text.split(/\r\n|\r|\n/);
  const index = lines.findIndex((l) => /^%YAML\b/.test(l));
  if (index < 0) return undefined;
  const directive = lines[index]!.replace(/\s+#.*$/, '').trim();
  if (/^%YAML[ \t]+1\.2$/.test(directive)) return undefined;
  return { file, line: index + 1, message: `rules files are YAML 1.2; remove the ${directive} directive` };
}

interface UnresolvedAlias {
  offset: number;
  line: number;
  path: Array<string | number>;
  message: string;
}

/**
 * Aliases (`*name`) with no anchor (`&name`) before them. The parser leaves them for toJS,
 * which throws; most are a glob that starts with `*`, written without quotes.
 */
function unresolvedAliases(yaml: YamlModule, text: string, doc: Document, lineCounter: LineCounter): UnresolvedAlias[] {
  const anchors: Array<{ name: string; order: number; offset: number }> = [];
  const aliases: Array<{ source: string; order: number; offset: number; path: Array<string | number> }> = [];
  // In document order, as the parser resolves them: an anchor serves the aliases after it.
  let order = 0;
  yaml.visit(doc, {
    Node: (_key, node, ancestors) => {
      const offset = node.range?.[0] ?? 0;
      if (yaml.isAlias(node)) aliases.push({ source: node.source, order: order++, offset, path: fieldPath(yaml, ancestors, node) });
      // A collection's range starts at its first item, after the `&name` that anchors it.
      else if (node.anchor) anchors.push({ name: node.anchor, order: order++, offset: anchorOffset(text, node.anchor, offset) });
    },
  });
  const out: UnresolvedAlias[] = [];
  for (const alias of aliases) {
    const before = anchors.filter((a) => a.order < alias.order).map((a) => a.name);
    if (before.includes(alias.source)) continue;
    const key = [...alias.path].reverse().find((p): p is string => typeof p === 'string');
    const quoted = `${key !== undefined && typeof alias.path[alias.path.length - 1] === 'string' ? `${key}: ` : ''}${JSON.stringify(`*${alias.source}`)}`;
    const quote = `quote a glob that starts with * (${quoted})`;
    const later = anchors.find((a) => a.name === alias.source && a.order > alias.order);
    const near = alias.source ? closestName(alias.source, [...new Set(before)]) : undefined;
    let message: string;
    if (!alias.source) message = `an unquoted * starts a YAML alias, and a lone * names no anchor: ${quote}`;
    else if (later) message = `the alias *${alias.source} comes before its anchor &${alias.source} (line ${lineCounter.linePos(later.offset).line}): an anchor must be defined before its aliases`;
    else if (near) message = `no anchor &${alias.source} is defined for the alias *${alias.source}; did you mean *${near}?`;
    else message = `an unquoted * starts a YAML alias, and no anchor &${alias.source} is defined for *${alias.source}: ${quote}`;
    out.push({ offset: alias.offset, line: lineCounter.linePos(alias.offset).line, path: alias.path, message });
  }
  return out;
}

function anchorOffset(text: string, name: string, nodeOffset: number): number {
  const at = text.lastIndexOf(`&${name}`, nodeOffset);
  return at < 0 ? nodeOffset : at;
}

/** The field path of `node` (the schema's terms: keys and list indexes) from the visitor's ancestors. */
function fieldPath(yaml: YamlModule, ancestors: readonly unknown[], node: unknown): Array<string | number> {
  const chain = [...ancestors, node];
  const out: Array<string | number> = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const [at, next] = [chain[i], chain[i + 1]];
    if (yaml.isPair(at)) {
      if (next !== at.value) break; // a key, not a value: the path ends at its map
      out.push(yaml.isScalar(at.key) ? String(at.key.value) : String(at.key));
    } else if (yaml.isSeq(at)) {
      out.push(at.items.indexOf(next as never));
    }
  }
  return out;
}

/** The field of a duplicate key whose key starts at `offset`, and the line of its first occurrence. */
function duplicateKey(yaml: YamlModule, doc: Document, lineCounter: LineCounter, offset: number): { path: Array<string | number>; firstLine?: number } | undefined {
  let found: { path: Array<string | number>; firstLine?: number } | undefined;
  yaml.visit(doc, {
    Pair: (_key, pair, ancestors) => {
      if (!yaml.isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const map = ancestors[ancestors.length - 1];
      const key = pair.key.value;
      const first = yaml.isMap(map) ? (map.items as Pair[]).find((p) => yaml.isScalar(p.key) && p.key.value === key) : undefined;
      const firstOffset = first && first !== pair && yaml.isScalar(first.key) ? first.key.range?.[0] : undefined;
      found = { path: [...fieldPath(yaml, ancestors.slice(0, -1), map), String(key)], ...(firstOffset !== undefined ? { firstLine: lineCounter.linePos(firstOffset).line } : {}) };
      return yaml.visit.BREAK;
    },
  });
  return found;
}

/** A `#` right after `key: `, with no space after it: a value (`#payments-oncall`) YAML reads as a comment. */
interface HashComment {
  line: number;
  key: string;
  /** The value meant, up to a space, `,`, `}` or `]`. */
  value: string;
  /** Inside `{ }` or `[ ]`, where it comments out the closing brackets too. */
  inFlow: boolean;
}

function hashHint(c: HashComment): string {
  return `an unquoted # starts a YAML comment, so ${JSON.stringify(c.value)} is not read as ${c.key}'s value${c.inFlow ? ', and the rest of the line is lost with it' : ''}: quote it (${c.key}: ${JSON.stringify(c.value)})`;
}

/** The file's hash comments that look like values, read from the parser's tokens on first need. */
class HashComments {
  private found?: HashComment[];

  constructor(
    private readonly yaml: YamlModule,
    private readonly text: string,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The one on `line` after `key`, for a setting read as null. */
  after(line: number, key: string | number | undefined): HashComment | undefined {
    return this.all().find((c) => c.line === line && c.key === String(key));
  }

  /** The first one inside a flow collection on or before `line`. */
  inFlowBefore(line: number): HashComment | undefined {
    return this.all().find((c) => c.inFlow && c.line <= line);
  }

  private all(): HashComment[] {
    if (this.found) return this.found;
    const { CST, Lexer } = this.yaml;
    const markers = new Set<string>([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
    const found: HashComment[] = [];
    let offset = 0;
    let depth = 0;
    for (const token of new Lexer().lex(this.text)) {
      if (markers.has(token)) continue;
      if (token === '{' || token === '[') depth++;
      else if ((token === '}' || token === ']') && depth > 0) depth--;
      else if (/^#[^\s#]/.test(token)) {
        const lineStart = Math.max(this.text.lastIndexOf('\n', offset - 1), this.text.lastIndexOf('\r', offset - 1)) + 1;
        const key = /(?:^|[\s{[,])(?:"([^"]*)"|'([^']*)'|([^\s"'{}[\],:#][^\s{}[\],:]*))[ \t]*:[ \t]+$/.exec(this.text.slice(lineStart, offset));
        if (key) found.push({ line: this.lineCounter.linePos(offset).line, key: key[1] ?? key[2] ?? key[3]!, value: /^#[^\s,}\]]*/.exec(token)![0], inFlow: depth > 0 });
      }
      offset += token.length;
    }
    this.found = found;
    return found;
  }
}

/** An unknown key, with the key it was probably meant to be, else the keys allowed there. */
function unknownKeyMessage(key: string, known: string[], path: Array<string | number>): string {
  const message = `Unrecognized key: "${key}"`;
  const owner = RULE_SPECIFIC_SETTINGS[key];
  if (path.length === 2 && path[0] === 'rules' && owner && owner !== path[1]) return `${message}: ${key} applies to ${owner} only, and would be ignored here`;
  if (key === '<<') return `${message}: merge keys are YAML 1.1 and are not read here (YAML 1.2); repeat the settings, or give the whole mapping as an alias (*name)`;
  const near = closestName(key, known);
  if (near) return `${message}; did you mean "${near}"?`;
  return known.length > 0 ? `${message}; expected one of ${known.join(', ')}` : message;
}

/** The keys the schema allows in the mapping at `path`, read from zod's schema definitions (`_zod.def`). */
function keysAt(path: Array<string | number>): string[] {
  let schema: unknown = policyFileSchema;
  const def = () => (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def ?? {};
  const unwrap = () => {
    while (['optional', 'default', 'nullable'].includes(def().type as string)) schema = def().innerType;
  };
  unwrap();
  for (const segment of path) {
    const d = def();
    if (d.type === 'object') schema = (d.shape as Record<string, unknown>)[segment];
    else if (d.type === 'array') schema = d.element;
    else if (d.type === 'record') schema = d.valueType;
    else return [];
    if (!schema) return [];
    unwrap();
  }
  return def().type === 'object' ? Object.keys(def().shape as object) : [];
}

function valueAt(data: unknown, path: Array<string | number>): unknown {
  let value = data;
  for (const segment of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

const YAML11_BOOLEAN = /^(y|yes|n|no|on|off)$/i;

/** zod's message, and what to write instead where a user's usual slip is plain. */
function withHint(issue: z.core.$ZodIssue, value: unknown, hash?: HashComment): string {
  if (issue.path.length === 0 && issue.code === 'invalid_type') return `${issue.message}: a rules file is a mapping of rules, ownership, remediation, sources and slos`;
  // A key whose entries were all commented out: YAML reads it as null.
  if (value === null && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    if (hash) return `${issue.message}: ${hashHint(hash)}`;
    const empty = issue.code === 'invalid_type' && issue.expected === 'array' ? ' ([] for none)' : issue.code === 'invalid_type' && issue.expected === 'object' ? ' ({} for none)' : '';
    return `${issue.message}: the key has no value; give one${empty}, or remove the key`;
  }
  if (issue.code === 'invalid_type' && value === undefined) return `${issue.message}: ${String(issue.path[issue.path.length - 1])} is required here`;
  if (issue.code === 'invalid_type' && issue.expected === 'boolean' && typeof value === 'string' && YAML11_BOOLEAN.test(value)) {
    return `${issue.message}: "${value}" is a string in YAML 1.2; write true or false`;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `${issue.message}: write ${value.trim()} without quotes`;
  }
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const meant = issue.values.find((v) => typeof v === 'string' && v.toLowerCase() === value.toLowerCase());
    if (meant !== undefined) return `${issue.message} (got ${JSON.stringify(value)}); did you mean ${JSON.stringify(meant)}?`;
  }
  if ((issue.code === 'invalid_value' || issue.code === 'invalid_format') && (typeof value === 'string' || typeof value === 'number')) return `${issue.message} (got ${JSON.stringify(value)})`;
  return issue.message;
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

/**
 * The line of the key of the setting at `path` in a rules file's text (a list's value starts
 * below it). Each text is parsed with positions once per finder, however many settings of it a
 * check names.
 */
export function settingLineFinder(): (text: string, path: Array<string | number>) => number {
  const parsed = new Map<string, { doc: Document; lineCounter: LineCounter }>();
  return (text, path) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: see readPolicyFile.
    const yaml = require('yaml') as YamlModule;
    let read = parsed.get(text);
    if (!read) {
      const lineCounter = new yaml.LineCounter();
      parsed.set(text, (read = { doc: yaml.parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter }));
    }
    const key = path[path.length - 1];
    return lineOf(yaml, read.doc, read.lineCounter, path.slice(0, -1), typeof key === 'string' ? key : undefined);
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

export function formatPath(path: ReadonlyArray<string | number>): string {
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
  const settingLine = settingLineFinder();
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

/** Every setting of a file at the depth the merge replaces (merge units, setting-paths.ts), with its value. */
export function mergedSettings(value: PolicyFile): Array<[string[], unknown]> {
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
