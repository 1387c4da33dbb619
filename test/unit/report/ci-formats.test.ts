import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../functions/core/findings';
import { formatGithub, githubStepSummary } from '../../../functions/core/report/format-github';
import { ReportFiles } from '../../../functions/core/report/report-files';
import { formatGitlab } from '../../../functions/core/report/format-gitlab';
import { formatJunit } from '../../../functions/core/report/format-junit';
import { applyBaseline } from '../../../functions/core/report/baseline';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildReport } from '../../../functions/core/report/report';

const NOW = new Date('2026-11-26T00:00:00Z');

/** An ACM certificate as the ACM source reports it: its ARN stands where a file would. */
const ACM_EXPIRING: Finding = {
  id: '5d0c6f7e9a1b2c3d4e5f6a7b',
  rule: 'cert-expiring',
  severity: 'critical',
  provider: 'acm',
  resource: { kind: 'Certificate', name: 'payments.prod.example.com', file: 'arn:aws:acm:us-east-1:111122223333:certificate/8c1b2f40-5e8d-4a43-9c4e-2f7b0c3d1a95' },
  message: 'Certificate payments.prod.example.com expires on 2026-11-30T12:00:00.000Z, in 4 days.',
  detail: { daysLeft: 4 },
  remediation: null,
};

describe('formatGithub', () => {
  it('annotates a finding with no file in the repository without a location, and says where it is in the message', () => {
    const out = formatGithub(buildReport([ACM_EXPIRING], 1, NOW), { files: new ReportFiles(process.cwd()) }).split('\n');
    expect(out[0]).toBe(
      '::error title=meshgov cert-expiring (critical)::Certificate payments.prod.example.com expires on 2026-11-30T12:00:00.000Z, in 4 days.%0Aat arn:aws:acm:us-east-1:111122223333:certificate/8c1b2f40-5e8d-4a43-9c4e-2f7b0c3d1a95',
    );
    expect(out[1]).toBe('1 finding (1 critical) across 1 resource');
  });

  it('gives low and info findings as notices', () => {
    const out = formatGithub(buildReport([{ ...ACM_EXPIRING, severity: 'low' }, { ...ACM_EXPIRING, id: 'b', severity: 'info' }], 1, NOW), { files: new ReportFiles(process.cwd()) });
    expect(out.split('\n').filter((l) => l.startsWith('::notice title=meshgov cert-expiring (')).length).toBe(2);
  });

  it('keeps text from the inputs inside its table cell in the step summary', () => {
    const odd = { ...ACM_EXPIRING, resource: { ...ACM_EXPIRING.resource, name: 'a|b <img src=x>' }, message: 'x | y\nz' };
    const row = githubStepSummary(buildReport([odd], 1, NOW), { files: new ReportFiles(process.cwd()) }).split('\n').find((l) => l.startsWith('| critical'))!;
    expect(row).toBe('| critical | cert-expiring | Certificate a\\|b &lt;img src=x&gt; | arn:aws:acm:us-east-1:111122223333:certificate/8c1b2f40-5e8d-4a43-9c4e-2f7b0c3d1a95 | x \\| y\\\\x0az |');
  });

  it('stops the step summary short of GitHub\'s 1 MiB limit and counts what it left out', () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({ ...ACM_EXPIRING, id: `id-${i}`, message: `${ACM_EXPIRING.message} ${'x'.repeat(120)}` }));
    const summary = githubStepSummary(buildReport(many, 6000, NOW), { files: new ReportFiles(process.cwd()) });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    const rows = summary.split('\n').filter((l) => l.startsWith('| critical')).length;
    expect(rows).toBeGreaterThan(1000);
    expect(summary).toContain(`${6000 - rows} more findings left out of this summary (GitHub limits its size); the step's log has them all.`);
  });
});

describe('formatGitlab', () => {
  it('keeps the source of a finding with no file in the project as its path, at line 1', () => {
    const [issue] = JSON.parse(formatGitlab(buildReport([ACM_EXPIRING], 1, NOW), { baseDir: process.cwd() }));
    expect(issue).toEqual({
      type: 'issue',
      check_name: 'cert-expiring',
      description: ACM_EXPIRING.message,
      categories: ['Security'],
      fingerprint: ACM_EXPIRING.id,
      severity: 'critical',
      location: { path: ACM_EXPIRING.resource.file, lines: { begin: 1 } },
    });
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'major'],
    ['medium', 'minor'],
    ['low', 'info'],
    ['info', 'info'],
  ] as const)('gives a %s finding GitLab severity %s', (severity, expected) => {
    const [issue] = JSON.parse(formatGitlab(buildReport([{ ...ACM_EXPIRING, severity }], 1, NOW), { baseDir: process.cwd() }));
    expect(issue.severity).toBe(expected);
  });
});

