import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBaseline } from '../../../functions/cli/read-baseline';
import type { Finding } from '../../../functions/core/findings';
import { applyBaseline, compareWithBaseline } from '../../../functions/core/report/baseline';
import { formatJson } from '../../../functions/core/report/format-json';
import { formatSarif } from '../../../functions/core/report/format-sarif';
import { formatTable, summaryLine } from '../../../functions/core/report/format-table';
import { buildReport, failsAt } from '../../../functions/core/report/report';
import type { Severity } from '../../../functions/core/model/types';

const NOW = new Date('2026-11-26T00:00:00Z');

/** Findings to compare: an id at a severity (high unless given). */
const found = (...ids: string[]) => ids.map((id) => ({ id, severity: 'high' as Severity }));
/** A baseline of ids without severities, as reports of every version give at least. */
const entries = (...ids: string[]) => ids.map((id) => ({ id }));

function finding(id: string, severity: Severity, name = id): Finding {
  return {
    id,
    rule: 'mtls-not-strict',
    severity,
    provider: 'istio',
    resource: { kind: 'Deployment', name, namespace: 'orders', port: 8080, file: 'orders.yaml', line: 4 },
    message: `Deployment orders/${name} port 8080 accepts plaintext`,
    detail: { mode: 'PERMISSIVE' },
    remediation: null,
  };
}

describe('compareWithBaseline', () => {
  it('marks each finding by whether its id is in the baseline, in the order given', () => {
    const c = compareWithBaseline(found('a', 'b', 'c'), entries('c', 'a'));
    expect(c).toEqual({ states: ['unchanged', 'new', 'unchanged'], new: 1, unchanged: 2, updated: 0, absent: 0, notCompared: 0 });
  });

  it('counts baseline ids no finding has as absent, each once however often the baseline repeats it', () => {
    expect(compareWithBaseline(found('a'), entries('a', 'gone', 'gone', 'also-gone'))).toMatchObject({ new: 0, unchanged: 1, absent: 2 });
  });

  it('an empty baseline makes every finding new; no findings make every baseline id absent', () => {
    expect(compareWithBaseline(found('a', 'b'), [])).toEqual({ states: ['new', 'new'], new: 2, unchanged: 0, updated: 0, absent: 0, notCompared: 0 });
    expect(compareWithBaseline([], entries('a', 'b'))).toEqual({ states: [], new: 0, unchanged: 0, updated: 0, absent: 2, notCompared: 0 });
  });

  it('compares ids exactly: no trimming, no case folding', () => {
    expect(compareWithBaseline(found('abc'), entries('ABC', ' abc')).states).toEqual(['new']);
  });

  it('a finding the baseline held at a lower severity is updated; at the same or a higher one, or with none given, unchanged', () => {
    const now = [
      { id: 'nearer-expiry', severity: 'critical' as Severity },
      { id: 'same', severity: 'high' as Severity },
      { id: 'eased', severity: 'medium' as Severity },
      { id: 'old-report', severity: 'critical' as Severity },
    ];
    const before = [{ id: 'nearer-expiry', severity: 'high' as Severity }, { id: 'same', severity: 'high' as Severity }, { id: 'eased', severity: 'critical' as Severity }, { id: 'old-report' }];
    expect(compareWithBaseline(now, before)).toEqual({ states: ['updated', 'unchanged', 'unchanged', 'unchanged'], new: 0, unchanged: 3, updated: 1, absent: 0, notCompared: 0 });
  });
});

