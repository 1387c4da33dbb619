import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RULE_IDS } from '../../../functions/core/findings';
import { rulesJsonSchema } from '../../../functions/core/policy/json-schema';
import { PolicyError } from '../../../functions/core/policy/errors';
import { defaultRulesDir, loadPolicy, validatePolicyDir } from '../../../functions/core/policy/load';
import { createPolicySnapshot } from '../../../functions/core/policy/write-snapshot';
import { RULE_CATALOG } from '../../../functions/core/rules/catalog';

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('the shipped rules/', () => {
  it('is valid and sets every rule of the contract with the contract default severities', () => {
    expect(validatePolicyDir(defaultRulesDir())).toEqual([]);
    const policy = loadPolicy();
    for (const id of RULE_IDS) expect(policy.rules[id].severity).toBe(RULE_CATALOG[id].severity);
    expect(policy.rules['cert-expiring'].tiers).toEqual([
      { withinDays: 7, severity: 'critical' },
      { withinDays: 30, severity: 'high' },
    ]);
    expect(policy.rules['slo-latency-burn'].pageSeverity).toBe('critical');
    expect(policy.rules['slo-latency-burn'].ticketSeverity).toBe('medium');
    expect(policy.remediation.dryRun).toBe(true);
  });

  it('ships a JSON schema that matches the zod schema', () => {
    expect(readFileSync(path.join(defaultRulesDir(), 'schema.json'), 'utf8')).toBe(rulesJsonSchema());
  });
});

describe('a user copy', () => {
  it('changes one threshold and keeps every other default', () => {
    const dir = rulesDir({ 'certs.yaml': 'rules:\n  cert-expiring:\n    tiers:\n      - withinDays: 14\n        severity: high\n' });
    const policy = loadPolicy(dir);
    expect(policy.rules['cert-expiring'].tiers).toEqual([{ withinDays: 14, severity: 'high' }]);
    expect(policy.rules['cert-expiring'].severity).toBe('critical');
    expect(policy.rules['mtls-not-strict'].exclude.length).toBeGreaterThan(0);
    expect(policy.files[policy.files.length - 1]).toBe(path.join(dir, 'certs.yaml'));
  });

  it('disables a rule, sets exclusions, ownership and freeze windows', () => {
    const dir = rulesDir({
      'policy.yaml': [
        'rules:',
        '  mesh-sidecar-missing:',
        '    enabled: false',
        '  mtls-not-strict:',
        '    remediation: approval',
        '    exclude:',
        '      - namespace: "legacy-*"',
        '        reason: migrating in Q1',
        'ownership:',
        '  default:',
        '    channel: "#platform"',
        '  teams:',
        '    - name: payments',
        '      match: { namespaces: [payments], meshes: [prod-mesh], labels: { team: payments } }',
        '      slack: { channel: "#payments-oncall", approvers: { users: [U0PAYLEAD1], usergroups: [S0PAYOPS1] } }',
        'remediation:',
        '  dryRun: false',
        '  freezeWindows:',
        '    - { name: holiday freeze, start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z" }',
        '    - { name: weekends, days: [sat, sun] }',
      ].join('\n'),
    });
    const policy = loadPolicy(dir);
    expect(policy.rules['mesh-sidecar-missing'].enabled).toBe(false);
    expect(policy.rules['mtls-not-strict'].remediation).toBe('approval');
    expect(policy.rules['mtls-not-strict'].exclude).toEqual([{ namespace: 'legacy-*', reason: 'migrating in Q1' }]);
    expect(policy.ownership.teams[0].slack.channel).toBe('#payments-oncall');
    expect(policy.remediation).toMatchObject({ dryRun: false, maxChangesPerRun: 5 });
    expect(policy.remediation.freezeWindows).toHaveLength(2);
  });
});

describe('errors name the file, line and field', () => {
  const cases: Array<[string, string, { line: number; field: string; message: RegExp }]> = [
    ['a wrong severity', 'rules:\n  mtls-conflict:\n    severity: urgent\n', { line: 3, field: 'rules.mtls-conflict.severity', message: /critical/ }],
    ['an unknown rule id', 'rules:\n  mtls-strict:\n    enabled: true\n', { line: 2, field: 'rules.mtls-strict', message: /Unrecognized key/ }],
    ['a typo in a setting', 'rules:\n  cert-expired:\n    enabeld: false\n', { line: 3, field: 'rules.cert-expired.enabeld', message: /Unrecognized key/ }],
    ['a wrong type in a list item', 'rules:\n  cert-expiring:\n    tiers:\n      - withinDays: soon\n        severity: high\n', { line: 4, field: 'rules.cert-expiring.tiers[0].withinDays', message: /number/ }],
    ['an empty exclusion', 'rules:\n  mtls-not-strict:\n    exclude:\n      - reason: nothing\n', { line: 4, field: 'rules.mtls-not-strict.exclude[0]', message: /at least one/ }],
    ['a bad channel', 'ownership:\n  default:\n    channel: payments\n', { line: 3, field: 'ownership.default.channel', message: /channel/ }],
    ['a bad freeze window date', 'remediation:\n  freezeWindows:\n    - name: x\n      start: tomorrow\n      end: "2027-01-01T00:00:00Z"\n', { line: 4, field: 'remediation.freezeWindows[0].start', message: /ISO-8601/ }],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const dir = rulesDir({ 'bad.yaml': text });
    const problems = validatePolicyDir(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path.join(dir, 'bad.yaml'), line: expected.line, field: expected.field });
    expect(problems[0].message).toMatch(expected.message);
  });

  it('reports YAML syntax errors with their line, and loadPolicy throws them all', () => {
    const dir = rulesDir({ 'a.yaml': 'rules:\n  mtls-conflict:\n    severity: [high\n', 'b.yaml': 'rules:\n  config-invalid:\n    enabled: maybe\n' });
    expect(() => loadPolicy(dir)).toThrow(PolicyError);
    try {
      loadPolicy(dir);
    } catch (err) {
      const problems = (err as PolicyError).problems;
      expect(problems.map((p) => path.basename(p.file))).toEqual(['a.yaml', 'b.yaml']);
      expect(problems[0].message).toMatch(/invalid YAML/);
      expect(problems[1]).toMatchObject({ line: 3, field: 'rules.config-invalid.enabled' });
    }
  });
});

