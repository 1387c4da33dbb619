import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicy } from '../core/policy/load';
import { formatGithub, githubStepSummary } from '../core/report/format-github';
import { formatGitlab } from '../core/report/format-gitlab';
import { formatJunit } from '../core/report/format-junit';
import { formatJson } from '../core/report/format-json';
import { formatSarif } from '../core/report/format-sarif';
import { formatTable, summaryLine } from '../core/report/format-table';
import { printable } from '../core/report/printable';
import { QUOTED_VALUE_MAX, quoteValue, truncate } from '../core/truncate';
import { ReportFiles } from '../core/report/report-files';
import { failsAt } from '../core/report/report';
import { applyBaseline, type BaselineEntry } from '../core/report/baseline';
import type { Severity } from '../core/model/types';
import { auditInventory } from '../providers/audit-inventory';
import { uncheckedCertificateFilesNotice } from '../providers/x509/unchecked-certificate-files';
import { collectFiles, InputPathError } from '../providers/files/collect';
import { repositoryRoot as repositoryRootOf } from './repository-root';
import { mergeInventories, type Inventory } from '../core/model/inventory';
import { collectLive } from './live-sources';
import { RULE_IDS } from '../core/findings';
import { formatProblem } from '../core/policy/errors';
import { isCalendarDate } from '../core/calendar';
import { systemErrorReason } from '../core/system-error';
import { AUDIT_USAGE, oneOf, UsageError } from './usage';
import { BaselineError, readBaseline } from './read-baseline';
import type { CliIo } from './io';

const FORMATS = ['table', 'json', 'sarif', 'github', 'gitlab', 'junit'] as const;
// info: a rules copy may grade a rule info, and a team may want even those to fail its build.
const FAIL_ON = ['critical', 'high', 'medium', 'low', 'info', 'never'] as const;

export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');

/** The example fleet as `npm start` in the checkout names it (`examples`), so the report shows the paths a user types; absolute from elsewhere. */
function examplesPath(): string {
  const relative = path.relative(process.cwd(), EXAMPLES_DIR);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : EXAMPLES_DIR;
}

