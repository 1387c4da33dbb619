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

describe('width', () => {
  const finding: Finding = {
    id: 'f-1',
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'istio',
    resource: { kind: 'Deployment', name: 'orders-api', namespace: 'orders', port: 8080, file: 'orders/pa.yaml', line: 4 },
    message: 'Deployment orders/orders-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE, set by namespace-level PeerAuthentication orders/default (orders/pa.yaml:4)); require mTLS (STRICT).',
    detail: {},
    remediation: { action: 'istio.peerauthentication.set-strict', mode: 'auto', reason: 'preconditions hold: every known client sends mTLS to the 2 affected server port(s), and all have sidecars', change: {} },
  };
  const report = buildReport([finding], 1, new Date('2026-11-26T00:00:00Z'));
  const words = (table: string) => table.replace(/\x1b\[[0-9;]*m/g, '').split(/\s+/).filter(Boolean);

  it('breaks the message and the fix at spaces under the message column, losing no word', () => {
    const table = formatTable(report, { color: true, width: 80 });
    const body = table.split('\n').slice(2, -3).map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(body.length).toBeGreaterThan(3);
    for (const line of body) {
      expect(line.length).toBeLessThanOrEqual(80);
      expect(line).toMatch(/^ {28}\S/);
    }
    expect(words(table)).toEqual(words(formatTable(report, { color: false })));
    // Each painted line is reset on itself, so a wrapped fix stays dim and nothing bleeds into the next line.
    const fix = table.split('\n').filter((l) => l.includes('\x1b[2m') && !l.startsWith('  mtls'));
    expect(fix.length).toBeGreaterThan(1);
    for (const line of fix) expect(line).toMatch(/^ {28}\x1b\[2m[^\x1b]+\x1b\[0m$/);
  });

  it('moves the message under the rule on a terminal too narrow for the column', () => {
    const table = formatTable(report, { color: false, width: 50 });
    const body = table.split('\n').slice(2, -3);
    for (const line of body) expect(line).toMatch(/^ {4}\S/);
    expect(body.filter((l) => l.length > 50 && /\s\S/.test(l.trim()))).toEqual([]);
  });

  it('puts the file and line on a line of their own when the heading would not fit (the terminal cut them mid-word)', () => {
    const table = formatTable(report, { color: true, width: 70 });
    const lines = table.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    expect(lines[1]).toBe('  mtls-not-strict           Deployment orders/orders-api:8080');
    // At 70 columns messages start under the rule (4 spaces), and so does the place.
    expect(lines[2]).toBe('    orders/pa.yaml:4');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(70);
    // Wide enough: one heading line, as before.
    expect(formatTable(report, { color: false, width: 120 }).split('\n')[1]).toBe('  mtls-not-strict           Deployment orders/orders-api:8080  orders/pa.yaml:4');
  });

  it('without a width, each message stays on one line (for grep and CI logs)', () => {
    const table = formatTable(report, { color: false });
    expect(table.split('\n')[2]).toBe(`${' '.repeat(28)}${finding.message}`);
  });
});

test('Unicode bidirectional controls from the inputs are shown escaped, so a name cannot display reversed', () => {
  const name = 'payments\u202eyyy\u2066x\u2069\u200f';
  const finding: Finding = {
    id: 'f-bidi',
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'appmesh',
    resource: { kind: 'VirtualNode', name, mesh: 'prod', port: 8080, file: 'mesh/nodes\u202e.json', line: 3 },
    message: `VirtualNode prod/${name} listener 8080 accepts plaintext`,
    detail: {},
    remediation: null,
  };
  const table = formatTable(buildReport([finding], 1, new Date('2026-11-26T00:00:00Z')), { color: false });
  expect(table).not.toMatch(/[\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/);
  expect(table).toContain('VirtualNode prod/payments\\u202eyyy\\u2066x\\u2069\\u200f:8080  mesh/nodes\\u202e.json:3');
});
