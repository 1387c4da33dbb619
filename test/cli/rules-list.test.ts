import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { fixtureDir, runCli } from './run-cli';

const ROOT = path.resolve(__dirname, '../..');
const RULES_DIR = path.join(ROOT, 'rules');
const MESHGOV = path.join(ROOT, 'functions/cli/meshgov.cjs');

/** CONTRACT.md's rule table, in its order; rules added after the contract follow it. */
const CONTRACT_ORDER = [
  'mtls-not-strict',
  'mtls-client-not-enforced',
  'mtls-conflict',
  'mtls-cross-mesh-drift',
  'cert-expiring',
  'cert-expired',
  'slo-latency-burn',
  'config-invalid',
  'mesh-sidecar-missing',
];
const ALL_IDS = [...CONTRACT_ORDER, 'slo-no-data'];

interface ShippedRule {
  enabled: boolean;
  severity: string;
  remediation: string;
  exclude: Array<Record<string, string>>;
  tiers?: Array<{ withinDays: number; severity: string }>;
  pageSeverity?: string;
  ticketSeverity?: string;
}

/** What rules/*.yaml ships, read straight from the YAML so the test follows an edit of it. */
function shippedRules(): Record<string, ShippedRule> {
  const out: Record<string, ShippedRule> = {};
  for (const file of readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml'))) {
    const doc = parse(readFileSync(path.join(RULES_DIR, file), 'utf8')) as { rules?: Record<string, ShippedRule> } | null;
    Object.assign(out, doc?.rules ?? {});
  }
  return out;
}

