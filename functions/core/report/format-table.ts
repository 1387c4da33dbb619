import type { Finding } from '../findings';
import { SEVERITIES, type Severity } from '../model/types';
import { printable } from './printable';
import type { AuditReport } from './report';

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
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(paint(COLORS[severity], `${severity.toUpperCase()} (${group.length})`));
    for (const f of group) lines.push(...formatFinding(f, paint, options.width));
    lines.push('');
  }
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

/** Where messages start: under the resource, after the rule column. */
const MESSAGE_COLUMN = 28;
/** Below this many characters after the column, messages start under the rule instead. */
const MIN_MESSAGE_WIDTH = 50;
const NARROW_INDENT = 4;

function formatFinding(f: Finding, paint: (code: string, s: string) => string, width?: number): string[] {
  const r = f.resource;
  const scope = r.namespace ?? r.mesh;
  const resource = printable(`${r.kind} ${scope ? `${scope}/` : ''}${r.name}${r.port !== undefined ? `:${r.port}` : ''}`);
  const location = printable(r.file ? `${r.file}${r.line ? `:${r.line}` : ''}` : '');
  const indent = width !== undefined && width - MESSAGE_COLUMN < MIN_MESSAGE_WIDTH ? NARROW_INDENT : MESSAGE_COLUMN;
  // Wrapped here, with the indent: a terminal would wrap to column 0, under the rule column.
  // Each line is painted on its own, so the colour is reset at every line end.
  const block = (text: string, code?: string) =>
    (width === undefined ? [text] : wrap(text, width - indent)).map((l) => `${' '.repeat(indent)}${code ? paint(code, l) : l}`);
  const out = [`  ${f.rule.padEnd(25)} ${resource}  ${paint(DIM, location)}`, ...block(printable(f.message))];
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
  return `${n} finding${n === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''} across ${report.summary.resources} resource${report.summary.resources === 1 ? '' : 's'}`;
}
