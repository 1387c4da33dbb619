import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sarifProblems } from '../unit/report/sarif-structure';
import { fixtureDir, runCli } from './run-cli';

const NOW = '2026-11-26T00:00:00Z';
const MESHGOV = path.resolve(__dirname, '../../functions/cli/meshgov.cjs');

/** Two high findings (mtls-not-strict on orders-api and orders-worker) and one medium (mesh-sidecar-missing on batch). */
const fleet = `apiVersion: v1
kind: Namespace
metadata:
  name: orders
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Namespace
metadata:
  name: batch
---
# A worker outside the mesh: an empty namespace would be no finding.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger-export
  namespace: batch
spec:
  selector:
    matchLabels: { app: ledger-export }
  template:
    metadata:
      labels: { app: ledger-export }
    spec:
      containers:
        - name: app
          image: ghcr.io/example/ledger-export:1.0.0
---
${['orders-api', 'orders-worker']
  .map(
    (name, i) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: orders
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: app
          image: ghcr.io/example/${name}:1.4.2
          ports:
            - containerPort: ${8080 + i}
---
`,
  )
  .join('')}apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: PERMISSIVE
`;

interface Report {
  findings: Array<{ id: string; rule: string; severity: string; resource: { name: string }; baselineState?: string }>;
  summary: { findings: number; baseline?: { file: string; new: number; unchanged: number; absent: number } };
}

/** A fleet and, beside it, its own JSON report (the baseline a CI job records once). */
async function fleetWithReport(): Promise<{ dir: string; configs: string; report: Report; file: (name: string) => string }> {
  const dir = fixtureDir({ 'configs/fleet.yaml': fleet });
  const configs = path.join(dir, 'configs');
  const file = (name: string) => path.join(dir, name);
  const r = await runCli(['audit', configs, '--now', NOW, '--format', 'json', '--output', file('baseline.json')]);
  expect(r.code).toBe(1);
  const report = JSON.parse(readFileSync(file('baseline.json'), 'utf8')) as Report;
  // The cases below depend on this shape of the fleet's report.
  expect(report.findings.map((f) => `${f.severity} ${f.rule} ${f.resource.name}`).sort()).toEqual([
    'high mtls-not-strict orders-api',
    'high mtls-not-strict orders-worker',
    'medium mesh-sidecar-missing batch',
  ]);
  return { dir, configs, report, file };
}

function writeJson(file: string, value: unknown): string {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

const audit = (configs: string, ...args: string[]) => runCli(['audit', configs, '--now', NOW, ...args]);

describe('meshgov audit --baseline', () => {
  it('against its own JSON report: every finding is unchanged, and even --fail-on low exits 0', async () => {
    const { configs, report, file } = await fleetWithReport();
    const r = await audit(configs, '--baseline', file('baseline.json'), '--format', 'json', '--fail-on', 'low');
    expect(r.code).toBe(0);
    const now = JSON.parse(r.stdout) as Report;
    expect(now.findings.map((f) => [f.id, f.baselineState])).toEqual(report.findings.map((f) => [f.id, 'unchanged']));
    expect(now.summary.baseline).toEqual({ file: file('baseline.json'), new: 0, unchanged: 3, updated: 0, absent: 0 });
  });

  it.each([
    ['UTF-16LE', (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16BE', (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
  ])('reads a report Windows PowerShell wrote with `>` (%s with a byte order mark), as inputs are read', async (_name, encode) => {
    const { configs, file } = await fleetWithReport();
    writeFileSync(file('baseline-ps.json'), encode(readFileSync(file('baseline.json'), 'utf8')));
    const r = await audit(configs, '--baseline', file('baseline-ps.json'), '--format', 'json', '--fail-on', 'low');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(r.stdout) as Report).summary.baseline).toMatchObject({ new: 0, unchanged: 3, updated: 0, absent: 0 });
  });

  it('a finding the baseline lacks is new, and fails the build at its own severity only', async () => {
    const { configs, report, file } = await fleetWithReport();
    const medium = report.findings.find((f) => f.severity === 'medium')!;
    const baseline = writeJson(file('edited.json'), { ...report, findings: report.findings.filter((f) => f !== medium) });

    const json = await audit(configs, '--baseline', baseline, '--format', 'json', '--fail-on', 'medium');
    expect(json.code).toBe(1);
    const now = JSON.parse(json.stdout) as Report;
    expect(now.findings.filter((f) => f.baselineState === 'new').map((f) => f.id)).toEqual([medium.id]);
    expect(now.findings.filter((f) => f.baselineState === 'unchanged')).toHaveLength(2);
    expect(now.summary.baseline).toEqual({ file: baseline, new: 1, unchanged: 2, updated: 0, absent: 0 });
    // The two high findings are known: only the new medium one counts against --fail-on.
    expect((await audit(configs, '--baseline', baseline, '--fail-on', 'high')).code).toBe(0);
    expect((await audit(configs, '--fail-on', 'high')).code).toBe(1);
  });

  it('counts baseline ids that no finding has now as absent (fixed since)', async () => {
    const { configs, report, file } = await fleetWithReport();
    const gone = { ...report.findings[0]!, id: 'fixed-since-the-baseline' };
    const baseline = writeJson(file('with-gone.json'), { ...report, findings: [...report.findings, gone] });
    const r = await audit(configs, '--baseline', baseline, '--format', 'json', '--fail-on', 'low');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).summary.baseline).toEqual({ file: baseline, new: 0, unchanged: 3, updated: 0, absent: 1 });
  });

  // Switching a rule off is not fixing its findings: a dashboard would show a false improvement.
  it.each(['json', 'sarif'])('does not count the findings of a rule disabled since as fixed (%s baseline)', async (format) => {
    const { configs, file } = await fleetWithReport();
    const recorded = file(`baseline-all.${format}`);
    expect((await audit(configs, '--format', format, '--output', recorded)).code).toBe(1);
    const off = fixtureDir({ 'mesh.yaml': 'rules:\n  mesh-sidecar-missing:\n    enabled: false\n' });
    const r = await audit(configs, '--rules', off, '--baseline', recorded, '--format', 'json', '--fail-on', 'low');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).summary.baseline).toEqual({ file: recorded, new: 0, unchanged: 2, updated: 0, absent: 0, notCompared: 1 });
    const table = await audit(configs, '--rules', off, '--baseline', recorded, '--fail-on', 'never');
    expect(table.stdout).toContain('0 new, 2 known and 0 fixed since');
    expect(table.stdout).toContain('(1 more of rules now disabled, not compared)');
  });

  it('accepts a SARIF log meshgov wrote, recognised by its content whatever its name', async () => {
    const { configs, report, file } = await fleetWithReport();
    const sarif = file('results.txt');
    expect((await audit(configs, '--format', 'sarif', '--output', sarif)).code).toBe(1);
    const r = await audit(configs, '--baseline', sarif, '--format', 'json', '--fail-on', 'low');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).summary.baseline).toEqual({ file: sarif, new: 0, unchanged: 3, updated: 0, absent: 0 });

    // A finding with no file to annotate is a tool notification there, its id in properties.id.
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    const [moved, ...rest] = log.runs[0].results;
    log.runs[0].results = rest;
    log.runs[0].invocations[0].toolExecutionNotifications = [
      { level: 'warning', message: { text: '1 findings left out' } },
      { level: 'error', message: { text: moved.message.text }, properties: { id: moved.partialFingerprints['meshgovFindingId/v1'] } },
    ];
    const fromNotes = await audit(configs, '--baseline', writeJson(file('notes.sarif'), log), '--format', 'json', '--fail-on', 'low');
    expect(fromNotes.code).toBe(0);
    expect((JSON.parse(fromNotes.stdout) as Report).summary.baseline).toMatchObject({ new: 0, unchanged: 3, updated: 0, absent: 0 });

    // Without the result anywhere, its finding is new.
    log.runs[0].invocations[0].toolExecutionNotifications = [];
    const without = await audit(configs, '--baseline', writeJson(file('less.sarif'), log), '--format', 'json', '--fail-on', 'never');
    const now = JSON.parse(without.stdout) as Report;
    expect(now.findings.filter((f) => f.baselineState === 'new').map((f) => f.id)).toEqual([moved.partialFingerprints['meshgovFindingId/v1']]);
    expect(report.findings.map((f) => f.id)).toContain(moved.partialFingerprints['meshgovFindingId/v1']);
  });

  it('the table tags known findings, puts new ones first, and its summary line counts new, known and fixed', async () => {
    const { configs, report, file } = await fleetWithReport();
    // The second high finding is the new one: the table shows it first.
    const [known, fresh] = report.findings.filter((f) => f.severity === 'high');
    const gone = { ...fresh!, id: 'fixed-since-the-baseline' };
    const baseline = writeJson(file('table.json'), { ...report, findings: [...report.findings.filter((f) => f !== fresh), gone] });
    const r = await audit(configs, '--baseline', baseline, '--fail-on', 'never');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('HIGH (2, 1 known)');
    expect(lines).toContain('MEDIUM (1, 1 known)');
    const rows = lines.filter((l) => /^ {2}[a-z]/.test(l));
    expect(rows.map((l) => [l.trim().split(/\s+/)[2], l.endsWith('  [known]')])).toEqual([
      [expect.stringContaining(fresh!.resource.name), false],
      [expect.stringContaining(known!.resource.name), true],
      [expect.stringContaining('batch'), true],
    ]);
    expect(r.stdout).not.toMatch(/\x1b/);
    expect(lines.at(-2)).toBe(`3 findings (2 high, 1 medium) across 6 resources; 1 new, 2 known and 1 fixed since ${baseline}`);

    // With --output, the summary line on standard error says the same.
    const written = await audit(configs, '--baseline', baseline, '--fail-on', 'never', '--output', file('table.txt'));
    expect(written.stderr).toContain(`; 1 new, 2 known and 1 fixed since ${baseline}; report written to ${file('table.txt')}\n`);
  });

  it('adds the baseline fields to json and sarif only with --baseline', async () => {
    const { configs, file } = await fleetWithReport();
    const plainJson = (await audit(configs, '--format', 'json')).stdout;
    expect(plainJson).not.toMatch(/baseline/i);
    const plainSarif = (await audit(configs, '--format', 'sarif')).stdout;
    expect(plainSarif).not.toMatch(/baseline/i);
    expect((await audit(configs)).stdout).not.toMatch(/known|fixed since/);

    const baselined = JSON.parse((await audit(configs, '--format', 'json', '--baseline', file('baseline.json'))).stdout);
    // Only added: the report without the added fields is the report without a baseline.
    const stripped = { ...baselined, findings: baselined.findings.map(({ baselineState: _s, ...f }: Report['findings'][0]) => f), summary: { ...baselined.summary } };
    delete stripped.summary.baseline;
    expect(stripped).toEqual(JSON.parse(plainJson));

    const log = JSON.parse((await audit(configs, '--format', 'sarif', '--baseline', file('baseline.json'))).stdout);
    expect(sarifProblems(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(3);
    // SARIF 3.27.24: present on one result, it is present on every one.
    for (const result of log.runs[0].results) expect(result.baselineState).toBe('unchanged');
    expect(log.runs[0].properties.baseline).toEqual({ file: file('baseline.json'), new: 0, unchanged: 3, updated: 0, absent: 0 });
  });
});

describe('a bad --baseline is a usage error naming the file, line and field', () => {
  const run = async (name: string, content: string) => {
    const dir = fixtureDir({ 'configs/fleet.yaml': fleet, [name]: content });
    const file = path.join(dir, name);
    return { file, r: await audit(path.join(dir, 'configs'), '--baseline', file) };
  };

  it.each([
    ['a finding without an id', 'baseline.json', '{\n  "version": 1,\n  "findings": [\n    { "id": "a" },\n    { "id": "b" },\n    { "rule": "mtls-not-strict" }\n  ]\n}\n', ':6: findings[2].id: expected a string'],
    ['an id that is not a string', 'baseline.json', '{\n  "version": 1,\n  "findings": [\n    {\n      "rule": "mtls-not-strict",\n      "id": 42\n    }\n  ]\n}\n', ':6: findings[0].id: expected a string, got 42'],
    ['a finding that is not an object', 'baseline.json', '{\n  "version": 1,\n  "findings": [\n    "4fffcd443f8a7ddd424b36cc"\n  ]\n}\n', ':4: findings[0]: expected an object, got "4fffcd443f8a7ddd424b36cc"'],
    ['another version', 'baseline.json', '{\n  "generatedAt": "2026-11-26T00:00:00.000Z",\n  "version": 2,\n  "findings": []\n}\n', ':3: version: expected 1, got 2'],
    ['no version', 'baseline.json', '{\n  "findings": []\n}\n', ':1: version: expected 1'],
    ['findings that are not an array', 'baseline.json', '{\n  "version": 1,\n  "findings": {}\n}\n', ':3: findings: expected an array, got an object'],
    ['JSON that is no report', 'baseline.json', '{\n  "name": "orders"\n}\n', ':1: findings: expected an array: a meshgov JSON report has version 1 and findings, a SARIF log has runs'],
    ['a top-level array', 'baseline.json', '[\n  { "id": "a" }\n]\n', ':1: expected a meshgov JSON report or SARIF log, got an array'],
    ['not JSON', 'baseline.json', '{\n  "version": 1,\n  "findings": [\n  }\n', ":4: invalid JSON: unexpected '}', expected a value at column 3 (--baseline takes a report of meshgov audit --format json or sarif)"],
    ['an empty file', 'baseline.json', '', ':1: invalid JSON: unexpected end of input, expected a value at column 1 (--baseline takes a report of meshgov audit --format json or sarif)'],
    ['SARIF of another tool', 'other.sarif', '{\n  "version": "2.1.0",\n  "runs": [\n    {\n      "tool": { "driver": {\n        "name": "semgrep" } },\n      "results": []\n    }\n  ]\n}\n', ':6: runs[0].tool.driver.name: expected "meshgov" (a SARIF log meshgov wrote), got "semgrep"'],
    ['SARIF without the finding id', 'results.sarif', '{\n  "version": "2.1.0",\n  "runs": [\n    {\n      "tool": { "driver": { "name": "meshgov" } },\n      "results": [\n        { "ruleId": "mtls-not-strict",\n          "partialFingerprints": {\n            "primaryLocationLineHash": "abc"\n          } }\n      ]\n    }\n  ]\n}\n', ':8: runs[0].results[0].partialFingerprints["meshgovFindingId/v1"]: expected a string'],
    ['SARIF whose runs are not an array', 'results.sarif', '{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": "2.1.0",\n  "runs": {}\n}\n', ':4: runs: expected an array, got an object'],
  ])('%s', async (_case, name, content, message) => {
    const { file, r } = await run(name, content);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`meshgov: ${file}${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('a file that cannot be read', async () => {
    const dir = fixtureDir({ 'configs/fleet.yaml': fleet });
    const missing = path.join(dir, 'missing.json');
    // In a process of its own: under jest, fs errors come from another realm and read as "ENOENT: Error: ENOENT: …".
    const r = spawnSync('node', [MESHGOV, 'audit', path.join(dir, 'configs'), '--baseline', missing], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`meshgov: cannot read baseline ${missing}: ENOENT: no such file or directory\n`);
    const directory = await audit(path.join(dir, 'configs'), '--baseline', dir);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(new RegExp(`^meshgov: cannot read baseline ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: EISDIR: .*illegal operation on a directory\n$`));
  });

  it('an empty FILE, as from an unset variable', async () => {
    const r = await runCli(['audit', '--baseline', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^meshgov: --baseline needs a report file/);
    expect(r.stderr).toMatch(/Usage:/);
  });
});
