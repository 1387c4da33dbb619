import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sarifProblems } from '../unit/report/sarif-structure';
import { fixtureDir, runCli } from './run-cli';

/** `suppress.meshgov.io/<rule>` annotations through the real CLI: exit status, table, JSON, SARIF and --baseline. */

const NOW = '2026-11-26T00:00:00Z';

function workload(name: string, annotations: string): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: orders
${annotations}spec:
  serviceName: ${name}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: docker.io/library/redis:7.4.1
          ports:
            - containerPort: 6379
`;
}

/** Two workloads under a namespace-wide PERMISSIVE policy: two high mtls-not-strict findings, one of them accepted. */
function fleet(accept: boolean): string {
  const dir = fixtureDir({
    'orders/namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: orders
  labels:
    istio.io/rev: asm-managed
`,
    'orders/peer-authentication.yaml': `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
spec:
  mtls:
    mode: PERMISSIVE
`,
    'orders/workloads.yaml': `${workload('orders-cache', accept ? '  annotations:\n    suppress.meshgov.io/mtls-not-strict: "redis clients in the batch VPC cannot do mTLS yet (ORD-881)"\n' : '')}---\n${workload('orders-queue', '')}`,
  });
  return dir;
}

async function audit(dir: string, ...args: string[]) {
  return runCli(['audit', dir, '--now', NOW, ...args]);
}

test('an accepted finding no longer fails the build; the rest still does', async () => {
  const dir = fleet(true);
  const onlyQueue = await audit(path.join(dir, 'orders'), '--format', 'json', '--fail-on', 'high');
  expect(onlyQueue.code).toBe(1);
  expect(JSON.parse(onlyQueue.stdout).findings.map((f: { resource: { name: string } }) => f.resource.name)).toEqual(['orders-queue']);
  // With the second workload's finding accepted too (its policy annotated), nothing is left to fail on.
  writeFileSync(
    path.join(dir, 'orders/peer-authentication.yaml'),
    `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: default
  namespace: orders
  annotations:
    suppress.meshgov.io/mtls-not-strict: "namespace moves to STRICT with ORD-900"
spec:
  mtls:
    mode: PERMISSIVE
`,
  );
  const none = await audit(dir, '--format', 'json', '--fail-on', 'high');
  expect(none.code).toBe(0);
  const report = JSON.parse(none.stdout);
  expect(report.findings).toEqual([]);
  expect(report.summary).toEqual({ resources: 4, findings: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, suppressed: 2 });
  // The workload's own annotation is the narrower one: it is named for orders-cache.
  expect(report.suppressed.map((f: { resource: { name: string }; suppression: { reason: string; line: number } }) => [f.resource.name, f.suppression.reason, f.suppression.line])).toEqual([
    ['orders-cache', 'redis clients in the batch VPC cannot do mTLS yet (ORD-881)', 7],
    ['orders-queue', 'namespace moves to STRICT with ORD-900', 7],
  ]);
});

test('the table lists what was accepted, where and why, and the summary line counts it', async () => {
  const r = await audit(fleet(true), '--fail-on', 'never');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  const at = lines.indexOf('SUPPRESSED (1)');
  expect(at).toBeGreaterThan(0);
  expect(lines[at + 1]).toMatch(/^ {2}mtls-not-strict +StatefulSet orders\/orders-cache:6379 {2}\[high\]$/);
  expect(lines[at + 2]).toMatch(/^ {28}\S+workloads\.yaml:7: redis clients in the batch VPC cannot do mTLS yet \(ORD-881\)$/);
  expect(lines.filter((l) => l.startsWith('  mtls-not-strict')).length).toBe(2);
  expect(r.stdout.trimEnd().split('\n').pop()).toBe('1 finding (1 high) across 4 resources; 1 suppressed by annotations');
});

test('without annotations the report has no suppression fields at all', async () => {
  const r = await audit(fleet(false), '--format', 'json', '--fail-on', 'never');
  const report = JSON.parse(r.stdout);
  expect(report).not.toHaveProperty('suppressed');
  expect(report.summary).not.toHaveProperty('suppressed');
  expect(r.stdout).not.toContain('suppress');
});

test('SARIF leaves the accepted finding out of the results and says so', async () => {
  const r = await audit(fleet(true), '--format', 'sarif', '--fail-on', 'never');
  const log = JSON.parse(r.stdout);
  expect(sarifProblems(log)).toEqual([]);
  const run = log.runs[0];
  expect(run.results.map((x: { properties: { resource: { name: string } } }) => x.properties.resource.name)).toEqual(['orders-queue']);
  expect(run.properties).toEqual({ suppressed: 1 });
  expect(run.invocations[0].toolExecutionNotifications).toEqual([
    { level: 'note', message: { text: '1 finding accepted by suppress.meshgov.io annotations, left out; the JSON report lists them with their reasons' } },
  ]);
});

test('a finding accepted after the baseline was taken is not counted as fixed', async () => {
  const dir = fleet(false);
  const baseline = path.join(dir, 'baseline.json');
  await audit(path.join(dir, 'orders'), '--format', 'json', '--fail-on', 'never', '--output', baseline);
  const accepted = fleet(true);
  writeFileSync(path.join(dir, 'orders/workloads.yaml'), readFileSync(path.join(accepted, 'orders/workloads.yaml')));
  const r = await audit(path.join(dir, 'orders'), '--format', 'json', '--fail-on', 'never', '--baseline', baseline);
  const report = JSON.parse(r.stdout);
  expect(report.summary.suppressed).toBe(1);
  expect(report.summary.baseline).toEqual({ file: baseline, new: 0, unchanged: 1, updated: 0, absent: 0 });
});
