import { resourceText, summaryLine } from './format-table';
import { printable } from './printable';
import type { AuditReport, ReportedFinding } from './report';
import { ReportFiles } from './report-files';

/**
 * `--format junit`: JUnit XML, which Jenkins, Azure Pipelines, CircleCI and GitLab's test
 * reports read. One test case per finding, failed, named by its rule and resource; a finding
 * the `--baseline` already holds is a skipped case, so only new ones fail the test report as they
 * fail `--fail-on`. A fleet without findings is one passing case, so the report is never empty.
 */
export function formatJunit(report: AuditReport): string {
  const failed = report.findings.filter((f) => f.baselineState !== 'unchanged').length;
  const skipped = report.findings.length - failed;
  // Test reports key cases by class and name: two findings on one resource (a rule toward two hosts) get their ids.
  const names = new Map<string, number>();
  for (const f of report.findings) names.set(nameOf(f), (names.get(nameOf(f)) ?? 0) + 1);
  // Only a file here is a `file` attribute (an ARN or an API path stays in the failure text).
  const files = new ReportFiles(process.cwd());
  const cases = report.findings.map((f) => testCase(f, names.get(nameOf(f))! > 1, f.resource.file !== undefined && files.local(f.resource.file) !== undefined));
  if (cases.length === 0) cases.push(`    <testcase classname="meshgov" name="${attribute(summaryLine(report))}"/>`);
  const tests = Math.max(1, report.findings.length);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="meshgov" tests="${tests}" failures="${failed}" skipped="${skipped}" timestamp="${report.generatedAt}">`,
    `  <testsuite name="meshgov audit" tests="${tests}" failures="${failed}" errors="0" skipped="${skipped}" timestamp="${report.generatedAt}">`,
    `    <properties><property name="summary" value="${attribute(summaryLine(report))}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function nameOf(f: ReportedFinding): string {
  return `${f.rule}\u0000${resourceText(f)} [${f.severity}]`;
}

function testCase(f: ReportedFinding, shared: boolean, local: boolean): string {
  const where = f.resource.file ? `${f.resource.file}${f.resource.line !== undefined ? `:${f.resource.line}` : ''}` : undefined;
  const name = `${resourceText(f)} [${f.severity}]${shared ? ` ${f.id}` : ''}`;
  const at = local ? ` file="${attribute(f.resource.file!)}"${f.resource.line !== undefined ? ` line="${f.resource.line}"` : ''}` : '';
  const open = `    <testcase classname="meshgov.${f.rule}" name="${attribute(name)}"${at}>`;
  if (f.baselineState === 'unchanged') return `${open}<skipped message="known: the baseline holds finding ${f.id}"/></testcase>`;
  const body = [f.message, ...(where ? [`at ${where}`] : []), ...(f.remediation ? [`fix [${f.remediation.mode}] ${f.remediation.action}: ${f.remediation.reason}`] : []), `id ${f.id}`];
  return `${open}<failure type="${f.severity}" message="${attribute(f.message)}">${text(body.join('\n'))}</failure></testcase>`;
}

/** Text from the inputs in an attribute: XML markup escaped, and control characters shown escaped (XML 1.0 forbids most). */
function attribute(value: string): string {
  return text(printable(value)).replace(/"/g, '&quot;');
}

/** Element text: lines kept, everything else XML 1.0 cannot hold shown escaped. */
function text(value: string): string {
  return value
    .split('\n')
    .map((line) => printable(line))
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