describe('formatJunit', () => {
  const parse = (xml: string) => {
    expect(XMLValidator.validate(xml)).toBe(true);
    return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(xml).testsuites;
  };
  // A file that exists, with a name XML must escape: only a file here becomes the case's `file`.
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-junit-'));
  const policyFile = join(dir, 'checkout & <co>.yaml');
  writeFileSync(policyFile, 'apiVersion: security.istio.io/v1\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const PERMISSIVE: Finding = {
    id: '2887ad86134b61f7cf88e71d',
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'istio',
    resource: { kind: 'Deployment', name: 'cart', namespace: 'checkout', port: 8080, file: policyFile, line: 12 },
    message: 'Deployment checkout/cart port 8080 accepts plaintext as well as mTLS (PERMISSIVE, set by "default" \u001b[31m <here>); require mTLS (STRICT).',
    detail: {},
    remediation: { action: 'istio.peerauthentication.set-strict', mode: 'auto', reason: 'preconditions hold', change: {} },
  };

  it('is well-formed XML with a failed case per finding, whatever the inputs hold', () => {
    const suites = parse(formatJunit(buildReport([PERMISSIVE, ACM_EXPIRING], 2, NOW)));
    expect(suites).toMatchObject({ tests: '2', failures: '2', skipped: '0' });
    // In the report's order (buildReport keeps it; the engine sorts by severity).
    const cases = suites.testsuite.testcase;
    expect(cases).toHaveLength(2);
    expect(cases[1]).toMatchObject({ classname: 'meshgov.cert-expiring', name: 'Certificate payments.prod.example.com [critical]', failure: { type: 'critical' } });
    // An ARN is no file here: it is named in the failure, not as the case's file.
    expect(cases[1].file).toBeUndefined();
    expect(cases[1].failure['#text']).toContain(`at ${ACM_EXPIRING.resource.file}`);
    expect(cases[0]).toMatchObject({ classname: 'meshgov.mtls-not-strict', name: 'Deployment checkout/cart:8080 [high]', file: policyFile, line: '12' });
    // The escape sequence is shown escaped: XML 1.0 cannot hold the control character.
    expect(cases[0].failure.message).toBe('Deployment checkout/cart port 8080 accepts plaintext as well as mTLS (PERMISSIVE, set by "default" \\x1b[31m <here>); require mTLS (STRICT).');
    expect(cases[0].failure['#text']).toContain('fix [auto] istio.peerauthentication.set-strict: preconditions hold');
    expect(cases[0].failure['#text']).toContain('id 2887ad86134b61f7cf88e71d');
  });

  it('skips the findings a baseline holds, so only new ones fail', () => {
    const report = applyBaseline(buildReport([PERMISSIVE, ACM_EXPIRING], 2, NOW), { file: 'baseline.json', ids: [ACM_EXPIRING.id] });
    const suites = parse(formatJunit(report));
    expect(suites).toMatchObject({ tests: '2', failures: '1', skipped: '1' });
    expect(suites.testsuite.testcase[0].failure).toBeDefined();
    expect(suites.testsuite.testcase[1].skipped.message).toBe(`known: the baseline holds finding ${ACM_EXPIRING.id}`);
  });

  it('gives two findings on one resource their ids, so test reports keep both', () => {
    const second = { ...PERMISSIVE, id: 'ffffffffffffffffffffffff' };
    const names = parse(formatJunit(buildReport([PERMISSIVE, second], 1, NOW))).testsuite.testcase.map((c: { name: string }) => c.name);
    expect(names).toEqual([`Deployment checkout/cart:8080 [high] ${PERMISSIVE.id}`, 'Deployment checkout/cart:8080 [high] ffffffffffffffffffffffff']);
  });

  it('is one passing case when there is no finding', () => {
    const suites = parse(formatJunit(buildReport([], 7, NOW)));
    expect(suites).toMatchObject({ tests: '1', failures: '0', skipped: '0' });
    expect(suites.testsuite.testcase).toEqual([{ classname: 'meshgov', name: '0 findings across 7 resources' }]);
  });
});

