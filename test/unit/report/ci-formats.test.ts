import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../functions/core/findings';
import { formatGithub, githubStepSummary, SUMMARY_BYTES } from '../../../functions/core/report/format-github';
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
    const row = githubStepSummary(buildReport([odd], 1, NOW), { files: new ReportFiles(process.cwd()) })!.split('\n').find((l) => l.startsWith('| critical'))!;
    expect(row).toBe('| critical | cert-expiring | Certificate a\\|b &lt;img src=x&gt; | arn:aws:acm:us-east-1:111122223333:certificate/8c1b2f40-5e8d-4a43-9c4e-2f7b0c3d1a95 | x \\| y\\\\x0az |');
  });

  it('stops the step summary short of GitHub\'s 1 MiB limit and counts what it left out', () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({ ...ACM_EXPIRING, id: `id-${i}`, message: `${ACM_EXPIRING.message} ${'x'.repeat(120)}` }));
    const summary = githubStepSummary(buildReport(many, 6000, NOW), { files: new ReportFiles(process.cwd()) })!;
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    const rows = summary.split('\n').filter((l) => l.startsWith('| critical')).length;
    expect(rows).toBeGreaterThan(1000);
    expect(summary).toContain(`${6000 - rows} more findings left out of this summary (GitHub limits its size); the step's log has them all.`);
  });
  it('counts what the step summary file already holds, so a second run in one step keeps it under the limit', () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({ ...ACM_EXPIRING, id: `id-${i}`, message: `${ACM_EXPIRING.message} ${'x'.repeat(120)}` }));
    const report = buildReport(many, 6000, NOW);
    const first = githubStepSummary(buildReport(many.slice(0, 2000), 2000, NOW), { files: new ReportFiles(process.cwd()) })!;
    expect(first).not.toContain('left out');
    const second = githubStepSummary(report, { files: new ReportFiles(process.cwd()), usedBytes: Buffer.byteLength(first) })!;
    expect(Buffer.byteLength(first) + Buffer.byteLength(second)).toBeLessThan(1024 * 1024);
    expect(second).toContain('more findings left out of this summary');
    // A file already at the limit gets nothing: GitHub would drop the whole summary.
    expect(githubStepSummary(report, { files: new ReportFiles(process.cwd()), usedBytes: SUMMARY_BYTES - 100 })).toBeUndefined();
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

  it('keeps the line of a finding in a file outside the project, beside the path as given', () => {
    const outside = { ...ACM_EXPIRING, resource: { kind: 'PeerAuthentication', name: 'default', namespace: 'orders', file: '../platform/orders/policy.yaml', line: 35 } };
    const [issue] = JSON.parse(formatGitlab(buildReport([outside], 1, NOW), { baseDir: process.cwd() }));
    expect(issue.location).toEqual({ path: '../platform/orders/policy.yaml', lines: { begin: 35 } });
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
  // Files are named from the repository root, here the temporary directory.
  const junit = (report: ReturnType<typeof buildReport>) => formatJunit(report, { files: new ReportFiles(dir) });
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
    const suites = parse(junit(buildReport([PERMISSIVE, ACM_EXPIRING], 2, NOW)));
    expect(suites).toMatchObject({ tests: '2', failures: '2', errors: '0', time: '0' });
    expect(suites.testsuite).toMatchObject({ tests: '2', failures: '2', errors: '0', skipped: '0', time: '0', timestamp: NOW.toISOString() });
    // In the report's order (buildReport keeps it; the engine sorts by severity).
    const cases = suites.testsuite.testcase;
    expect(cases).toHaveLength(2);
    expect(cases[1]).toMatchObject({ classname: 'meshgov.cert-expiring', name: `Certificate payments.prod.example.com [${ACM_EXPIRING.id}]`, time: '0', failure: { type: 'critical' } });
    // An ARN is no file here: it is named in the failure, not as the case's file.
    expect(cases[1].file).toBeUndefined();
    expect(cases[1].failure['#text']).toContain(`at ${ACM_EXPIRING.resource.file}`);
    expect(cases[0]).toMatchObject({ classname: 'meshgov.mtls-not-strict', name: 'Deployment checkout/cart:8080 [2887ad86134b61f7cf88e71d]', file: 'checkout & <co>.yaml', line: '12' });
    // The escape sequence is shown escaped: XML 1.0 cannot hold the control character.
    expect(cases[0].failure.message).toBe('Deployment checkout/cart port 8080 accepts plaintext as well as mTLS (PERMISSIVE, set by "default" \\x1b[31m <here>); require mTLS (STRICT).');
    expect(cases[0].failure['#text']).toContain('fix [auto] istio.peerauthentication.set-strict: preconditions hold');
    expect(cases[0].failure['#text']).toContain('id 2887ad86134b61f7cf88e71d');
  });

  it('skips the findings a baseline holds, so only new ones fail', () => {
    const report = applyBaseline(buildReport([PERMISSIVE, ACM_EXPIRING], 2, NOW), { file: 'baseline.json', entries: [{ id: ACM_EXPIRING.id }] });
    const suites = parse(junit(report));
    expect(suites.testsuite).toMatchObject({ tests: '2', failures: '1', skipped: '1' });
    expect(suites.testsuite.testcase[0].failure).toBeDefined();
    expect(suites.testsuite.testcase[1].skipped.message).toBe(`known: the baseline holds finding ${ACM_EXPIRING.id}`);
  });

  it('names every case by its resource and id, so a case keeps its name when another finding on the resource appears or its severity changes', () => {
    const alone = parse(junit(buildReport([PERMISSIVE], 1, NOW))).testsuite.testcase.map((c: { name: string }) => c.name);
    const second = { ...PERMISSIVE, id: 'ffffffffffffffffffffffff' };
    const both = parse(junit(buildReport([{ ...PERMISSIVE, severity: 'critical' }, second], 1, NOW))).testsuite.testcase.map((c: { name: string }) => c.name);
    expect(both).toEqual([...alone, 'Deployment checkout/cart:8080 [ffffffffffffffffffffffff]']);
  });

  it('shows U+FFFE, U+FFFF and unpaired surrogates escaped: XML 1.0 has no such characters, and a parser would refuse the whole report', () => {
    const odd = { ...PERMISSIVE, resource: { ...PERMISSIVE.resource, name: 'cart\ufffex\uffffy\ud800z' }, message: 'bad \uffff here' };
    const xml = junit(buildReport([odd], 1, NOW));
    expect(xml).not.toMatch(/[\ufffe\uffff\ud800-\udfff]/);
    const [c] = parse(xml).testsuite.testcase;
    expect(c.name).toBe('Deployment checkout/cart\\ufffex\\uffffy\\ud800z:8080 [2887ad86134b61f7cf88e71d]');
    expect(c.failure.message).toBe('bad \\uffff here');
  });

  it('names a file by its path in the repository, a TAB in it as a character reference; a file outside it or standard input has no file attribute', () => {
    const tabbed = join(dir, 'tab\there.yaml');
    writeFileSync(tabbed, 'apiVersion: security.istio.io/v1\n');
    const outside = mkdtempSync(join(tmpdir(), 'meshgov-junit-outside-'));
    const elsewhere = join(outside, 'pa.yaml');
    writeFileSync(elsewhere, 'apiVersion: security.istio.io/v1\n');
    try {
      const report = buildReport([{ ...PERMISSIVE, resource: { ...PERMISSIVE.resource, file: tabbed } }, { ...PERMISSIVE, id: 'b'.repeat(24), resource: { ...PERMISSIVE.resource, file: elsewhere } }, { ...PERMISSIVE, id: 'c'.repeat(24), resource: { ...PERMISSIVE.resource, file: '/dev/stdin' } }], 3, NOW);
      const xml = junit(report);
      expect(xml).toContain('file="tab&#9;here.yaml"');
      const cases = parse(xml).testsuite.testcase;
      // fast-xml-parser leaves numeric character references as written; an XML parser reads &#9; as the TAB.
      const decoded = (v?: string) => v?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
      expect(cases.map((c: { file?: string }) => decoded(c.file))).toEqual(['tab\there.yaml', undefined, undefined]);
      expect(cases[1].failure['#text']).toContain(`at ${elsewhere}:12`);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('is one passing case when there is no finding', () => {
    const suites = parse(junit(buildReport([], 7, NOW)));
    expect(suites.testsuite).toMatchObject({ tests: '1', failures: '0', skipped: '0' });
    expect(suites.testsuite.testcase).toEqual([{ classname: 'meshgov', name: '0 findings across 7 resources', time: '0' }]);
  });
});

