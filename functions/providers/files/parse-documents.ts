import * as yaml from 'js-yaml';
import { isRecord } from '../../core/is-record';
import { APPMESH_NAME_FIELDS, type EnvoyInput } from '../../core/model/inventory';
import type { ConfigProblem } from '../../core/model/types';
import { configDumpLists, isEnvoyConfigDump } from '../envoy/config-dump';
import { readField } from '../envoy/proto-fields';
import { formatFieldPath, type PathSegment } from './field-path';
import { ANY_BEGIN } from '../x509/pem';
import { locateJsonError, scanJsonValue, type JsonError } from './json-error';
import { jsonArrayElementLines, jsonArrayLinesAt, jsonNestingBeyond, jsonSpaceEnd } from './json-path';
import { firstContentLine, forwardLineCounter, lineAt } from './text-lines';
import { aliasProblem, MAX_NESTING, mayHaveAliases, nestedDeeperThan } from './value-limits';
import { listEntryLineFinder } from './list-entry-lines';
import { BLOCK_SCALAR_HEADER, blockScalarCutShort } from './block-scalar-cut';

/** One parsed document of a file, before its kind is known. */
export interface RawDocument {
  file: string;
  line: number;
  format: 'yaml' | 'json' | 'pem';
  body: unknown;
  /**
   * The line of each element: of a JSON array (describe-* arrays), or of the `items` of a
   * `kind: List`, so every item points at its own place.
   */
  elementLines?: number[];
  /**
   * The line of each entry of a list inside the document, by the list's key: the `listeners`
   * and `clusters` of an Envoy bootstrap's `static_resources`.
   */
  entryLines?: EnvoyInput['entryLines'];
}

export interface ParsedFile {
  documents: RawDocument[];
  problems: ConfigProblem[];
}

/**
 * YAML 1.2 core types plus merge keys (`<<: *base`), which kubectl's YAML reader expands:
 * js-yaml's default schema leaves `<<` a plain key. Measured on the 10k-workload bench fleet,
 * parsing takes the same time with it (572 against 581 ms, medians of 6).
 */
const KUBERNETES_YAML = yaml.CORE_SCHEMA.withTags(yaml.mergeTag);
const YAML_OPTIONS: yaml.LoadOptions = { schema: KUBERNETES_YAML };

/** A certificate block's BEGIN line, with every label the certificate reader takes (pem.ts). */
const PEM_MARKER = ANY_BEGIN;
const DOCUMENT_SEPARATOR = /^---(?:[ \t].*)?$/;

/**
 * Parses one file's text by its content, never by its name: JSON when it starts with `{` or
 * `[`, PEM when it holds certificates and no configuration, YAML (many documents) otherwise.
 */
export function parseFileText(file: string, text: string): ParsedFile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = firstSignificantChar(body);
  if (first === '{' || first === '[') return parseJson(file, body);
  const pemAt = body.search(PEM_MARKER);
  if (pemAt >= 0 && !looksLikeConfiguration(body, pemAt)) {
    return { documents: [{ file, line: lineAt(body, pemAt), format: 'pem', body }], problems: [] };
  }
  return parseYaml(file, body);
}

function firstSignificantChar(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return '';
}

const CONFIGURATION_KEY = /^\s*(apiVersion|kind|static_resources|staticResources)\s*:/m;
const PEM_BLOCK = new RegExp(`${ANY_BEGIN.source}[\\s\\S]*?-----END \\1-----`, 'g');

/**
 * PEM blocks also appear inside Secrets and ConfigMaps; those are YAML documents, not PEM files.
 * Inside YAML a certificate is a value, indented under its key or quoted after it. A file whose
 * first BEGIN line starts at column 0 has a PEM file's layout, and the text before it is a header
 * (`kind: root bundle`, openssl's `Bag Attributes`), unless that text opens a block scalar the
 * block was meant to fill (its YAML error is then reported) or the whole text parses as YAML
 * mappings.
 */
