/**
 * Generates the README's rule reference from rules/: every rule id with its file, one-line
 * meaning (functions/core/rules/catalog.ts), default severity and tiers, remediation mode and
 * shipped exclusions, written between `<!-- rule-reference:start -->` and
 * `<!-- rule-reference:end -->`. test/unit/docs/rule-reference.test.ts fails when the README is
 * stale, so CI keeps it fresh.
 *
 * Run: npx tsx .ci/scripts/rule-reference.ts           rewrite the README section
 *      npx tsx .ci/scripts/rule-reference.ts --check   exit 1 when the section is stale
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { RULE_IDS, type RuleId } from '../../functions/core/findings';
import { loadPolicy } from '../../functions/core/policy/load';
import type { Exclusion, RuleSettings } from '../../functions/core/policy/types';
import { RULE_CATALOG } from '../../functions/core/rules/catalog';

const REPO_ROOT = path.resolve(__dirname, '../..');
export const START_MARKER = '<!-- rule-reference:start -->';
export const END_MARKER = '<!-- rule-reference:end -->';

/** Which rules/*.yaml file sets each rule, so a reader knows where to change it. */
function ruleFiles(rulesDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(rulesDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const doc = parse(readFileSync(path.join(rulesDir, file), 'utf8')) as { rules?: Record<string, unknown> } | null;
    for (const id of Object.keys(doc?.rules ?? {})) if (!files.has(id)) files.set(id, `rules/${file}`);
  }
  return files;
}

/** A Markdown table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function severityText(id: RuleId, rule: RuleSettings): string {
  if (id === 'cert-expiring') {
    const tiers = [...rule.tiers].sort((a, b) => a.withinDays - b.withinDays).map((t) => `${t.severity} ≤ ${t.withinDays} days`);
    return `${rule.severity}; tiers: ${tiers.join(', ')}`;
  }
  if (id === 'slo-latency-burn') return `${rule.pageSeverity} (page) / ${rule.ticketSeverity} (ticket)`;
  return rule.severity;
}

function exclusionText(exclusions: readonly Exclusion[]): string {
  if (exclusions.length === 0) return 'none';
  return exclusions
    .map((e) => {
      const where = [e.namespace && `namespace \`${e.namespace}\``, e.mesh && `mesh \`${e.mesh}\``, e.name && `name \`${e.name}\``, e.port !== undefined && `port ${e.port}`].filter(Boolean).join(', ');
      return e.reason ? `${where} (${e.reason.replace(/\.$/, '')})` : where;
    })
    .join('; ');
}

/** The generated section, markers excluded: a note on its origin and one table row per rule. */
export function renderRuleReference(rulesDir = path.join(REPO_ROOT, 'rules')): string {
  const policy = loadPolicy(rulesDir);
  const files = ruleFiles(rulesDir);
  const rows = RULE_IDS.map((id) => {
    const rule = policy.rules[id];
    const cells = [
      `\`${id}\``,
      files.get(id) ? `[${files.get(id)}](${files.get(id)})` : 'built-in default',
      RULE_CATALOG[id].summary,
      severityText(id, rule),
      rule.remediation,
      rule.enabled ? 'yes' : 'no',
      exclusionText(rule.exclude),
    ];
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return [
    '### Rule reference',
    '',
    '_Generated from `rules/` by `npx tsx .ci/scripts/rule-reference.ts`; CI fails when it is stale, so edit the rules, not this table._',
    '',
    '| rule | set in | meaning | default severity | remediation (at most) | enabled | shipped exclusions |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The README with the text between the markers replaced; an error when the markers are missing or out of order. */
export function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < 0 || end < start) throw new Error(`README.md needs ${START_MARKER} followed by ${END_MARKER}`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${section}\n${readme.slice(end)}`;
}

/** Rewrites (or, with `check`, only compares) the README's section; returns whether it was up to date. */
export function updateReadme(readmePath = path.join(REPO_ROOT, 'README.md'), check = false): boolean {
  const readme = readFileSync(readmePath, 'utf8');
  const fresh = replaceSection(readme, renderRuleReference());
  if (fresh === readme) return true;
  if (!check) writeFileSync(readmePath, fresh);
  return false;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const upToDate = updateReadme(undefined, check);
  if (check && !upToDate) {
    process.stderr.write('README.md rule reference is stale: run npx tsx .ci/scripts/rule-reference.ts\n');
    process.exitCode = 1;
  } else if (!check) {
    process.stdout.write(upToDate ? 'README.md rule reference already up to date\n' : 'README.md rule reference rewritten\n');
  }
}
