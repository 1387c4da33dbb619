import type { AuditReport } from './report';

/** CONTRACT.md `--format json`: the report object, exactly. */
export function formatJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