function looksLikeConfiguration(text: string, begin: number): boolean {
  const lineStart = text.lastIndexOf('\n', begin - 1) + 1;
  if (begin > lineStart) return CONFIGURATION_KEY.test(text.replace(PEM_BLOCK, ''));
  const header = text.slice(0, lineStart);
  if (!CONFIGURATION_KEY.test(header)) return false;
  const lastLine = header.split(/\r?\n/).reverse().find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return (lastLine !== undefined && BLOCK_SCALAR_HEADER.test(lastLine)) || parsesAsMappings(text);
}

/** True when the text is YAML whose documents are all mappings (asked only of the rare file the layout leaves in doubt). */
function parsesAsMappings(text: string): boolean {
  let mappings = true;
  try {
    yaml.loadAll(text, (doc) => {
      if (doc !== null && doc !== undefined && !isRecord(doc)) mappings = false;
    }, YAML_OPTIONS);
  } catch {
    return false;
  }
  return mappings;
}

/**
 * The keys a document of an input meshgov reads may start with: a Kubernetes object's (a List's
 * `items` sorts before `kind`), an Envoy bootstrap's, an App Mesh describe-* output's wrapper
 * and `*Data` fields, boto3's `ResponseMetadata` (sorted first by `json.dumps(sort_keys=True)`).
 */
const DOCUMENT_START_KEYS: ReadonlySet<string> = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'items',
  'static_resources',
  'staticResources',
  'dynamic_resources',
  'dynamicResources',
  'node',
  'admin',
  ...Object.keys(APPMESH_NAME_FIELDS),
  ...Object.values(APPMESH_NAME_FIELDS),
  'ResponseMetadata',
]);

