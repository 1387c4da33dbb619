import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RULE_IDS, type Finding } from '../../../functions/core/findings';
import { SEVERITIES } from '../../../functions/core/model/types';
import { formatSarif } from '../../../functions/core/report/format-sarif';
import { buildReport } from '../../../functions/core/report/report';
import { sarifProblems } from './sarif-structure';

const NOW = new Date('2026-11-26T00:00:00Z');
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: string[]): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'meshgov-sarif-structure-')));
  made.push(dir);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'apiVersion: v1\n');
  }
  return dir;
}

function finding(i: number, file: string | undefined, over: Partial<Finding> = {}): Finding {
  return {
    id: `id-${i}`,
    rule: RULE_IDS[i % RULE_IDS.length],
    severity: SEVERITIES[i % SEVERITIES.length],
    provider: 'istio',
    resource: { kind: 'Deployment', name: `w${i}`, namespace: 'ns', file, line: i },
    message: `finding ${i}`,
    detail: {},
    remediation: null,
    ...over,
  };
}

describe('SARIF structure, as GitHub code scanning reads it', () => {
  it('is valid for every rule, level, and path that needs encoding, inside and outside the base, and for sources that are no file', () => {
    const names = ['k8s/pa.yaml', 'my configs/pa #2.yaml', '100%/x.yaml', 'ünïcode/ñ.yaml', 'a:b.yaml', 'q?x.yaml', 'back\\slash.yaml'];
    const base = tree(names);
    const outside = tree(['other repo/#x.yaml']);
    const findings = [
      ...names.map((n, i) => finding(i, path.join(base, n))),
      finding(50, path.join(outside, 'other repo/#x.yaml')),
      finding(51, 'arn:aws:appmesh:us-west-2:123456789012:mesh/prod/virtualNode/api'),
      finding(52, undefined),
      ...RULE_IDS.map((_r, i) => finding(100 + i, path.join(base, 'k8s/pa.yaml'))),
    ];
    const log = JSON.parse(formatSarif(buildReport(findings, findings.length, NOW), { baseDir: base, toolVersion: '1.0.0' }));
    expect(sarifProblems(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(findings.length - 2);
  });

  it('gives every rule a problem.severity that follows its level, besides security-severity', () => {
    const log = JSON.parse(formatSarif(buildReport([], 0, NOW), { baseDir: tree([]), toolVersion: '1.0.0', ruleSeverities: { 'mtls-not-strict': 'low' } }));
    const rules = log.runs[0].tool.driver.rules;
    const rule = (id: string) => rules.find((r: { id: string }) => r.id === id).properties['problem.severity'];
    expect(rule('mtls-conflict')).toBe('error');
    expect(rule('mtls-cross-mesh-drift')).toBe('warning');
    expect(rule('mtls-not-strict')).toBe('recommendation');
    expect(sarifProblems(log)).toEqual([]);
  });

  // No results for a rule that was off is not the same as none found.
  it('marks the rules the rules in force turn off as not enabled, and only those', () => {
    const log = JSON.parse(formatSarif(buildReport([], 0, NOW), { baseDir: tree([]), toolVersion: '1.0.0', disabledRules: ['mtls-conflict'] }));
    const configuration = (id: string) => log.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === id).defaultConfiguration;
    expect(configuration('mtls-conflict')).toEqual({ level: 'error', enabled: false });
    expect(configuration('mtls-not-strict')).toEqual({ level: 'error' });
    expect(sarifProblems(log)).toEqual([]);
  });
});
