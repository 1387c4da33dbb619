import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { RULE_IDS, type RuleId } from '../findings';
import type { ConfigProblem } from '../model/types';
import { DEFAULT_CERT_TIERS, RULE_CATALOG } from '../rules/catalog';
import { PolicyError } from './errors';
import { readPolicyFile } from './read-policy-file';
import type { PolicyFile } from './schema';
import type { Policy, RuleSettings } from './types';

/** The shipped policy: `rules/` at the repository root, or MESHGOV_RULES in a deployed function. */
export function defaultRulesDir(): string {
  return process.env.MESHGOV_RULES ?? path.resolve(__dirname, '../../../rules');
}

/**
 * Loads the governance policy: the built-in `rules/` first, then the files of `dir` (when
 * given) over it, so a copy that sets one threshold keeps every other default.
 * Throws PolicyError naming the file, line and field of every problem.
 *
 * @example
 *   const policy = loadPolicy('./my-rules');
 *   policy.rules['cert-expiring'].tiers; // [{ withinDays: 7, severity: 'critical' }, …]
 */
export function loadPolicy(dir?: string): Policy {
  const dirs = [defaultRulesDir()];
  if (dir && path.resolve(dir) !== path.resolve(dirs[0])) dirs.push(dir);
  const { files, problems } = readPolicyDirs(dirs);
  if (problems.length > 0) throw new PolicyError(problems);
  return resolvePolicy(files);
}

/** Validates a rules directory on its own; returns every problem (empty when valid). */
export function validatePolicyDir(dir: string): ConfigProblem[] {
  return readPolicyDirs([dir]).problems;
}

function readPolicyDirs(dirs: string[]): { files: Array<{ file: string; value: PolicyFile }>; problems: ConfigProblem[] } {
  const files: Array<{ file: string; value: PolicyFile }> = [];
  const problems: ConfigProblem[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = statSync(dir).isDirectory() ? readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort() : [];
    } catch (err) {
      problems.push({ file: dir, line: 1, message: `cannot read rules directory: ${(err as Error).message}` });
      continue;
    }
    if (statSync(dir).isFile()) names = [''];
    for (const name of names) {
      const file = name ? path.join(dir, name) : dir;
      const result = readPolicyFile(file, readFileSync(file, 'utf8'));
      problems.push(...result.problems);
      if (result.value) files.push({ file, value: result.value });
    }
  }
  return { files, problems };
}

function resolvePolicy(files: Array<{ file: string; value: PolicyFile }>): Policy {
  const policy: Policy = {
    rules: Object.fromEntries(RULE_IDS.map((id) => [id, catalogDefaults(id)])) as Record<RuleId, RuleSettings>,
    ownership: { teams: [] },
    remediation: { dryRun: true, maxChangesPerRun: 5, maxChangesPerHour: 20, approvalTtlHours: 24, reminderHours: 24, freezeWindows: [] },
    sources: {},
    slos: [],
    files: files.map((f) => f.file),
  };
  for (const { value } of files) {
    for (const [id, settings] of Object.entries(value.rules ?? {})) {
      if (!settings) continue;
      const current = policy.rules[id as RuleId];
      policy.rules[id as RuleId] = { ...current, ...stripUndefined(settings) } as RuleSettings;
    }
    if (value.ownership?.default) policy.ownership.default = value.ownership.default;
    if (value.ownership?.teams) policy.ownership.teams = value.ownership.teams;
    if (value.remediation) policy.remediation = { ...policy.remediation, ...stripUndefined(value.remediation) };
    if (value.sources) policy.sources = { ...policy.sources, ...stripUndefined(value.sources) };
    if (value.slos) policy.slos = value.slos;
  }
  return policy;
}

function catalogDefaults(id: RuleId): RuleSettings {
  const entry = RULE_CATALOG[id];
  return {
    enabled: true,
    severity: entry.severity,
    remediation: entry.remediation,
    exclude: [],
    tiers: DEFAULT_CERT_TIERS,
    pageSeverity: 'critical',
    ticketSeverity: 'medium',
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
