import { build } from 'esbuild';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PolicyError } from './errors';
import { defaultRulesDir, loadPolicy } from './load';
import { POLICY_SNAPSHOT_FILE, SNAPSHOT_ONLY_DEFINE, type PolicySnapshot } from './snapshot';
import { createPolicySnapshot, writePolicySnapshot } from './write-snapshot';

const REPO_RULES = path.resolve(__dirname, '../../../rules');
const temporary: string[] = [];

/** A copy of the shipped rules/, as the CDK app and build-gcp.ts put beside a bundle. */
function deployedRules(withSnapshot = true): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'meshgov-deployed-')), 'rules');
  temporary.push(path.dirname(dir));
  cpSync(REPO_RULES, dir, { recursive: true });
  if (withSnapshot) writePolicySnapshot(REPO_RULES, dir);
  return dir;
}

/** Runs `fn` with MESHGOV_RULES pointing at `dir`, optionally as a snapshot-only build would. */
function withRules<T>(dir: string, snapshotOnly: boolean, fn: () => T): T {
  const saved = { rules: process.env.MESHGOV_RULES, only: process.env.MESHGOV_POLICY_SNAPSHOT_ONLY };
  process.env.MESHGOV_RULES = dir;
  if (snapshotOnly) process.env.MESHGOV_POLICY_SNAPSHOT_ONLY = 'true';
  else delete process.env.MESHGOV_POLICY_SNAPSHOT_ONLY;
  try {
    return fn();
  } finally {
    for (const [key, value] of [['MESHGOV_RULES', saved.rules], ['MESHGOV_POLICY_SNAPSHOT_ONLY', saved.only]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('the policy snapshot', () => {
  it('gives exactly the policy the YAML gives, without reading the YAML through zod', () => {
    const dir = deployedRules();
    const fromYaml = withRules(dir, false, () => {
      // The same directory without its snapshot goes through the full reader.
      const bare = deployedRules(false);
      return withRules(bare, false, () => loadPolicy());
    });
    const fromSnapshot = withRules(dir, true, () => loadPolicy());
    expect(fromSnapshot.files).toEqual(['certificates.yaml', 'mesh.yaml', 'mtls.yaml', 'ownership.yaml', 'remediation.yaml', 'slos.yaml'].map((n) => path.join(dir, n)));
    expect({ ...fromSnapshot, files: [] }).toStrictEqual({ ...fromYaml, files: [] });
  });

  it('keeps what zod filled in, such as the default window of an SLO', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-slo-rules-'));
    temporary.push(dir);
    const slo = ['slos:', '  - name: payments-api-latency', '    service: payments-api', '    mesh: istio', '    namespace: payments', '    objective: 99', '    thresholdMs: 250', '    source:', '      prometheus: {}', ''];
    writeFileSync(path.join(dir, 'slos.yaml'), slo.join('\n'));
    writePolicySnapshot(dir);
    const policy = withRules(deployedRules(), true, () => loadPolicy(dir));
    expect(policy.slos).toStrictEqual([{ name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, window: '30d', source: { prometheus: {} } }]);
  });

  it('records every YAML file with the hash of the text it validated', () => {
    const snapshot = JSON.parse(readFileSync(path.join(deployedRules(), POLICY_SNAPSHOT_FILE), 'utf8')) as PolicySnapshot;
    expect(snapshot.format).toBe(1);
    expect(snapshot.files.map((f) => f.name)).toEqual(['certificates.yaml', 'mesh.yaml', 'mtls.yaml', 'ownership.yaml', 'remediation.yaml', 'slos.yaml']);
    expect(snapshot.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(snapshot.files.find((f) => f.name === 'mtls.yaml')!.value.rules?.['mtls-not-strict']).toBeDefined();
  });

  it('is read only by a snapshot-only build: elsewhere the YAML is always read and validated', () => {
    const dir = deployedRules();
    // A snapshot whose hashes match but whose value says otherwise shows which path was taken.
    const file = path.join(dir, POLICY_SNAPSHOT_FILE);
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as PolicySnapshot;
    snapshot.files.find((f) => f.name === 'remediation.yaml')!.value.remediation = { dryRun: true, maxChangesPerRun: 1 };
    writeFileSync(file, JSON.stringify(snapshot));
    expect(withRules(dir, true, () => loadPolicy()).remediation.maxChangesPerRun).toBe(1);
    expect(withRules(dir, false, () => loadPolicy()).remediation.maxChangesPerRun).toBe(withRules(REPO_RULES, false, () => loadPolicy()).remediation.maxChangesPerRun);
    expect(withRules(REPO_RULES, false, () => loadPolicy()).remediation.maxChangesPerRun).not.toBe(1);
  });

  it('a snapshot-only build refuses changed or missing snapshots, naming the directory and why', () => {
    const changed = deployedRules();
    writeFileSync(path.join(changed, 'remediation.yaml'), 'remediation:\n  dryRun: false\n');
    const error = withRules(changed, true, () => catchError(() => loadPolicy()));
    expect(error).toBeInstanceOf(PolicyError);
    expect(error.message).toBe(`${changed}:1: this build reads rules only through the snapshot validated when it was built, and remediation.yaml changed after ${POLICY_SNAPSHOT_FILE} was made: rebuild and redeploy the function`);

    const added = deployedRules();
    writeFileSync(path.join(added, 'zz-extra.yaml'), 'rules: {}\n');
    expect(withRules(added, true, () => catchError(() => loadPolicy())).message).toContain(`${POLICY_SNAPSHOT_FILE} was made from other files`);

    const missing = deployedRules(false);
    expect(withRules(missing, true, () => catchError(() => loadPolicy())).message).toContain(`no readable ${POLICY_SNAPSHOT_FILE} (ENOENT)`);
  });

  it('a snapshot-only build still overlays a user directory that has its own snapshot', () => {
    const base = deployedRules();
    const user = mkdtempSync(path.join(tmpdir(), 'meshgov-user-rules-'));
    temporary.push(user);
    writeFileSync(path.join(user, 'certs.yaml'), 'rules:\n  cert-expiring:\n    tiers:\n      - withinDays: 14\n        severity: high\n');
    writePolicySnapshot(user);
    const policy = withRules(base, true, () => loadPolicy(user));
    expect(policy.rules['cert-expiring'].tiers).toEqual([{ withinDays: 14, severity: 'high' }]);
    expect(policy.files[policy.files.length - 1]).toBe(path.join(user, 'certs.yaml'));
  });

  it('is refused at build time for invalid rules, with file, line and field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-bad-rules-'));
    temporary.push(dir);
    writeFileSync(path.join(dir, 'mtls.yaml'), 'rules:\n  mtls-not-strict:\n    severity: urgent\n');
    const error = catchError(() => createPolicySnapshot(dir));
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([expect.objectContaining({ file: path.join(dir, 'mtls.yaml'), line: 3, field: 'rules.mtls-not-strict.severity' })]);
  });

  it('does not leak into the source tree: the shipped rules/ has no snapshot and loads through YAML', () => {
    expect(defaultRulesDir()).toBe(REPO_RULES);
    expect(() => readFileSync(path.join(REPO_RULES, POLICY_SNAPSHOT_FILE))).toThrow(/ENOENT/);
  });
});

describe('a bundle built with SNAPSHOT_ONLY_DEFINE', () => {
  it('carries neither zod nor a YAML parser, which the plain build does', async () => {
    const inputsOf = async (define: Record<string, string>) => {
      const result = await build({ entryPoints: [path.join(__dirname, 'load.ts')], bundle: true, write: false, minify: true, platform: 'node', format: 'cjs', metafile: true, logLevel: 'error', define });
      // What reaches the output (inputs lists every file esbuild parsed, dead branches included).
      return Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([file]) => file));
    };
    const packages = (inputs: string[]) => new Set(inputs.map((i) => /node_modules\/([^/]+)/.exec(i)?.[1]).filter(Boolean));
    expect(packages(await inputsOf({ ...SNAPSHOT_ONLY_DEFINE }))).toEqual(new Set());
    expect(packages(await inputsOf({}))).toEqual(new Set(['zod', 'js-yaml', 'yaml']));
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
