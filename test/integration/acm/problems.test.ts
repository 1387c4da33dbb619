import { auditModel } from '../../../functions/core/audit';
import { loadPolicy } from '../../../functions/core/policy/load';
import { acmModelBuilder } from '../../../functions/providers/acm';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { daysFromNow, emulatedAcmSource, fleetInventory, NOW, ORDERS_CERT_ARN, PAYMENTS_CERT_ARN, PCA_ARN } from './fixtures';

const LISTENER = { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 };

/** ARNs that cannot become certificate records: each is a problem naming the ARN, the rest is still read. */
describe('ACM lookups that cannot give a certificate', () => {
  let emulator: AcmEmulator;

  beforeEach(async () => {
    emulator = await startAcmEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  const source = () => emulatedAcmSource(emulator);

  it('reports a missing certificate and a missing CA as problems with the ARN as file, and reads the rest', async () => {
    emulator.seedCertificate({ CertificateArn: ORDERS_CERT_ARN, DomainName: 'orders-api.orders.svc.cluster.local', NotBefore: daysFromNow(-10), NotAfter: daysFromNow(3) });
    const { certificates, problems } = await source().describeCertificates([
      { arn: PAYMENTS_CERT_ARN, usedBy: LISTENER },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } },
      ORDERS_CERT_ARN,
    ]);
    expect(certificates.map((c) => c.origin.arn)).toEqual([ORDERS_CERT_ARN]);
    expect(problems).toEqual([
      {
        file: PAYMENTS_CERT_ARN,
        line: 1,
        field: 'CertificateArn',
        message: expect.stringMatching(/^ACM has no certificate arn:aws:acm:us-west-2:111122223333:certificate\/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48 in account 111122223333, region us-west-2 \(ResourceNotFoundException: Could not find certificate .*\); used by VirtualNode prod-mesh\/payments-api port 8080$/),
        kind: 'AcmCertificate',
        name: '8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48',
        provider: 'acm',
      },
      {
        file: PCA_ARN,
        line: 1,
        field: 'CertificateAuthorityArn',
        message: expect.stringContaining('ACM Private CA has no certificate authority'),
        kind: 'AcmPrivateCA',
        name: '0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b',
        provider: 'acm',
      },
    ]);

    // Through the rules: config-invalid with provider acm for the missing ones, cert-expiring for the one read.
    const report = auditModel(acmModelBuilder(certificates, problems)(fleetInventory(), { now: NOW }), loadPolicy(), NOW);
    expect(report.findings.map((f) => [f.rule, f.severity, f.provider, f.resource.file])).toEqual([
      ['cert-expiring', 'critical', 'acm', ORDERS_CERT_ARN],
      // Sorted by resource name: the ids of the ARNs.
      ['config-invalid', 'high', 'acm', PCA_ARN],
      ['config-invalid', 'high', 'acm', PAYMENTS_CERT_ARN],
    ]);
  });

  it('reports a certificate ACM has not issued and a CA without a CA certificate', async () => {
    emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', Status: 'PENDING_VALIDATION' });
    emulator.seedCertificateAuthority({ Arn: PCA_ARN, Type: 'SUBORDINATE', Status: 'PENDING_CERTIFICATE' });
    const { certificates, problems } = await source().describeCertificates([PAYMENTS_CERT_ARN, PCA_ARN]);
    expect(certificates).toEqual([]);
    expect(problems.map((p) => [p.file, p.field])).toEqual([
      [PAYMENTS_CERT_ARN, 'NotAfter'],
      [PCA_ARN, 'NotAfter'],
    ]);
    expect(problems[0].message).toContain('Status PENDING_VALIDATION');
    expect(problems[1].message).toContain('Status PENDING_CERTIFICATE');
  });

  it('reports what is not an ACM or ACM-PCA ARN without calling either service', async () => {
    const pcaIssued = `${PCA_ARN}/certificate/6f1c2a9e4b7d3058`;
    const { certificates, problems } = await source().describeCertificates([
      { arn: pcaIssued, usedBy: LISTENER },
      'arn:aws:iam::111122223333:server-certificate/payments-api',
      'payments-api.payments.svc.cluster.local',
    ]);
    expect(certificates).toEqual([]);
    expect(problems.map((p) => [p.file, p.field, p.provider])).toEqual([
      [pcaIssued, 'arn', 'acm'],
      ['arn:aws:iam::111122223333:server-certificate/payments-api', 'arn', 'acm'],
      ['payments-api.payments.svc.cluster.local', 'arn', 'acm'],
    ]);
    expect(problems[0].message).toContain('is neither an ACM certificate ARN');
    expect(problems[0].message).toContain('used by VirtualNode prod-mesh/payments-api port 8080');
    expect(emulator.requests()).toEqual([]);
  });

  it('reports a certificate the role may not read, naming the IAM action', async () => {
    emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local' });
    emulator.failNext('DescribeCertificate', 'AccessDeniedException', 1, 'User: arn:aws:sts::111122223333:assumed-role/meshgov-auditor/meshgov-hub-auditor is not authorized to perform: acm:DescribeCertificate');
    const { certificates, problems } = await source().describeCertificates([PAYMENTS_CERT_ARN]);
    expect(certificates).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain("meshgov may not call acm:DescribeCertificate on " + PAYMENTS_CERT_ARN + ": allow it in the function's role");
    // A client error is not retried: one attempt.
    expect(emulator.calls().DescribeCertificate).toBe(1);
  });
});
