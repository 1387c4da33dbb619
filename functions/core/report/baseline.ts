import type { Finding } from '../findings';
import { SEVERITIES, type Severity } from '../model/types';
import type { AuditReport } from './report';

/**
 * SARIF 2.1.0 §3.27.24 values a current finding can take; "absent" ones are only counted.
 * `updated`: the baseline held the finding at a lower severity (a certificate nearer expiry, a
 * rule whose severity was raised); it fails `--fail-on` as a new one does.
 */
export type BaselineState = 'new' | 'unchanged' | 'updated';

/** A finding of the baseline: its id, and its severity when the report gave one. */
export interface BaselineEntry {
  id: string;
  severity?: Severity;
}

/** `summary.baseline` of the JSON report: what the run was compared with, and how it came out. */
export interface BaselineSummary {
  /** The baseline file as the user gave it. */
  file: string;
  new: number;
  unchanged: number;
  /** Findings the baseline held at a lower severity. */
  updated: number;
  /** Baseline ids that no finding has now: fixed (or no longer audited) since. */
  absent: number;
}

export interface BaselineComparison {
  /** The state of each finding, in the order the findings were given. */
  states: BaselineState[];
  new: number;
  unchanged: number;
  updated: number;
  absent: number;
}

/**
 * Compares findings with the findings of a previous report: ids are stable fingerprints, so
 * equal ids are the same problem; one that has grown more severe since is `updated`.
 */
export function compareWithBaseline(
  findings: readonly Pick<Finding, 'id' | 'severity'>[],
  baseline: Iterable<BaselineEntry>,
  suppressed: readonly Pick<Finding, 'id'>[] = [],
): BaselineComparison {
  const known = new Map<string, Severity | undefined>();
  for (const entry of baseline) known.set(entry.id, entry.severity);
  const states = findings.map((f): BaselineState => {
    if (!known.has(f.id)) return 'new';
    const before = known.get(f.id);
    return before !== undefined && moreSevere(f.severity, before) ? 'updated' : 'unchanged';
  });
  // A finding accepted by an annotation since is still there: not "fixed".
  const current = new Set([...findings, ...suppressed].map((f) => f.id));
  let absent = 0;
  for (const id of known.keys()) if (!current.has(id)) absent++;
  const count = (state: BaselineState) => states.filter((s) => s === state).length;
  return { states, new: count('new'), unchanged: count('unchanged'), updated: count('updated'), absent };
}

/** SEVERITIES runs from the most severe. */
function moreSevere(now: Severity, before: Severity): boolean {
  return SEVERITIES.indexOf(now) < SEVERITIES.indexOf(before);
}

/** The report with each finding's `baselineState` and `summary.baseline` added; nothing else changes. */
export function applyBaseline(report: AuditReport, baseline: { file: string; entries: Iterable<BaselineEntry> }): AuditReport {
  const comparison = compareWithBaseline(report.findings, baseline.entries, report.suppressed);
  return {
    ...report,
    findings: report.findings.map((f, i) => ({ ...f, baselineState: comparison.states[i]! })),
    summary: {
      ...report.summary,
      baseline: { file: baseline.file, new: comparison.new, unchanged: comparison.unchanged, updated: comparison.updated, absent: comparison.absent },
    },
  };
}