/** The rule's block of the table: its row and the indented lines below it. */
function block(table: string, id: string): string[] {
  const lines = table.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${id} `));
  expect(start).toBeGreaterThan(0);
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The row's columns, split on runs of two or more spaces. */
function columns(row: string): string[] {
  return row.split(/ {2,}/);
}

async function listJson(...args: string[]): Promise<{ rules: Array<Record<string, any>> }> {
  const r = await runCli(['rules', 'list', ...args, '--format', 'json']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

describe('meshgov rules list: the shipped rules', () => {
  const shipped = shippedRules();

  it('the YAML this test reads ships every rule id', () => {
    expect(Object.keys(shipped).sort()).toEqual([...ALL_IDS].sort());
  });

  it('lists every rule in the contract order, then the later ones, with the shipped enabled, severity, remediation and exclusion count', async () => {
    const r = await runCli(['rules', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const rows = r.stdout.split('\n').filter((l) => /^[a-z]/.test(l));
    expect(rows.map((l) => l.split(' ')[0])).toEqual(ALL_IDS);
    expect(columns(r.stdout.split('\n')[0]!)).toEqual(['RULE', 'ENABLED', 'SEVERITY', 'REMEDIATION', 'EXCLUDED']);
    for (const id of ALL_IDS) {
      const rule = shipped[id]!;
      const [name, enabled, severity, remediation, excluded] = columns(block(r.stdout, id)[0]!);
      expect({ name, enabled, remediation, excluded }).toEqual({
        name: id,
        enabled: rule.enabled ? 'yes' : 'no',
        remediation: rule.remediation,
        excluded: String(rule.exclude.length),
      });
      if (!rule.tiers && !rule.pageSeverity) expect(severity).toBe(rule.severity);
    }
  });

  it("shows mtls-not-strict's kube-* exclusion with its reason, and every shipped exclusion below its rule", async () => {
    const { stdout } = await runCli(['rules', 'list']);
    expect(block(stdout, 'mtls-not-strict')).toContain('    - namespace kube-*: Kubernetes system namespaces run no mesh workloads.');
    for (const id of ALL_IDS) {
      const lines = block(stdout, id).join('\n');
      for (const e of shipped[id]!.exclude) expect(lines).toContain(`- namespace ${e.namespace}: ${e.reason}`);
    }
  });

  it('shows the graded severities: the cert-expiring tiers and the slo-latency-burn page and ticket severities', async () => {
    const { stdout } = await runCli(['rules', 'list']);
    const tiers = shipped['cert-expiring']!.tiers!.map((t) => `${t.severity} ≤${t.withinDays}d`).join(', ');
    expect(tiers).toBe('critical ≤7d, high ≤30d');
    expect(columns(block(stdout, 'cert-expiring')[0]!)[2]).toBe(tiers);
    const burn = shipped['slo-latency-burn']!;
    expect(columns(block(stdout, 'slo-latency-burn')[0]!)[2]).toBe(`page ${burn.pageSeverity}, ticket ${burn.ticketSeverity}`);
  });

  it("describes each rule in one line below its row", async () => {
    const { stdout } = await runCli(['rules', 'list']);
    expect(block(stdout, 'mtls-conflict')[1]).toBe('    Client and server mTLS settings are incompatible, so the calls fail.');
    expect(block(stdout, 'slo-no-data')[1]).toMatch(/^ {4}A latency SLO measured no request in any window/);
  });

  it('fits in 100 columns', async () => {
    const { stdout } = await runCli(['rules', 'list']);
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('--format json: every rule with its fields, equal to rules/*.yaml', async () => {
    const { rules } = await listJson();
    expect(rules.map((r) => r.id)).toEqual(ALL_IDS);
    for (const r of rules) {
      const rule = shipped[r.id]!;
      const specific = r.id === 'cert-expiring' ? ['tiers'] : r.id === 'slo-latency-burn' ? ['pageSeverity', 'ticketSeverity'] : [];
      expect(Object.keys(r)).toEqual(['id', 'enabled', 'severity', 'remediation', 'exclude', 'description', ...specific]);
      expect(r).toMatchObject({
        enabled: rule.enabled,
        severity: rule.severity,
        remediation: rule.remediation,
        exclude: rule.exclude,
      });
      expect(typeof r.description).toBe('string');
      expect(r.description).not.toContain('\n');
      for (const key of specific) expect(r[key]).toEqual(rule[key as keyof ShippedRule]);
    }
    expect(rules.find((r) => r.id === 'mtls-not-strict')!.exclude).toContainEqual({ namespace: 'kube-*', reason: 'Kubernetes system namespaces run no mesh workloads.' });
  });

  it('--format table is the default', async () => {
    expect((await runCli(['rules', 'list', '--format', 'table'])).stdout).toBe((await runCli(['rules', 'list'])).stdout);
  });
});

describe('meshgov rules list DIR: a rules copy over the built-in rules', () => {
  const copy = fixtureDir({
    'mine.yaml': `rules:
  mtls-conflict:
    severity: high
  mesh-sidecar-missing:
    enabled: false
  cert-expiring:
    tiers:
      - { withinDays: 14, severity: critical }
      - { withinDays: 60, severity: medium }
  mtls-client-not-enforced:
    remediation: manual
    exclude:
      - { mesh: "legacy-*", name: "orders-?", reason: "migrating in Q1" }
`,
  });

  it('shows what the copy changes, and the built-in settings it leaves out', async () => {
    const r = await runCli(['rules', 'list', copy]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(columns(block(r.stdout, 'mtls-conflict')[0]!)).toEqual(['mtls-conflict', 'yes', 'high', 'approval', '0']);
    expect(columns(block(r.stdout, 'mesh-sidecar-missing')[0]!).slice(0, 2)).toEqual(['mesh-sidecar-missing', 'no']);
    expect(columns(block(r.stdout, 'cert-expiring')[0]!)[2]).toBe('critical ≤14d, medium ≤60d');
    const client = block(r.stdout, 'mtls-client-not-enforced');
    expect(columns(client[0]!)).toEqual(['mtls-client-not-enforced', 'yes', 'high', 'manual', '1']);
    expect(client.slice(1)).toEqual([
      '    A client side may send plaintext or TLS without its own certificate to an in-mesh destination.',
      '    - mesh legacy-*, name orders-?: migrating in Q1',
    ]);
    // Left out of the copy: rules/ still applies.
    expect(block(r.stdout, 'mtls-not-strict')).toContain('    - namespace kube-*: Kubernetes system namespaces run no mesh workloads.');
  });

  it('--format json carries the same settings', async () => {
    const rules = Object.fromEntries((await listJson(copy)).rules.map((r) => [r.id, r]));
    expect(rules['mtls-conflict']).toMatchObject({ severity: 'high', enabled: true });
    expect(rules['mesh-sidecar-missing']).toMatchObject({ enabled: false, remediation: 'manual' });
    expect(rules['cert-expiring']!.tiers).toEqual([
      { withinDays: 14, severity: 'critical' },
      { withinDays: 60, severity: 'medium' },
    ]);
    expect(rules['mtls-client-not-enforced']).toMatchObject({ remediation: 'manual', exclude: [{ mesh: 'legacy-*', name: 'orders-?', reason: 'migrating in Q1' }] });
    expect(rules['mtls-not-strict']!.exclude).toHaveLength(shippedRules()['mtls-not-strict']!.exclude.length);
  });

  it("says when the rule's severity caps its grades", async () => {
    const capped = fixtureDir({ 'a.yaml': 'rules:\n  cert-expiring:\n    severity: high\n  slo-latency-burn:\n    severity: medium\n' });
    const { stdout } = await runCli(['rules', 'list', capped]);
    expect(columns(block(stdout, 'cert-expiring')[0]!)[2]).toBe('critical ≤7d, high ≤30d, at most high');
    const burn = block(stdout, 'slo-latency-burn');
    expect(columns(burn[0]!)[2]).toBe('page critical, ticket medium,');
    expect(burn[1]!.trim()).toBe('at most medium');
  });

  it('escapes control characters of a reason, so it cannot forge a line', async () => {
    const dir = fixtureDir({ 'a.yaml': 'rules:\n  cert-expired:\n    exclude:\n      - { name: "x", reason: "ok\\ncert-expired  no" }\n' });
    const { stdout } = await runCli(['rules', 'list', dir]);
    expect(block(stdout, 'cert-expired')).toContain('    - name x: ok\\x0acert-expired no');
  });
});

describe('meshgov rules list: errors', () => {
  it('an invalid DIR: exit 1, its problems with file, line and field exactly as rules validate prints them', async () => {
    const dir = fixtureDir({ 'a.yaml': 'rules:\n  cert-expired:\n    enabeld: true\n  config-invalid:\n    severity: loud\n' });
    const list = await runCli(['rules', 'list', dir]);
    expect(list.code).toBe(1);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain(`${path.join(dir, 'a.yaml')}:3: rules.cert-expired.enabeld`);
    expect(list.stderr).toContain(`${path.join(dir, 'a.yaml')}:5: rules.config-invalid.severity`);
    expect(list.stderr).toBe((await runCli(['rules', 'validate', dir])).stderr);
    expect((await runCli(['rules', 'list', dir, '--format', 'json'])).code).toBe(1);
  });

  it('a DIR without rules files, or that does not exist: exit 1', async () => {
    const empty = fixtureDir({ 'README.md': '# not rules\n' });
    const r = await runCli(['rules', 'list', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no rules files (*.yaml, *.yml) in ${empty}`);
    const missing = path.join(empty, 'nope');
    expect(await runCli(['rules', 'list', missing])).toMatchObject({ code: 1, stdout: '' });
  });

  it.each([
    [['rules', 'list', '--format', 'xml'], /--format must be one of table, json \(got "xml"\)/],
    [['rules', 'list', '--format', 'sarif'], /--format must be one of table, json/],
    [['rules', 'list', '--bogus'], /Unknown option '--bogus'/],
    [['rules', 'list', ''], /rules list needs a rules directory/],
    [['rules', 'list', 'a', 'b'], /usage: meshgov rules list \[DIR\]/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
  });

  it.each([[['rules']], [['rules', 'lsit']]])('%j is a usage error that names both subcommands', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/rules validate \[DIR\].*rules list \[DIR\]/);
  });

  it('rules validate still refuses --format', async () => {
    const r = await runCli(['rules', 'validate', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--format'/);
  });

  it.each([[['rules', '--help']], [['rules', 'list', '--help']], [['rules', 'list', '-h']]])('%j prints the usage of both subcommands', async (args) => {
    const r = await runCli(args);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/meshgov rules validate \[DIR\]\n {2}meshgov rules list \[DIR\] \[--format table\|json\]/);
  });

  it('the top-level usage names rules list', async () => {
    expect((await runCli(['--help'])).stdout).toContain('meshgov rules list [DIR] [--format table|json]');
  });
});

