import { parseArgs } from 'node:util';
import { RULE_IDS, type RemediationMode, type RuleId } from '../core/findings';
import type { Severity } from '../core/model/types';
import { PolicyError } from '../core/policy/errors';
import { defaultRulesDir, loadPolicy } from '../core/policy/load';
import { RULE_SPECIFIC_SETTINGS, SEVERITY_RANK } from '../core/policy/schema';
import type { Exclusion, Policy, RuleSettings } from '../core/policy/types';
import { printable } from '../core/report/printable';
import { RULE_CATALOG } from '../core/rules/catalog';
import type { CliIo } from './io';
import { printRulesProblems } from './rules-problems';
import { oneOf, RULES_USAGE, UsageError } from './usage';

const FORMATS = ['table', 'json'] as const;

/** The options of `meshgov rules list`; rules-command.ts reads them too, to find the subcommand past `--format VALUE`. */
export const RULES_LIST_OPTIONS = {
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** One rule as `rules list` shows it; the JSON format prints exactly these fields, in this order. */
export interface RuleListing {
  id: RuleId;
  enabled: boolean;
  severity: Severity;
  /** The most a fix may do alone, as configured (as README's rule table shows it). */
  remediation: RemediationMode;
  exclude: Exclusion[];
  description: string;
  /** cert-expiring only, by window. */
  tiers?: Array<{ withinDays: number; severity: Severity }>;
  /** slo-latency-burn only. */
  pageSeverity?: Severity;
  ticketSeverity?: Severity;
}

/** `meshgov rules list [DIR] [--format table|json]`: every rule with its settings in force. */
export function rulesListCommand(argv: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: RULES_LIST_OPTIONS });
  if (values.help) {
    io.stdout(RULES_USAGE);
    return 0;
  }
  // positionals[0] is `list` itself.
  const [, dir, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError('usage: meshgov rules list [DIR] [--format table|json]');
  // loadPolicy reads "" as "no DIR": the built-in rules would be listed in its place.
  if (dir === '') throw new UsageError('rules list needs a rules directory (got "")');
  const format = oneOf(values.format ?? 'table', FORMATS, '--format');
  let policy: Policy;
  try {
    // The audit's own loader: DIR over the built-in rules, so what DIR leaves out shows its default.
    policy = loadPolicy(dir);
  } catch (err) {
    if (err instanceof PolicyError) return printRulesProblems(err.problems, dir ?? defaultRulesDir(), io, err.skipped);
    throw err;
  }
  const rules = listRules(policy);
  io.stdout(format === 'json' ? `${JSON.stringify({ rules }, null, 2)}\n` : rulesTable(rules));
  return 0;
}

/** Every rule the engine knows, in RULE_IDS order: the contract's table first, later rules after it. */
export function listRules(policy: Policy): RuleListing[] {
  return RULE_IDS.map((id) => listing(id, policy.rules[id]));
}

function listing(id: RuleId, s: RuleSettings): RuleListing {
  const out: RuleListing = {
    id,
    enabled: s.enabled,
    severity: s.severity,
    remediation: s.remediation,
    exclude: s.exclude.map(exclusion),
    description: RULE_CATALOG[id].summary,
  };
  // Every rule's settings carry the defaults of the others' own settings; show only those the rule reads.
  for (const [setting, owner] of Object.entries(RULE_SPECIFIC_SETTINGS)) {
    if (owner !== id) continue;
    if (setting === 'tiers') out.tiers = [...s.tiers].sort((a, b) => a.withinDays - b.withinDays).map((t) => ({ withinDays: t.withinDays, severity: t.severity }));
    else if (setting === 'pageSeverity') out.pageSeverity = s.pageSeverity;
    else if (setting === 'ticketSeverity') out.ticketSeverity = s.ticketSeverity;
  }
  return out;
}

