import { readFileSync } from 'node:fs';
import { isRecord } from '../core/is-record';
import { SEVERITIES, type Severity } from '../core/model/types';
import type { BaselineEntry } from '../core/report/baseline';
import { systemErrorReason } from '../core/system-error';
import { locateJsonError } from '../providers/files/json-error';
import { followJsonPath, jsonSpaceEnd } from '../providers/files/json-path';
import type { PathSegment } from '../providers/files/field-path';
import { lineAt, lineOfOffset, lineStarts } from '../providers/files/text-lines';
import { utf16Text } from '../providers/files/utf16-text';

/** A `--baseline` file that cannot be used; the message names the file, and where it can, the line and the field. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/** The partial fingerprint format-sarif.ts gives each result: the finding's id. */
const SARIF_ID = 'meshgovFindingId/v1';

/**
 * The findings of a previous report (id, and severity where it says), from a `--format json`
 * report or a SARIF log meshgov wrote, told apart by their content (a SARIF log has `runs` or a
 * SARIF `$schema`), as inputs are.
 */
export function readBaseline(file: string): BaselineEntry[] {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new BaselineError(`cannot read baseline ${file}: ${systemErrorReason(err)}`);
  }
  // Windows PowerShell's `>` writes UTF-16 with a byte order mark, as inputs are read too.
  let text = utf16Text(buf) ?? buf.toString('utf8');
  // Editors and PowerShell's Out-File write a BOM, which JSON.parse rejects.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const { offset, message } = locateJsonError(text);
    const column = offset - text.lastIndexOf('\n', offset - 1);
    throw new BaselineError(`${file}:${lineAt(text, offset)}: invalid JSON: ${message} at column ${column} (--baseline takes a report of meshgov audit --format json or sarif)`);
  }
  const fail = (path: readonly PathSegment[], what: string): never => {
    throw new BaselineError(`${file}:${lineOf(text, path)}: ${path.length > 0 ? `${fieldName(path)}: ` : ''}${what}`);
  };
  if (!isRecord(body)) {
    return fail([], `expected a meshgov JSON report or SARIF log, got ${describe(body)}`);
  }
  return isSarif(body) ? sarifEntries(body, fail) : reportEntries(body, fail);
}

type Fail = (path: readonly PathSegment[], what: string) => never;

function isSarif(body: Record<string, unknown>): boolean {
  return 'runs' in body || (typeof body.$schema === 'string' && /sarif/i.test(body.$schema));
}

/** CONTRACT.md's JSON report: `version: 1` and `findings[].id`. */
function reportEntries(body: Record<string, unknown>, fail: Fail): BaselineEntry[] {
  if (!('version' in body) && !('findings' in body)) {
    return fail(['findings'], 'expected an array: a meshgov JSON report has version 1 and findings, a SARIF log has runs');
  }
  if (body.version !== 1) fail(['version'], expected('1', body.version));
  if (!Array.isArray(body.findings)) return fail(['findings'], expected('an array', body.findings));
  return body.findings.map((f, i) => {
    if (!isRecord(f)) return fail(['findings', i], expected('an object', f));
    return entry(stringAt(f.id, ['findings', i, 'id'], fail), f.severity, f.rule);
  });
}

/**
 * A SARIF log of format-sarif.ts: results carry the id as a partial fingerprint; findings without
 * a file went into the notifications, with their id in `properties.id`.
 */
function sarifEntries(body: Record<string, unknown>, fail: Fail): BaselineEntry[] {
  if (body.version !== '2.1.0') fail(['version'], expected('"2.1.0"', body.version));
  if (!Array.isArray(body.runs)) return fail(['runs'], expected('an array', body.runs));
  const ids: BaselineEntry[] = [];
  body.runs.forEach((run, r) => {
    if (!isRecord(run)) return fail(['runs', r], expected('an object', run));
    const driver = isRecord(run.tool) && isRecord(run.tool.driver) ? run.tool.driver : undefined;
    // Another tool's fingerprints are not meshgov's finding ids: every finding would look new.
    if (driver?.name !== 'meshgov') fail(['runs', r, 'tool', 'driver', 'name'], expected('"meshgov" (a SARIF log meshgov wrote)', driver?.name));
    if (!Array.isArray(run.results)) return fail(['runs', r, 'results'], expected('an array', run.results));
    run.results.forEach((result, i) => {
      const at = ['runs', r, 'results', i];
      if (!isRecord(result)) return fail(at, expected('an object', result));
      if (!isRecord(result.partialFingerprints)) return fail([...at, 'partialFingerprints'], expected(`an object holding "${SARIF_ID}"`, result.partialFingerprints));
      ids.push(entry(stringAt(result.partialFingerprints[SARIF_ID], [...at, 'partialFingerprints', SARIF_ID], fail), isRecord(result.properties) ? result.properties.severity : undefined, result.ruleId));
    });
    const invocations = Array.isArray(run.invocations) ? run.invocations : [];
    for (const invocation of invocations) {
      const notes = isRecord(invocation) && Array.isArray(invocation.toolExecutionNotifications) ? invocation.toolExecutionNotifications : [];
      for (const note of notes) {
        if (!isRecord(note) || !isRecord(note.properties)) continue;
        if (typeof note.properties.id === 'string') ids.push(entry(note.properties.id, note.properties.severity));
        // Results left out over code scanning's limit: the note lists them, so a baseline still knows them.
        if (Array.isArray(note.properties.omittedFindings)) {
          for (const omitted of note.properties.omittedFindings) if (isRecord(omitted) && typeof omitted.id === 'string') ids.push(entry(omitted.id, omitted.severity));
        }
      }
    }
  });
  return ids;
}

/** A baseline finding; a severity it does not give as one of meshgov's is unknown, never an error (older reports). */
function entry(id: string, severity: unknown, rule?: unknown): BaselineEntry {
  const out: BaselineEntry = typeof severity === 'string' && (SEVERITIES as readonly string[]).includes(severity) ? { id, severity: severity as Severity } : { id };
  if (typeof rule === 'string') out.rule = rule;
  return out;
}

function stringAt(value: unknown, path: readonly PathSegment[], fail: Fail): string {
  if (typeof value === 'string') return value;
  return fail(path, expected('a string', value));
}

/** `findings[2].id`, `runs[0].results[1].partialFingerprints["meshgovFindingId/v1"]`: as field-path.ts reads them. */
function fieldName(path: readonly PathSegment[]): string {
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}

/** The line of the field, or of the deepest step of its path that the text has (the object that lacks it). */
function lineOf(text: string, path: readonly PathSegment[]): number {
  const start = jsonSpaceEnd(text, 0);
  const steps = followJsonPath(text, start, path).steps;
  return lineOfOffset(lineStarts(text), steps.length > 0 ? steps[steps.length - 1]! : start);
}

/** `expected a string` where the field is missing, `expected a string, got 42` where it is something else. */
function expected(what: string, value: unknown): string {
  return `expected ${what}${value === undefined ? '' : `, got ${describe(value)}`}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
