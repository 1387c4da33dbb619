import { SEVERITIES, scopePrefix, type Severity } from '../model/types';
import { printable } from './printable';
import type { Finding } from '../findings';
import type { SuppressedFinding } from '../rules/apply-suppressions';
import type { AuditReport, ReportedFinding } from './report';

export interface TableOptions {
  color: boolean;
  /** The terminal's width: messages are wrapped to it. Unset (a pipe, a file), each message stays on one line. */
  width?: number;
}

const COLORS: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** `--format table`: findings grouped by severity, for people; ends with one summary line. */
export function formatTable(report: AuditReport, options: TableOptions): string {
  const paint = (code: string, s: string) => (options.color ? `${code}${s}${RESET}` : s);
  const lines: string[] = [];
  for (const severity of SEVERITIES) {
    const all = report.findings.filter((f) => f.severity === severity);
    if (all.length === 0) continue;
    // Against a baseline, what is new is what the reader has to act on: it comes first.
    const known = all.filter((f) => f.baselineState === 'unchanged');
    const group = known.length > 0 ? [...all.filter((f) => f.baselineState !== 'unchanged'), ...known] : all;
    lines.push(paint(COLORS[severity], `${severity.toUpperCase()} (${group.length}${known.length > 0 ? `, ${known.length} known` : ''})`));
    for (const f of group) lines.push(...formatFinding(f, paint, options.width));
    lines.push('');
  }
  if (report.suppressed?.length) {
    lines.push(paint(DIM, `SUPPRESSED (${report.suppressed.length})`));
    for (const f of report.suppressed) lines.push(...formatSuppressed(f, paint));
    lines.push('');
  }
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

/** What was accepted, where, and why: one line for the finding, one for the annotation. */
function formatSuppressed(f: SuppressedFinding, paint: (code: string, s: string) => string): string[] {
  const s = f.suppression;
  const reason = s.reason === '' ? 'no reason given' : s.reason;
  return [`  ${f.rule.padEnd(25)} ${resourceText(f)}  ${paint(DIM, `[${f.severity}]`)}`, `${' '.repeat(MESSAGE_COLUMN)}${printable(`${s.file}:${s.line}: ${reason}`)}`];
}

/** `Deployment orders/orders-api:8080`: the resource as the table and the GitHub summary name it. */
export function resourceText(f: Finding): string {
  const r = f.resource;
  return printable(`${r.kind} ${scopePrefix(r)}${r.name}${r.port !== undefined ? `:${r.port}` : ''}`);
}

/** Where messages start: under the resource, after the rule column. */
const MESSAGE_COLUMN = 28;
/** Below this many characters after the column, messages start under the rule instead. */
const MIN_MESSAGE_WIDTH = 50;
const NARROW_INDENT = 4;

/** A finding the baseline held, in words: a grown one is still to act on, and says why it is listed. */
const TAGS = { unchanged: '[known]', updated: '[more severe than in the baseline]' } as const;

function formatFinding(f: ReportedFinding, paint: (code: string, s: string) => string, width?: number): string[] {
  const r = f.resource;
  const resource = resourceText(f);
  const location = printable(r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : '');
  const indent = width !== undefined && width - MESSAGE_COLUMN < MIN_MESSAGE_WIDTH ? NARROW_INDENT : MESSAGE_COLUMN;
  // Wrapped here, with the indent: a terminal would wrap to column 0, under the rule column.
  // Each line is painted on its own, so the colour is reset at every line end.
  const block = (text: string, code?: string) =>
    (width === undefined ? [text] : wrap(text, width - indent)).map((l) => `${' '.repeat(indent)}${code ? paint(code, l) : l}`);
  // A tag in words, not only a colour, so that it survives --no-color and a pipe.
  const tagText = f.baselineState === 'unchanged' || f.baselineState === 'updated' ? TAGS[f.baselineState] : '';
  const tag = tagText ? `${location ? '  ' : ''}${paint(DIM, tagText)}` : '';
  const head = `  ${f.rule.padEnd(25)} ${resource}`;
  // Too long for the terminal: the place goes on a line of its own rather than being cut mid-word.
  const fits = width === undefined || head.length + 2 + location.length + (tagText ? 2 + tagText.length : 0) <= width;
  const heading = fits ? [`${head}  ${paint(DIM, location)}${tag}`] : [head, `${' '.repeat(indent)}${paint(DIM, location)}${tag}`];
  const out = [...heading, ...block(printable(f.message))];
  if (f.remediation) out.push(...block(printable(`fix [${f.remediation.mode}] ${f.remediation.action}: ${f.remediation.reason}`), DIM));
  return out;
}

/** Breaks text at spaces into lines of at most `width` characters; a longer word (a path) stays whole. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

export function summaryLine(report: AuditReport): string {
  const parts = SEVERITIES.filter((s) => report.summary.bySeverity[s]).map((s) => `${report.summary.bySeverity[s]} ${s}`);
  const n = report.summary.findings;
  const line = `${n} finding${n === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''} across ${report.summary.resources} resource${report.summary.resources === 1 ? '' : 's'}`;
  const suppressed = report.summary.suppressed ? `; ${report.summary.suppressed} suppressed by annotations` : '';
  const baseline = report.summary.baseline;
  if (!baseline) return `${line}${suppressed}`;
  // "fixed" for the absent ones: their ids are in the baseline and no finding has them now.
  const grown = baseline.updated > 0 ? `${baseline.updated} more severe, ` : '';
  const off = baseline.notCompared ? ` (${baseline.notCompared} more of rules now disabled, not compared)` : '';
  return `${line}; ${baseline.new} new, ${grown}${baseline.unchanged} known and ${baseline.absent} fixed since ${printable(baseline.file)}${off}${suppressed}`;
}
