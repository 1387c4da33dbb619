import { auditModel } from '../../../functions/core/audit';
import { loadPolicy } from '../../../functions/core/policy/load';
import { acmModelBuilder } from '../../../functions/providers/acm';
import { startAcmEmulator, type AcmEmulator } from '../../emulators/acm';
import { daysFromNow, emulatedAcmSource, EDGE_CERT_ARN, fleetInventory, LEDGER_CERT_ARN, NOW, ORDERS_CERT_ARN, PAYMENTS_CERT_ARN, PCA_ARN } from './fixtures';

const LISTENER = { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080 };

/** What DescribeCertificate says beyond the dates: Status, RenewalSummary, Type. */
describe('ACM certificate status, managed renewal and type', () => {
  let emulator: AcmEmulator;

  beforeEach(async () => {
    emulator = await startAcmEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  const source = () => emulatedAcmSource(emulator);

  async function audit(uses: Parameters<ReturnType<typeof source>['describeCertificates']>[0]) {
    const { certificates, problems } = await source().describeCertificates(uses);
    const report = auditModel(acmModelBuilder(certificates, problems)(fleetInventory(), { now: NOW }), loadPolicy(), NOW);
    return { certificates, problems, report };
  }

  it('reports a REVOKED or INACTIVE certificate as such, not as healthy or expiring', async () => {
    emulator.seedCertificate({
      CertificateArn: PAYMENTS_CERT_ARN,
      DomainName: 'payments-api.payments.svc.cluster.local',
      CertificateAuthorityArn: PCA_ARN,
      Status: 'REVOKED',
      RevokedAt: daysFromNow(-2),
      RevocationReason: 'KEY_COMPROMISE',
      NotBefore: daysFromNow(-100),
      NotAfter: daysFromNow(5),
    });
    emulator.seedCertificate({ CertificateArn: ORDERS_CERT_ARN, DomainName: 'orders-api.orders.svc.cluster.local', CertificateAuthorityArn: PCA_ARN, Status: 'INACTIVE', NotBefore: daysFromNow(-10), NotAfter: daysFromNow(200) });
    const { certificates, problems, report } = await audit([{ arn: PAYMENTS_CERT_ARN, usedBy: LISTENER }, ORDERS_CERT_ARN]);
    expect(certificates).toEqual([]);
    expect(problems.map((p) => [p.file, p.field])).toEqual([
      [PAYMENTS_CERT_ARN, 'Status'],
      [ORDERS_CERT_ARN, 'Status'],
    ]);
    expect(problems[0].message).toBe(
      `ACM certificate ${PAYMENTS_CERT_ARN} was revoked on ${daysFromNow(-2).toISOString()} (KEY_COMPROMISE): clients that check revocation refuse it; issue a new certificate and point the listener at it; used by VirtualNode prod-mesh/payments-api port 8080`,
    );
    expect(problems[1].message).toContain('Status INACTIVE');
    expect(report.findings.some((f) => f.rule === 'cert-expiring')).toBe(false);
    expect(report.findings.map((f) => [f.rule, f.provider, f.resource.file])).toEqual(
      expect.arrayContaining([
        ['config-invalid', 'acm', PAYMENTS_CERT_ARN],
        ['config-invalid', 'acm', ORDERS_CERT_ARN],
      ]),
    );
  });

  it('surfaces a stuck managed renewal next to the expiry, with what to fix for a private and a public certificate', async () => {
    emulator.seedCertificate({
      CertificateArn: PAYMENTS_CERT_ARN,
      DomainName: 'payments-api.payments.svc.cluster.local',
      CertificateAuthorityArn: PCA_ARN,
      NotBefore: daysFromNow(-390),
      NotAfter: daysFromNow(5),
      RenewalSummary: { RenewalStatus: 'FAILED', RenewalStatusReason: 'PCA_ACCESS_DENIED', DomainValidationOptions: [], UpdatedAt: daysFromNow(-1) },
    });
    emulator.seedCertificate({
      CertificateArn: EDGE_CERT_ARN,
      DomainName: 'api.example.com',
      NotBefore: daysFromNow(-370),
      NotAfter: daysFromNow(25),
      RenewalSummary: {
        RenewalStatus: 'PENDING_VALIDATION',
        DomainValidationOptions: [{ DomainName: 'api.example.com', ValidationStatus: 'PENDING_VALIDATION', ValidationMethod: 'DNS' }],
        UpdatedAt: daysFromNow(-3),
      },
    });
    // Renewal under way or done: nothing to add.
    emulator.seedCertificate({
      CertificateArn: LEDGER_CERT_ARN,
      DomainName: 'ledger.payments.svc.cluster.local',
      CertificateAuthorityArn: PCA_ARN,
      NotBefore: daysFromNow(-380),
      NotAfter: daysFromNow(15),
      RenewalSummary: { RenewalStatus: 'PENDING_AUTO_RENEWAL', DomainValidationOptions: [], UpdatedAt: daysFromNow(-1) },
    });
    const { certificates, problems, report } = await audit([{ arn: PAYMENTS_CERT_ARN, usedBy: LISTENER }, EDGE_CERT_ARN, LEDGER_CERT_ARN]);
    // The records stay, so cert-expiring still reports each with fresh dates.
    expect(certificates.map((c) => c.origin.arn)).toEqual([PAYMENTS_CERT_ARN, EDGE_CERT_ARN, LEDGER_CERT_ARN]);
    expect(problems.map((p) => [p.file, p.field])).toEqual([
      [PAYMENTS_CERT_ARN, 'RenewalSummary.RenewalStatus'],
      [EDGE_CERT_ARN, 'RenewalSummary.RenewalStatus'],
    ]);
    expect(problems[0].message).toBe(
      `ACM's managed renewal of ${PAYMENTS_CERT_ARN} is FAILED (PCA_ACCESS_DENIED) and it expires on ${daysFromNow(5).toISOString()}: fix what stops the private CA ${PCA_ARN} from issuing (it must be ACTIVE and allow ACM to issue, acm-pca:CreatePermission), then run acm:RenewCertificate; used by VirtualNode prod-mesh/payments-api port 8080`,
    );
    expect(problems[1].message).toContain('is PENDING_VALIDATION and it expires on');
    expect(problems[1].message).toContain('complete the domain validation');
    expect(report.findings.filter((f) => f.rule === 'cert-expiring').map((f) => f.resource.file)).toEqual(
      expect.arrayContaining([PAYMENTS_CERT_ARN, EDGE_CERT_ARN, LEDGER_CERT_ARN]),
    );
    expect(report.findings.filter((f) => f.rule === 'config-invalid').map((f) => f.resource.file).sort()).toEqual([EDGE_CERT_ARN, PAYMENTS_CERT_ARN].sort());
    // The expiry finding says it too: waiting will not renew it.
    const expiring = (arn: string) => report.findings.find((f) => f.rule === 'cert-expiring' && f.resource.file === arn)!;
    expect(expiring(PAYMENTS_CERT_ARN).message).toMatch(/; ACM is not renewing it \(managed renewal FAILED \(PCA_ACCESS_DENIED\): fix what stops the private CA .* then run acm:RenewCertificate\); fix that, or renew it before then\.$/);
    expect(expiring(LEDGER_CERT_ARN).message).toMatch(/; renew it before then\.$/);
  });

  it('says an imported certificate on a listener is never renewed by ACM and cannot be served by App Mesh', async () => {
    emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', Type: 'IMPORTED', NotBefore: daysFromNow(-300), NotAfter: daysFromNow(20) });
    const { certificates, problems } = await audit([{ arn: PAYMENTS_CERT_ARN, usedBy: LISTENER }]);
    expect(certificates).toHaveLength(1);
    expect(problems).toEqual([
      expect.objectContaining({
        file: PAYMENTS_CERT_ARN,
        field: 'Type',
        provider: 'acm',
        message: expect.stringContaining(`is IMPORTED: ACM does not renew it (re-import a new one before ${daysFromNow(20).toISOString()}) and App Mesh cannot export it to Envoy`),
      }),
    ]);

    // Named by an expiry event alone (no listener known): the expiry is reported, nothing more.
    const alone = await source().describeCertificates([PAYMENTS_CERT_ARN]);
    expect(alone.problems).toEqual([]);
    expect(alone.certificates).toHaveLength(1);
  });
});
