/**
 * A ticket-level burn graded above the page-level one is an error also when the two come from
 * different files: a --rules copy that lowers only pageSeverity ends up below the built-in
 * ticketSeverity, which no single file shows.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PolicyError } from '../../../functions/core/policy/errors';
import { loadPolicy, validatePolicyDir } from '../../../functions/core/policy/load';

/** The line of a setting of slo-latency-burn in the built-in rules/mesh.yaml. */
function builtInLine(setting: string): number {
  const lines = readFileSync(path.join(__dirname, '../../../rules/mesh.yaml'), 'utf8').split('\n');
  const rule = lines.findIndex((l) => l.trim() === 'slo-latency-burn:');
  return lines.findIndex((l, i) => i > rule && l.trim().startsWith(`${setting}:`)) + 1;
}

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshgov-burn-order-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function problemsLoading(dir: string) {
  try {
    loadPolicy(dir);
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  return [];
}

describe('slo-latency-burn severities after the merge', () => {
  test('a copy lowering pageSeverity below the built-in ticketSeverity is refused on its line, naming where the other is set', () => {
    const dir = rulesDir({ 'slo.yaml': '# Pages are handled elsewhere.\nrules:\n  slo-latency-burn:\n    pageSeverity: low\n' });
    expect(problemsLoading(dir)).toEqual([
      {
        file: path.join(dir, 'slo.yaml'),
        line: 4,
        field: 'rules.slo-latency-burn.pageSeverity',
        message: expect.stringMatching(new RegExp(`^ticketSeverity medium \\(.*rules/mesh\\.yaml:${builtInLine('ticketSeverity')}\\) is above pageSeverity low \\(.*slo\\.yaml:4\\): a page-level burn is the faster one`)),
      },
    ]);
  });

  test('two files of one copy: the later one is where it is reported', () => {
    const dir = rulesDir({ 'a.yaml': 'rules:\n  slo-latency-burn:\n    ticketSeverity: high\n', 'b.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: medium\n' });
    expect(validatePolicyDir(dir)).toEqual([expect.objectContaining({ file: path.join(dir, 'b.yaml'), line: 3, field: 'rules.slo-latency-burn.pageSeverity', message: expect.stringContaining('ticketSeverity high') })]);
  });

  test('an order kept across files, or a copy that changes neither, passes', () => {
    expect(problemsLoading(rulesDir({ 'slo.yaml': 'rules:\n  slo-latency-burn:\n    pageSeverity: high\n' }))).toEqual([]);
    expect(problemsLoading(rulesDir({ 'mtls.yaml': 'rules:\n  mtls-not-strict:\n    severity: critical\n' }))).toEqual([]);
  });
});

describe('autoRollbackOwnChanges after the merge', () => {
  const slo = (auto: string) =>
    `slos:\n  - name: payments-api-latency\n    service: payments-api\n    mesh: appmesh\n    meshName: prod-mesh\n    objective: 99\n    thresholdMs: 250\n${auto}    source:\n      cloudwatch:\n        namespace: ContainerInsights/Prometheus\n`;

  test('is refused on its line while the rule stays at the built-in approval, naming where that is set', () => {
    const dir = rulesDir({ 'slos.yaml': slo('    autoRollbackOwnChanges: true\n') });
    expect(problemsLoading(dir)).toEqual([
      {
        file: path.join(dir, 'slos.yaml'),
        line: 8,
        field: 'slos[0].autoRollbackOwnChanges',
        message: expect.stringMatching(
          new RegExp(`^autoRollbackOwnChanges: true does nothing while rule slo-latency-burn's remediation is approval \\(.*rules/mesh\\.yaml:${builtInLine('remediation')}\\), which caps every rollback: set remediation: auto`),
        ),
      },
    ]);
    // Validated on its own, the directory leaves the rule to the built-in rules.
    expect(validatePolicyDir(dir)).toEqual([expect.objectContaining({ line: 8, field: 'slos[0].autoRollbackOwnChanges', message: expect.stringContaining('remediation is approval (as the built-in rules set it)') })]);
  });

  test('is accepted with remediation: auto on the rule, from the same copy or another file of it', () => {
    expect(problemsLoading(rulesDir({ 'slos.yaml': `rules:\n  slo-latency-burn:\n    remediation: auto\n${slo('    autoRollbackOwnChanges: true\n')}` }))).toEqual([]);
    expect(problemsLoading(rulesDir({ 'a.yaml': 'rules:\n  slo-latency-burn:\n    remediation: auto\n', 'slos.yaml': slo('    autoRollbackOwnChanges: true\n') }))).toEqual([]);
  });

  test('false or left out says nothing', () => {
    expect(problemsLoading(rulesDir({ 'slos.yaml': slo('    autoRollbackOwnChanges: false\n') }))).toEqual([]);
    expect(problemsLoading(rulesDir({ 'slos.yaml': slo('') }))).toEqual([]);
  });
});
