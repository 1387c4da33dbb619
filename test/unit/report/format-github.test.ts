import type { Finding } from '../../../functions/core/findings';
import { formatGithub } from '../../../functions/core/report/format-github';
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
});
