import {
  acmCertificateSource,
  AcmUnavailableError,
  createAcmClient,
  createPcaClient,
} from '../../../functions/providers/acm';
import { startAcmEmulator, TEST_CREDENTIALS, type AcmEmulator } from '../../emulators/acm';
import { daysFromNow, PAYMENTS_CERT_ARN, PCA_ARN } from './fixtures';

/** The ACM lookups under throttling, 5xx, a concurrency bound, and the SDK's own endpoint settings. */
describe('ACM lookups against a service that throttles and fails', () => {
  let emulator: AcmEmulator;

  beforeEach(async () => {
    emulator = await startAcmEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  function clients(maxAttempts?: number) {
    const common = { endpoint: emulator.url, region: 'us-west-2', credentials: TEST_CREDENTIALS, ...(maxAttempts ? { maxAttempts } : {}) };
    return { acm: createAcmClient(common), pca: createPcaClient(common) };
  }

  function seedMany(count: number): string[] {
    return Array.from({ length: count }, (_, i) =>
      emulator.seedCertificate({ DomainName: `svc-${i}.payments.svc.cluster.local`, NotBefore: daysFromNow(-1), NotAfter: daysFromNow(30 + i) }).CertificateArn!,
    );
  }

  it('retries throttled calls with the adaptive strategy until every certificate is read', async () => {
    const arns = seedMany(6);
    // Tight enough that three calls in flight are throttled even when a loaded machine slows them.
    emulator.setThrottle({ rps: 2, burst: 1, operations: ['DescribeCertificate'] });
    const { certificates, problems } = await acmCertificateSource({ ...clients(), concurrency: 3 }).describeCertificates(arns);
    expect(problems).toEqual([]);
    expect(certificates.map((c) => c.origin.arn)).toEqual(arns);
    const throttled = emulator.requests().filter((r) => r.errorName === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThan(0);
    // Every throttled attempt was retried: 6 successes plus the throttled attempts.
    expect(emulator.calls().DescribeCertificate).toBe(6 + throttled.length);
  });

  it('retries 5xx and PCA throttling', async () => {
    emulator.seedCertificateAuthority({ Arn: PCA_ARN, NotAfter: daysFromNow(20) });
    emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local', NotAfter: daysFromNow(5) });
    emulator.failNext('DescribeCertificateAuthority', 'ThrottlingException', 1);
    emulator.failNext('DescribeCertificateAuthority', 503, 1);
    emulator.failNext('DescribeCertificate', 500, 2);
    const { certificates, problems } = await acmCertificateSource(clients()).describeCertificates([PAYMENTS_CERT_ARN, PCA_ARN]);
    expect(problems).toEqual([]);
    expect(certificates.map((c) => [c.origin.kind, c.isCA])).toEqual([
      ['AcmCertificate', false],
      ['AcmPrivateCA', true],
    ]);
    expect(emulator.calls()).toMatchObject({ DescribeCertificate: 3, DescribeCertificateAuthority: 3 });
  });

  it('fails the lookup with AcmUnavailableError when throttling outlasts the retries, or reports it when asked to', async () => {
    const [stuck, fine] = seedMany(2);
    emulator.failNext('DescribeCertificate', 'ThrottlingException', 2);
    const failing = acmCertificateSource({ ...clients(2), concurrency: 1 });
    const err = await failing.describeCertificates([stuck, fine]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcmUnavailableError);
    expect((err as AcmUnavailableError).failures).toEqual([{ arn: stuck, error: expect.objectContaining({ name: 'ThrottlingException', transient: true, status: 400 }) }]);
    expect((err as Error).message).toContain(stuck);
    // The other ARN was still read: 2 throttled attempts for the first, 1 for the second.
    expect(emulator.calls().DescribeCertificate).toBe(3);

    emulator.failNext('DescribeCertificate', 'ThrottlingException', 2);
    const lenient = acmCertificateSource({ ...clients(2), concurrency: 1, onUnavailable: 'problem' });
    const { certificates, problems } = await lenient.describeCertificates([stuck, fine]);
    expect(certificates.map((c) => c.origin.arn)).toEqual([fine]);
    expect(problems).toEqual([expect.objectContaining({ file: stuck, field: 'CertificateArn', message: expect.stringContaining('ThrottlingException: Rate exceeded') })]);
  });

  it('keeps at most `concurrency` describe calls in flight', async () => {
    const arns = seedMany(12);
    emulator.setLatency(30);
    await acmCertificateSource({ ...clients(), concurrency: 3 }).describeCertificates(arns);
    expect(emulator.peakConcurrency()).toBe(3);

    emulator.resetCalls();
    await acmCertificateSource({ ...clients(), concurrency: 1 }).describeCertificates(arns.slice(0, 4));
    expect(emulator.peakConcurrency()).toBe(1);
    expect(() => acmCertificateSource({ concurrency: 0 })).toThrow(RangeError);
  });

  it('describes each ARN once however many resources use it, merging the users', async () => {
    emulator.seedCertificateAuthority({ Arn: PCA_ARN });
    const { certificates } = await acmCertificateSource(clients()).describeCertificates([
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders' } },
      { arn: PCA_ARN, usedBy: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } },
    ]);
    expect(emulator.calls().DescribeCertificateAuthority).toBe(1);
    expect(certificates).toHaveLength(1);
    expect(certificates[0].usedBy).toEqual([
      { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' },
      { kind: 'VirtualNode', name: 'orders-api', mesh: 'prod-mesh', namespace: 'orders' },
    ]);
  });

  describe('endpoints and regions come from the SDK configuration, never from the code', () => {
    const saved: Record<string, string | undefined> = {};
    const names = ['AWS_ENDPOINT_URL_ACM', 'AWS_ENDPOINT_URL_ACM_PCA', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];
    beforeEach(() => {
      for (const name of names) saved[name] = process.env[name];
    });
    afterEach(() => {
      for (const name of names) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    it('reaches the emulator through AWS_ENDPOINT_URL_ACM and AWS_ENDPOINT_URL_ACM_PCA with clients it makes itself', async () => {
      emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local' });
      emulator.seedCertificateAuthority({ Arn: PCA_ARN });
      process.env.AWS_ENDPOINT_URL_ACM = emulator.url;
      process.env.AWS_ENDPOINT_URL_ACM_PCA = emulator.url;
      process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
      delete process.env.AWS_REGION;
      const { certificates, problems } = await acmCertificateSource().describeCertificates([PAYMENTS_CERT_ARN, PCA_ARN]);
      expect(problems).toEqual([]);
      expect(certificates).toHaveLength(2);
      // Each ARN was read in its own region, us-west-2, with no region configured.
      expect(emulator.requests().map((r) => r.region)).toEqual(['us-west-2', 'us-west-2']);
    });

    it('reads each ARN in its own region through a client per region, or reports other regions when pinned', async () => {
      const eastArn = emulator.seedCertificate({
        CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/3b7e9c1d-2a4f-4e6b-8d0c-5f1a3e7b9d24',
        DomainName: 'api.example.com',
      }).CertificateArn!;
      emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local' });
      const perRegion = acmCertificateSource({
        acm: (region) => createAcmClient({ endpoint: emulator.url, region, credentials: TEST_CREDENTIALS }),
      });
      const both = await perRegion.describeCertificates([PAYMENTS_CERT_ARN, eastArn]);
      expect(both.certificates.map((c) => c.subjectCN)).toEqual(['payments-api.payments.svc.cluster.local', 'api.example.com']);
      expect(emulator.requests().map((r) => r.region)).toEqual(['us-west-2', 'us-east-1']);

      emulator.resetCalls();
      const pinned = acmCertificateSource({ ...clients(), region: 'us-west-2' });
      const west = await pinned.describeCertificates([PAYMENTS_CERT_ARN, eastArn]);
      expect(west.certificates.map((c) => c.origin.arn)).toEqual([PAYMENTS_CERT_ARN]);
      expect(west.problems).toEqual([expect.objectContaining({ file: eastArn, message: `${eastArn} is in region us-east-1, but this audit reads us-west-2` })]);
      expect(emulator.calls().DescribeCertificate).toBe(1);
    });
  });
});
