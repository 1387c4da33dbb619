import type { Finding } from '../findings';
import { SEVERITIES, type Severity } from '../model/types';
import type { SuppressedFinding } from '../rules/apply-suppressions';
import type { BaselineState, BaselineSummary } from './baseline';

/** A finding as reported; compared with a baseline (`--baseline`), it also says whether it is new. */
export interface ReportedFinding extends Finding {
  baselineState?: BaselineState;
}

/** The JSON report of CONTRACT.md, version 1. */
export interface AuditReport {
  version: 1;
  generatedAt: string;
  findings: ReportedFinding[];
  summary: {
    resources: number;
    findings: number;
    bySeverity: Partial<Record<Severity, number>>;
    baseline?: BaselineSummary;
    /** Findings `suppress.meshgov.io` annotations accepted; present only when there are some. */
    suppressed?: number;
  };
  /** Those findings, with the annotation and reason that accepted each; not counted in `findings` or by `--fail-on`. */
  suppressed?: SuppressedFinding[];
}

export function buildReport(findings: Finding[], resources: number, generatedAt: Date, suppressed: SuppressedFinding[] = []): AuditReport {
  // Every severity, 0 included (CONTRACT.md's example has `"critical": 0`): a reader of
  // `bySeverity.critical` gets a number on a clean fleet too.
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const s of SEVERITIES) bySeverity[s] = 0;
  for (const f of findings) bySeverity[f.severity]!++;
  const report: AuditReport = { version: 1, generatedAt: generatedAt.toISOString(), findings, summary: { resources, findings: findings.length, bySeverity } };
  // Added only when used, so a fleet without annotations reports exactly as before.
  if (suppressed.length > 0) {
    report.summary.suppressed = suppressed.length;
    report.suppressed = suppressed;
  }
  return report;
}

const FAIL_ORDER: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * CONTRACT.md exit rule: true when a finding is at or above the `--fail-on` severity. Findings a
 * baseline already held do not count, so a fleet adopting meshgov fails only on new problems.
 */
export function failsAt(report: AuditReport, failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  const min = FAIL_ORDER.indexOf(failOn);
  return report.findings.some((f) => f.baselineState !== 'unchanged' && FAIL_ORDER.indexOf(f.severity) >= min);
}
