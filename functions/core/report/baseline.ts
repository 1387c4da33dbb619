import type { Finding } from '../findings';
import type { AuditReport } from './report';

/** SARIF 2.1.0 §3.27.24 values a current finding can take; "absent" ones are only counted. */
export type BaselineState = 'new' | 'unchanged';

/** `summary.baseline` of the JSON report: what the run was compared with, and how it came out. */
export interface BaselineSummary {
  /** The baseline file as the user gave it. */
  file: string;
  new: number;
  unchanged: number;
  /** Baseline ids that no finding has now: fixed (or no longer audited) since. */
  absent: number;
}

export interface BaselineComparison {
  /** The state of each finding, in the order the findings were given. */
  states: BaselineState[];
  new: number;
  unchanged: number;
  absent: number;
}

/** Compares findings with the finding ids of a previous report: ids are stable fingerprints, so equal ids are the same problem. */
export function compareWithBaseline(findings: readonly Pick<Finding, 'id'>[], baselineIds: Iterable<string>, suppressed: readonly Pick<Finding, 'id'>[] = []): BaselineComparison {
  const known = new Set(baselineIds);
  const states = findings.map((f): BaselineState => (known.has(f.id) ? 'unchanged' : 'new'));
  // A finding accepted by an annotation since is still there: not "fixed".
  const current = new Set([...findings, ...suppressed].map((f) => f.id));
  let absent = 0;
  for (const id of known) if (!current.has(id)) absent++;
  const unchanged = states.filter((s) => s === 'unchanged').length;
  return { states, new: states.length - unchanged, unchanged, absent };
}

/** The report with each finding's `baselineState` and `summary.baseline` added; nothing else changes. */
export function applyBaseline(report: AuditReport, baseline: { file: string; ids: Iterable<string> }): AuditReport {
  const comparison = compareWithBaseline(report.findings, baseline.ids, report.suppressed);
  return {
    ...report,
    findings: report.findings.map((f, i) => ({ ...f, baselineState: comparison.states[i]! })),
    summary: { ...report.summary, baseline: { file: baseline.file, new: comparison.new, unchanged: comparison.unchanged, absent: comparison.absent } },
  };
}