/** The exclusion's fields in one order, whatever order the YAML wrote them in, so the JSON is stable. */
function exclusion(e: Exclusion): Exclusion {
  const out: Exclusion = {};
  if (e.namespace !== undefined) out.namespace = e.namespace;
  if (e.mesh !== undefined) out.mesh = e.mesh;
  if (e.name !== undefined) out.name = e.name;
  if (e.port !== undefined) out.port = e.port;
  if (e.reason !== undefined) out.reason = e.reason;
  return out;
}

const WIDTH = 100;
const INDENT = '    ';

/**
 * One block per rule: a row of its settings (a severity that does not fit its column wraps
 * within it), then its description and its exclusions indented below, wrapped to 100 columns.
 */
export function rulesTable(rules: readonly RuleListing[]): string {
  const rows = rules.map((r) => ({
    cells: [r.id, r.enabled ? 'yes' : 'no', '', r.remediation, String(r.exclude.length)],
    severity: severityParts(r),
    below: [
      ...wrap(r.description, INDENT, INDENT),
      ...r.exclude.flatMap((e) => wrap(`- ${exclusionText(e)}`, INDENT, `${INDENT}  `)),
    ],
  }));
  const header = ['RULE', 'ENABLED', 'SEVERITY', 'REMEDIATION', 'EXCLUDED'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const others = widths.reduce((sum, w, i) => (i === 2 ? sum : sum + w + 2), 0);
  widths[2] = Math.min(Math.max(header[2]!.length, ...rows.map((r) => r.severity.join(', ').length)), Math.max(header[2]!.length, WIDTH - others - 2));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();

  const out = [line(header)];
  for (const row of rows) {
    out.push('');
    const [first = '', ...more] = joinWithin(row.severity, widths[2]!);
    out.push(line(row.cells.map((c, i) => (i === 2 ? first : c))));
    for (const rest of more) out.push(line(['', '', rest, '', '']));
    out.push(...row.below);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The severity as findings get it: the tiers or the page and ticket severities, and the rule's
 * own severity when it caps them ("at most high"), since findings never go above it.
 */
function severityParts(r: RuleListing): string[] {
  const grades: Array<{ label: string; severity: Severity }> = [];
  for (const t of r.tiers ?? []) grades.push({ label: `${t.severity} ≤${t.withinDays}d`, severity: t.severity });
  if (r.pageSeverity) grades.push({ label: `page ${r.pageSeverity}`, severity: r.pageSeverity });
  if (r.ticketSeverity) grades.push({ label: `ticket ${r.ticketSeverity}`, severity: r.ticketSeverity });
  if (grades.length === 0) return [r.severity];
  const capped = grades.some((g) => SEVERITY_RANK[g.severity] > SEVERITY_RANK[r.severity]);
  return [...grades.map((g) => g.label), ...(capped ? [`at most ${r.severity}`] : [])];
}

function exclusionText(e: Exclusion): string {
  const where = [e.namespace !== undefined && `namespace ${e.namespace}`, e.mesh !== undefined && `mesh ${e.mesh}`, e.name !== undefined && `name ${e.name}`, e.port !== undefined && `port ${e.port}`].filter(Boolean).join(', ');
  // Globs and reasons are the user's text: escaped, they can neither break nor forge a line.
  return printable(e.reason ? `${where}: ${e.reason}` : `${where} (no reason given)`);
}

/** Parts joined with ", " into lines of at most `width` (a part longer than that has a line of its own). */
function joinWithin(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const [i, part] of parts.entries()) {
    const text = i < parts.length - 1 ? `${part},` : part;
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + text.length <= width) lines[last] += ` ${text}`;
    else lines.push(text);
  }
  return lines;
}

/** Words wrapped to WIDTH columns, the first line after `first`, the others after `next`. */
function wrap(text: string, first: string, next: string): string[] {
  const lines: string[] = [];
  let current = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && current.length + 1 + word.length > WIDTH) {
      lines.push(current);
      current = next;
      empty = true;
    }
    current += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(current);
  return lines;
}
