import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { rulesJsonSchema } from '../../../functions/core/policy/json-schema';
import { loadPolicy, validatePolicyDir } from '../../../functions/core/policy/load';
import { readPolicyFile } from '../../../functions/core/policy/read-policy-file';
import { RULES_WITH_FIXES } from '../../../functions/core/policy/schema';
import { RULE_IDS } from '../../../functions/core/findings';

/** Settings a rules file used to accept and then never apply, or apply otherwise than written. */

const FILE = '/repo/rules/policy.yaml';
const problemsOf = (text: string) => readPolicyFile(FILE, text).problems;

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('a setting of one rule given to another', () => {
  it.each([
    ['tiers', 'cert-expired', '    tiers:\n      - { withinDays: 3, severity: low }\n', 'cert-expiring'],
    ['pageSeverity', 'mtls-not-strict', '    pageSeverity: low\n', 'slo-latency-burn'],
    ['ticketSeverity', 'slo-no-data', '    ticketSeverity: low\n', 'slo-latency-burn'],
  ])('%s on %s is reported on its line, naming the rule it belongs to', (key, rule, body, owner) => {
    expect(problemsOf(`rules:\n  ${rule}:\n${body}`)).toEqual([
      expect.objectContaining({ line: 3, field: `rules.${rule}.${key}`, message: expect.stringContaining(`${key} applies to ${owner} only`) }),
    ]);
  });

  it('is still allowed on the rule it belongs to', () => {
    const text = 'rules:\n  cert-expiring:\n    tiers: [{ withinDays: 7, severity: high }]\n  slo-latency-burn:\n    pageSeverity: high\n    ticketSeverity: low\n';
    expect(problemsOf(text)).toEqual([]);
  });
});

describe('slo-latency-burn severities', () => {
  it('rejects a ticket-level burn ranked above a page-level one', () => {
    const [problem, ...rest] = problemsOf('rules:\n  slo-latency-burn:\n    pageSeverity: low\n    ticketSeverity: high\n');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ line: 4, field: 'rules.slo-latency-burn.ticketSeverity' });
    expect(problem!.message).toMatch(/above pageSeverity low/);
  });
});

describe('freeze windows that would never be in force, or be in force at another time than written', () => {
  const windows = (...w: string[]) => `remediation:\n  freezeWindows:\n${w.map((x) => `    - ${x}\n`).join('')}`;

  it.each([
    ['an end before its start', '{ name: x, start: "2027-01-04T00:00:00Z", end: "2026-12-20T00:00:00Z" }', 'remediation.freezeWindows[0].end', /after its start/],
    ['an end equal to its start', '{ name: x, start: "2026-12-20T00:00:00Z", end: "2026-12-20T00:00:00Z" }', 'remediation.freezeWindows[0].end', /after its start/],
    ['hours that cross midnight', '{ name: x, days: [fri], fromHour: 22, toHour: 6 }', 'remediation.freezeWindows[0].toHour', /midnight/],
    ['a date-time without an offset (local time on a laptop, UTC in the cloud)', '{ name: x, start: "2026-12-20T00:00:00", end: "2026-12-21T00:00:00Z" }', 'remediation.freezeWindows[0].start', /offset/],
    ['a date that is not ISO-8601', '{ name: x, start: "Dec 20 2026", end: "2026-12-21T00:00:00Z" }', 'remediation.freezeWindows[0].start', /ISO-8601/],
    ['hours on a one-off window', '{ name: x, start: "2026-12-20", end: "2026-12-21", fromHour: 3 }', 'remediation.freezeWindows[0].fromHour', /with days/],
    ['days and a start and end together', '{ name: x, start: "2026-12-20T00:00:00Z", end: "2026-12-21T00:00:00Z", days: [mon] }', 'remediation.freezeWindows[0].days', /not both/],
    ['a start without an end', '{ name: x, start: "2026-12-20T00:00:00Z", days: [mon] }', 'remediation.freezeWindows[0].end', /start and end/],
  ])('%s', (_name, window, field, message) => {
    const problems = problemsOf(windows(window));
    expect(problems).toEqual([expect.objectContaining({ line: 3, field })]);
    expect(problems[0]!.message).toMatch(message);
  });

  it.each([
    ['a day past the end of its month', '{ name: x, start: "2026-11-27", end: "2026-11-31" }', 'end', '"2026-11-31" is not a date: November 2026 has 30 days'],
    ['February 30th in a date-time', '{ name: x, start: "2026-02-20T00:00:00Z", end: "2026-02-30T00:00:00Z" }', 'end', '"2026-02-30T00:00:00Z" is not a date: February 2026 has 28 days'],
    ['February 29th of a common year', '{ name: x, start: "2027-02-29", end: "2027-03-02" }', 'start', '"2027-02-29" is not a date: February 2027 has 28 days'],
    ['an impossible start, once (not also as an end before it, as rolled over)', '{ name: x, start: "2026-02-30", end: "2026-03-01" }', 'start', '"2026-02-30" is not a date: February 2026 has 28 days'],
    ['a month 13', '{ name: x, start: "2026-13-01", end: "2027-01-02" }', 'start', '"2026-13-01" is not a date: there is no month 13'],
    ['hour 24', '{ name: x, start: "2026-12-20T24:00:00Z", end: "2026-12-22T00:00:00Z" }', 'start', '"2026-12-20T24:00:00Z" is not a date: the hour is 00 to 23 (got 24)'],
  ])('refuses an impossible calendar date, which Date.parse would roll over: %s', (_name, window, key, message) => {
    expect(problemsOf(windows(window))).toEqual([{ file: FILE, line: 3, field: `remediation.freezeWindows[0].${key}`, message }]);
  });

  it.each([
    '{ name: x, start: "2028-02-29", end: "2028-03-01" }',
    '{ name: x, start: "2026-12-31T23:59:59Z", end: "2027-01-31T00:00:00+14:00" }',
    '{ name: x, start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z" }',
    '{ name: x, start: "2026-12-20T09:00:00+01:00", end: "2026-12-20T18:00:00.5-05:00" }',
    '{ name: x, start: "2026-12-20", end: "2026-12-21" }',
    '{ name: x, days: [sat, sun] }',
    '{ name: x, days: [fri], fromHour: 18, toHour: 24 }',
  ])('accepts %s', (window) => {
    expect(problemsOf(windows(window))).toEqual([]);
  });
});