/** `meshgov audit`: collect → model → evaluate → plan → report, then the contract's exit status. */
export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      rules: { type: 'string' },
      format: { type: 'string', default: 'table' },
      now: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      output: { type: 'string', short: 'o' },
      baseline: { type: 'string' },
      'appmesh-region': { type: 'string' },
      'kube-context': { type: 'string' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(AUDIT_USAGE);
    return 0;
  }
  const format = oneOf(values.format!, FORMATS, '--format');
  const failOn = oneOf(values['fail-on']!, FAIL_ON, '--fail-on');
  const now = parseNow(values.now);
  const live = values['appmesh-region'] !== undefined || values['kube-context'] !== undefined;
  if (values['appmesh-region'] === '') throw new UsageError('--appmesh-region needs a region such as us-west-2');
  // loadPolicy treats an empty DIR as "none given": the built-in rules would stand in silently.
  if (values.rules === '') throw new UsageError('--rules needs a rules directory');
  // An unset variable (`--output "$SARIF"`) would otherwise print the report where CI does not look for it.
  if (values.output === '') throw new UsageError('--output needs a file (or - for standard output)');
  // `-` is standard output, as for PATH it is standard input.
  const output = values.output === '-' ? undefined : values.output;
  // As with --output: an unset variable must not turn the baseline off and fail the build on every known finding.
  if (values.baseline === '') throw new UsageError('--baseline needs a report file (a previous --format json or sarif report)');
  // Read before the audit: a bad baseline is the user's to fix, and should not wait for a live source.
  let baseline: BaselineEntry[] | undefined;
  try {
    baseline = values.baseline === undefined ? undefined : readBaseline(values.baseline);
  } catch (err) {
    if (!(err instanceof BaselineError)) throw err;
    // The file name and the fields come from the user and the file: escaped.
    io.stderr(`meshgov: ${printable(err.message)}\n`);
    return 2;
  }
  const policy = loadPolicy(values.rules);
  // With a live source and no PATH, only the live source is audited, not the example fleet.
  // `-` is standard input, read through its device file (a pipe, or a file redirected with <).
  const paths = positionals.length > 0 ? positionals.map((p) => (p === '-' ? '/dev/stdin' : p)) : live ? [] : [examplesPath()];

  let inventory;
  try {
    inventory = mergeInventories([
      await collectFiles(paths),
      ...(live
        ? await collectLive({
            appmeshRegion: values['appmesh-region'],
            kubeContext: values['kube-context'],
            meshes: policy.sources.appmesh?.meshes,
            ...(policy.sources.istio ? { istio: policy.sources.istio } : {}),
            // Notes of what a live source holds (no Istio there, no mesh) go where the CLI's own go; names come from the cluster: escaped.
            notice: (line) => io.stderr(`meshgov: ${printable(line)}\n`),
          })
        : []),
    ]);
  } catch (err) {
    if (err instanceof InputPathError) {
      io.stderr(`meshgov: ${err.message}\n`);
      return 2;
    }
    if (live) {
      // Server answers are quoted in the message: escaped, they cannot drive the terminal.
      io.stderr(`meshgov: the live source could not be read: ${printable((err as Error).message)}\n`);
      return 2;
    }
    throw err;
  }
  if (!live && inventory.files.length === 0) {
    // What could not be read (a socket as standard input, an unreadable file) says why nothing was found.
    for (const p of inventory.problems) io.stderr(`meshgov: ${printable(formatProblem(p))}\n`);
    // So does what the walk passed over with a note (a link into /proc).
    if (inventory.unknown.length > 0) io.stderr(skippedNotice(inventory.unknown));
    // A file that exists but cannot be read was found: saying "none found" would send the user looking elsewhere.
    io.stderr(`meshgov: ${inventory.problems.length > 0 ? 'no input could be read from' : 'no input files found in'} ${paths.join(', ')}\n`);
    return 2;
  }
  const recognised = inventory.kubernetes.length + inventory.appmeshApi.length + inventory.envoy.length + inventory.pem.length + inventory.certificates.length;
  const audited = auditInventory(inventory, { policy, now });
  const disabledRules = RULE_IDS.filter((id) => !policy.rules[id].enabled);
  const report = baseline ? applyBaseline(audited, { file: values.baseline!, entries: baseline, disabledRules }) : audited;
  // A file that was read but does not parse, or holds a misspelt kind, is a config-invalid finding
  // (CONTRACT.md); only inputs none of which could be read at all end without a report.
  if (recognised === 0 && !live && inventory.problems.every((p) => p.unread)) {
    for (const p of inventory.problems) io.stderr(`meshgov: ${printable(formatProblem(p))}\n`);
    // What was read but set aside says why nothing was audited (a list output instead of a describe).
    if (inventory.unknown.length > 0) io.stderr(skippedNotice(inventory.unknown));
    io.stderr(`meshgov: no input could be read: no Istio, Kubernetes, App Mesh, Envoy or certificate document in ${paths.join(', ')}\n`);
    return 2;
  }
  if (inventory.unknown.length > 0) io.stderr(skippedNotice(inventory.unknown));
  if (inventory.repeated?.length) io.stderr(repeatedNotice(inventory.repeated));
  const unchecked = uncheckedCertificateFilesNotice(inventory);
  if (unchecked) io.stderr(unchecked);
  if (!policy.rules['config-invalid'].enabled && inventory.problems.length > 0) {
    // A gate must not pass quietly on inputs it never read: the rule being off only keeps them out of the report.
    io.stderr(unreportedProblemsNotice(inventory.problems));
    if (recognised === 0 && !live) {
      io.stderr(`meshgov: no input could be read: nothing in ${paths.join(', ')} parsed\n`);
      return 2;
    }
  }

  // Of --color and --no-color, the last given wins, as with every other flag given twice.
  const colorFlag = tokens.filter((t) => t.kind === 'option' && (t.name === 'color' || t.name === 'no-color')).pop();
  const toTerminal = io.isTTY && !output;
  const color = colorFlag ? colorFlag.kind === 'option' && colorFlag.name === 'color' : !output && colorFromEnv(toTerminal);
  const width = toTerminal ? terminalWidth(io) : undefined;
  // GitHub and GitLab read paths from the repository root, whatever directory the job ran in.
  let root: string | undefined;
  const repositoryRoot = () => (root ??= repositoryRootOf(paths));
  // The annotations and the job summary resolve the same files: once.
  let resolved: ReportFiles | undefined;
  const repositoryFiles = () => (resolved ??= new ReportFiles(repositoryRoot()));
  const text =
    format === 'json'
      ? formatJson(report)
      : format === 'sarif'
        ? formatSarif(report, {
            baseDir: repositoryRoot(),
            toolVersion: io.version,
            ruleSeverities: Object.fromEntries(Object.entries(policy.rules).map(([id, settings]) => [id, settings.severity])),
            disabledRules,
          })
        : format === 'github'
          ? formatGithub(report, { files: repositoryFiles() })
          : format === 'gitlab'
            ? formatGitlab(report, { baseDir: repositoryRoot() })
            : format === 'junit'
              ? formatJunit(report, { files: repositoryFiles() })
              : formatTable(report, { color, ...(width ? { width } : {}) });
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (format === 'github' && stepSummary) {
    // A workflow step's job summary lists every annotated finding; GitHub shows only the first annotations.
    const usedBytes = fileSize(stepSummary);
    const markdown = githubStepSummary(report, { files: repositoryFiles(), usedBytes });
    const failed = markdown === undefined ? `it already holds ${usedBytes} bytes, and GitHub shows no summary over 1 MiB` : appendStepSummary(stepSummary, markdown);
    if (failed) io.stderr(`meshgov: cannot write the step summary to ${printable(stepSummary)}: ${failed}\n`);
  }
  if (output) {
    const failed = writeReport(output, text);
    if (failed) {
      io.stderr(`meshgov: cannot write report to ${output}: ${failed}\n`);
      return 2;
    }
    io.stderr(`${summaryLine(report)}; report written to ${output}\n`);
  } else {
    io.stdout(text);
  }
  return failsAt(report, failOn as Severity | 'never') ? 1 : 0;
}

