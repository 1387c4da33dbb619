import { resourceText, summaryLine } from './format-table';
import { printable } from './printable';
import type { AuditReport, ReportedFinding } from './report';
import type { ReportFiles } from './report-files';

export interface JunitOptions {
  /** The findings' files relative to the repository root, as GitLab's test report links them. */
  files: ReportFiles;
}

/**
 * `--format junit`: JUnit XML, which Jenkins, Azure Pipelines, CircleCI and GitLab's test
 * reports read. One test case per finding, failed, named by its resource and its stable id (test
 * reports follow a case across runs by class and name, so the name must not change while the
 * finding stands); the class is the rule. A finding the `--baseline` already holds is a skipped
 * case, so only new ones fail the test report as they fail `--fail-on`. A fleet without findings
 * is one passing case, so the report is never empty. Attributes are those Jenkins' xUnit schema
 * allows where they are (`skipped` and `timestamp` on the suite only); a finding takes no time.
 */
export function formatJunit(report: AuditReport, options: JunitOptions): string {
  const failed = report.findings.filter((f) => f.baselineState !== 'unchanged').length;
  const skipped = report.findings.length - failed;
  const cases = report.findings.map((f) => testCase(f, options.files.repositoryPath(f.resource.file)));
  if (cases.length === 0) cases.push(`    <testcase classname="meshgov" name="${attribute(summaryLine(report))}" time="0"/>`);
  const tests = Math.max(1, report.findings.length);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="meshgov" tests="${tests}" failures="${failed}" errors="0" time="0">`,
    `  <testsuite name="meshgov audit" tests="${tests}" failures="${failed}" errors="0" skipped="${skipped}" time="0" timestamp="${report.generatedAt}">`,
    `    <properties><property name="summary" value="${attribute(summaryLine(report))}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** `repositoryPath`: the finding's file inside the repository, the only kind a `file` attribute names (not an ARN, an API path or standard input). */
function testCase(f: ReportedFinding, repositoryPath: string | undefined): string {
  const where = f.resource.file ? `${f.resource.file}${f.resource.line !== undefined ? `:${f.resource.line}` : ''}` : undefined;
  const file = repositoryPath !== undefined ? fileAttribute(repositoryPath) : undefined;
  const at = file !== undefined ? ` file="${file}"${f.resource.line !== undefined ? ` line="${f.resource.line}"` : ''}` : '';
  const open = `    <testcase classname="meshgov.${f.rule}" name="${attribute(`${resourceText(f)} [${f.id}]`)}" time="0"${at}>`;
  if (f.baselineState === 'unchanged') return `${open}<skipped message="known: the baseline holds finding ${f.id}"/></testcase>`;
  const body = [f.message, ...(where ? [`at ${where}`] : []), ...(f.remediation ? [`fix [${f.remediation.mode}] ${f.remediation.action}: ${f.remediation.reason}`] : []), `severity ${f.severity}`, `id ${f.id}`];
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
    .map((line) => printable(line).replace(NOT_XML_CHAR, escapeCodeUnit))
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A file path exactly, for a report to link: characters XML holds only as references written
 * so; undefined for a path with one XML 1.0 cannot hold at all (it would name another file).
 */
function fileAttribute(file: string): string | undefined {
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(file) || HAS_NOT_XML_CHAR.test(file)) return undefined;
  return file.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Besides the controls printable() escapes, XML 1.0 (section 2.2, Char) has no U+FFFE, U+FFFF or unpaired surrogates. */
const NOT_XML_CHAR = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const HAS_NOT_XML_CHAR = new RegExp(NOT_XML_CHAR.source);

function escapeCodeUnit(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
