/**
 * The build-time snapshot (cdk synth, npm run build) refuses exactly what `meshgov rules
 * validate` refuses, with the same words: a rules mistake stops the build, as the README says,
 * instead of being deployed and read at run time as something the user did not write.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PolicyError } from '../../../functions/core/policy/errors';
import { loadPolicy, validatePolicyDir } from '../../../functions/core/policy/load';
import { POLICY_SNAPSHOT_FILE } from '../../../functions/core/policy/snapshot';
import { createPolicySnapshot, writePolicySnapshot } from '../../../functions/core/policy/write-snapshot';
import { runCli } from '../../cli/run-cli';

const REPO_RULES = path.resolve(__dirname, '../../../rules');
const temporary: string[] = [];

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-snapshot-rules-'));
  temporary.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function snapshotError(dir: string): PolicyError {
  try {
    createPolicySnapshot(dir);
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error(`createPolicySnapshot(${dir}) accepted rules that \`meshgov rules validate\` refuses`);
}

/** What `meshgov rules validate DIR` prints for each problem (its last line is the count). */
async function validateLines(dir: string): Promise<string[]> {
  const { code, stderr } = await runCli(['rules', 'validate', dir]);
  expect(code).toBe(1);
  return stderr.trimEnd().split('\n').slice(0, -1);
}

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('createPolicySnapshot validates as `meshgov rules validate` does', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    // Only the merged directory shows it: the default ticketSeverity (medium) above the page's.
    ['a page-level burn graded below the default ticket-level one', { 'a.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: low\n' }, /ticketSeverity medium \(the default\) is above pageSeverity low/],
    ['burn severities set in two files out of order', { 'a.yaml': 'rules:\n  slo-latency-burn:\n    ticketSeverity: high\n', 'b.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: medium\n' }, /ticketSeverity high .* is above pageSeverity medium/],
    ['two files giving one setting different values', { 'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n', 'b.yaml': 'rules:\n  mtls-not-strict:\n    severity: critical\n' }, /conflicts with/],
    ['a schema error', { 'mtls.yaml': 'rules:\n  mtls-not-strict:\n    severity: urgent\n' }, /rules\.mtls-not-strict\.severity/],
    ['a directory without rules files', { 'notes.md': '# not rules\n' }, /no rules files/],
  ])('refuses %s, with the same problems and messages', async (_name, files, expected) => {
    const dir = rulesDir(files);
    const error = snapshotError(dir);
    expect(error.problems).toEqual(validatePolicyDir(dir));
    expect(error.message.split('\n')).toEqual(await validateLines(dir));
    expect(error.message).toMatch(expected);
  });

  it('writes no snapshot for such a directory', () => {
    const dir = rulesDir({ 'a.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: low\n' });
    expect(() => writePolicySnapshot(dir)).toThrow(PolicyError);
    expect(existsSync(path.join(dir, POLICY_SNAPSHOT_FILE))).toBe(false);
  });

  it('accepts what `meshgov rules validate` accepts: the shipped rules/ and a copy that keeps the burn order', async () => {
    for (const dir of [REPO_RULES, rulesDir({ 'a.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: high\n' })]) {
      expect(validatePolicyDir(dir)).toEqual([]);
      expect((await runCli(['rules', 'validate', dir])).code).toBe(0);
      const snapshot = createPolicySnapshot(dir);
      expect(snapshot.files.map((f) => path.join(dir, f.name))).toEqual(loadPolicy(undefined, dir).files);
    }
  });

  it('refuses to run where the loader reads only snapshots, which would validate nothing', () => {
    const saved = process.env.MESHGOV_POLICY_SNAPSHOT_ONLY;
    process.env.MESHGOV_POLICY_SNAPSHOT_ONLY = 'true';
    try {
      expect(() => createPolicySnapshot(REPO_RULES)).toThrow(/MESHGOV_POLICY_SNAPSHOT_ONLY=true/);
    } finally {
      if (saved === undefined) delete process.env.MESHGOV_POLICY_SNAPSHOT_ONLY;
      else process.env.MESHGOV_POLICY_SNAPSHOT_ONLY = saved;
    }
  });
});