/**
 * Colour on stdout without a flag: FORCE_COLOR as Node and chalk read it (set forces colour, but
 * 0 and false turn it off; it outranks NO_COLOR), then a non-empty NO_COLOR (no-color.org), then
 * a terminal that is not TERM=dumb.
 */
function colorFromEnv(toTerminal: boolean): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR) return false;
  return toTerminal && process.env.TERM !== 'dumb';
}

/** The width to wrap the table to on a terminal: COLUMNS when set (as a user sets it to override), else the terminal's. */
function terminalWidth(io: CliIo): number | undefined {
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : io.columns;
}

/** Writes the report, creating missing directories (mkdir -p); on failure, why, as one line. */
function writeReport(file: string, text: string): string | undefined {
  try {
    makeDirectories(path.dirname(file));
  } catch (err) {
    // EEXIST: a file stands where a directory should; the write below says so more plainly (ENOTDIR).
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return systemErrorReason(err);
  }
  try {
    writeFileSync(file, text);
    return undefined;
  } catch (err) {
    return systemErrorReason(err);
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops forever where the kernel answers
 * ENOENT for a directory that cannot be made (under /proc), instead of failing.
 */
function makeDirectories(dir: string): void {
  if (existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) makeDirectories(parent);
  mkdirSync(dir);
}

/** The size of a file, 0 when there is none yet (GitHub creates the step's summary file, but an empty one may be missing). */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Appends to the job summary file GitHub gives each step; the reason when it cannot. */
function appendStepSummary(file: string, markdown: string): string | undefined {
  try {
    appendFileSync(file, markdown);
    return undefined;
  } catch (err) {
    return systemErrorReason(err);
  }
}

/** How many skipped documents the notice names; the rest it counts. */
const SKIPPED_LISTED = 5;

/** The notice for documents meshgov does not audit, naming where each is and what it is, so a typo does not pass unseen. */
function skippedNotice(unknown: Inventory['unknown']): string {
  // File names and kinds come from the inputs: escaped, they cannot drive the terminal.
  const lines = unknown.slice(0, SKIPPED_LISTED).map(({ doc, source, note }) => `  ${printable(`${source.file}:${source.line}: ${note ?? describeDocument(doc)}`)}\n`);
  if (unknown.length > SKIPPED_LISTED) lines.push(`  and ${unknown.length - SKIPPED_LISTED} more\n`);
  return `meshgov: skipped ${unknown.length} document(s) of a kind meshgov does not audit:\n${lines.join('')}`;
}

/** Inputs that could not be read or parsed, when the rules copy turns config-invalid off. */
function unreportedProblemsNotice(problems: Inventory['problems']): string {
  const lines = problems.slice(0, SKIPPED_LISTED).map((p) => `  ${printable(formatProblem(p))}\n`);
  if (problems.length > SKIPPED_LISTED) lines.push(`  and ${problems.length - SKIPPED_LISTED} more\n`);
  return `meshgov: ${problems.length} input problem(s) not audited and not reported, as rule config-invalid is disabled:\n${lines.join('')}`;
}

/** The notice for objects two inputs define alike (an overlapping export), each audited once: the counts would otherwise not add up. */
function repeatedNotice(repeated: NonNullable<Inventory['repeated']>): string {
  // Names come from the inputs: escaped.
  const lines = repeated
    .slice(0, SKIPPED_LISTED)
    .map(({ source, first, what, otherDifference }) => `  ${printable(`${source.file}:${source.line}: ${what}, as at ${first.file}:${first.line}${otherDifference ? ` (differs at ${otherDifference}, which meshgov does not read)` : ''}`)}\n`);
  if (repeated.length > SKIPPED_LISTED) lines.push(`  and ${repeated.length - SKIPPED_LISTED} more\n`);
  return `meshgov: ${repeated.length} object(s) defined again by a later document, alike in what meshgov reads; each is audited once, as first defined:\n${lines.join('')}`;
}

function describeDocument(doc: unknown): string {
  // The file source records a file that did not parse and does not look like configuration (a README) as null.
  if (doc === null || doc === undefined) return 'not a configuration file';
  if (typeof doc !== 'object' || Array.isArray(doc)) return `a ${Array.isArray(doc) ? 'list' : typeof doc}, not an object`;
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  // Cut short: a kind can be a long string, or a list that YAML aliases make millions of nodes.
  const text = (v: unknown) => (typeof v === 'string' ? truncate(v, QUOTED_VALUE_MAX) : quoteValue(v));
  if (apiVersion !== undefined && kind !== undefined) return `apiVersion ${text(apiVersion)}, kind ${text(kind)}`;
  if (apiVersion !== undefined) return `apiVersion ${text(apiVersion)}, no kind`;
  if (kind !== undefined) return `kind ${text(kind)}, no apiVersion`;
  return 'no apiVersion or kind';
}

/**
 * `--now` fixes the certificate clock; only a full ISO-8601 date or date-time is accepted. A
 * date-time without an offset is UTC, as a date alone is: the host's time zone would make the
 * report depend on the machine.
 */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  const time = m && Date.parse(m[4] && !m[7] ? `${value}Z` : value);
  if (!m || time === null || Number.isNaN(time)) {
    throw new UsageError(`--now must be an ISO-8601 date or date-time such as 2026-11-26T00:00:00Z (got "${value}")`);
  }
  // Date.parse rolls an impossible day over (2026-02-30 becomes March 2) instead of rejecting it.
  if (!isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new UsageError(`--now: ${value} is not a date: ${m[1]}-${m[2]} has no day ${m[3]}`);
  }
  return new Date(time);
}
