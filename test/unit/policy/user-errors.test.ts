import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadPolicy, validatePolicyDir } from '../../../functions/core/policy/load';
import { readPolicyFile } from '../../../functions/core/policy/read-policy-file';

/** Mistakes users make in rules files: each must come back as a problem that says what to change, where. */

const FILE = '/repo/rules/policy.yaml';

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const problemsOf = (text: string) => readPolicyFile(FILE, text).problems;

describe('a rules directory with more than rules files in it', () => {
  it('skips an editor lock file (a dangling .#name.yaml symlink) and a directory named like a rules file', () => {
    const dir = rulesDir({ 'a.yaml': 'rules:\n  mtls-not-strict:\n    severity: low\n' });
    symlinkSync('user@host.4242:1700000000', path.join(dir, '.#a.yaml'));
    mkdirSync(path.join(dir, 'old.yaml'));
    expect(validatePolicyDir(dir)).toEqual([]);
    expect(loadPolicy(dir).rules['mtls-not-strict'].severity).toBe('low');
  });

  it('reports a rules file it cannot read on that file instead of throwing', () => {
    const dir = rulesDir({ 'a.yaml': 'rules: {}\n' });
    symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'b.yaml'));
    expect(validatePolicyDir(dir)).toEqual([{ file: path.join(dir, 'b.yaml'), line: 1, message: expect.stringMatching(/^cannot read rules file: ENOENT/) }]);
  });
});

describe('an unknown key', () => {
  it('is one problem per key, each on the line of that key', () => {
    const text = 'rules:\n  cert-expired:\n    enabeld: false\n    severty: low\n';
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 3, field: 'rules.cert-expired.enabeld', message: expect.stringMatching(/^Unrecognized key: "enabeld"/) }),
      expect.objectContaining({ line: 4, field: 'rules.cert-expired.severty', message: expect.stringMatching(/^Unrecognized key: "severty"/) }),
    ]);
  });

  it.each([
    ['a setting', 'rules:\n  cert-expired:\n    enabeld: false\n', 'rules.cert-expired.enabeld', 'did you mean "enabled"?'],
    ['a rule id', 'rules:\n  mtls-strict:\n    enabled: true\n', 'rules.mtls-strict', 'did you mean "mtls-not-strict"?'],
    ['a key in a list item', 'rules:\n  cert-expiring:\n    tiers:\n      - withinDay: 7\n        severity: high\n', 'rules.cert-expiring.tiers[0].withinDay', 'did you mean "withinDays"?'],
    ['a case slip', 'remediation:\n  dryrun: false\n', 'remediation.dryrun', 'did you mean "dryRun"?'],
    ['an SLO field', 'slos:\n  - name: a\n    service: a\n    mesh: istio\n    namespace: a\n    objectve: 99\n    thresholdMs: 250\n    source: { prometheus: {} }\n', 'slos[0].objectve', 'did you mean "objective"?'],
  ])('in %s suggests the key it was meant to be', (_name, text, field, hint) => {
    const problem = problemsOf(text).find((p) => p.field === field);
    expect(problem?.message).toContain(hint);
  });

  it('refuses a root namespace, or a namespace to read, that no namespace can be called', () => {
    expect(problemsOf('sources:\n  istio:\n    rootNamespace: Istio_System\n    namespaces: [shop, -pay]\n')).toEqual([
      expect.objectContaining({ line: 3, field: 'sources.istio.rootNamespace', message: expect.stringContaining('RFC 1123') }),
      expect.objectContaining({ line: 4, field: 'sources.istio.namespaces[1]', message: expect.stringContaining('RFC 1123') }),
    ]);
    expect(problemsOf('sources:\n  istio:\n    rootNamespace: istio-config\n    namespaces: [shop, pay-2]\n')).toEqual([]);
  });

  it('with no close match lists the keys that are allowed there', () => {
    expect(problemsOf('rules:\n  cert-expired:\n    owner: payments\n')).toEqual([
      expect.objectContaining({ line: 3, field: 'rules.cert-expired.owner', message: expect.stringContaining('expected one of enabled, severity, remediation, exclude') }),
    ]);
  });

  it('explains that a YAML 1.1 merge key (<<) is not read', () => {
    const text = 'rules:\n  mtls-not-strict: &strict\n    severity: high\n  mtls-client-not-enforced:\n    <<: *strict\n';
    expect(problemsOf(text)).toEqual([expect.objectContaining({ line: 5, field: 'rules.mtls-client-not-enforced.<<', message: expect.stringMatching(/merge key/) })]);
  });
});