describe('hints', () => {
  it.each([
    ['exclusion', 'exclude'],
    ['exclusions', 'exclude'],
    ['excludes', 'exclude'],
  ])('suggests the key a longer or shorter form of it was meant to be: %s', (key, meant) => {
    const [problem] = problemsOf(`rules:\n  mtls-not-strict:\n    ${key}:\n      - namespace: legacy\n`);
    expect(problem).toMatchObject({ line: 3, field: `rules.mtls-not-strict.${key}` });
    expect(problem!.message).toContain(`did you mean "${meant}"?`);
  });

  it('says to drop the quotes around a number', () => {
    const [problem] = problemsOf('remediation:\n  maxChangesPerRun: "5"\n');
    expect(problem).toMatchObject({ line: 2, field: 'remediation.maxChangesPerRun' });
    expect(problem!.message).toMatch(/write 5 without quotes/);
  });

  it('suggests the value a case slip was meant to be', () => {
    const [problem] = problemsOf('rules:\n  mtls-conflict:\n    severity: High\n');
    expect(problem!.message).toMatch(/did you mean "high"\?/);
  });
});

describe('rules/schema.json', () => {
  const schema = JSON.parse(rulesJsonSchema()) as { properties: { slos: { items: { required: string[] } } } };

  it('does not require a field the loader defaults (an SLO window), so the documented examples pass in an editor', () => {
    expect(schema.properties.slos.items.required).not.toContain('window');
    const dir = rulesDir({ 'slos.yaml': 'slos:\n  - { name: a, service: a, mesh: istio, namespace: a, objective: 99, thresholdMs: 250, source: { prometheus: {} } }\n' });
    expect(loadPolicy(dir).slos[0]).toMatchObject({ window: '30d' });
    expect(validatePolicyDir(dir)).toEqual([]);
  });

  it('allows tiers only on cert-expiring, as the loader does', () => {
    const rules = (JSON.parse(rulesJsonSchema()) as { properties: { rules: { properties: Record<string, { properties: Record<string, unknown> }> } } }).properties.rules.properties;
    expect(Object.keys(rules['cert-expiring']!.properties)).toContain('tiers');
    expect(Object.keys(rules['cert-expired']!.properties)).not.toContain('tiers');
    expect(Object.keys(rules['slo-latency-burn']!.properties)).toContain('pageSeverity');
    expect(Object.keys(rules['mtls-not-strict']!.properties)).not.toContain('pageSeverity');
  });
});

describe('the problems of one file', () => {
  it('come in the order of their lines', () => {
    const text = 'rules:\n  mtls-not-strict:\n    severity: urgent\n    exclusion: []\n    enabled: maybe\n';
    expect(problemsOf(text).map((p) => p.line)).toEqual([3, 4, 5]);
  });
});

describe('remediation on a rule that has no fix', () => {
  it.each([
    ['cert-expired', 'auto'],
    ['cert-expiring', 'approval'],
    ['mesh-sidecar-missing', 'auto'],
    ['config-invalid', 'approval'],
    ['slo-no-data', 'auto'],
  ])('%s: remediation: %s is refused on its line, since nothing applies it', (rule, mode) => {
    expect(problemsOf(`rules:\n  ${rule}:\n    enabled: true\n    remediation: ${mode}\n`)).toEqual([
      { file: FILE, line: 4, field: `rules.${rule}.remediation`, message: `${rule} has no fix meshgov applies; remediation: ${mode} does nothing here: remove it, or write manual (its findings are always left to a person)` },
    ]);
  });

  it('manual, what such a rule\'s findings always are, is accepted (the shipped rules/ says it of every rule)', () => {
    expect(problemsOf('rules:\n  cert-expired:\n    remediation: manual\n  slo-no-data:\n    remediation: manual\n')).toEqual([]);
  });

  it.each(['mtls-not-strict', 'mtls-client-not-enforced', 'mtls-conflict', 'mtls-cross-mesh-drift', 'slo-latency-burn'])('%s, whose findings carry a fix or a rollback, takes every mode', (rule) => {
    for (const mode of ['auto', 'approval', 'manual']) expect(problemsOf(`rules:\n  ${rule}:\n    remediation: ${mode}\n`)).toEqual([]);
  });

  it('RULES_WITH_FIXES names exactly the rules whose findings a provider fixes (fixSource), and slo-latency-burn (its rollback)', () => {
    const fixing = RULE_IDS.filter((id) => /fixSource:/.test(readFileSync(path.resolve(__dirname, '../../../functions/core/rules', `${id}.ts`), 'utf8')));
    expect([...RULES_WITH_FIXES].sort()).toEqual([...fixing, 'slo-latency-burn'].sort());
  });
});
