import { auditModel, buildModel } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import { loadPolicy } from '../../../functions/core/policy/load';
import { acmModelBuilder, appMeshCertificateArns } from '../../../functions/providers/acm';
import { MODEL_BUILDERS } from '../../../functions/providers/model-builders';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import {
  daysFromNow,
  emulatedAcmSource,
  EDGE_CERT_ARN,
  fleetInventory,
  LEDGER_CERT_ARN,
  NOW,
  ORDERS_CERT_ARN,
  PAYMENTS_CERT_ARN,
  PCA_ARN,
} from './fixtures';

/**
 * The fleet's ACM certificates and private CA, read through the real SDK clients from the
 * emulator, audited by the core certificate rules at a fixed clock (2026-11-26T00:00Z).
 */
describe('ACM certificates and ACM-PCA CAs through the core certificate rules', () => {
  let emulator: AcmEmulator;

  beforeEach(async () => {
    emulator = await startAcmEmulator();
    emulator.seedCertificate({
      CertificateArn: PAYMENTS_CERT_ARN,
      DomainName: 'payments-api.payments.svc.cluster.local',
      CertificateAuthorityArn: PCA_ARN,
      Issuer: 'prod-mesh root CA',
      NotBefore: daysFromNow(-390),
      NotAfter: daysFromNow(5),
    });
    emulator.seedCertificateAuthority({
      Arn: PCA_ARN,
      Type: 'ROOT',
      NotBefore: daysFromNow(-3630),
      NotAfter: daysFromNow(20),
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: 'RSA_2048',
        SigningAlgorithm: 'SHA256WITHRSA',
        Subject: { CommonName: 'prod-mesh root CA', Organization: 'Example Corp', OrganizationalUnit: 'Platform', Country: 'US' },
      },
    });
    emulator.seedCertificate({
      CertificateArn: ORDERS_CERT_ARN,
      DomainName: 'orders-api.orders.svc.cluster.local',
      CertificateAuthorityArn: PCA_ARN,
      Status: 'EXPIRED',
      NotBefore: new Date('2025-10-21T00:00:00Z'),
      NotAfter: new Date('2026-11-20T00:00:00Z'),
    });
    emulator.seedCertificate({ CertificateArn: LEDGER_CERT_ARN, DomainName: 'ledger.payments.svc.cluster.local', NotBefore: daysFromNow(-30), NotAfter: daysFromNow(200) });
    emulator.seedCertificate({ CertificateArn: EDGE_CERT_ARN, DomainName: 'api.example.com', SubjectAlternativeNames: ['api.example.com', 'www.api.example.com'], NotBefore: daysFromNow(-300), NotAfter: daysFromNow(60) });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  const source = () => emulatedAcmSource(emulator);

  function findingFor(findings: Finding[], rule: string, arn: string): Finding | undefined {
    return findings.find((f) => f.rule === rule && (f.detail.origin as { arn?: string }).arn === arn);
  }

  it('reports cert-expiring (critical within 7 days, high within 30) and cert-expired with provider acm', async () => {
    const inventory = fleetInventory();
    const { certificates, problems } = await source().describeCertificates(appMeshCertificateArns(inventory));
    expect(problems).toEqual([]);
    // One DescribeCertificate per certificate and one DescribeCertificateAuthority for the CA four resources trust.
    expect(emulator.calls()).toMatchObject({ DescribeCertificate: 4, DescribeCertificateAuthority: 1 });

    const report = auditModel(acmModelBuilder(certificates, problems)(inventory, { now: NOW }), loadPolicy(), NOW);
    const certFindings = report.findings.filter((f) => f.rule.startsWith('cert-'));
    expect(certFindings.map((f) => [f.rule, f.severity, f.provider, f.resource.name])).toEqual([
      ['cert-expired', 'critical', 'acm', 'orders-api.orders.svc.cluster.local'],
      ['cert-expiring', 'critical', 'acm', 'payments-api.payments.svc.cluster.local'],
      ['cert-expiring', 'high', 'acm', 'prod-mesh root CA'],
    ]);

    const listenerCert = findingFor(certFindings, 'cert-expiring', PAYMENTS_CERT_ARN)!;
    expect(listenerCert.resource).toEqual({ kind: 'Certificate', name: 'payments-api.payments.svc.cluster.local', file: PAYMENTS_CERT_ARN, line: 1 });
    expect(listenerCert.message).toContain(PAYMENTS_CERT_ARN);
    expect(listenerCert.message).toContain('expires in 5 days');
    expect(listenerCert.detail).toMatchObject({
      daysLeft: 5,
      withinDays: 7,
      expiresAt: '2026-12-01T00:00:00.000Z',
      isCA: false,
      issuer: 'prod-mesh root CA',
      dateSource: 'ACM DescribeCertificate',
      origin: { kind: 'AcmCertificate', name: '8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48', arn: PAYMENTS_CERT_ARN },
      usedBy: [{ kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 }],
    });
    expect(listenerCert.detail.serialNumber).toMatch(/^[0-9A-F]{32}$/);

    const ca = findingFor(certFindings, 'cert-expiring', PCA_ARN)!;
    expect(ca.message).toContain('CA certificate');
    expect(ca.detail).toMatchObject({
      daysLeft: 20,
      withinDays: 30,
      isCA: true,
      subject: 'CN=prod-mesh root CA,OU=Platform,O=Example Corp,C=US',
      dateSource: 'ACM-PCA DescribeCertificateAuthority',
      origin: { kind: 'AcmPrivateCA', name: '0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b', arn: PCA_ARN },
    });
    // Everyone who trusts the CA, merged into one record.
    expect(ca.detail.usedBy).toEqual([
      { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' },
      { kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders' },
      { kind: 'VirtualNode', name: 'ledger', mesh: 'prod-mesh', namespace: 'payments' },
      { kind: 'VirtualGateway', name: 'ingress-gw', mesh: 'prod-mesh', namespace: 'ingress' },
    ]);

    const expired = findingFor(certFindings, 'cert-expired', ORDERS_CERT_ARN)!;
    expect(expired.detail).toMatchObject({ state: 'expired', daysLeft: -6, usedBy: [{ kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders', port: 8080 }] });
    expect(report.summary.resources).toBe(5);
  });

  it('sits beside the App Mesh provider in one model, without duplicate certificates', async () => {
    const inventory = fleetInventory();
    const { certificates, problems } = await source().describeCertificates(appMeshCertificateArns(inventory));
    const model = buildModel(inventory, { builders: [...MODEL_BUILDERS, acmModelBuilder(certificates, problems)], now: NOW });
    expect(model.certificates.filter((c) => c.provider === 'acm')).toHaveLength(5);
    const report = auditModel(model, loadPolicy(), NOW);
    // The App Mesh side still reports payments-api's PERMISSIVE listener …
    expect(report.findings.some((f) => f.rule === 'mtls-not-strict' && f.provider === 'appmesh' && f.resource.name === 'payments-api')).toBe(true);
    // … and the certificate findings are exactly the ACM ones.
    expect(report.findings.filter((f) => f.rule.startsWith('cert-')).map((f) => f.provider)).toEqual(['acm', 'acm', 'acm']);
  });

  it('reports nothing once the certificate is renewed past the widest window', async () => {
    emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', NotBefore: daysFromNow(-1), NotAfter: daysFromNow(395) });
    const { certificates } = await source().describeCertificates([{ arn: PAYMENTS_CERT_ARN }]);
    const report = auditModel(acmModelBuilder(certificates)(fleetInventory(), { now: NOW }), loadPolicy(), NOW);
    expect(report.findings).toEqual([]);
  });
});
