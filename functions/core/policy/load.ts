import * as path from 'node:path';
import { RULE_IDS, type RuleId } from '../findings';
import type { ConfigProblem } from '../model/types';
import { DEFAULT_BURN_SEVERITIES, DEFAULT_CERT_TIERS, RULE_CATALOG } from '../rules/catalog';
import { PolicyError, type SkippedCheck } from './errors';
import type { RulesFileReading } from './rules-file-reading';
import { readRulesFiles } from './rules-files';
import type { PolicyFile } from './schema';
import { snapshotValues } from './snapshot';
import type { Policy, RuleSettings } from './types';

/** The shipped policy: `rules/` at the repository root, or MESHGOV_RULES in a deployed function. */
export function defaultRulesDir(): string {
  return process.env.MESHGOV_RULES ?? path.resolve(__dirname, '../../../rules');
}

/**
 * Loads the governance policy: the built-in `rules/` first (`builtInDir`, defaultRulesDir()
 * unless given), then the files of `dir` (when given) over it, so a copy that sets one
 * threshold keeps every other default.
 * Throws PolicyError naming the file, line and field of every problem.
 *
 * @example
 *   const policy = loadPolicy('./my-rules');
 *   policy.rules['cert-expiring'].tiers; // [{ withinDays: 7, severity: 'critical' }, …]
 */
export function loadPolicy(dir?: string, builtInDir: string = defaultRulesDir()): Policy {
  const dirs = [builtInDir];
  if (dir && path.resolve(dir) !== path.resolve(dirs[0])) dirs.push(dir);
  const { files, problems, skipped } = readPolicyDirs(dirs);
  if (problems.length > 0) throw new PolicyError(problems, skipped);
  return resolvePolicy(files);
}

/** Validates a rules directory on its own; returns every problem (empty when valid). */
export function validatePolicyDir(dir: string): ConfigProblem[] {
  return readPolicyDirs([dir]).problems;
}

/**
 * Validates a rules directory on its own, as `meshgov rules validate` reports it: every problem,
 * and the checks after the merge that a file with problems kept from running (merged-checks.ts).
 */
export function checkPolicyDir(dir: string): { problems: ConfigProblem[]; skipped: SkippedCheck[] } {
  const { problems, skipped } = readPolicyDirs([dir]);
  return { problems, skipped };
}

function readPolicyDirs(dirs: string[]): { files: Array<{ file: string; value: PolicyFile }>; problems: ConfigProblem[]; skipped: SkippedCheck[] } {
  const files: Array<{ file: string; value: PolicyFile }> = [];
  const problems: ConfigProblem[] = [];
  const skipped: SkippedCheck[] = [];
  // Every file in merge order, with what of it can be read: what only the merged policy can show.
  const merged: RulesFileReading[] = [];
  let reader: ReturnType<typeof yamlPolicyReader>;
  for (const dir of dirs) {
    const read = readRulesFiles(dir);
    problems.push(...read.problems);
    reader = yamlPolicyReader();
    if (!reader) {
      // A deployed build: the snapshot validated when it was built, from exactly these files, stands for them.
      const snapshot = read.files.length > 0 ? snapshotValues(dir, read.files) : { values: [] };
      if ('stale' in snapshot) problems.push({ file: dir, line: 1, message: `this build reads rules only through the snapshot validated when it was built, and ${snapshot.stale}: rebuild and redeploy the function` });
      else snapshot.values.forEach((value, i) => files.push({ file: read.files[i]!.file, value }));
      continue;
    }
    const readings: Array<RulesFileReading & { name: string }> = [];
    for (const { file, name, text } of read.files) {
      const result = reader.readPolicyFile(file, text);
      problems.push(...result.problems);
      if (result.value) {
        readings.push({ file, name, text, value: result.value });
        files.push({ file, value: result.value });
      } else {
        const partial = result.partial ?? reader.unreadableFile(result.problems[0]?.line ?? 1);
        readings.push({ file, name, text, value: partial.value, partial });
      }
    }
    // A file that exists but cannot be read may set anything, in its place in the merge order.
    for (const { file, name } of read.unreadable ?? []) readings.push({ file, name, text: '', value: {}, partial: reader.unreadableFile(1) });
    readings.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Only within one directory: a --rules copy is meant to override the built-in rules/.
    problems.push(...reader.settingConflicts(readings));
    skipped.push(...reader.conflictsNotCompared(readings));
    merged.push(...readings);
  }
  if (reader) {
    for (const check of [reader.burnSeverityOrder, reader.rollbacksWithoutAuto]) {
      const result = check(merged);
      problems.push(...result.problems);
      skipped.push(...result.skipped);
    }
  }
  return { files, problems, skipped };
}

/**
 * The full reader (js-yaml, and the `yaml` parser for line numbers; zod for the schema), loaded on first
 * need; undefined in a deployed build. Those are bundled with MESHGOV_POLICY_SNAPSHOT_ONLY
 * defined as "true" (cdk/lib/constructs/meshgov-function.ts, .ci/scripts/build-gcp.ts): esbuild
 * then drops these requires, and zod's and the YAML parsers' ~550 KB with them, and the loader reads the
 * snapshot shipped beside the rules instead. Everywhere else (the CLI, `meshgov rules
 * validate`, synth, tests) the YAML is always read and validated, snapshot or not.
 */
function yamlPolicyReader(): FullReader | undefined {
  if (process.env.MESHGOV_POLICY_SNAPSHOT_ONLY === 'true') return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: see above. */
  return {
    ...(require('./read-policy-file') as typeof import('./read-policy-file')),
    ...(require('./merged-checks') as typeof import('./merged-checks')),
    ...(require('./partial-reading') as typeof import('./partial-reading')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

type FullReader = Pick<typeof import('./read-policy-file'), 'readPolicyFile' | 'settingConflicts'> &
  Pick<typeof import('./merged-checks'), 'burnSeverityOrder' | 'rollbacksWithoutAuto' | 'conflictsNotCompared'> &
  Pick<typeof import('./partial-reading'), 'unreadableFile'>;

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
    pageSeverity: DEFAULT_BURN_SEVERITIES.page,
    ticketSeverity: DEFAULT_BURN_SEVERITIES.ticket,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