/** A YAML key at the start of a line (`apiVersion:`, `- "kind":`), the key captured. */
const YAML_KEY = /^(?:-[ \t]+)?(["']?)([A-Za-z_][\w.-]*)\1[ \t]*:(?:[ \t]|$)/;
/** A JSON object's first key, or an array's first element's (`{ "apiVersion"`, `[{"virtualNode"`), the key captured. */
const JSON_FIRST_KEY = /^(?:\[\s*)?\{\s*(["']?)([A-Za-z_][\w.-]*)\1\s*:/;

/**
 * Whether a file that failed to parse, found while walking a directory, was meant as
 * configuration: its first line that is not blank, a comment (a Markdown heading, a shebang), a
 * directive or a `---` starts a document of an input meshgov reads, a YAML key or a JSON
 * object's first key among DOCUMENT_START_KEYS. A README (prose, a fenced example), a script,
 * TOML or INI (`[build-system]`), JSON with comments (tsconfig.json) or a Helm template
 * (`{{- if …}}`) is not; a broken manifest or export is, and is reported. Reads only the first
 * lines, and only of files that did not parse.
 */
export function mightBeConfiguration(text: string): boolean {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    const end = text.indexOf('\n', pos);
    const lineEnd = end === -1 ? text.length : end;
    let line = text.slice(pos, lineEnd).trim();
    if (line.startsWith('---') && DOCUMENT_SEPARATOR.test(line)) line = line.slice(3).trim();
    if (line !== '' && line[0] !== '#' && line[0] !== '%' && line !== '...') {
      if (line[0] === '{' || line[0] === '[') {
        // Pretty-printed JSON puts the first key on a later line: read on from here.
        const open = text.indexOf(line[0], pos);
        const key = JSON_FIRST_KEY.exec(text.slice(open, open + 4096));
        return key !== null && DOCUMENT_START_KEYS.has(key[2]!);
      }
      const key = YAML_KEY.exec(line);
      return key !== null && DOCUMENT_START_KEYS.has(key[2]!);
    }
    if (end === -1) break;
    pos = end + 1;
  }
  return false;
}

function parseJson(file: string, text: string): ParsedFile {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const stream = parseJsonStream(file, text);
    return stream.problems.length > 0 && FLOW_YAML_START.test(text) ? flowYamlOr(file, text, stream) : stream;
  }
  if (nestedDeeperThan(body)) return { documents: [], problems: [nestingProblem(file, text, 0)] };
  return { documents: [jsonDocument(file, text, body, lineAt(text, text.search(/\S/)), 0)], problems: [] };
}

/**
 * A flow mapping whose first key is not in double quotes (`{apiVersion: security.istio.io/v1,
 * kind: …}`, or a list of them in `[…]`), which JSON requires: YAML written in flow style, or a
 * Python dict's repr with its single quotes. A first key in double quotes is JSON's, and a
 * mistake in it (a trailing comma, an unquoted value) stays a JSON error even where YAML would
 * take the text.
 */
const FLOW_YAML_START = /^\s*(?:\[\s*)*\{\s*[A-Za-z_']/;

/** The text read as YAML when that reads it without an error; else the JSON reading, with its errors. */
function flowYamlOr(file: string, text: string, json: ParsedFile): ParsedFile {
  const asYaml = parseYaml(file, text);
  return asYaml.problems.length === 0 ? asYaml : json;
}

/**
 * A JSON value nested deeper than MAX_NESTING, at the bracket that opens the level past it: as
 * js-yaml refuses such YAML ("nesting exceeded maxDepth (100)"), since every reader after the
 * parser recurses (JSON.stringify of a 10,000-level value overflows the stack). JSON.parse,
 * which does not recurse, has taken the text; the scan runs only on a value already found too deep.
 */
function nestingProblem(file: string, text: string, from: number): ConfigProblem {
  const at = jsonNestingBeyond(text, MAX_NESTING, from);
  return jsonProblem(file, text, { offset: at < 0 ? from : at, message: `nesting exceeded maxDepth (${MAX_NESTING})` });
}

/**
 * A text JSON.parse refused: JSON values one after another, as kubectl reads them
 * (`jq '.items[]'`, pretty or compact; describe-* output appended with `>>`), each a document
 * with its own line; or a syntax error, reported where it is. After an error the values go on at
 * the next line that opens one at its first column, as jq and `>>` write each value, so one
 * broken value does not hide the ones after it (YAML documents recover the same way).
 */
function parseJsonStream(file: string, text: string): ParsedFile {
  const documents: RawDocument[] = [];
  const problems: ConfigProblem[] = [];
  const lineOf = forwardLineCounter(text);
  for (let at = jsonSpaceEnd(text, 0); at < text.length; ) {
    const scanned = scanJsonValue(text, at);
    let error: JsonError | undefined = 'message' in scanned ? scanned : undefined;
    if (!('message' in scanned)) {
      const piece = text.slice(at, scanned.end);
      try {
        const body: unknown = JSON.parse(piece);
        if (nestedDeeperThan(body)) problems.push(nestingProblem(file, text, at));
        else {
          const line = lineOf(at);
          documents.push(jsonDocument(file, piece, body, line, line - 1));
        }
        at = jsonSpaceEnd(text, scanned.end);
        continue;
      } catch {
        // The scan follows RFC 8259 as JSON.parse does; should they ever differ, the error is still placed.
        const located = locateJsonError(piece);
        error = { offset: at + located.offset, message: located.message };
      }
    }
    problems.push(jsonProblem(file, text, error!));
    at = nextValueAtLineStart(text, Math.max(error!.offset, at + 1));
  }
  return { documents, problems };
}

/** The offset of the next line, after `from`, that starts with `{` or `[`; the text's end when none does. */
function nextValueAtLineStart(text: string, from: number): number {
  for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    const c = text.charCodeAt(nl + 1);
    if (c === 123 /* { */ || c === 91 /* [ */) return nl + 1;
  }
  return text.length;
}

/** One JSON document: `text` is its own text, `lineShift` the lines of the file before it. */
function jsonDocument(file: string, text: string, body: unknown, line: number, lineShift: number): RawDocument {
  const doc: RawDocument = { file, line, format: 'json', body };
  const shift = (lines: number[]) => (lineShift === 0 ? lines : lines.map((l) => l + lineShift));
  if (Array.isArray(body)) doc.elementLines = shift(jsonArrayElementLines(text, body.length));
  else if (hasInnerLists(body)) addInnerLines(doc, (path) => shift(jsonArrayLinesAt(text, path)));
  return doc;
}

function jsonProblem(file: string, text: string, error: JsonError): ConfigProblem {
  const column = error.offset - text.lastIndexOf('\n', error.offset - 1);
  // The id keeps the wording from before the message said what was expected, so baselines hold.
  const identity = `invalid JSON: ${error.message.replace(/, expected .*$/, '')} at column ${column}`;
  return { file, line: lineAt(text, error.offset), message: `invalid JSON: ${error.message} at column ${column}`, identity, ...providerHint(text) };
}

/**
 * Whose input a file that cannot be parsed was meant to be, from the names in its text: the
 * report's provider has no "file" value, and guessing Istio for an App Mesh export misleads.
 */
function providerHint(text: string): Pick<ConfigProblem, 'provider'> {
  if (/appmesh\.k8s\.aws|"?(meshName|virtualNodeName|virtualGatewayName|virtualServiceName|virtualRouterName)"?\s*:/.test(text)) return { provider: 'appmesh' };
  if (/"?(static_resources|staticResources)"?\s*:/.test(text)) return { provider: 'envoy' };
  return {};
}

/**
 * Text handed to one js-yaml `loadAll` call. js-yaml builds a text's whole event stream before
 * its objects, so one call over a large file keeps that stream alive across many young-generation
 * collections, which copy and then promote it: cutting at document boundaries into pieces of
 * about this size keeps each stream short-lived (45 MB less peak RSS at 10k workloads than one
 * call per file).
 *
 * 16 KB rather than 64: when a scavenge found most of one allocation site's recent objects
 * still alive (a 64 KB piece's stream, mid-parse), V8 decided to pretenure that site, and from
 * then on every object it made went straight to the old generation (`node
 * --trace-pretenuring-statistics` shows the "=> tenure" decision). About one run in five did
 * this, and its peak RSS went from 220 to 300 MB. Measured on the 10k-workload bench fleet:
 * no such run in 91 with 16 KB pieces; with 64 KB ones, 2 in 10 interleaved runs; the same audit
 * time (1,331 against 1,329 ms, medians of those 10). Smaller pieces only made the decision
 * rarer (it came back in about 1 run in 10 once the engine loaded more code before parsing), so
 * the collector now turns pretenuring off (collect.ts, stopAllocationSitePretenuring).
 */
const YAML_BATCH_CHARS = 16 * 1024;

function parseYaml(file: string, text: string): ParsedFile {
  const chunks = splitYamlDocuments(text);
  if (text.length <= YAML_BATCH_CHARS) return parseYamlWhole(file, text, chunks) ?? parseYamlByDocument(file, chunks);
  const documents: RawDocument[] = [];
  const problems: ConfigProblem[] = [];
  for (let first = 0; first < chunks.length; ) {
    let last = first;
    while (last + 1 < chunks.length && chunks[last]!.end - chunks[first]!.start < YAML_BATCH_CHARS) last++;
    const batch = chunks.slice(first, last + 1);
    const batchText = text.slice(batch[0]!.start, batch[batch.length - 1]!.end);
    const parsed = parseYamlWhole(file, batchText, batch) ?? parseYamlByDocument(file, batch);
    for (let i = 0; i < parsed.documents.length; i++) documents.push(parsed.documents[i]!);
    for (let i = 0; i < parsed.problems.length; i++) problems.push(parsed.problems[i]!);
    first = last + 1;
  }
  return { documents, problems };
}

/**
 * The fast path: one js-yaml `loadAll` over the text of consecutive documents (as fast as
 * parsing gets), with each document's line taken from the `---` scan. Undefined when the text
 * has an error, or when documents and separators do not pair up one to one, so the careful
 * path decides.
 */
function parseYamlWhole(file: string, text: string, chunks: YamlChunk[]): ParsedFile | undefined {
  const bodies: unknown[] = [];
  try {
    yaml.loadAll(text, (doc) => bodies.push(doc), YAML_OPTIONS);
  } catch {
    return undefined;
  }
  // Text before the first `---`, or after a `...`, is a document only when it holds something.
  const docChunks = chunks.filter((c, i) => hasContent(c.text) || !(c.afterEnd || (i === 0 && chunks.length > 1)));
  if (bodies.length === 0 && docChunks.every((c) => !hasContent(c.text))) return { documents: [], problems: [] };
  if (bodies.length !== docChunks.length) return undefined;
  const documents: RawDocument[] = [];
  const problems: ConfigProblem[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const body = bodies[i];
    if (body === null || body === undefined) continue;
    addYamlDocument(file, docChunks[i]!, body, documents, problems);
  }
  return { documents, problems };
}

/** The careful path: document by document, so one bad document does not hide the rest. */
function parseYamlByDocument(file: string, chunks: YamlChunk[]): ParsedFile {
  const documents: RawDocument[] = [];
  const problems: ConfigProblem[] = [];
  for (const chunk of chunks) {
    if (!hasContent(chunk.text)) continue;
    try {
      const body = yaml.load(chunk.text, { filename: file, schema: KUBERNETES_YAML });
      if (body === null || body === undefined) continue;
      addYamlDocument(file, chunk, body, documents, problems);
    } catch (err) {
      const e = err as yaml.YAMLException;
      // At an unexpected end js-yaml marks the line after the last one; name the last instead.
      const line = Math.min(chunk.line + (e.mark?.line ?? 0), lastLineOf(chunk));
      const cut = e.mark?.line !== undefined ? blockScalarCutShort(chunk.text.split(/\r?\n/), e.mark.line) : undefined;
      if (cut) {
        const at = chunk.line + cut.line;
        const message = `invalid YAML: this line is less indented than the lines of block scalar ${cut.key} (line ${chunk.line + cut.header}) before it, so the block ends here and the rest is read as a key; indent it as those lines (the parser stops at line ${line}: ${e.reason ?? e.message})`;
        problems.push({ file, line: at, message, identity: `invalid YAML: a line cuts block scalar ${cut.key} short`, ...providerHint(chunk.text) });
        continue;
      }
      problems.push({ file, line, message: `invalid YAML: ${e.reason ?? e.message}`, ...providerHint(chunk.text) });
    }
  }
  return { documents, problems };
}

/** The chunk's last line that holds a character. */
function lastLineOf(chunk: YamlChunk): number {
  let end = chunk.text.length;
  while (end > 0 && /\s/.test(chunk.text[end - 1]!)) end--;
  return lineAt(chunk.text, end, 0, chunk.line);
}

/**
 * A parsed YAML document, or the problem that refuses it: aliases that expand it too far
 * (value-limits.ts). Only a document whose text may hold an alias is measured; the rest, nearly
 * all, pay one indexOf for a star.
 */
function addYamlDocument(file: string, chunk: YamlChunk, body: unknown, documents: RawDocument[], problems: ConfigProblem[]): void {
  const refused = mayHaveAliases(chunk.text) ? aliasProblem(body) : undefined;
  if (refused === undefined) documents.push(yamlDocument(file, chunk, body));
  else problems.push({ file, line: firstContentLine(chunk.text, chunk.line), message: `invalid YAML: ${refused}`, ...providerHint(chunk.text) });
}

function yamlDocument(file: string, chunk: YamlChunk, body: unknown): RawDocument {
  const doc: RawDocument = { file, line: firstContentLine(chunk.text, chunk.line), format: 'yaml', body };
  if (hasInnerLists(body)) addInnerLines(doc, listEntryLineFinder(chunk.text, chunk.line));
  return doc;
}

/**
 * Whether a document holds lists whose entries are resources of their own: a `kind: List`'s
 * items, an Envoy bootstrap's listeners and clusters. Asked of every document, so it only
 * reads properties; the line finder is made for the few that answer yes.
 */
function hasInnerLists(body: unknown): boolean {
  if (!isRecord(body)) return false;
  if (Array.isArray(body.items) || body.static_resources !== undefined || body.staticResources !== undefined) return true;
  return isEnvoyConfigDump(body);
}

/** The lines of those entries, from `linesAt`, which finds the entry lines of the list at a path. */
function addInnerLines(doc: RawDocument, linesAt: (path: PathSegment[]) => number[]): void {
  const items = listItemLines(doc.body, linesAt);
  if (items) doc.elementLines = items;
  const envoy = envoyEntryLines(doc.body, linesAt);
  if (envoy) doc.entryLines = envoy;
}

/** For a `kind: List` (`kubectl get -o yaml|json`), the line of each item, so every item points at its own place. */
function listItemLines(body: unknown, linesAt: (path: PathSegment[]) => number[]): number[] | undefined {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || typeof (body as { kind?: unknown }).kind !== 'string') return undefined;
  const lines = linesAt(['items']);
  return lines.length === items.length ? lines : undefined;
}

/** The Envoy bootstrap's keys whose entries are resources of their own. */
const ENVOY_RESOURCE_LISTS = ['listeners', 'clusters'] as const;

/**
 * For an Envoy bootstrap, the line of each listener and cluster, so that a finding points at the
 * listener rather than at the top of the file. A list whose layout the scan cannot follow is left
 * out, and its entries fall back to the document's line.
 */
function envoyEntryLines(body: unknown, linesAt: (path: PathSegment[]) => number[]): RawDocument['entryLines'] {
  if (isEnvoyConfigDump(body)) return dumpEntryLines(body, linesAt);
  // Read as the Envoy provider reads it: by proto name, else by its lowerCamelCase JSON name.
  const resources = readField(body, 'static_resources');
  if (resources === undefined || !isRecord(resources.value)) return undefined;
  let out: RawDocument['entryLines'];
  for (const list of ENVOY_RESOURCE_LISTS) {
    const entries = resources.value[list];
    if (!Array.isArray(entries) || entries.length === 0) continue;
    const lines = linesAt([resources.key, list]);
    if (lines.length === entries.length) (out ??= {})[list] = lines;
  }
  return out;
}

/** For an Envoy admin config dump, the line of each entry of its listener, cluster and secret lists. */
function dumpEntryLines(body: unknown, linesAt: (path: PathSegment[]) => number[]): RawDocument['entryLines'] {
  const lists: Record<string, number[]> = {};
  for (const list of configDumpLists(body)) {
    if (list.entries.length === 0) continue;
    const lines = linesAt(list.listPath);
    if (lines.length === list.size) lists[formatFieldPath(list.listPath)] = lines;
  }
  return Object.keys(lists).length > 0 ? { lists } : undefined;
}

/** True when the text holds more than blank lines and comments. */
function hasContent(text: string): boolean {
  return /^[ \t]*[^#\s]/m.test(text);
}

interface YamlChunk {
  text: string;
  /** Line of the chunk's first line in the file. */
  line: number;
  /** Offsets of the chunk in the file's text: `text` is `fileText.slice(start, end)`. */
  start: number;
  end: number;
  /**
   * Follows a `...` end marker. Such a chunk, like text before the first `---`, is a document
   * only when it holds something: js-yaml gives an empty document only between two `---`.
   */
  afterEnd?: boolean;
}

/**
 * Splits a multi-document YAML stream at `---` lines. Parsing document by document keeps one
 * bad document from hiding the rest, and gives each document its own start line.
 */
export function splitYamlDocuments(text: string): YamlChunk[] {
  const chunks: YamlChunk[] = [];
  let start = 0;
  let startLine = 1;
  let afterEnd = false;
  let pos = 0;
  let line = 1;
  while (pos <= text.length) {
    const end = text.indexOf('\n', pos);
    const lineEnd = end === -1 ? text.length : end;
    if (text.charCodeAt(pos) === 45 /* - */ && isSeparator(text, pos, lineEnd)) {
      chunks.push(chunkOf(text, start, pos, startLine, afterEnd));
      afterEnd = false;
      // Content after `--- ` on the same line belongs to the next document.
      start = pos + 3;
      startLine = line;
    } else if (text.startsWith('...', pos) && text.slice(pos, lineEnd).trim() === '...') {
      chunks.push(chunkOf(text, start, pos, startLine, afterEnd));
      afterEnd = true;
      start = lineEnd;
      startLine = line;
    }
    if (end === -1) break;
    pos = end + 1;
    line++;
  }
  chunks.push(chunkOf(text, start, text.length, startLine, afterEnd));
  return chunks;
}

function chunkOf(text: string, start: number, end: number, line: number, afterEnd: boolean): YamlChunk {
  const chunk: YamlChunk = { text: text.slice(start, end), line, start, end };
  if (afterEnd) chunk.afterEnd = true;
  return chunk;
}

function isSeparator(text: string, pos: number, lineEnd: number): boolean {
  if (!text.startsWith('---', pos)) return false;
  return DOCUMENT_SEPARATOR.test(text.slice(pos, lineEnd).replace(/\r$/, ''));
}
