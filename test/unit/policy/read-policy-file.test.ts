import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';
import * as yaml from 'yaml';
import { defaultRulesDir } from '../../../functions/core/policy/load';
import { readPolicyFile, readWithPositions } from '../../../functions/core/policy/read-policy-file';

const FILE = '/repo/rules/policy.yaml';

/** Scalars whose type differs between YAML 1.1 and the 1.2 core schema, and other corners. */
const SCALAR_CORNERS = `
octal12: 0o17
octal11: 017
hex: 0x1F
binary: 0b101
underscored: 1_000
sexagesimal: 1:30
exponent: 1e3
float: .5
infinity: -.inf
notANumber: .NaN
yes11: yes
on11: On
boolCaps: TRUE
tilde: ~
empty:
nullWord: Null
date: 2026-12-24
timestamp: 2026-12-24T00:00:00Z
merge:
  <<: { a: 1 }
  b: 2
quoted: "0x1F"
folded: >
  two
  lines
literal: |
  kept
anchor: &shared [x, y]
alias: *shared
glob: "legacy-*"
channel: "#payments"
`;

describe('readPolicyFile reads what the yaml parser reads', () => {
  it('js-yaml (the fast path) and yaml (the positional path) agree on YAML 1.2 core scalars and corners', () => {
    expect(jsYaml.load(SCALAR_CORNERS)).toEqual(yaml.parse(SCALAR_CORNERS));
  });

  it('gives the same policy as the positional reader for every shipped rules file', () => {
    const dir = defaultRulesDir();
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      const fast = readPolicyFile(name, text);
      expect(fast.problems).toEqual([]);
      expect(fast).toEqual(readWithPositions(name, text));
    }
  });

  it('reports a file the fast path rejects with the positional reader: file, line and field', () => {
    const text = 'rules:\n  mtls-not-strict:\n    severity: high\n    enabled: maybe\n';
    expect(readPolicyFile(FILE, text).problems).toEqual([expect.objectContaining({ file: FILE, line: 4, field: 'rules.mtls-not-strict.enabled' })]);
  });

  it('reports YAML that only the positional reader can place: a duplicate key, on its line', () => {
    const text = 'rules:\n  mtls-not-strict:\n    severity: high\n    severity: low\n';
    const problems = readPolicyFile(FILE, text).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, line: 4, field: 'rules.mtls-not-strict.severity' });
    expect(problems[0]!.message).toMatch(/^duplicate key \(first on line 3\)/);
  });

  it('reads an empty file as an empty policy on both paths', () => {
    expect(readPolicyFile(FILE, '')).toEqual({ value: {}, problems: [] });
    expect(readWithPositions(FILE, '# nothing yet\n')).toEqual({ value: {}, problems: [] });
  });

  it.each([
    ['an unterminated quote: where it opens', 'rules:\n  cert-expiring:\n    enabled: true\n    severity: "high\n    tiers: []\n', 4],
    ['an unterminated quote in the last line', "a: 'x'\nb: 'y\n\n\n", 2],
    ['an unterminated [ on the last line, with a final newline', 'rules:\n  mtls-conflict:\n    severity: [high\n', 3],
    ['an unterminated [ on the last line, without one', 'rules:\n  mtls-conflict:\n    severity: [high', 3],
  ])('places a YAML error left open at the end of the file on a line of the file: %s', (_name, text, line) => {
    const problems = readPolicyFile(FILE, text).problems;
    expect(problems.map((p) => p.line)).toEqual([line]);
    expect(problems[0]!.message).toMatch(/^invalid YAML/);
  });
});
