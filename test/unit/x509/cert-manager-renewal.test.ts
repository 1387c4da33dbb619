/**
 * What cert-manager says about renewing a certificate, in its expiry findings: a renewal that
 * keeps failing is the thing to fix (Ready stays True until expiry, so the failure shows in
 * failedIssuanceAttempts and the Issuing condition), a planned one tells whether waiting is
 * enough, and a renewal time passed without a new certificate says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

const NOW = new Date('2026-11-26T00:00:00Z');

/** A cert-manager Certificate for orders-api, issued 2026-09-11 for 90 days, with `status` lines added. */
function certificate(statusLines: string[]): string {
  return [
    'apiVersion: cert-manager.io/v1',
    'kind: Certificate',
    'metadata:',
    '  name: orders-api-tls',
    '  namespace: orders',
    'spec:',
    '  secretName: orders-api-tls',
    '  commonName: orders-api.orders.svc.cluster.local',
    '  dnsNames: [orders-api.orders.svc.cluster.local]',
    '  duration: 2160h0m0s',
    '  renewBefore: 360h0m0s',
    '  issuerRef: {name: prod-mesh-ca, kind: ClusterIssuer, group: cert-manager.io}',
    'status:',
    '  notBefore: "2026-09-11T00:00:00Z"',
    '  notAfter: "2026-12-10T00:00:00Z"',
    ...statusLines,
    '',
  ].join('\n');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-cert-manager-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function expiring(text: string) {
  writeFileSync(join(dir, 'certificate.yaml'), text);
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
  const findings = report.findings.filter((f) => f.rule === 'cert-expiring');
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('cert-manager renewal in expiry findings', () => {
  test('failed issuance attempts: the message says renewal is stuck and why, and the detail keeps it', async () => {
    const finding = await expiring(
      certificate([
        '  renewalTime: "2026-11-25T00:00:00Z"',
        '  failedIssuanceAttempts: 2',
        '  lastFailureTime: "2026-11-25T06:00:01Z"',
        '  conditions:',
        '    - {type: Ready, status: "True", reason: Ready, message: Certificate is up to date and has not expired}',
        "    - {type: Issuing, status: \"False\", reason: Failed, message: 'The certificate request has failed to complete and will be retried: Vault failed to sign: permission denied'}",
      ]),
    );
    expect(finding.message).toBe(
      'The certificate for orders-api.orders.svc.cluster.local in Certificate orders/orders-api-tls expires in 14 days (2026-12-10T00:00:00.000Z); cert-manager is not renewing it (2 failed issuance attempts, the last at 2026-11-25T06:00:01Z: The certificate request has failed to complete and will be retried: Vault failed to sign: permission denied); fix that, or renew it before then.',
    );
    expect(finding.detail.renewal).toEqual({ by: 'cert-manager', at: '2026-11-25T00:00:00.000Z', blocked: expect.stringContaining('2 failed issuance attempts') });
  });

  test('not Ready: the reason and message cert-manager gives', async () => {
    const finding = await expiring(certificate(['  conditions:', '    - {type: Ready, status: "False", reason: DoesNotExist, message: Issuing certificate as Secret does not exist}']));
    expect(finding.message).toContain('cert-manager is not renewing it (not Ready (DoesNotExist): Issuing certificate as Secret does not exist); fix that, or renew it before then.');
  });

  const READY = ['  conditions:', '    - {type: Ready, status: "True", reason: Ready, message: Certificate is up to date and has not expired}'];

  test('Ready, with its renewal still ahead: no finding until the renewal time has passed, as for istio-agent', async () => {
    // istio-csr's istiod certificate lives an hour and renews at 30 minutes: it was critical on every run.
    writeFileSync(join(dir, 'certificate.yaml'), certificate(['  renewalTime: "2026-11-30T00:00:00Z"', ...READY]));
    const inventory = await collectFiles([dir]);
    expect(auditInventory(inventory, { policy: shippedPolicy(), now: NOW }).findings).toEqual([]);
    // A day after the renewal time, with the status unchanged: cert-manager has not renewed it.
    const late = auditInventory(inventory, { policy: shippedPolicy(), now: new Date('2026-12-01T00:00:00Z') }).findings;
    expect(late.map((f) => f.message)).toEqual([expect.stringMatching(/; cert-manager was to renew it on 2026-11-30T00:00:00\.000Z and has not; renew it before then\.$/)]);
  });

  test('a renewal time without a Ready condition: reported, and the message says when waiting is enough', async () => {
    const finding = await expiring(certificate(['  renewalTime: "2026-11-30T00:00:00Z"']));
    expect(finding.message).toMatch(/expires in 14 days \(2026-12-10T00:00:00\.000Z\); cert-manager means to renew it on 2026-11-30T00:00:00\.000Z\.$/);
  });

  test('a renewal under way (Issuing True): the message says so instead of asking for a renewal by hand', async () => {
    const finding = await expiring(
      certificate(['  renewalTime: "2026-11-25T00:00:00Z"', ...READY, '    - {type: Issuing, status: "True", reason: Renewing, message: Renewing certificate as renewal was scheduled at 2026-11-25 00:00:00 +0000 UTC}']),
    );
    expect(finding.message).toMatch(/; cert-manager is issuing a new one now; if it does not arrive, find out why \(its CertificateRequest, its issuer\), or renew it before then\.$/);
  });

  test('Ready False because it expired: said plainly, not "not Ready (Expired)"', async () => {
    writeFileSync(join(dir, 'certificate.yaml'), certificate(['  conditions:', '    - {type: Ready, status: "False", reason: Expired, message: Certificate expired on Sun, 29 Nov 2026 00:00:00 UTC}']));
    const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-12-11T00:00:00Z') });
    expect(report.findings.map((f) => [f.rule, f.message])).toEqual([['cert-expired', expect.stringContaining('cert-manager is not renewing it (no new certificate was issued before this one expired (Ready False, Expired)); fix that')]]);
  });

  test('a renewal time passed without a new certificate and without a recorded failure', async () => {
    const finding = await expiring(certificate(['  renewalTime: "2026-11-25T00:00:00Z"']));
    expect(finding.message).toMatch(/; cert-manager was to renew it on 2026-11-25T00:00:00\.000Z and has not; renew it before then\.$/);
  });

  test('no renewal in the status: the message is as for any certificate', async () => {
    const finding = await expiring(certificate([]));
    expect(finding.message).toMatch(/; renew it before then\.$/);
    expect(finding.detail.renewal).toBeUndefined();
  });
});
