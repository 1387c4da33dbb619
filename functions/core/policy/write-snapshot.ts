import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PolicyError } from './errors';
import { validatePolicyDir } from './load';
import { readPolicyFile } from './read-policy-file';
import { readRulesFiles } from './rules-files';
import { POLICY_SNAPSHOT_FILE, POLICY_SNAPSHOT_FORMAT, sha256, type PolicySnapshot } from './snapshot';

/**
 * Validates a rules directory exactly as `meshgov rules validate DIR` does (load.ts
 * validatePolicyDir: every file's schema, the settings two files give differently, and what only
 * the merged directory shows, such as the burn severities' order) and returns its snapshot;
 * throws PolicyError with the same problems, each naming file, line and field, so a broken
 * rules/ fails the build instead of the first cold start.
 */
export function createPolicySnapshot(dir: string): PolicySnapshot {
  // A snapshot-only process (load.ts yamlPolicyReader) would "validate" against an old snapshot.
  if (process.env.MESHGOV_POLICY_SNAPSHOT_ONLY === 'true') {
    throw new Error(`cannot make a policy snapshot of ${dir} with MESHGOV_POLICY_SNAPSHOT_ONLY=true: the snapshot is made from the YAML, with the full reader`);
  }
  const problems = validatePolicyDir(dir);
  if (problems.length > 0) throw new PolicyError(problems);
  const snapshot: PolicySnapshot = { format: POLICY_SNAPSHOT_FORMAT, files: [] };
  const read = readRulesFiles(dir);
  if (read.problems.length > 0) throw new PolicyError(read.problems);
  for (const f of read.files) {
    // Valid, as validated above: a problem here means the file changed meanwhile.
    const result = readPolicyFile(f.file, f.text);
    if (!result.value) throw new PolicyError(result.problems);
    snapshot.files.push({ name: f.name, sha256: sha256(f.text), value: result.value });
  }
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
