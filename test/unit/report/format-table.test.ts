import type { Finding } from '../../../functions/core/findings';
import { buildReport } from '../../../functions/core/report/report';
import { formatTable } from '../../../functions/core/report/format-table';

test('control characters from the inputs are shown escaped, so they cannot break or forge a row', () => {
  const finding: Finding = {
    id: 'f-envoy',
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'envoy',
    resource: { kind: 'Listener', name: 'ingress\nCRITICAL (0)\x1b[2K', port: 8443, file: 'edge/envoy.yaml', line: 12 },
    message: 'Listener ingress\nCRITICAL (0)\x1b[2K port 8443 accepts plaintext (a filter chain has no transport socket)',
    detail: {},
    remediation: null,
  };
  const table = formatTable(buildReport([finding], 1, new Date('2026-11-26T00:00:00Z')), { color: false });
  expect(table).not.toMatch(/\x1b/);
  expect(table.split('\n').filter((l) => l.startsWith('CRITICAL'))).toEqual([]);
  expect(table).toContain('Listener ingress\\x0aCRITICAL (0)\\x1b[2K:8443');
});
