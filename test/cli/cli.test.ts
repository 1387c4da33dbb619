import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  // A rules copy may grade a rule info; --fail-on info lets such findings fail a build too.
  it('takes --fail-on info: a finding a rules copy grades info fails it, and only it', async () => {
    const dir = fixtureDir({ 'orders.yaml': permissive, 'rules/mtls.yaml': 'rules:\n  mtls-not-strict:\n    severity: info\n' });
    const args = ['audit', `${dir}/orders.yaml`, '--rules', `${dir}/rules`, '--now', NOW];
    expect((await runCli([...args, '--fail-on', 'info'])).code).toBe(1);
    expect((await runCli([...args, '--fail-on', 'low'])).code).toBe(0);
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
    [['audit', '--now', '2026-02-30'], /--now: 2026-02-30 is not a date: 2026-02 has no day 30/],
    [['audit', '--now', '2026-02-29T00:00:00Z'], /--now: 2026-02-29T00:00:00Z is not a date/],
    [['audit', '--now', '2026-04-31'], /--now: 2026-04-31 is not a date/],
    [['audit', '--rules', ''], /--rules needs a rules directory/],
    [['rules', 'validate', '--bogus'], /Unknown option '--bogus'/],
    [['rules', 'validate', ''], /rules validate needs a rules directory/],
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

  it('reports a file that does not parse as config-invalid even when nothing else could be audited: a report, exit by --fail-on', async () => {
    const dir = fixtureDir({ 'broken.yaml': 'kind: [\n', 'values.yaml': 'replicaCount: 3\n' });
    const r = await runCli(['audit', dir, '--format', 'json', '--now', NOW]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'config-invalid', resource: expect.objectContaining({ file: path.join(dir, 'broken.yaml'), line: 1 }) })]);
    expect(report.findings[0].message).toMatch(/invalid YAML: deficient indentation/);
    expect(r.stderr).toMatch(/skipped 1 document/);
    expect(r.stderr).not.toMatch(/no input could be read/);
  });

  it('reports a misspelt kind of an API group it reads as config-invalid when it is the only input', async () => {
    const dir = fixtureDir({ 'pa.yaml': 'apiVersion: security.istio.io/v1\nkind: PeerAuthentcation\nmetadata:\n  name: default\n  namespace: orders\nspec:\n  mtls:\n    mode: PERMISSIVE\n' });
    const r = await runCli(['audit', dir, '--format', 'json', '--now', NOW, '--fail-on', 'never']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([expect.objectContaining({ rule: 'config-invalid', message: expect.stringMatching(/has no kind "PeerAuthentcation"/) })]);
  });
});

