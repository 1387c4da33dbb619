import type { Finding } from '../../../functions/core/findings';
import { formatGithub, githubStepSummary } from '../../../functions/core/report/format-github';
import { formatGitlab } from '../../../functions/core/report/format-gitlab';
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
    const out = formatGithub(buildReport([ACM_EXPIRING], 1, NOW), { baseDir: process.cwd() }).split('\n');
    expect(out[0]).toBe(
      '::error title=meshgov cert-expiring (critical)::Certificate payments.prod.example.com expires on 2026-11-30T12:00:00.000Z, in 4 days.%0Aat arn:aws:acm:us-east-1:111122223333:certificate/8c1b2f40-5e8d-4a43-9c4e-2f7b0c3d1a95',
    );
    expect(out[1]).toBe('1 finding (1 critical) across 1 resource');
  });

  it('gives low and info findings as notices', () => {
    const out = formatGithub(buildReport([{ ...ACM_EXPIRING, severity: 'low' }, { ...ACM_EXPIRING, id: 'b', severity: 'info' }], 1, NOW), { baseDir: process.cwd() });
    expect(out.split('\n').filter((l) => l.startsWith('::notice title=meshgov cert-expiring (')).length).toBe(2);
  });

  it('keeps text from the inputs inside its table cell in the step summary', () => {
    const odd = { ...ACM_EXPIRING, resource: { ...ACM_EXPIRING.resource, name: 'a|b <img src=x>' }, message: 'x | y\nz' };
    const row = githubStepSummary(buildReport([odd], 1, NOW), { baseDir: process.cwd() }).split('\n').find((l) => l.startsWith('| critical'))!;
    expect(row).toBe('| critical | cert-expiring | Certificate a\\|b &lt;img src=x&gt; | arn:aws:acm:us-east-1:111122223333:certificate/8c1b2f40-5e8d-4a43-9c4e-2f7b0c3d1a95 | x \\| y\\\\x0az |');
  });

  it('stops the step summary short of GitHub\'s 1 MiB limit and counts what it left out', () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({ ...ACM_EXPIRING, id: `id-${i}`, message: `${ACM_EXPIRING.message} ${'x'.repeat(120)}` }));
    const summary = githubStepSummary(buildReport(many, 6000, NOW), { baseDir: process.cwd() });
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