describe('applyBaseline', () => {
  const report = buildReport([finding('known-high', 'high'), finding('new-medium', 'medium'), finding('known-critical', 'critical')], 3, NOW);
  const baselined = applyBaseline(report, { file: 'baseline.json', entries: entries('known-high', 'known-critical', 'fixed') });

  it('adds baselineState to each finding and summary.baseline, and changes nothing else', () => {
    expect(baselined.findings.map((f) => f.baselineState)).toEqual(['unchanged', 'new', 'unchanged']);
    expect(baselined.summary.baseline).toEqual({ file: 'baseline.json', new: 1, unchanged: 2, updated: 0, absent: 1 });
    const { baseline: _b, ...summary } = baselined.summary;
    expect({ ...baselined, summary, findings: baselined.findings.map(({ baselineState: _s, ...f }) => f) }).toEqual(report);
    // The report it was given is left as it was (the CLI may still need it).
    expect(formatJson(report)).not.toMatch(/baseline/);
  });

  it('puts the added fields last, so a reader of the old layout sees the same keys in the same order', () => {
    expect(Object.keys(baselined.findings[0]!)).toEqual([...Object.keys(report.findings[0]!), 'baselineState']);
    expect(Object.keys(baselined.summary)).toEqual([...Object.keys(report.summary), 'baseline']);
  });

  it('--fail-on counts only new findings', () => {
    // Without a baseline the critical finding fails every threshold.
    expect(failsAt(report, 'critical')).toBe(true);
    expect(failsAt(baselined, 'critical')).toBe(false);
    expect(failsAt(baselined, 'high')).toBe(false);
    expect(failsAt(baselined, 'medium')).toBe(true);
    expect(failsAt(baselined, 'never')).toBe(false);
  });

  it('--fail-on counts a finding that grew more severe since the baseline, and the summary line says so', () => {
    const worse = applyBaseline(report, { file: 'baseline.json', entries: [{ id: 'known-high', severity: 'medium' }, { id: 'known-critical', severity: 'critical' }, { id: 'new-medium' }] });
    expect(worse.findings.map((f) => f.baselineState)).toEqual(['updated', 'unchanged', 'unchanged']);
    expect(failsAt(worse, 'high')).toBe(true);
    expect(failsAt(worse, 'critical')).toBe(false);
    expect(summaryLine(worse)).toBe('3 findings (1 critical, 1 high, 1 medium) across 3 resources; 0 new, 1 more severe, 2 known and 0 fixed since baseline.json');
    expect(formatTable(worse, { color: false })).toContain('orders.yaml:4  [more severe than in the baseline]');
  });

  it('the summary line adds new, known and fixed only with a baseline', () => {
    expect(summaryLine(report)).toBe('3 findings (1 critical, 1 high, 1 medium) across 3 resources');
    expect(summaryLine(baselined)).toBe('3 findings (1 critical, 1 high, 1 medium) across 3 resources; 1 new, 2 known and 1 fixed since baseline.json');
  });

  it('the table tags known findings in words, dimmed only with colour, and lists new ones first', () => {
    const both = buildReport([finding('known-1', 'high', 'one'), finding('new-2', 'high', 'two')], 2, NOW);
    const table = formatTable(applyBaseline(both, { file: 'b.json', entries: entries('known-1') }), { color: false });
    const rows = table.split('\n').filter((l) => l.startsWith('  mtls-not-strict'));
    expect(rows).toEqual(['  mtls-not-strict           Deployment orders/two:8080  orders.yaml:4', '  mtls-not-strict           Deployment orders/one:8080  orders.yaml:4  [known]']);
    expect(table).toContain('HIGH (2, 1 known)\n');
    const colored = formatTable(applyBaseline(both, { file: 'b.json', entries: entries('known-1') }), { color: true });
    expect(colored).toContain('\x1b[2m[known]\x1b[0m');
    // No baseline: no tag, the header as it was.
    expect(formatTable(both, { color: false })).not.toMatch(/known/);
  });

  it('SARIF results carry baselineState only with a baseline, every one of them then', () => {
    const options = { baseDir: process.cwd(), toolVersion: '1.0.0' };
    // The findings' file must exist to become results, not notifications.
    const located = (r: typeof report) => ({ ...r, findings: r.findings.map((f) => ({ ...f, resource: { ...f.resource, file: 'package.json' } })) });
    const plain = JSON.parse(formatSarif(located(report), options));
    expect(plain.runs[0].results.map((r: { baselineState?: string }) => r.baselineState)).toEqual([undefined, undefined, undefined]);
    expect(plain.runs[0].properties).toBeUndefined();
    const sarif = JSON.parse(formatSarif(located(baselined), options));
    expect(sarif.runs[0].results.map((r: { baselineState?: string }) => r.baselineState)).toEqual(['unchanged', 'new', 'unchanged']);
    expect(sarif.runs[0].properties).toEqual({ baseline: { file: 'baseline.json', new: 1, unchanged: 2, updated: 0, absent: 1 } });
  });

  it('SARIF notifications (findings without a file here) carry the state in their properties', () => {
    const live = applyBaseline(buildReport([{ ...finding('arn-1', 'high'), resource: { kind: 'Certificate', name: 'api', file: 'arn:aws:acm:us-west-2:1:certificate/x' } }], 1, NOW), { file: 'b.json', entries: [] });
    const sarif = JSON.parse(formatSarif(live, { baseDir: process.cwd(), toolVersion: '1.0.0' }));
    expect(sarif.runs[0].results).toEqual([]);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications[0].properties).toMatchObject({ id: 'arn-1', baselineState: 'new' });
  });
});

describe('a SARIF log as baseline, over code scanning\'s result limit', () => {
  it('knows the findings the log left out, with their severities, so the same fleet has nothing new', () => {
    const many = Array.from({ length: 25_003 }, (_, i) => ({ ...finding(`id-${i}`, i < 3 ? 'low' : 'high'), resource: { ...finding('x', 'high').resource, file: 'package.json' } }));
    const report = buildReport(many, many.length, NOW);
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-sarif-baseline-'));
    try {
      const file = join(dir, 'results.sarif');
      writeFileSync(file, formatSarif(report, { baseDir: process.cwd(), toolVersion: '1.0.0' }));
      const entries = readBaseline(file);
      expect(entries).toHaveLength(25_003);
      // The least severe were left out, and come back with their severity.
      expect(entries.filter((e) => e.severity === 'low').map((e) => e.id).sort()).toEqual(['id-0', 'id-1', 'id-2']);
      expect(applyBaseline(report, { file, entries }).summary.baseline).toMatchObject({ new: 0, updated: 0, unchanged: 25_003, absent: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
