import type { Severity } from '../model/types';
import { resourceText, summaryLine } from './format-table';
import { printable } from './printable';
import type { AuditReport, ReportedFinding } from './report';
import type { ReportFiles } from './report-files';

/** The workflow command for each severity: GitHub shows errors red, warnings yellow, notices blue. */
const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

export interface GithubOptions {
  /**
   * The findings' files relative to the repository root, as GitHub reads them; one instance for
   * the annotations and the job summary resolves each file once.
   */
  files: ReportFiles;
}

/**
 * `--format github`: one GitHub Actions workflow command per finding
 * (`::error file=…,line=…,title=…::…`), so that a workflow step annotates the pull request
 * without code scanning, which private repositories only have with GitHub Advanced Security.
 *
 * - Most severe first, since GitHub shows only the first annotations of each kind per step
 *   (the log keeps every line).
 * - With a baseline only new findings are annotated; known ones are counted in the summary.
 * - A finding with no file in the repository (ACM, a live object, an SLO) is annotated without
 *   a location.
 * - Text from the inputs is escaped: it can neither end the command early nor start another.
 * - The last line is the summary line, plain text in the log.
 */
export function formatGithub(report: AuditReport, options: GithubOptions): string {
  const { files } = options;
  const lines: string[] = [];
  for (const f of report.findings) {
    if (f.baselineState === 'unchanged') continue;
    const location = locationOf(f, files);
    const properties = [...location, `title=${property(`meshgov ${f.rule} (${f.severity})`)}`];
    lines.push(`::${COMMAND[f.severity]} ${properties.join(',')}::${messageOf(f, location.length > 0)}`);
  }
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

/** `file=…,line=…` for a file inside the repository; nothing otherwise. */
function locationOf(f: ReportedFinding, files: ReportFiles): string[] {
  const file = files.repositoryPath(f.resource.file);
  return file === undefined ? [] : [`file=${property(file)}`, `line=${lineOf(f)}`];
}

function lineOf(f: ReportedFinding): number {
  return Math.max(1, f.resource.line ?? 1);
}

/** The message, the fix on a line of its own, and where the finding is when the annotation cannot point there. */
function messageOf(f: ReportedFinding, located: boolean): string {
  const parts = [f.message];
  if (f.remediation) parts.push(`fix [${f.remediation.mode}] ${f.remediation.action}: ${f.remediation.reason}`);
  if (!located && f.resource.file) parts.push(`at ${f.resource.file}${f.resource.line !== undefined ? `:${f.resource.line}` : ''}`);
  return parts.map((p) => data(printable(p))).join('%0A');
}

/** Workflow-command data: `%` starts an escape; printable() has already escaped line breaks. */
function data(text: string): string {
  return text.replace(/%/g, '%25');
}

/**
 * A workflow-command property, escaped as the Actions toolkit's escapeProperty does (`%`, line
 * breaks, `:` which ends the properties, `,` which separates them), all of which the runner
 * unescapes: a file name keeps every other character, so a TAB in it still names the file.
 */
function property(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub refuses a step's summary file over 1 MiB, and then shows none of it. The file may hold
 * what earlier commands of the step wrote: the table stops short of the limit with them counted,
 * and says how many rows it left out.
 */
export const SUMMARY_BYTES = 900 * 1024;

/** The summary line and the note of rows left out, which the table always leaves room for. */
const SUMMARY_RESERVE = 512;

export interface StepSummaryOptions extends GithubOptions {
  /** Bytes the step's summary file already holds. */
  usedBytes?: number;
}

/**
 * The job summary for `$GITHUB_STEP_SUMMARY` (Markdown): the summary line and a table of the
 * annotated findings. GitHub shows only the first annotations of each kind on a pull request;
 * the summary page lists them all, within GitHub's size limit.
 */
export function githubStepSummary(report: AuditReport, options: StepSummaryOptions): string | undefined {
  const { files } = options;
  const budget = SUMMARY_BYTES - (options.usedBytes ?? 0);
  const out = ['### meshgov audit', '', cell(summaryLine(report)), ''];
  // No room even for the summary line: writing would make GitHub drop what the file holds.
  if (Buffer.byteLength(out.join('\n')) + SUMMARY_RESERVE > budget) return undefined;
  const shown = report.findings.filter((f) => f.baselineState !== 'unchanged');
  if (shown.length === 0) return `${out.join('\n')}\n`;
  out.push('| severity | rule | resource | where | finding |', '|---|---|---|---|---|');
  let bytes = Buffer.byteLength(out.join('\n')) + SUMMARY_RESERVE;
  let rows = 0;
  for (const f of shown) {
    const file = files.repositoryPath(f.resource.file);
    const where = file !== undefined ? `${file}:${lineOf(f)}` : (f.resource.file ?? '');
    const row = `| ${f.severity} | ${f.rule} | ${cell(resourceText(f))} | ${cell(where)} | ${cell(f.message)} |`;
    bytes += Buffer.byteLength(row) + 1;
    if (bytes > budget) break;
    out.push(row);
    rows++;
  }
  if (rows < shown.length) out.push('', `${shown.length - rows} more finding${shown.length - rows === 1 ? '' : 's'} left out of this summary (GitHub limits its size); the step's log has them all.`);
  return `${out.join('\n')}\n`;
}

/** Text from the inputs as one Markdown table cell: no line break, no column break, no HTML. */
function cell(text: string): string {
  return printable(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

