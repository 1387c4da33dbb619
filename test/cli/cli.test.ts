import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixtureDir, runCli } from './run-cli';

const NOW = '2026-11-26T00:00:00Z';

const permissive = `apiVersion: v1
kind: Namespace
metadata:
  name: orders
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    matchLabels: { app: orders-api }
  template:
    metadata:
      labels: { app: orders-api, team: orders }
    spec:
      containers:
        - name: app
          image: ghcr.io/example/orders-api:1.4.2
          ports:
            - containerPort: 8080
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: PERMISSIVE
`;

const strict = permissive.replace('mode: PERMISSIVE', 'mode: STRICT');

describe('meshgov audit exit codes', () => {
  it('exits 1 when a finding is at or above --fail-on (default high)', async () => {
    const r = await runCli(['audit', fixtureDir({ 'orders.yaml': permissive }), '--now', NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/mtls-not-strict/);
  });

  it('exits 0 when findings are below --fail-on, or with --fail-on never', async () => {
    const dir = fixtureDir({ 'orders.yaml': permissive });
    expect((await runCli(['audit', dir, '--now', NOW, '--fail-on', 'critical'])).code).toBe(0);
    expect((await runCli(['audit', dir, '--now', NOW, '--fail-on', 'never'])).code).toBe(0);
  });

  it('exits 0 on a clean fleet', async () => {
    const r = await runCli(['audit', fixtureDir({ 'orders.yaml': strict }), '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 findings across \d+ resources/m);
  });

  it.each([
    [['audit', '--format', 'xml'], /--format must be one of table, json, sarif/],
    [['audit', '--fail-on', 'severe'], /--fail-on must be one of/],
    [['audit', '--now', 'yesterday'], /--now must be an ISO-8601/],
    [['audit', '--now', '2026-13-45'], /--now must be an ISO-8601/],
    [['audit', '--bogus'], /Unknown option '--bogus'/],
    [['audit', '--appmesh-region', ''], /--appmesh-region needs a region/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it('exits 2 for a path that does not exist', async () => {
    const r = await runCli(['audit', '/nonexistent/meshgov/configs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/meshgov\/configs: no such file or directory/);
  });

  it('exits 2 for an empty directory', async () => {
    const r = await runCli(['audit', fixtureDir({})]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no input files found/);
  });

  it('exits 2 when nothing could be read, naming each failure', async () => {
    const r = await runCli(['audit', fixtureDir({ 'broken.yaml': 'kind: [\n', 'values.yaml': 'replicaCount: 3\n' })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:2: invalid YAML: deficient indentation/);
    expect(r.stderr).toMatch(/no input could be read/);
  });
});

describe('bad input among good input', () => {
  it('reports malformed YAML as config-invalid with file and line, and audits the rest', async () => {
    const dir = fixtureDir({ 'orders.yaml': strict, 'broken.yaml': `${strict}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  namespace: orders\n spec: {}\n` });
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json']);
    const report = JSON.parse(r.stdout);
    const invalid = report.findings.filter((f: any) => f.rule === 'config-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0].resource).toMatchObject({ file: path.join(dir, 'broken.yaml'), line: 40 });
    expect(r.code).toBe(1);
  });

  it('passes over a README and a script that sit beside the configuration', async () => {
    const dir = fixtureDir({
      'orders.yaml': strict,
      'README.md': '# Orders mesh config\n\nApply with: `kubectl apply -f .`\n\n- item: one\nnot: [yaml\n',
      'apply.sh': '#!/usr/bin/env bash\nset -euo pipefail\nkubectl apply -f "$(dirname "$0")"\n',
    });
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json']);
    expect(JSON.parse(r.stdout).findings.filter((f: any) => f.rule === 'config-invalid')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('skips documents of unknown kinds and says so', async () => {
    const dir = fixtureDir({ 'orders.yaml': strict, 'helm-values.yaml': 'replicaCount: 3\nimage:\n  repository: nginx\n' });
    const r = await runCli(['audit', dir, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped 1 document/);
  });

  it('passes over binary files in a directory, and reports one named directly', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const dir = fixtureDir({ 'orders.yaml': strict, 'diagram.png': png });
    expect((await runCli(['audit', dir, '--now', NOW])).code).toBe(0);
    const direct = await runCli(['audit', path.join(dir, 'orders.yaml'), path.join(dir, 'diagram.png'), '--now', NOW, '--format', 'json']);
    const report = JSON.parse(direct.stdout);
    expect(report.findings.map((f: any) => [f.rule, f.message])).toEqual([['config-invalid', expect.stringMatching(/diagram\.png:1: binary file/)]]);
  });

  it('exits 2 when --rules is invalid, naming file, line and field', async () => {
    const rules = fixtureDir({ 'policy.yaml': 'rules:\n  mtls-not-strict:\n    severity: urgent\n' });
    const r = await runCli(['audit', fixtureDir({ 'orders.yaml': strict }), '--rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(rules, 'policy.yaml')}:3: rules.mtls-not-strict.severity`);
  });
});

describe('formats', () => {
  const dir = fixtureDir({ 'orders.yaml': permissive });

  it('json is the contract report', async () => {
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json']);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['version', 'generatedAt', 'findings', 'summary']);
    expect(report.version).toBe(1);
    expect(report.generatedAt).toBe('2026-11-26T00:00:00.000Z');
    const f = report.findings[0];
    expect(Object.keys(f)).toEqual(['id', 'rule', 'severity', 'provider', 'resource', 'message', 'detail', 'remediation']);
    expect(f).toMatchObject({ rule: 'mtls-not-strict', severity: 'high', provider: 'istio', resource: { kind: 'Deployment', name: 'orders-api', namespace: 'orders', port: 8080 } });
    expect(report.summary).toEqual({ resources: expect.any(Number), findings: report.findings.length, bySeverity: { high: report.findings.length } });
  });

  it('table groups by severity, colours only on a TTY, and ends with the summary line', async () => {
    const plain = await runCli(['audit', dir, '--now', NOW]);
    expect(plain.stdout).toMatch(/^HIGH \(1\)/m);
    expect(plain.stdout).not.toContain('\x1b[');
    expect(plain.stdout.trimEnd().split('\n').pop()).toMatch(/^1 finding \(1 high\) across \d+ resources$/);
    const tty = await runCli(['audit', dir, '--now', NOW], true);
    expect(tty.stdout).toContain('\x1b[31mHIGH (1)');
  });

  it('sarif is SARIF 2.1.0 with file and line locations', async () => {
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'sarif']);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((x: any) => x.id)).toContain('mtls-not-strict');
    const result = run.results[0];
    expect(result).toMatchObject({ ruleId: 'mtls-not-strict', level: 'error', partialFingerprints: { 'meshgovFindingId/v1': expect.any(String) } });
    const loc = result.locations[0].physicalLocation;
    expect(loc.region.startLine).toBe(26);
    expect(loc.artifactLocation.uri).toMatch(/orders\.yaml$/);
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('mtls-not-strict');
  });

  it('--output writes the report to a file and prints the summary', async () => {
    const out = path.join(fixtureDir({}), 'report.json');
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json', '--output', out]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/report written to/);
    expect(JSON.parse(readFileSync(out, 'utf8')).findings).toHaveLength(1);
  });
});

describe('meshgov rules validate', () => {
  it('accepts the shipped rules', async () => {
    expect((await runCli(['rules', 'validate'])).code).toBe(0);
  });
  it('lists every problem with file, line and field, and exits 1', async () => {
    const dir = fixtureDir({ 'a.yaml': 'rules:\n  cert-expired:\n    enabeld: true\n  config-invalid:\n    severity: loud\n' });
    const r = await runCli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'a.yaml')}:3: rules.cert-expired.enabeld`);
    expect(r.stderr).toContain(`${path.join(dir, 'a.yaml')}:5: rules.config-invalid.severity`);
  });
});

describe('the installed command', () => {
  const root = path.resolve(__dirname, '../..');
  it('npx meshgov runs from the package bin and audits the example fleet by default', () => {
    const r = spawnSync('npx', ['--no-install', 'meshgov', 'audit', '--format', 'json', '--fail-on', 'never'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary.findings).toBeGreaterThan(0);
    expect(report.findings.some((f: any) => f.resource.file?.includes('examples'))).toBe(true);
  });
  it('prints its version', () => {
    const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    expect(execFileSync('node', [path.join(root, 'functions/cli/meshgov.cjs'), '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });
});