describe('meshgov rules list and MESHGOV_RULES', () => {
  const own = fixtureDir({ 'own.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n' });

  it('lists MESHGOV_RULES in place of rules/: what it leaves out falls back to the defaults in the code', () => {
    // The real command in its own process, with the variable set as a user would.
    const r = spawnSync('node', [MESHGOV, 'rules', 'list', '--format', 'json'], { encoding: 'utf8', env: { ...process.env, MESHGOV_RULES: own } });
    expect(r.status).toBe(0);
    const rules = Object.fromEntries((JSON.parse(r.stdout) as { rules: Array<Record<string, any>> }).rules.map((x) => [x.id, x]));
    expect(rules['mtls-not-strict']).toMatchObject({ severity: 'low', exclude: [] });
    // rules/ ships exclusions for mesh-sidecar-missing; under MESHGOV_RULES they no longer apply.
    expect(rules['mesh-sidecar-missing']!.exclude).toEqual([]);
  });

  it('an invalid MESHGOV_RULES: exit 1 with its problems', () => {
    const bad = fixtureDir({ 'bad.yaml': 'rules:\n  mtls-not-strict:\n    severity: urgent\n' });
    const r = spawnSync('node', [MESHGOV, 'rules', 'list'], { encoding: 'utf8', env: { ...process.env, MESHGOV_RULES: bad } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path.join(bad, 'bad.yaml')}:3: rules.mtls-not-strict.severity`);
    expect(r.stderr).toContain(`1 problem in ${bad}`);
  });
});