describe('certificate expiry tiers', () => {
  const tiers = (...t: Array<[number, string]>) => `rules:\n  cert-expiring:\n    tiers:\n${t.map(([d, s]) => `      - withinDays: ${d}\n        severity: ${s}\n`).join('')}`;

  it('rejects two tiers with one window, on the later one', () => {
    const dir = rulesDir({ 'c.yaml': tiers([7, 'critical'], [30, 'high'], [7, 'low']) });
    const problems = validatePolicyDir(dir);
    expect(problems).toEqual([expect.objectContaining({ file: path.join(dir, 'c.yaml'), line: 8, field: 'rules.cert-expiring.tiers[2].withinDays' })]);
    expect(problems[0]!.message).toMatch(/also the window of tiers\[0\]/);
  });

  it('rejects a severity that goes up as the window widens, in any order', () => {
    const dir = rulesDir({ 'c.yaml': tiers([30, 'critical'], [7, 'high']) });
    const problems = validatePolicyDir(dir);
    expect(problems).toEqual([expect.objectContaining({ line: 5, field: 'rules.cert-expiring.tiers[0].severity' })]);
    expect(problems[0]!.message).toMatch(/critical within 30 days is above high within 7 days/);
  });

  it('accepts tiers in any order, and equal severities', () => {
    expect(validatePolicyDir(rulesDir({ 'c.yaml': tiers([30, 'high'], [7, 'critical'], [14, 'critical'], [90, 'high']) }))).toEqual([]);
  });
});

describe('files of one directory that disagree', () => {
  it('is an error naming both files, their lines and the field', () => {
    const dir = rulesDir({ 'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n', 'b.yaml': '# stricter\nrules:\n  mtls-not-strict:\n    enabled: true\n    severity: critical\n' });
    const problems = validatePolicyDir(dir);
    expect(problems).toEqual([expect.objectContaining({ file: path.join(dir, 'b.yaml'), line: 5, field: 'rules.mtls-not-strict.severity' })]);
    expect(problems[0]!.message).toContain(`${path.join(dir, 'a.yaml')}:3`);
    expect(problems[0]!.message).toMatch(/"low".*"critical"/);
    expect(() => loadPolicy(dir)).toThrow(PolicyError);
    expect(() => createPolicySnapshot(dir)).toThrow(/rules\.mtls-not-strict\.severity: conflicts/);
  });

  it('compares lists whole, and lets files repeat a value or set different settings', () => {
    const a = 'rules:\n  mtls-not-strict:\n    severity: high\n    exclude:\n      - namespace: "kube-*"\nremediation:\n  dryRun: true\n';
    expect(validatePolicyDir(rulesDir({ 'a.yaml': a, 'b.yaml': 'rules:\n  mtls-not-strict:\n    severity: high\n    enabled: false\nremediation:\n  maxChangesPerRun: 1\n' }))).toEqual([]);
    const problems = validatePolicyDir(rulesDir({ 'a.yaml': a, 'b.yaml': 'rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: "gke-*"\n' }));
    expect(problems).toEqual([expect.objectContaining({ line: 3, field: 'rules.mtls-not-strict.exclude' })]);
    expect(problems[0]!.message).toMatch(/a\.yaml:4, which sets it to \[\{"namespace":"kube-\*"\}\]/);
  });

  it('leaves a --rules copy free to override the built-in rules', () => {
    expect(loadPolicy(rulesDir({ 'mtls.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n' })).rules['mtls-not-strict'].severity).toBe('low');
  });
});

describe('a rules directory without rules files', () => {
  it('is an error, not the defaults', () => {
    const dir = rulesDir({});
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'ca.crt'), 'not rules');
    expect(validatePolicyDir(dir)).toEqual([{ file: dir, line: 1, message: `no rules files (*.yaml, *.yml) in ${dir}` }]);
    expect(() => loadPolicy(dir)).toThrow(/no rules files \(\*\.yaml, \*\.yml\)/);
  });
});