describe('a value of the wrong type says what to write instead', () => {
  it.each(['yes', 'no', 'on', 'off', 'Yes', 'y'])('enabled: %s', (word) => {
    const [problem] = problemsOf(`rules:\n  mtls-not-strict:\n    enabled: ${word}\n`);
    expect(problem).toMatchObject({ line: 3, field: 'rules.mtls-not-strict.enabled' });
    expect(problem!.message).toMatch(/write true or false/);
  });

  it('a key left without a value (its entries commented out)', () => {
    const [problem] = problemsOf('rules:\n  cert-expired:\n    exclude:\n#      - namespace: legacy\n');
    expect(problem).toMatchObject({ line: 3, field: 'rules.cert-expired.exclude' });
    expect(problem!.message).toMatch(/has no value/);
  });

  it('a required field left out', () => {
    const [problem] = problemsOf('ownership:\n  default:\n    approvers: { users: [U0LEAD1] }\n');
    expect(problem).toMatchObject({ line: 3, field: 'ownership.default.channel' });
    expect(problem!.message).toMatch(/channel is required here/);
  });

  it.each([
    ['a severity that is not one of the five', 'rules:\n  mtls-conflict:\n    severity: urgent\n', '"urgent"'],
    ['a channel that is neither #name nor an id', 'ownership:\n  default:\n    channel: payments\n', '"payments"'],
  ])('%s: names the value given', (_name, text, given) => {
    expect(problemsOf(text)[0]!.message).toContain(given);
  });

  it.each([
    ['an upper-case channel name Slack would not have', '#Payments'],
    ['a dotted channel name', '#pay.ments'],
    ['a word that looks like an id but is not one', 'Gold-team'],
  ])('refuses %s as a channel, on its line', (_name, channel) => {
    const [problem] = problemsOf(`ownership:\n  default:\n    channel: "${channel}"\n`);
    expect(problem).toMatchObject({ line: 3, field: 'ownership.default.channel' });
  });

  it.each(['#payments-oncall', '#mesh_governance', 'C07PLATSEC9', 'G0MESHAUDIT'])('accepts %s as a channel', (channel) => {
    expect(problemsOf(`ownership:\n  default:\n    channel: "${channel}"\n`)).toEqual([]);
  });

  it('a file that is a list, not a mapping', () => {
    const [problem] = problemsOf('- rules:\n    mtls-not-strict:\n      severity: high\n');
    expect(problem).toMatchObject({ line: 1 });
    expect(problem!.message).toMatch(/a rules file is a mapping/);
  });
});

describe('YAML that the reader would otherwise take silently or explain in its own terms', () => {
  it('reports a second document in one file without naming the parser API', () => {
    const [problem] = problemsOf('rules: {}\n---\nrules:\n  mtls-conflict: { severity: low }\n');
    expect(problem).toMatchObject({ line: 2 });
    expect(problem!.message).not.toMatch(/parseAllDocuments/);
    expect(problem!.message).toMatch(/one YAML document/);
  });

  it.each([
    ['a custom tag', 'rules:\n  mtls-not-strict:\n    severity: !Ref high\n'],
    ['a core tag that does not fit the value', 'rules:\n  mtls-not-strict:\n    severity: !!int high\n'],
  ])('reports %s on its line', (_name, text) => {
    expect(problemsOf(text)).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/^invalid YAML: .*tag/) })]);
  });
});

describe('ownership', () => {
  it.each([
    ['an empty match', 'match: {}'],
    ['empty lists', 'match: { namespaces: [], meshes: [], labels: {} }'],
  ])('rejects a team that can own nothing: %s', (_name, match) => {
    const text = `ownership:\n  teams:\n    - name: payments\n      ${match}\n      slack: { channel: "#payments" }\n`;
    expect(problemsOf(text)).toEqual([expect.objectContaining({ line: 4, field: 'ownership.teams[0].match', message: expect.stringMatching(/at least one/) })]);
  });
});

describe('a namespace glob that can never match', () => {
  it.each(['Kube-*', 'kube-[A-Z]*', '^kube-.*$', 'payments/*', '[.]*'])('is rejected on its line: %s', (glob) => {
    const text = `rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: "${glob}"\nownership:\n  teams:\n    - name: t\n      match: { namespaces: ["${glob}"] }\n      slack: { channel: "#t" }\n`;
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 4, field: 'rules.mtls-not-strict.exclude[0].namespace', message: expect.stringMatching(/can never match/) }),
      expect.objectContaining({ line: 8, field: 'ownership.teams[0].match.namespaces[0]', message: expect.stringMatching(/can never match/) }),
    ]);
  });

  it('leaves globs that can match alone', () => {
    expect(problemsOf('rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: "kube-*"\n      - namespace: "team-?"\n      - namespace: "*"\n      - namespace: "team-[a-c0-9]*"\n      - namespace: "[!k]*"\n')).toEqual([]);
  });

  it('rejects a character class RegExp cannot read, in every glob field, on its line', () => {
    const text = 'rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: "team-[z-a]"\n      - mesh: "prod-[9-0]"\n        name: "api-[z-a]*"\nownership:\n  teams:\n    - name: t\n      match: { meshes: ["[b-a]x"] }\n      slack: { channel: "#t" }\n';
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 4, field: 'rules.mtls-not-strict.exclude[0].namespace', message: expect.stringMatching(/\[z-a\] that cannot be read/) }),
      expect.objectContaining({ line: 5, field: 'rules.mtls-not-strict.exclude[1].mesh', message: expect.stringMatching(/\[9-0\] that cannot be read/) }),
      expect.objectContaining({ line: 6, field: 'rules.mtls-not-strict.exclude[1].name', message: expect.stringMatching(/\[z-a\] that cannot be read/) }),
      expect.objectContaining({ line: 10, field: 'ownership.teams[0].match.meshes[0]', message: expect.stringMatching(/\[b-a\] that cannot be read/) }),
    ]);
  });
});
