import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PolicyError } from './errors';
import { readPolicyFile, settingConflicts } from './read-policy-file';
import { readRulesFiles } from './rules-files';
import type { PolicyFile } from './schema';
import { POLICY_SNAPSHOT_FILE, POLICY_SNAPSHOT_FORMAT, sha256, type PolicySnapshot } from './snapshot';

/**
 * Validates a rules directory with the full schema (zod, and `yaml` for line numbers) and
 * returns its snapshot; throws PolicyError naming file, line and field of every problem, so a
 * broken rules/ fails the build instead of the first cold start.
 */
export function createPolicySnapshot(dir: string): PolicySnapshot {
  const { files, problems } = readRulesFiles(dir);
  const snapshot: PolicySnapshot = { format: POLICY_SNAPSHOT_FORMAT, files: [] };
  const valid: Array<{ file: string; text: string; value: PolicyFile }> = [];
  for (const f of files) {
    const result = readPolicyFile(f.file, f.text);
    problems.push(...result.problems);
    if (result.value) {
      valid.push({ file: f.file, text: f.text, value: result.value });
      snapshot.files.push({ name: f.name, sha256: sha256(f.text), value: result.value });
    }
  }
  problems.push(...settingConflicts(valid));
  if (problems.length > 0) throw new PolicyError(problems);
  return snapshot;
}

/**
 * Writes the snapshot of `rulesDir` as `outDir/policy.snapshot.json`, where outDir is the copy
 * of the rules that ships with a function (the snapshot names the files it must sit beside).
 * Returns the file written.
 */
export function writePolicySnapshot(rulesDir: string, outDir: string = rulesDir): string {
  const file = path.join(outDir, POLICY_SNAPSHOT_FILE);
  writeFileSync(file, `${JSON.stringify(createPolicySnapshot(rulesDir))}\n`);
  return file;
}
