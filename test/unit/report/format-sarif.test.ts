import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULE_IDS } from '../../../functions/core/findings';
import { buildReport } from '../../../functions/core/report/report';
import { formatSarif, MAX_RESULTS } from '../../../functions/core/report/format-sarif';
import type { Finding } from '../../../functions/core/findings';

const NOW = new Date('2026-11-26T00:00:00Z');

function finding(file: string | undefined, over: Partial<Finding> = {}): Finding {
  return {
    id: `f-${file}`,
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'istio',
    resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file, line: 12 },
    message: 'Deployment payments/payments-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE)',
    detail: { mode: 'PERMISSIVE' },
    remediation: null,
    ...over,
  };
}

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A real directory (realpath: locations are reported at resolved paths) holding the given files. */
function repo(name: string, files: string[]): string {
  const tmp = realpathSync(mkdtempSync(path.join(tmpdir(), 'meshgov-sarif-')));
  made.push(tmp);
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'apiVersion: v1\n');
  }
  return dir;
}

function sarifOf(findings: Finding[], baseDir: string) {
  return JSON.parse(formatSarif(buildReport(findings, findings.length, NOW), { baseDir, toolVersion: '0.1.0' })).runs[0];
}

describe('SARIF', () => {
  it('describes every rule as GitHub code scanning requires: id, short and full description, help', () => {
    const sarif = JSON.parse(formatSarif(buildReport([], 0, NOW), { baseDir: '/repo', toolVersion: '0.1.0' }));
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual([...RULE_IDS]);
    for (const r of rules) {
      expect(r.shortDescription.text.length).toBeGreaterThan(10);
      expect(r.fullDescription.text.length).toBeGreaterThan(10);
      expect(r.help.text.length).toBeGreaterThan(20);
    }
  });

  it('makes the base directory an absolute, percent-encoded file URI ending in a slash', () => {
    const base = repo('repo #1', ['k8s/pa.yaml']);
    const run = sarifOf([finding(path.join(base, 'k8s/pa.yaml'))], base);
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(base).href}/`);
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/repo%20%231\/$/);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'k8s/pa.yaml', uriBaseId: '%SRCROOT%' });
    // Resolving the relative reference against the base gives the file back.
    expect(decodeURIComponent(new URL('k8s/pa.yaml', run.originalUriBaseIds['%SRCROOT%'].uri).pathname)).toBe(path.join(base, 'k8s/pa.yaml'));
  });

  it('percent-encodes spaces and # in each segment of a relative URI, with forward slashes', () => {
    const base = repo('repo', ['my configs/pa #2.yaml']);
    const run = sarifOf([finding(path.join(base, 'my configs/pa #2.yaml'))], base);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('my%20configs/pa%20%232.yaml');
  });

  it('gives a file outside the base directory an absolute URI of its own, not one relative to %SRCROOT%', () => {
    const base = repo('repo', []);
    const outside = repo('fleet', ['pa.yaml']);
    const run = sarifOf([finding(path.join(outside, 'pa.yaml'))], base);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: pathToFileURL(path.join(outside, 'pa.yaml')).href });
  });

  it('keeps a file whose name starts with two dots inside the base directory', () => {
    const base = repo('repo', ['..pa.yaml']);
    const run = sarifOf([finding(path.join(base, '..pa.yaml'))], base);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: '..pa.yaml', uriBaseId: '%SRCROOT%' });
  });

  it('reports a file reached through a symbolic link at its resolved path (code scanning cannot show a symlink)', () => {
    const base = repo('repo', ['deploy/pa.yaml']);
    symlinkSync(path.join(base, 'deploy'), path.join(base, 'current'));
    const run = sarifOf([finding(path.join(base, 'current/pa.yaml'))], base);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'deploy/pa.yaml', uriBaseId: '%SRCROOT%' });
  });

  it('never emits a result without a location (GitHub rejects the whole file): sources that are no file become notifications', () => {
    const base = repo('repo', ['k8s/pa.yaml']);
    const findings = [
      finding(path.join(base, 'k8s/pa.yaml')),
      finding(undefined, { id: 'slo', rule: 'slo-latency-burn', severity: 'medium', provider: 'prometheus' }),
      finding('arn:aws:acm:us-east-1:123456789012:certificate/0b1c', { id: 'acm', rule: 'cert-expired', severity: 'critical', provider: 'acm' }),
      finding('/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default', { id: 'live' }),
    ];
    const run = sarifOf(findings, base);
    expect(run.results).toHaveLength(1);
    for (const r of run.results) expect(r.locations.length).toBeGreaterThanOrEqual(1);
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes.map((n: any) => n.properties.id)).toEqual(['slo', 'acm', 'live']);
    expect(notes[1]).toMatchObject({ associatedRule: { id: 'cert-expired', index: RULE_IDS.indexOf('cert-expired') }, level: 'error' });
    expect(notes[1].message.text).toContain('arn:aws:acm:us-east-1:123456789012:certificate/0b1c');
  });

  it('starts every region at line 1 or later', () => {
    const base = repo('repo', ['pa.yaml']);
    const f = finding(path.join(base, 'pa.yaml'));
    const run = sarifOf([{ ...f, resource: { ...f.resource, line: 0 } }], base);
    expect(run.results[0].locations[0].physicalLocation.region.startLine).toBe(1);
  });

  it('keeps at most 25,000 results, the most severe, and says how many were left out', () => {
    const base = repo('repo', ['pa.yaml']);
    const file = path.join(base, 'pa.yaml');
    const findings = Array.from({ length: MAX_RESULTS + 2 }, (_, i) => finding(file, { id: `f${i}`, severity: i < 2 ? 'low' : 'high' }));
    findings.push(finding(file, { id: 'worst', severity: 'critical' }));
    const run = sarifOf(findings, base);
    expect(run.results).toHaveLength(MAX_RESULTS);
    expect(run.results[0].partialFingerprints['meshgovFindingId/v1']).toBe('worst');
    expect(run.results.some((r: any) => r.level === 'note')).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/^3 findings left out/);
  });

  it('maps severities to levels, and every ruleIndex to its rule', () => {
    const base = repo('repo', ['pa.yaml']);
    const file = path.join(base, 'pa.yaml');
    const sev = ['critical', 'high', 'medium', 'low', 'info'] as const;
    const run = sarifOf(sev.map((s, i) => finding(file, { id: s, severity: s, rule: RULE_IDS[i * 2] })), base);
    expect(run.results.map((r: any) => r.level)).toEqual(['error', 'error', 'warning', 'note', 'note']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('names standard input from a pipe /dev/stdin, not the pipe behind it', () => {
    const orders = path.resolve(__dirname, '../../../examples/gcp-istio/orders');
    const input = path.join(repo('in', []), 'orders.yaml');
    writeFileSync(input, readdirSync(orders).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(path.join(orders, f), 'utf8')).join('\n---\n'));
    const cli = path.resolve(__dirname, '../../../functions/cli/meshgov.cjs');
    // Through sh: a shell pipe is a FIFO (spawnSync's own stdin would be a socket).
    const r = spawnSync('sh', ['-c', 'cat "$1" | node "$2" audit - --format sarif --now 2026-11-26T00:00:00Z', 'sh', input, cli], { encoding: 'utf8' });
    const run = JSON.parse(r.stdout).runs[0];
    expect(run.results.length).toBeGreaterThan(0);
    for (const res of run.results) expect(res.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'file:///dev/stdin' });
  });
});
