/**
 * The GCP build ships the rules files the policy loader reads (readRulesFiles), no more and no
 * fewer: the snapshot names those files, and a deployed agent that finds others beside it
 * (a `b.YAML` listed in the snapshot but not shipped) refuses its rules on every cold start.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { shipRules } from '../../../.ci/scripts/build-gcp';
import { loadPolicy } from '../../../functions/core/policy/load';
import { readRulesFiles } from '../../../functions/core/policy/rules-files';
import { POLICY_SNAPSHOT_FILE } from '../../../functions/core/policy/snapshot';

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** Runs `fn` as a deployed bundle runs: the loader reads only the snapshot (SNAPSHOT_ONLY_DEFINE). */
function snapshotOnly<T>(fn: () => T): T {
  const saved = process.env.MESHGOV_POLICY_SNAPSHOT_ONLY;
  process.env.MESHGOV_POLICY_SNAPSHOT_ONLY = 'true';
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.MESHGOV_POLICY_SNAPSHOT_ONLY;
    else process.env.MESHGOV_POLICY_SNAPSHOT_ONLY = saved;
  }
}

describe('shipRules', () => {
  it('ships exactly the files readRulesFiles lists, whatever the case of their extension, and the agent loads them', () => {
    const from = tempDir('meshgov-ship-src-');
    writeFileSync(path.join(from, 'a.yaml'), 'rules:\n  mtls-not-strict:\n    severity: low\n');
    writeFileSync(path.join(from, 'b.YAML'), 'remediation:\n  maxChangesPerRun: 2\n');
    writeFileSync(path.join(from, 'c.yml'), 'remediation:\n  approvalTtlHours: 12\n');
    writeFileSync(path.join(from, 'd.Yml'), 'remediation:\n  reminderHours: 6\n');
    // Never rules: an editor's lock file, another format, a directory named like a rules file.
    writeFileSync(path.join(from, '.#a.yaml'), 'not: rules\n');
    writeFileSync(path.join(from, 'notes.md'), '# notes\n');
    mkdirSync(path.join(from, 'old.yaml'));

    const out = tempDir('meshgov-ship-out-');
    shipRules(from, out);
    const shipped = path.join(out, 'rules');
    const names = readRulesFiles(from).files.map((f) => f.name);
    expect(names).toEqual(['a.yaml', 'b.YAML', 'c.yml', 'd.Yml']);
    expect(readdirSync(shipped).sort()).toEqual([...names, POLICY_SNAPSHOT_FILE].sort());
    expect(readRulesFiles(shipped).files.map((f) => f.name)).toEqual(names);

    // What failed every cold start: "policy.snapshot.json was made from other files".
    const policy = snapshotOnly(() => loadPolicy(undefined, shipped));
    expect(policy.files).toEqual(names.map((n) => path.join(shipped, n)));
    expect(policy.remediation).toMatchObject({ maxChangesPerRun: 2, approvalTtlHours: 12, reminderHours: 6 });
    expect(policy.rules['mtls-not-strict'].severity).toBe('low');
  });

  it('ships a rules directory given as one file under its own name', () => {
    const from = tempDir('meshgov-ship-file-');
    const file = path.join(from, 'Policy.YML');
    writeFileSync(file, 'remediation:\n  maxChangesPerRun: 3\n');
    const out = tempDir('meshgov-ship-out-');
    shipRules(file, out);
    expect(readdirSync(path.join(out, 'rules')).sort()).toEqual([POLICY_SNAPSHOT_FILE, 'Policy.YML'].sort());
    expect(snapshotOnly(() => loadPolicy(undefined, path.join(out, 'rules'))).remediation.maxChangesPerRun).toBe(3);
  });
});
