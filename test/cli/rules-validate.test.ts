import * as path from 'node:path';
import { fixtureDir, runCli } from './run-cli';

/**
 * `meshgov rules validate DIR` on the rules a reviewer wrote by hand: each mistake is a line
 * naming the file, line and field with what to change, exit status 1; never a stack trace,
 * never "rules are valid" for a file read otherwise than written.
 */

async function validate(files: Record<string, string>): Promise<{ dir: string; code: number; stdout: string; lines: string[] }> {
  const dir = fixtureDir(files);
  const r = await runCli(['rules', 'validate', dir]);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.pop()).toMatch(/^\d+ problems? in /);
  return { dir, code: r.code, stdout: r.stdout, lines: lines.map((l) => l.replace(`${dir}${path.sep}`, '')) };
}

describe('meshgov rules validate on YAML slips', () => {
  it.each<[string, Record<string, string>, string[]]>([
    [
      'an unquoted glob that starts with *',
      { 'a.yaml': 'rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: *-canary\n        reason: canaries\n' },
      ['a.yaml:4: rules.mtls-not-strict.exclude[0].namespace: an unquoted * starts a YAML alias, and no anchor &-canary is defined for *-canary: quote a glob that starts with * (namespace: "*-canary")'],
    ],
    [
      'an unquoted lone *',
      { 'a.yaml': 'rules:\n  mtls-not-strict:\n    exclude:\n      - name: *\n' },
      ['a.yaml:4: rules.mtls-not-strict.exclude[0].name: an unquoted * starts a YAML alias, and a lone * names no anchor: quote a glob that starts with * (name: "*")'],
    ],
    [
      'a misspelt anchor',
      { 'a.yaml': 'rules:\n  mtls-not-strict:\n    exclude: &system\n      - namespace: "kube-*"\n        reason: system\n  mesh-sidecar-missing:\n    exclude: *sytem\n' },
      ['a.yaml:7: rules.mesh-sidecar-missing.exclude: no anchor &sytem is defined for the alias *sytem; did you mean *system?'],
    ],
    [
      'a %YAML 1.1 directive',
      { 'a.yaml': '%YAML 1.1\n---\nrules:\n  cert-expiring:\n    tiers:\n      - { withinDays: 010, severity: critical }\n  mtls-not-strict:\n    enabled: off\n' },
      ['a.yaml:1: rules files are YAML 1.2; remove the %YAML 1.1 directive'],
    ],
    [
      'a duplicate key',
      { 'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n    enabled: true\n    severity: high\n' },
      ['a.yaml:5: rules.mtls-not-strict.severity: duplicate key (first on line 3): a key may be given once in a mapping; keep one'],
    ],
    [
      'an unquoted #channel in a block mapping',
      { 'a.yaml': 'ownership:\n  teams:\n    - name: payments\n      match:\n        namespaces: [payments]\n      slack:\n        channel: #payments-oncall\n' },
      ['a.yaml:7: ownership.teams[0].slack.channel: Invalid input: expected string, received null: an unquoted # starts a YAML comment, so "#payments-oncall" is not read as channel\'s value: quote it (channel: "#payments-oncall")'],
    ],
    [
      'an unquoted #channel in a flow mapping',
      { 'a.yaml': 'ownership:\n  teams:\n    - name: payments\n      match: { namespaces: [payments] }\n      slack: { channel: #payments-oncall }\n' },
      ['a.yaml:5: invalid YAML: an unquoted # starts a YAML comment, so "#payments-oncall" is not read as channel\'s value, and the rest of the line is lost with it: quote it (channel: "#payments-oncall")'],
    ],
    [
      'impossible freeze window dates',
      { 'a.yaml': 'remediation:\n  freezeWindows:\n    - name: black friday\n      start: "2026-11-27"\n      end: "2026-11-31"\n    - name: february freeze\n      start: "2026-02-20T00:00:00Z"\n      end: "2026-02-30T00:00:00Z"\n' },
      [
        'a.yaml:5: remediation.freezeWindows[0].end: "2026-11-31" is not a date: November 2026 has 30 days',
        'a.yaml:8: remediation.freezeWindows[1].end: "2026-02-30T00:00:00Z" is not a date: February 2026 has 28 days',
      ],
    ],
    [
      'remediation on rules that have no fix',
      { 'a.yaml': 'rules:\n  cert-expired:\n    remediation: auto\n  mesh-sidecar-missing:\n    remediation: approval\n' },
      [
        'a.yaml:3: rules.cert-expired.remediation: cert-expired has no fix meshgov applies; remediation: auto does nothing here: remove it, or write manual (its findings are always left to a person)',
        'a.yaml:5: rules.mesh-sidecar-missing.remediation: mesh-sidecar-missing has no fix meshgov applies; remediation: approval does nothing here: remove it, or write manual (its findings are always left to a person)',
      ],
    ],
  ])('%s', async (_name, files, expected) => {
    const r = await validate(files);
    expect(r.lines).toEqual(expected);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('a subdirectory of rules files and a .json file beside the rules', async () => {
    const r = await validate({ 'remediation.yaml': 'remediation:\n  maxChangesPerRun: 2\n', 'teams/payments.yaml': 'rules:\n  mtls-not-strict:\n    enabled: false\n', 'mtls.json': 'rules:\n  mtls-not-strict:\n    enabled: false\n' });
    expect(r.lines).toEqual([
      `mtls.json:1: only *.yaml and *.yml files are read: rename it mtls.yaml if it holds rules, or move it out of ${r.dir}`,
      `teams${path.sep}:1: subdirectories are not read (here: payments.yaml); put rules files in ${r.dir} itself`,
    ]);
    expect(r.code).toBe(1);
  });
});

describe('meshgov rules validate on a key that is a collection', () => {
  it('names it, and prints no Node warning of the YAML parser beside the problem', async () => {
    const r = await validate({ 'a.yaml': 'rules:\n  ? [mtls-not-strict, mtls-conflict]\n  : { severity: low }\n' });
    expect(r.lines).toEqual([expect.stringMatching(/^a\.yaml:2: rules\.\[ mtls-not-strict, mtls-conflict \]: Unrecognized key/)]);
    expect(r.code).toBe(1);
  });
});

describe('meshgov rules list', () => {
  it('does not show a remediation mode that nothing applies as if in force', async () => {
    const dir = fixtureDir({ 'a.yaml': 'rules:\n  cert-expired:\n    remediation: auto\n' });
    const r = await runCli(['rules', 'list', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${path.join(dir, 'a.yaml')}:3: rules.cert-expired.remediation: cert-expired has no fix meshgov applies`);
  });
});
