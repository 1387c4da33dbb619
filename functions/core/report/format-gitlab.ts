import type { Severity } from '../model/types';
import type { AuditReport } from './report';
import { ReportFiles } from './report-files';

/** GitLab's scale is info, minor, major, critical, blocker: a meshgov critical (calls fail, a certificate expired) is critical. */
const SEVERITY: Record<Severity, 'info' | 'minor' | 'major' | 'critical'> = { critical: 'critical', high: 'major', medium: 'minor', low: 'info', info: 'info' };

export interface GitlabOptions {
  /** Directory that paths are made relative to: the project root, as GitLab reads them. */
  baseDir: string;
}

/**
 * `--format gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality:`), which
 * the merge request widget and diff show. GitLab compares the report with the target branch's by
 * `fingerprint`, here the finding's stable id, so a finding keeps its identity across runs.
 *
 * A finding with no file in the project (ACM, a live object) keeps its source (an ARN, an API
 * path) as `location.path`: GitLab lists it, without a link.
 */
export function formatGitlab(report: AuditReport, options: GitlabOptions): string {
  const files = new ReportFiles(options.baseDir);
  const issues = report.findings.map((f) => {
    const inProject = files.repositoryPath(f.resource.file);
    const description = f.remediation ? `${f.message} Fix [${f.remediation.mode}] ${f.remediation.action}: ${f.remediation.reason}` : f.message;
    return {
      type: 'issue',
      check_name: f.rule,
      description,
      categories: ['Security'],
      fingerprint: f.id,
      severity: SEVERITY[f.severity],
      location: {
        path: inProject ?? f.resource.file ?? `${f.resource.kind}/${f.resource.name}`,
        // A file outside the project still has its line, which the report's reader can open.
        lines: { begin: Math.max(1, f.resource.line ?? 1) },
      },
    };
  });
  return `${JSON.stringify(issues, null, 2)}\n`;
}
