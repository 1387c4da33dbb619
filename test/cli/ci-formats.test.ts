import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deploymentYaml } from '../support/deployment-yaml';
import { fixtureDir } from './run-cli';

/**
 * `meshgov audit --format github` and `--format gitlab` through the real command, run from inside
 * a git work tree as a CI job runs: the paths GitHub and GitLab match against the repository's,
 * the deciding line, escaping, --baseline, and GitHub's step summary.
 */

const NOW = '2026-11-26T00:00:00Z';
const CLI = path.resolve(__dirname, '../../functions/cli/meshgov.cjs');

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata:
  name: orders
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Namespace
metadata:
  name: reporting
  labels:
    team: data
---
${deploymentYaml('report-builder', '  namespace: reporting\n')}`;

const POLICY = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: PERMISSIVE
`;

function deployment(name: string, namespace: string): string {
  return deploymentYaml(name, `  namespace: ${namespace}\n`);
}

/** A repository whose mesh configuration sits in `deploy/mesh`, as a CI checkout holds it. */
function repository(files: Record<string, string>): string {
  const root = fixtureDir(Object.fromEntries(Object.entries(files).map(([name, text]) => [`deploy/mesh/${name}`, text])));
  execFileSync('git', ['init', '-q', root]);
  return root;
}

/** The CLI run from `cwd`, as `run: npx meshgov audit …` in a workflow step (whose runner sets GITHUB_STEP_SUMMARY). */
function meshgov(cwd: string, ...args: string[]) {
  return meshgovWith({}, cwd, ...args);
}