describe('--now', () => {
  const dir = fixtureDir({ 'orders.yaml': strict });
  const generatedAt = async (now: string) => JSON.parse((await runCli(['audit', dir, '--now', now, '--format', 'json'])).stdout).generatedAt;

  it('reads a date-time without an offset as UTC, whatever the host time zone', () => {
    // In a child process: jest gives each test file its own process.env, so TZ set here would not reach Date.
    const script = `require('tsx/cjs'); const { parseNow } = require(${JSON.stringify(path.resolve(__dirname, '../../functions/cli/audit-command.ts'))});
      console.log(['2026-11-26T00:00:00', '2026-11-26T09:30', '2026-11-26T09:00:00+09:00'].map((v) => parseNow(v).toISOString()).join(' '));`;
    const r = spawnSync('node', ['-e', script], { encoding: 'utf8', env: { ...process.env, TZ: 'Asia/Tokyo' } });
    expect(r.stdout.trim()).toBe('2026-11-26T00:00:00.000Z 2026-11-26T09:30:00.000Z 2026-11-26T00:00:00.000Z');
  });

  it('accepts a leap day', async () => {
    expect(await generatedAt('2028-02-29')).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('--help after a subcommand', () => {
  it.each([
    [['audit', '--help'], /meshgov audit \[PATH \.\.\.\]/],
    [['audit', '-h'], /--now ISO-8601 .*\n.*without an offset is read as UTC/],
    [['rules', '--help'], /meshgov rules validate \[DIR\]/],
    [['rules', 'validate', '-h'], /meshgov rules validate \[DIR\]/],
  ])('%j prints that usage and exits 0', async (args, usage) => {
    const r = await runCli(args as string[]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(usage as RegExp);
  });
});

describe('inputs reached by links and by overlapping paths', () => {
  const root = path.resolve(__dirname, '../..');
  const summary = async (args: string[]) => JSON.parse((await runCli(['audit', ...args, '--now', NOW, '--format', 'json', '--fail-on', 'never'])).stdout);

  it('follows a symbolic link to a certificate inside a directory', async () => {
    const dir = fixtureDir({ 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n' });
    symlinkSync(path.join(root, 'examples/certs/edge/api.shop.example.com.crt'), path.join(dir, 'api.crt'));
    const r = await runCli(['audit', dir, '--now', '2045-01-01T00:00:00Z', '--fail-on', 'critical', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: any) => [f.rule, f.resource.file])).toEqual([
      ['cert-expired', path.join(dir, 'api.crt')],
      ['cert-expired', path.join(dir, 'api.crt')],
    ]);
  });

  it('reads a mounted ConfigMap volume (key -> ..data/key) once', async () => {
    const dir = fixtureDir({ '..2026_11_26_00_00_00.1/orders.yaml': permissive });
    symlinkSync('..2026_11_26_00_00_00.1', path.join(dir, '..data'));
    symlinkSync('..data/orders.yaml', path.join(dir, 'orders.yaml'));
    const report = await summary([dir]);
    expect(report.findings.map((f: any) => [f.rule, f.resource.file])).toEqual([['mtls-not-strict', path.join(dir, 'orders.yaml')]]);
  });

  it('counts a directory named twice, or under two spellings, once', async () => {
    const once = await summary([path.join(root, 'examples')]);
    const relative = path.relative(process.cwd(), path.join(root, 'examples'));
    for (const args of [[relative, relative], [relative, path.join(root, 'examples')], [relative, path.join(relative, 'certs')]]) {
      const report = await summary(args);
      expect(report.summary).toEqual(once.summary);
      expect(report.findings.map((f: any) => f.id)).toEqual(once.findings.map((f: any) => f.id));
    }
  });

  it.each(['-', '/dev/stdin'])('reads a shell pipe given as %s', (arg) => {
    // Through sh: a shell pipe is a FIFO (spawnSync's own stdin is a socket: the next test).
    const file = path.join(fixtureDir({ 'orders.yaml': permissive }), 'orders.yaml');
    const r = spawnSync('sh', ['-c', 'cat "$1" | node "$2" audit "$3" --now "$4" --format json', 'sh', file, path.join(root, 'functions/cli/meshgov.cjs'), arg, NOW], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: any) => [f.rule, f.resource.file])).toEqual([['mtls-not-strict', '/dev/stdin']]);
  });

  it('reads standard input that is a socket, as a Node program spawning meshgov gives it', () => {
    const r = spawnSync('node', [path.join(root, 'functions/cli/meshgov.cjs'), 'audit', '-', '--now', NOW, '--format', 'json'], { input: permissive, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: any) => [f.rule, f.resource.file])).toEqual([['mtls-not-strict', '/dev/stdin']]);
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

  it('names each skipped document with its file, line, apiVersion and kind, the first five of them', async () => {
    const policy = (i: number) => `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p${i}, namespace: orders}\n`;
    const dir = fixtureDir({ 'orders.yaml': strict, 'helm-values.yaml': 'replicaCount: 3\n', 'authz.yaml': [1, 2, 3, 4, 5].map(policy).join('---\n') });
    const r = await runCli(['audit', dir, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      [
        'meshgov: skipped 6 document(s) of a kind meshgov does not audit:',
        `  ${path.join(dir, 'authz.yaml')}:1: apiVersion security.istio.io/v1, kind AuthorizationPolicy`,
        `  ${path.join(dir, 'authz.yaml')}:5: apiVersion security.istio.io/v1, kind AuthorizationPolicy`,
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/authz\.yaml:17: .*\n  and 1 more\n/);
    expect(r.stderr).not.toContain('helm-values.yaml');
  });

  it('reads a single Envoy listener or cluster written in place of a list, as Envoy\'s JSON parser (legacy syntax) accepts it', async () => {
    const listener = (indent: string) => `${indent}name: ingress\n${indent.replace('- ', '  ')}address:\n${indent.replace('- ', '  ')}  socket_address: {address: 0.0.0.0, port_value: 8080}\n${indent.replace('- ', '  ')}filter_chains:\n${indent.replace('- ', '  ')}- filters: []\n`;
    const dir = fixtureDir({
      'edge-a/envoy.yaml': `static_resources:\n  listeners:\n${listener('    ')}`,
      'edge-b/envoy.yaml': `static_resources:\n  listeners:\n${listener('  - ')}  clusters: {name: payments}\n`,
      'edge-c/envoy.yaml': `static_resources:\n  listeners:\n${listener('  - ')}`,
    });
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json']);
    const findings = JSON.parse(r.stdout).findings as { rule: string; resource: { file: string; line: number }; detail: { field?: string }; message: string }[];
    expect(findings.filter((f) => f.rule === 'config-invalid')).toEqual([]);
    // The lone listener of edge-a is audited like the listed ones: its plaintext chain is reported.
    expect(findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => path.relative(dir, f.resource.file)).sort()).toEqual(['edge-a/envoy.yaml', 'edge-b/envoy.yaml', 'edge-c/envoy.yaml']);
  });

  it('reports an unknown version of a mesh API group as config-invalid on apiVersion', async () => {
    const pa = 'apiVersion: security.istio.io/v1beta\nkind: PeerAuthentication\nmetadata: {name: default, namespace: orders}\nspec: {mtls: {mode: DISABLE}}\n';
    const alone = await runCli(['audit', fixtureDir({ 'pa.yaml': pa }), '--now', NOW]);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toMatch(/pa\.yaml:1 apiVersion: PeerAuthentication apiVersion "security\.istio\.io\/v1beta" is not a version of security\.istio\.io that meshgov reads \(served: v1, v1beta1\)/);
    const dir = fixtureDir({ 'orders.yaml': strict.replace(/---\napiVersion: security[^]*$/, ''), 'pa.yaml': pa });
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.filter((f: any) => f.rule === 'config-invalid').map((f: any) => [f.resource, f.detail.field])).toEqual([
      [{ kind: 'PeerAuthentication', name: 'default', namespace: 'orders', file: path.join(dir, 'pa.yaml'), line: 1 }, 'apiVersion'],
    ]);
  });

  it('reports metadata the API server would refuse on its field and line, and still audits the workload as its author meant it', async () => {
    const deployment = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: inventory-sync',
      '  namespace: orders',
      '  labels:',
      '    app.kubernetes.io/version: 1.10',
      'spec:',
      '  selector:',
      '    matchLabels: {app: inventory-sync}',
      '  template:',
      '    metadata:',
      '      labels:',
      '        app: inventory-sync',
      '        version: 2',
      '    spec:',
      '      containers:',
      '        - name: sync',
      '          image: registry.example.com/orders/inventory-sync:2.0.1',
      '          ports: [{containerPort: 8080}]',
      '',
    ].join('\n');
    const listed = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: legacy\n  namespace: [orders, billing]\nspec: {mtls: {mode: DISABLE}}\n';
    const dir = fixtureDir({ 'orders.yaml': strict, 'sync.yaml': deployment, 'legacy-pa.yaml': listed });
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json']);
    const report = JSON.parse(r.stdout);
    const invalid = report.findings.filter((f: any) => f.rule === 'config-invalid').map((f: any) => [path.basename(f.resource.file), f.resource.line, f.detail.field]);
    expect(invalid).toEqual(
      expect.arrayContaining([
        ['sync.yaml', 7, 'metadata.labels["app.kubernetes.io/version"]'],
        ['sync.yaml', 15, 'spec.template.metadata.labels.version'],
        ['legacy-pa.yaml', 5, 'metadata.namespace'],
      ]),
    );
    expect(invalid).toHaveLength(3);
    const version = report.findings.find((f: any) => f.detail.field === 'spec.template.metadata.labels.version');
    expect(version.message).toContain('label "version" must have a string value, not the number 2: quote it');
    // The PeerAuthentication that cannot be placed sets nothing; the workload is audited under orders' STRICT policy.
    expect(report.findings.some((f: any) => f.resource.name === 'inventory-sync' && f.rule.startsWith('mtls-'))).toBe(false);
    expect(report.findings.some((f: any) => f.resource.name === 'legacy' && f.rule !== 'config-invalid')).toBe(false);
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
    expect(report.summary).toEqual({ resources: expect.any(Number), findings: report.findings.length, bySeverity: { critical: 0, high: report.findings.length, medium: 0, low: 0, info: 0 } });
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
    // The line that sets the mode, where code scanning annotates a pull request that changes it.
    expect(loc.region.startLine).toBe(permissive.split('\n').findIndex((l) => l.includes('mode: PERMISSIVE')) + 1);
    expect(loc.region.startLine).toBe(33);
    expect(loc.artifactLocation.uri).toMatch(/orders\.yaml$/);
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('mtls-not-strict');
  });

  it('sarif paths are relative to the git work tree, not to the directory the job runs in (GitHub reads them from the repository root)', () => {
    const repo = fixtureDir({ 'deploy/istio/orders.yaml': permissive });
    mkdirSync(path.join(repo, '.git'));
    const meshgov = path.resolve(__dirname, '../../functions/cli/meshgov.cjs');
    // A CI step with `working-directory: deploy`.
    const r = spawnSync('node', [meshgov, 'audit', 'istio', '--now', NOW, '--format', 'sarif'], { cwd: path.join(repo, 'deploy'), encoding: 'utf8' });
    expect(r.status).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('deploy/istio/orders.yaml');
    // Outside any work tree, the working directory stays the base.
    const plain = fixtureDir({ 'istio/orders.yaml': permissive });
    const outside = spawnSync('node', [meshgov, 'audit', 'istio', '--now', NOW, '--format', 'sarif'], { cwd: plain, encoding: 'utf8' });
    expect(JSON.parse(outside.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('istio/orders.yaml');
  });

  it("sarif rules carry the severity of the rules in force, which is what GitHub ranks alerts by", async () => {
    const shipped = JSON.parse((await runCli(['audit', dir, '--now', NOW, '--format', 'sarif'])).stdout);
    const rule = (sarif: any) => sarif.runs[0].tool.driver.rules.find((x: any) => x.id === 'mtls-not-strict');
    expect(rule(shipped)).toMatchObject({ defaultConfiguration: { level: 'error' }, properties: { 'security-severity': '8.0' } });
    const rules = fixtureDir({ 'mtls.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n' });
    const lowered = JSON.parse((await runCli(['audit', dir, '--now', NOW, '--format', 'sarif', '--rules', rules])).stdout);
    expect(rule(lowered)).toMatchObject({ defaultConfiguration: { level: 'note' }, properties: { 'security-severity': '3.0' } });
  });

  it('--output creates missing directories', async () => {
    const out = path.join(fixtureDir({}), 'reports/2026/report.json');
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json', '--output', out]);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(out, 'utf8')).findings).toHaveLength(1);
  });

  it.each([
    ['a directory', () => fixtureDir({}), /EISDIR: illegal operation on a directory$/],
    ['a full device', () => '/dev/full', /ENOSPC: no space left on device$/],
    ['below a file', () => path.join(fixtureDir({ 'f.txt': 'x' }), 'f.txt/r.json'), /ENOTDIR: not a directory$/],
    // Node's recursive mkdir spins there for ever; made one level at a time, it fails.
    ['a directory that cannot be made under /proc', () => '/proc/meshgov-nope/r.json', /ENOENT: no such file or directory$/],
  ])('--output into %s is one line and exit 2', async (_name, target, reason) => {
    const out = target();
    const r = await runCli(['audit', dir, '--now', NOW, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^meshgov: cannot write report to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `))]);
    expect(r.stderr.trimEnd()).toMatch(reason);
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

describe('rules directories that used to pass', () => {
  it('a directory without rules files: validate exits 1, audit 2', async () => {
    const dir = fixtureDir({ 'ca.crt': 'x' });
    mkdirSync(path.join(dir, 'sub'));
    const v = await runCli(['rules', 'validate', dir]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(`no rules files (*.yaml, *.yml) in ${dir}`);
    const a = await runCli(['audit', fixtureDir({ 'orders.yaml': strict }), '--rules', dir]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`no rules files (*.yaml, *.yml) in ${dir}`);
  });

  it('two files that set one setting differently', async () => {
    const dir = fixtureDir({ 'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n', 'b.yaml': 'rules:\n  mtls-not-strict:\n    severity: critical\n' });
    const r = await runCli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'b.yaml')}:3: rules.mtls-not-strict.severity: conflicts with ${path.join(dir, 'a.yaml')}:3`);
  });

  it('inverted certificate tiers', async () => {
    const dir = fixtureDir({ 'certificates.yaml': 'rules:\n  cert-expiring:\n    tiers:\n      - withinDays: 30\n        severity: critical\n      - withinDays: 7\n        severity: high\n      - withinDays: 7\n        severity: low\n' });
    const r = await runCli(['rules', 'validate', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'certificates.yaml')}:8: rules.cert-expiring.tiers[2].withinDays`);
    expect(r.stderr).toContain(`${path.join(dir, 'certificates.yaml')}:5: rules.cert-expiring.tiers[0].severity`);
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
    // Run in the checkout, the paths are as a user types them; from elsewhere, absolute.
    expect(report.findings.filter((f: any) => f.resource.file).every((f: any) => f.resource.file.startsWith('examples/'))).toBe(true);
    const elsewhere = spawnSync('node', [path.join(root, 'functions/cli/meshgov.cjs'), 'audit', '--format', 'json', '--fail-on', 'never'], { cwd: mkdtempSync(path.join(tmpdir(), 'meshgov-cwd-')), encoding: 'utf8' });
    expect(JSON.parse(elsewhere.stdout).findings.map((f: any) => f.resource.file).filter(Boolean).every((file: string) => file.startsWith(path.join(root, 'examples')))).toBe(true);
    expect(JSON.parse(elsewhere.stdout).findings.map((f: any) => f.id)).toEqual(report.findings.map((f: any) => f.id));
  });
  it('prints its version', () => {
    const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    expect(execFileSync('node', [path.join(root, 'functions/cli/meshgov.cjs'), '--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });
});

describe('output streams and the file system, as a CI job meets them', () => {
  const root = path.resolve(__dirname, '../..');
  const meshgov = path.join(root, 'functions/cli/meshgov.cjs');
  const sh = (script: string, opts: { uid?: number; gid?: number } = {}) =>
    spawnSync('bash', ['-c', script, 'bash', meshgov, path.join(root, 'examples')], { encoding: 'utf8', cwd: root, ...opts });

  it.each([
    ['stdout', '"$1" audit "$2" --format json --fail-on never | true'],
    ['stderr', '"$1" audit "$2" --fail-on never 2>&1 >/dev/null | true'],
  ])('a reader that closes the pipe on %s early (| head) ends the run quietly, with the audit status', (_stream, script) => {
    const r = sh(`node ${script}; exit \${PIPESTATUS[0]}`);
    expect(r.stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(r.status).toBe(0);
  });

  it('a report that cannot be written to stdout is one line and exit 2, as with --output', () => {
    const r = sh('node "$1" audit "$2" --format json --fail-on never >/dev/full');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^meshgov: cannot write report to standard output: ENOSPC: no space left on device\n$/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  // Root reads any file whatever its mode: as root, the unreadable cases run with the two
  // capabilities that let it (util-linux setpriv, in every Debian) dropped, from wherever the checkout is.
  const DROP_DAC = ['--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
  const unprivileged = (args: string[]) =>
    process.getuid?.() === 0 ? spawnSync('setpriv', [...DROP_DAC, 'node', meshgov, ...args], { encoding: 'utf8' }) : spawnSync('node', [meshgov, ...args], { encoding: 'utf8' });
  const unreadable = (files: Record<string, string>, blocked: string) => {
    const dir = fixtureDir(files);
    chmodSync(dir, 0o755);
    for (const d of path.dirname(blocked).split('/').filter((p) => p !== '.').map((_p, i, a) => a.slice(0, i + 1).join('/'))) chmodSync(path.join(dir, d), 0o755);
    chmodSync(path.join(dir, blocked), 0o000);
    return dir;
  };

  it('a directory in the tree that cannot be read is a config-invalid finding naming it, and the rest is still audited', () => {
    const dir = unreadable({ 'orders.yaml': permissive, 'team-b/orders.yaml': strict }, 'team-b');
    const r = unprivileged(['audit', dir, '--now', NOW, '--format', 'json']);
    expect(r.status).toBe(1);
    const findings = JSON.parse(r.stdout).findings as Array<{ rule: string; resource: { file?: string }; message: string }>;
    expect(findings.map((f) => f.rule).sort()).toEqual(['config-invalid', 'mtls-not-strict']);
    const invalid = findings.find((f) => f.rule === 'config-invalid')!;
    expect(invalid.resource.file).toBe(path.join(dir, 'team-b'));
    expect(invalid.message).toMatch(/cannot read directory: EACCES: permission denied/);
  });

  it('a directory named on the command line that cannot be read is one line and exit 2, without a stack trace', () => {
    const dir = unreadable({ 'team-b/orders.yaml': strict }, 'team-b');
    const r = unprivileged(['audit', path.join(dir, 'team-b'), '--now', NOW]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`meshgov: ${path.join(dir, 'team-b')}: cannot read directory: EACCES: permission denied\n`);
  });

  it('an input that exists but cannot be read is not reported as "no input files found"', () => {
    const dir = unreadable({ 'orders.yaml': strict }, 'orders.yaml');
    const r = unprivileged(['audit', path.join(dir, 'orders.yaml'), '--now', NOW]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/orders\.yaml:1: cannot read file: EACCES/);
    expect(r.stderr).not.toMatch(/no input files found/);
    expect(r.stderr).toMatch(/no input could be read from .*orders\.yaml$/m);
  });
});

describe('colour, as no-color.org and FORCE_COLOR have it', () => {
  const dir = fixtureDir({ 'orders.yaml': permissive });
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['NO_COLOR', 'FORCE_COLOR', 'TERM']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  const coloured = async (env: Record<string, string | undefined>, isTTY: boolean, flags: string[] = []) => {
    for (const [k, v] of Object.entries(env)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    return (await runCli(['audit', dir, '--now', NOW, ...flags], isTTY)).stdout.includes('\x1b[');
  };

  it.each([
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ TERM: 'dumb' }, true, false],
  ])('%j with a TTY %s: colour %s', async (env, isTTY, expected) => {
    expect(await coloured({ NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', ...env }, isTTY)).toBe(expected);
  });

  it('FORCE_COLOR does not put escape codes into an --output file', async () => {
    process.env.FORCE_COLOR = '1';
    const out = path.join(fixtureDir({}), 'report.txt');
    await runCli(['audit', dir, '--now', NOW, '--output', out]);
    expect(readFileSync(out, 'utf8')).not.toContain('\x1b[');
  });

  it('of --color and --no-color, the last given wins', async () => {
    const base = { NO_COLOR: undefined, FORCE_COLOR: undefined };
    expect(await coloured(base, false, ['--no-color', '--color'])).toBe(true);
    expect(await coloured(base, true, ['--color', '--no-color'])).toBe(false);
  });
});

describe('the table on a terminal', () => {
  it('wraps long messages to the terminal width (COLUMNS first), and not when piped', async () => {
    const dir = fixtureDir({ 'orders.yaml': permissive });
    const saved = process.env.COLUMNS;
    try {
      process.env.COLUMNS = '90';
      const tty = await runCli(['audit', dir, '--now', NOW, '--no-color'], true);
      const lines = tty.stdout.split('\n');
      // Only a header (rule, resource, file:line) or a single word too long to break (a path) may run past.
      expect(lines.filter((l) => l.length > 90 && !/^  [a-z-]+ +\S/.test(l) && !/^ +\S+$/.test(l))).toEqual([]);
      expect(lines.filter((l) => /^ {28}\S/.test(l)).length).toBeGreaterThan(3);
      const piped = await runCli(['audit', dir, '--now', NOW], false);
      expect(piped.stdout).toMatch(/^ {28}Deployment orders\/orders-api port 8080 accepts plaintext as well as mTLS .*require mTLS \(STRICT\)\.$/m);
    } finally {
      if (saved === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = saved;
    }
  });
});
