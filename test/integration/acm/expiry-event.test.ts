import { auditModel } from '../../../functions/core/audit';
import { loadPolicy } from '../../../functions/core/policy/load';
import {
  acmCertificateSource,
  AcmEventError,
  acmModelBuilder,
  createAcmClient,
  findingFromAcmExpiryEvent,
  readAcmExpiryEvent,
} from '../../../functions/providers/acm';
import { emptyInventory } from '../../../functions/core/model/inventory';
import { startAcmEmulator, TEST_CREDENTIALS } from '../../emulators/acm';
import { daysFromNow, NOW, ORDERS_CERT_ARN, PAYMENTS_CERT_ARN, PCA_ARN, readEvent } from './fixtures';

const EVENT_FILE = 'acm-certificate-approaching-expiration.json';

function expectEventError(event: unknown, field: string, messagePart: string): void {
  let caught: unknown;
  try {
    findingFromAcmExpiryEvent(event, NOW);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AcmEventError);
  expect((caught as AcmEventError).field).toBe(field);
  expect((caught as AcmEventError).message).toContain(messagePart);
}

describe('the EventBridge "ACM Certificate Approaching Expiration" event', () => {
  it('becomes a certificates scope naming the ARN, so the audit reads it again', () => {
    expect(findingFromAcmExpiryEvent(readEvent(EVENT_FILE), NOW)).toEqual({ kind: 'certificates', arns: [PAYMENTS_CERT_ARN] });
  });

  it("keeps ACM's count and the trigger for the ledger and Slack", () => {
    const read = readAcmExpiryEvent(readEvent(EVENT_FILE), NOW);
    expect(read.trigger).toEqual({
      source: 'acm',
      eventId: 'f1a3c5e7-9b2d-4f6a-8c0e-2d4f6a8c0e35',
      eventTime: '2026-11-20T04:12:37.000Z',
      summary: 'ACM: payments-api.payments.svc.cluster.local expires in 12 days',
    });
    // Sent 2026-11-20T04:12:37Z with 12 days; at 2026-11-26T00:00Z five whole days have passed.
    expect(read.reported).toEqual({
      daysToExpiry: 12,
      commonName: 'payments-api.payments.svc.cluster.local',
      expiresAround: new Date('2026-12-02T04:12:37Z'),
      daysToExpiryNow: 7,
    });
  });

  it('reads variants: another certificate, 3 days, several resources, no CommonName', () => {
    const event = readEvent(EVENT_FILE);
    event.id = '0b9d7f5e-3c1a-4e8b-9d6f-4a2c0e8b6d17';
    event.resources = [ORDERS_CERT_ARN, PAYMENTS_CERT_ARN, ORDERS_CERT_ARN];
    event.detail = { DaysToExpiry: 3 };
    const read = readAcmExpiryEvent(event, NOW);
    expect(read.scope).toEqual({ kind: 'certificates', arns: [ORDERS_CERT_ARN, PAYMENTS_CERT_ARN] });
    expect(read.trigger.summary).toBe(`ACM: ${ORDERS_CERT_ARN} expires in 3 days`);
    expect(read.reported.daysToExpiry).toBe(3);
    expect(read.reported.commonName).toBeUndefined();

    const govCloud = readEvent(EVENT_FILE);
    govCloud.resources = ['arn:aws-us-gov:acm:us-gov-west-1:111122223333:certificate/5c8a2e6f-1d3b-4f7a-9e0c-8b4d2f6a0c39'];
    govCloud.detail.DaysToExpiry = 1;
    expect(findingFromAcmExpiryEvent(govCloud, NOW)).toEqual({ kind: 'certificates', arns: govCloud.resources });
    expect(readAcmExpiryEvent(govCloud, NOW).trigger.summary).toBe('ACM: payments-api.payments.svc.cluster.local expires in 1 day');
  });

  it('throws an error naming the field of a malformed event', () => {
    const without = (mutate: (e: any) => void) => {
      const e = readEvent(EVENT_FILE);
      mutate(e);
      return e;
    };
    expectEventError(without((e) => delete e.resources), 'resources', 'names no certificate ARN');
    expectEventError(without((e) => (e.resources = [])), 'resources', 'names no certificate ARN');
    expectEventError(without((e) => (e.resources = [PCA_ARN])), 'resources[0]', 'is not an ACM certificate ARN');
    expectEventError(without((e) => (e.detail.DaysToExpiry = '12')), 'detail.DaysToExpiry', 'expected a number of days (0 or more), got "12"');
    expectEventError(without((e) => delete e.detail.DaysToExpiry), 'detail.DaysToExpiry', 'got undefined');
    expectEventError(without((e) => (e.detail.CommonName = 42)), 'detail.CommonName', 'expected a string');
    expectEventError(without((e) => delete e.detail), 'detail', 'missing');
    expectEventError(without((e) => (e['detail-type'] = 'ACM Certificate Expired')), 'detail-type', 'ACM Certificate Approaching Expiration');
    expectEventError(without((e) => (e.time = 'yesterday')), 'time', 'ISO-8601');
    expectEventError(without((e) => delete e.id), 'id', 'idempotency key');
    expectEventError('{"source":"aws.acm"}', '(event)', 'got string');

    // The error carries the event id, so the dead letter can be matched to the delivery.
    const bad = without((e) => (e.resources = []));
    expect(() => findingFromAcmExpiryEvent(bad, NOW)).toThrow(expect.objectContaining({ eventId: 'f1a3c5e7-9b2d-4f6a-8c0e-2d4f6a8c0e35' }));
  });

  it('leads to a finding with fresh numbers: the certificate is described again, not taken from the event', async () => {
    const emulator = await startAcmEmulator();
    try {
      // The event (sent six days ago) says 12 days; ACM now says the certificate ends in 2 days.
      emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', NotBefore: daysFromNow(-393), NotAfter: daysFromNow(2) });
      const scope = findingFromAcmExpiryEvent(readEvent(EVENT_FILE), NOW);
      if (scope.kind !== 'certificates') throw new Error(`unexpected scope ${scope.kind}`);
      const source = acmCertificateSource({ acm: createAcmClient({ endpoint: emulator.url, region: 'us-west-2', credentials: TEST_CREDENTIALS }) });
      const { certificates, problems } = await source.describeCertificates(scope.arns);
      const report = auditModel(acmModelBuilder(certificates, problems)(emptyInventory(), { now: NOW }), loadPolicy(), NOW);
      expect(report.findings).toHaveLength(1);
      expect(report.findings[0]).toMatchObject({
        rule: 'cert-expiring',
        severity: 'critical',
        provider: 'acm',
        resource: { kind: 'Certificate', name: 'payments-api.payments.svc.cluster.local', file: PAYMENTS_CERT_ARN, line: 1 },
        detail: { daysLeft: 2, withinDays: 7, dateSource: 'ACM DescribeCertificate', origin: { arn: PAYMENTS_CERT_ARN } },
      });
      expect(emulator.calls().DescribeCertificate).toBe(1);
    } finally {
      await emulator.stop();
    }
  });
});
