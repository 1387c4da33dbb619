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
  /** The finding's rule, when the report gave it: a rule turned off since is not evidence of a fix. */
  rule?: string;
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
  /** Baseline findings of rules the rules in force turn off: not compared, so not counted as fixed. Only when there are some. */
  notCompared?: number;
}

export interface BaselineComparison {
  /** The state of each finding, in the order the findings were given. */
  states: BaselineState[];
  new: number;
  unchanged: number;
  updated: number;
  absent: number;
  notCompared: number;
}

/**
 * Compares findings with the findings of a previous report: ids are stable fingerprints, so
 * equal ids are the same problem; one that has grown more severe since is `updated`.
 */
export function compareWithBaseline(
  findings: readonly Pick<Finding, 'id' | 'severity'>[],
  baseline: Iterable<BaselineEntry>,
  suppressed: readonly Pick<Finding, 'id'>[] = [],
  /** Rules not run this time (disabled): their baseline findings can be neither found nor fixed. */
  notRun: ReadonlySet<string> = new Set(),
): BaselineComparison {
  const known = new Map<string, Severity | undefined>();
  let notCompared = 0;
  for (const entry of baseline) {
    if (entry.rule !== undefined && notRun.has(entry.rule)) notCompared++;
    else known.set(entry.id, entry.severity);
  }
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
  return { states, new: count('new'), unchanged: count('unchanged'), updated: count('updated'), absent, notCompared };
}

/** SEVERITIES runs from the most severe. */
function moreSevere(now: Severity, before: Severity): boolean {
  return SEVERITIES.indexOf(now) < SEVERITIES.indexOf(before);
}

/** The report with each finding's `baselineState` and `summary.baseline` added; nothing else changes. */
export function applyBaseline(report: AuditReport, baseline: { file: string; entries: Iterable<BaselineEntry>; disabledRules?: readonly string[] }): AuditReport {
  const comparison = compareWithBaseline(report.findings, baseline.entries, report.suppressed, new Set(baseline.disabledRules));
  return {
    ...report,
    findings: report.findings.map((f, i) => ({ ...f, baselineState: comparison.states[i]! })),
    summary: {
      ...report.summary,
      baseline: {
        file: baseline.file,
        new: comparison.new,
        unchanged: comparison.unchanged,
        updated: comparison.updated,
        absent: comparison.absent,
        ...(comparison.notCompared > 0 ? { notCompared: comparison.notCompared } : {}),
      },
    },
  };
}
