import { readPolicyFile, readWithPositions } from '../../../functions/core/policy/read-policy-file';

/**
 * YAML that means something else than the user wrote (an unquoted `*` or `#`, a `%YAML 1.1`
 * directive, a key given twice): each is a problem naming the line and the field, in the
 * user's terms, never a parser's exception or its jargon.
 */

const FILE = '/repo/rules/policy.yaml';
const problemsOf = (text: string) => readPolicyFile(FILE, text).problems;

describe('an unquoted * (a YAML alias)', () => {
  it.each([
    ['in a block mapping', 'rules:\n  mtls-not-strict:\n    exclude:\n      - namespace: *-canary\n        reason: canaries\n'],
    ['in a flow mapping', 'rules:\n  mtls-not-strict:\n    exclude:\n      - { namespace: *-canary }\n'],
  ])('starting a glob %s is reported on its line and field, saying to quote it', (_name, text) => {
    expect(problemsOf(text)).toEqual([
      {
        file: FILE,
        line: 4,
        field: 'rules.mtls-not-strict.exclude[0].namespace',
        message: 'an unquoted * starts a YAML alias, and no anchor &-canary is defined for *-canary: quote a glob that starts with * (namespace: "*-canary")',
      },
    ]);
  });

  it('alone (`name: *`) is reported on its field, saying to quote it', () => {
    expect(problemsOf('rules:\n  mtls-not-strict:\n    exclude:\n      - name: *\n')).toEqual([
      expect.objectContaining({ line: 4, field: 'rules.mtls-not-strict.exclude[0].name', message: expect.stringMatching(/an unquoted \* starts a YAML alias.*quote a glob that starts with \* \(name: "\*"\)$/) }),
    ]);
  });

  it('in a list of globs names the list item', () => {
    const text = 'ownership:\n  teams:\n    - name: t\n      match:\n        namespaces: [payments, *-canary]\n      slack: { channel: "#t" }\n';
    expect(problemsOf(text)).toEqual([expect.objectContaining({ line: 5, field: 'ownership.teams[0].match.namespaces[1]', message: expect.stringContaining('quote a glob that starts with * ("*-canary")') })]);
  });

  it('naming a misspelt anchor names the alias and the anchor it was meant to be', () => {
    const text = 'rules:\n  mtls-not-strict:\n    exclude: &system\n      - namespace: "kube-*"\n        reason: system\n  mesh-sidecar-missing:\n    exclude: *sytem\n';
    expect(problemsOf(text)).toEqual([
      { file: FILE, line: 7, field: 'rules.mesh-sidecar-missing.exclude', message: 'no anchor &sytem is defined for the alias *sytem; did you mean *system?' },
    ]);
  });

  it('before its anchor says the anchor must come first', () => {
    const text = 'rules:\n  mtls-conflict: *m\n  mtls-not-strict: &m\n    severity: low\n';
    expect(problemsOf(text)).toEqual([expect.objectContaining({ line: 2, field: 'rules.mtls-conflict', message: expect.stringMatching(/comes before its anchor &m \(line 3\)/) })]);
  });

  it('an alias of a defined anchor is still read', () => {
    const text = 'rules:\n  mtls-not-strict: &m\n    severity: low\n  mtls-conflict: *m\n';
    expect(readPolicyFile(FILE, text)).toEqual({ value: { rules: { 'mtls-not-strict': { severity: 'low' }, 'mtls-conflict': { severity: 'low' } } }, problems: [] });
  });

  it('an alias expanding past the parser limit is a problem, not an exception', () => {
    const text = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill('*a').join(', ')}]\nc: &c [${Array(10).fill('*b').join(', ')}]\nd: [${Array(10).fill('*c').join(', ')}]\n`;
    expect(() => readWithPositions(FILE, text)).not.toThrow();
    expect(readWithPositions(FILE, text).problems).toEqual([expect.objectContaining({ file: FILE, line: 1, message: expect.stringMatching(/^invalid YAML: /) })]);
  });
});

describe('a %YAML directive', () => {
  it.each([
    ['withinDays: 010 (octal 8 in YAML 1.1)', '%YAML 1.1\n---\nrules:\n  cert-expiring:\n    tiers:\n      - { withinDays: 010, severity: critical }\n      - { withinDays: 30, severity: high }\n'],
    ['enabled: off (false in YAML 1.1)', '%YAML 1.1\n---\nrules:\n  mtls-not-strict:\n    enabled: off\n'],
  ])('other than 1.2 is refused on its line, whatever the file says: %s', (_name, text) => {
    expect(problemsOf(text)).toEqual([{ file: FILE, line: 1, message: 'rules files are YAML 1.2; remove the %YAML 1.1 directive' }]);
  });

  it('of a version the parser does not know is refused too', () => {
    expect(problemsOf('%YAML 1.3\n---\nrules: {}\n')).toEqual([{ file: FILE, line: 1, message: 'rules files are YAML 1.2; remove the %YAML 1.3 directive' }]);
  });

  it('of 1.2 is read as without it', () => {
    expect(readPolicyFile(FILE, '%YAML 1.2\n---\nrules:\n  cert-expiring:\n    tiers: [{ withinDays: 010, severity: critical }]\n')).toEqual({
      value: { rules: { 'cert-expiring': { tiers: [{ withinDays: 10, severity: 'critical' }] } } },
      problems: [],
    });
  });
});

describe('a duplicate key', () => {
  it('names the field and the line of its first occurrence', () => {
    expect(problemsOf('rules:\n  mtls-not-strict:\n    severity: low\n    enabled: true\n    severity: high\n')).toEqual([
      { file: FILE, line: 5, field: 'rules.mtls-not-strict.severity', message: 'duplicate key (first on line 3): a key may be given once in a mapping; keep one' },
    ]);
  });

  it('at the top level, and in a flow mapping of a list item', () => {
    expect(problemsOf('rules:\n  mtls-not-strict: {}\nrules:\n  mtls-conflict: {}\n')).toEqual([expect.objectContaining({ line: 3, field: 'rules', message: expect.stringMatching(/^duplicate key \(first on line 1\)/) })]);
    expect(problemsOf('rules:\n  mtls-not-strict:\n    exclude:\n      - { namespace: a, namespace: b }\n')).toEqual([
      expect.objectContaining({ line: 4, field: 'rules.mtls-not-strict.exclude[0].namespace', message: expect.stringMatching(/^duplicate key \(first on line 4\)/) }),
    ]);
  });
});

describe('an unquoted # (a YAML comment) after a key', () => {
  it('leaving a block setting without a value says to quote it', () => {
    const text = 'ownership:\n  teams:\n    - name: payments\n      match:\n        namespaces: [payments]\n      slack:\n        channel: #payments-oncall\n';
    expect(problemsOf(text)).toEqual([
      expect.objectContaining({ line: 7, field: 'ownership.teams[0].slack.channel', message: expect.stringContaining('an unquoted # starts a YAML comment, so "#payments-oncall" is not read as channel\'s value: quote it (channel: "#payments-oncall")') }),
    ]);
  });

  it.each([
    ['on one line', 'ownership:\n  teams:\n    - name: payments\n      match: { namespaces: [payments] }\n      slack: { channel: #payments-oncall }\n'],
    ['left open across lines', 'ownership:\n  teams:\n    - name: payments\n      match: { namespaces: [payments] }\n      slack: { channel: #payments-oncall,\n               approvers: { users: [U0PAYLEAD1] } }\n'],
  ])('cutting a flow mapping short (%s) says so on its line, instead of the parser\'s words alone', (_name, text) => {
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.objectContaining({ line: 5, message: expect.stringContaining('an unquoted # starts a YAML comment, so "#payments-oncall" is not read as channel\'s value') })]);
    expect(problems[0]!.message).toContain('quote it (channel: "#payments-oncall")');
  });

  it('as a real comment after a key keeps the plain "no value" message', () => {
    const [problem] = problemsOf('rules:\n  cert-expired:\n    exclude: # none yet\n');
    expect(problem).toMatchObject({ line: 3, field: 'rules.cert-expired.exclude' });
    expect(problem!.message).toMatch(/has no value/);
    expect(problem!.message).not.toMatch(/quote/);
  });

  it('inside a quoted value is no comment', () => {
    expect(problemsOf('rules:\n  mtls-not-strict:\n    exclude:\n      - { namespace: "legacy-*", reason: "see: #123" }\n')).toEqual([]);
  });
});