function meshgovWith(env: Record<string, string>, cwd: string, ...args: string[]) {
  const r = run(env, cwd, ...args, '--format', 'github');
  return { code: r.status, lines: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

/** `meshgov audit ARGS --now NOW` from `cwd`, without the runner's GITHUB_STEP_SUMMARY unless `env` gives one. */
function run(env: Record<string, string>, cwd: string, ...args: string[]) {
  const { GITHUB_STEP_SUMMARY: _, ...rest } = process.env;
  return spawnSync('node', [CLI, 'audit', ...args, '--now', NOW], { cwd, encoding: 'utf8', env: { ...rest, ...env } });
}

let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

describe('--format github', () => {
  it('annotates each finding at its file, from the repository root, and its deciding line; the summary ends the output', () => {
    const root = repository({ 'namespaces.yaml': NAMESPACES, 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    // Run from a directory below the root, with a relative PATH: the file= paths stay repository-relative.
    const { code, lines } = meshgov(path.join(root, 'deploy'), 'mesh');
    expect(code).toBe(1);
    expect(lines).toHaveLength(3);
    const [high, medium, summary] = lines as [string, string, string];
    expect(high).toMatch(/^::error file=deploy\/mesh\/orders\/policy\.yaml,line=8,title=meshgov mtls-not-strict \(high\)::Deployment orders\/orders-api port 8080 accepts plaintext as well as mTLS /);
    // The fix follows on a line of its own, escaped as %0A.
    expect(high).toMatch(/%0Afix \[approval\] istio\.peerauthentication\.set-strict: /);
    expect(medium).toMatch(/^::warning file=deploy\/mesh\/namespaces\.yaml,line=8,title=meshgov mesh-sidecar-missing \(medium\)::Namespace reporting is outside the mesh/);
    expect(summary).toBe('2 findings (1 high, 1 medium) across 5 resources');
  });

  it('escapes what the inputs hold, so a file name can neither end the command nor start another', () => {
    const evil = 'team,a:b 100%\n::error::forged.yaml';
    const root = repository({ [evil]: POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const { lines } = meshgov(root, 'deploy/mesh');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('::error::forged'))).toBe(false);
    // Properties escape as the toolkit's escapeProperty (%, line breaks, : and ,), which the runner undoes: the file name is exact.
    // The message escapes % and shows the line break as \x0a.
    expect(lines[0]).toContain('file=deploy/mesh/team%2Ca%3Ab 100%25%0A%3A%3Aerror%3A%3Aforged.yaml,line=8,');
    expect(lines[0]).toContain('(deploy/mesh/team,a:b 100%25\\x0a::error::forged.yaml:8)');
  });

  it('pauses workflow commands around what it writes to stderr, so a file name or kind from the inputs cannot start one', () => {
    // The runner reads commands from stderr too: `::` at a line's start, or the legacy `##[` anywhere.
    const root = repository({ 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders'), '::stop-commands::meshgovhide': 'not configuration\n', 'other.yaml': 'kind: "##[stop-commands]hide"\n' });
    roots.push(root);
    const r = meshgov(root, 'deploy/mesh');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const token = /^::stop-commands::([0-9a-f-]{36})$/.exec(lines[0]!)?.[1];
    expect(token).toBeDefined();
    expect(lines.at(-1)).toBe(`::${token}::`);
    // Every quoted name is inside the pause; the token is new each run, so the inputs cannot end it.
    expect(lines.slice(1, -1).join('\n')).toContain('deploy/mesh/::stop-commands::meshgovhide:1: a string, not an object');
    expect(lines.slice(1, -1).join('\n')).toContain('kind ##[stop-commands]hide, no apiVersion');
    expect(meshgov(root, 'deploy/mesh').stderr).not.toContain(token);
    // The annotations on stdout are unaffected.
    expect(r.lines[0]).toMatch(/^::error file=deploy\/mesh\/orders\/policy\.yaml,line=8,/);
  });

  it('leaves stderr as it is for the other formats', () => {
    const root = repository({ 'orders/policy.yaml': POLICY, 'notes.txt': 'not configuration\n' });
    roots.push(root);
    expect(run({}, root, 'deploy/mesh', '--format', 'json').stderr).toBe('meshgov: skipped 1 document(s) of a kind meshgov does not audit:\n  deploy/mesh/notes.txt:1: a string, not an object\n');
  });

  it('annotates only new findings against a baseline, and counts the known ones in the summary', () => {
    const root = repository({ 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const baseline = spawnSync('node', [CLI, 'audit', 'deploy/mesh', '--now', NOW, '--format', 'json', '--output', 'baseline.json'], { cwd: root, encoding: 'utf8' });
    expect(baseline.status).toBe(1);
    mkdirSync(path.join(root, 'deploy/mesh/payments'));
    writeFileSync(path.join(root, 'deploy/mesh/payments/ledger.yaml'), deployment('ledger', 'orders'));
    const { code, lines } = meshgov(root, 'deploy/mesh', '--baseline', 'baseline.json');
    expect(code).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::error file=deploy\/mesh\/orders\/policy\.yaml,line=8,title=meshgov mtls-not-strict \(high\)::Deployment orders\/ledger port 8080 /);
    expect(lines[1]).toBe('2 findings (2 high) across 3 resources; 1 new, 1 known and 0 fixed since baseline.json');
  });

  it("appends a job summary to GITHUB_STEP_SUMMARY: the summary line and a row per annotated finding", () => {
    const root = repository({ 'namespaces.yaml': NAMESPACES, 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const summary = path.join(root, 'step-summary.md');
    // The runner's file may already hold an earlier step's summary: it is appended to.
    writeFileSync(summary, '### build\n\nok\n');
    const { code, lines } = meshgovWith({ GITHUB_STEP_SUMMARY: summary }, root, 'deploy/mesh');
    expect(code).toBe(1);
    expect(lines).toHaveLength(3);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('### build\n\nok\n### meshgov audit\n\n2 findings (1 high, 1 medium) across 5 resources\n\n| severity | rule | resource | where | finding |\n|---|---|---|---|---|\n')).toBe(true);
    expect(text).toContain('| high | mtls-not-strict | Deployment orders/orders-api:8080 | deploy/mesh/orders/policy.yaml:8 | Deployment orders/orders-api port 8080 accepts plaintext');
    expect(text).toContain('| medium | mesh-sidecar-missing | Namespace reporting | deploy/mesh/namespaces.yaml:8 |');
  });

  it('says on stderr when the summary cannot be written, and still prints the annotations', () => {
    const root = repository({ 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const { code, lines, stderr } = meshgovWith({ GITHUB_STEP_SUMMARY: path.join(root, 'no-such-dir', 'summary.md') }, root, 'deploy/mesh');
    expect(code).toBe(1);
    expect(lines).toHaveLength(2);
    expect(stderr).toMatch(/^meshgov: cannot write the step summary to .*no-such-dir\/summary\.md: /m);
  });

  it('writes no summary for the other formats', () => {
    const root = repository({ 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const summary = path.join(root, 'step-summary.md');
    const r = spawnSync('node', [CLI, 'audit', 'deploy/mesh', '--now', NOW, '--format', 'json'], { cwd: root, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: summary } });
    expect(r.status).toBe(1);
    expect(existsSync(summary)).toBe(false);
  });
});

describe('--format gitlab', () => {
  it('writes a Code Quality report: the rule, the message and fix, the id as fingerprint, the project path and deciding line', () => {
    const root = repository({ 'namespaces.yaml': NAMESPACES, 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const r = run({}, path.join(root, 'deploy'), 'mesh', '--format', 'gitlab');
    expect(r.status).toBe(1);
    const issues = JSON.parse(r.stdout) as Array<Record<string, any>>;
    const json = JSON.parse(run({}, path.join(root, 'deploy'), 'mesh', '--format', 'json').stdout) as { findings: Array<{ id: string; message: string }> };
    expect(issues).toEqual([
      {
        type: 'issue',
        check_name: 'mtls-not-strict',
        description: expect.stringMatching(/^Deployment orders\/orders-api port 8080 accepts plaintext as well as mTLS .* Fix \[approval\] istio\.peerauthentication\.set-strict: /),
        categories: ['Security'],
        fingerprint: json.findings[0]!.id,
        severity: 'major',
        location: { path: 'deploy/mesh/orders/policy.yaml', lines: { begin: 8 } },
      },
      {
        type: 'issue',
        check_name: 'mesh-sidecar-missing',
        description: json.findings[1]!.message,
        categories: ['Security'],
        fingerprint: json.findings[1]!.id,
        severity: 'minor',
        location: { path: 'deploy/mesh/namespaces.yaml', lines: { begin: 8 } },
      },
    ]);
    // Ids are unique, as GitLab needs of fingerprints.
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
  });

  it('is an empty list for a clean fleet, and exits 0', () => {
    const root = repository({ 'orders/policy.yaml': POLICY.replace('PERMISSIVE', 'STRICT'), 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const r = run({}, root, 'deploy/mesh', '--format', 'gitlab');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('[]\n');
  });
});

describe('--format junit', () => {
  it('writes JUnit XML with a failed case per finding at its file and deciding line, and exits as --fail-on says', () => {
    const root = repository({ 'namespaces.yaml': NAMESPACES, 'orders/policy.yaml': POLICY, 'orders/api.yaml': deployment('orders-api', 'orders') });
    roots.push(root);
    const r = run({}, root, 'deploy/mesh', '--format', 'junit', '--output', 'reports/meshgov.xml', '--fail-on', 'medium');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('2 findings (1 high, 1 medium) across 5 resources; report written to reports/meshgov.xml\n');
    const xml = readFileSync(path.join(root, 'reports/meshgov.xml'), 'utf8');
    expect(xml).toContain('<testsuite name="meshgov audit" tests="2" failures="2" errors="0" skipped="0"');
    expect(xml).toContain('<testcase classname="meshgov.mtls-not-strict" name="Deployment orders/orders-api:8080 [4fffcd443f8a7ddd424b36cc]" time="0" file="deploy/mesh/orders/policy.yaml" line="8"><failure type="high"');
    expect(xml).toContain('<testcase classname="meshgov.mesh-sidecar-missing" name="Namespace reporting [6404ed9b1384c24a57d039b5]" time="0" file="deploy/mesh/namespaces.yaml" line="8"><failure type="medium"');
  });
});

