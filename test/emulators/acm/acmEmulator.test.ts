import {
  DescribeCertificateCommand,
  InvalidArnException,
  ListCertificatesCommand,
  ResourceNotFoundException,
  paginateListCertificates,
  type CertificateSummary,
} from '@aws-sdk/client-acm';
import {
  ACMPCAServiceException,
  DescribeCertificateAuthorityCommand,
  GetCertificateAuthorityCertificateCommand,
  InvalidStateException,
  ResourceNotFoundException as PcaResourceNotFoundException,
} from '@aws-sdk/client-acm-pca';
import { X509Certificate } from 'node:crypto';
import { acmClientFor, pcaClientFor, startAcmEmulator, TEST_CREDENTIALS, type AcmEmulator } from './index';

const PAYMENTS_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';

describe('ACM + ACM-PCA emulator through the real SDK clients', () => {
  let emulator: AcmEmulator;

  beforeEach(async () => {
    emulator = await startAcmEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('answers DescribeCertificate with the CertificateDetail shape and epoch-second dates', async () => {
    emulator.seedCertificate({
      CertificateArn: PAYMENTS_CERT_ARN,
      DomainName: 'payments-api.payments.svc.cluster.local',
      CertificateAuthorityArn: PCA_ARN,
      NotBefore: new Date('2025-12-02T00:00:00Z'),
      NotAfter: new Date('2026-12-02T12:30:00Z'),
      InUseBy: [],
    });
    const out = await acmClientFor(emulator).send(new DescribeCertificateCommand({ CertificateArn: PAYMENTS_CERT_ARN }));
    expect(out.Certificate).toMatchObject({
      CertificateArn: PAYMENTS_CERT_ARN,
      DomainName: 'payments-api.payments.svc.cluster.local',
      SubjectAlternativeNames: ['payments-api.payments.svc.cluster.local'],
      Subject: 'CN=payments-api.payments.svc.cluster.local',
      Status: 'ISSUED',
      Type: 'PRIVATE',
      CertificateAuthorityArn: PCA_ARN,
      KeyAlgorithm: 'RSA_2048',
      InUseBy: [],
    });
    // Dates round-trip through the wire as epoch seconds into Dates.
    expect(out.Certificate!.NotAfter).toEqual(new Date('2026-12-02T12:30:00Z'));
    expect(out.Certificate!.NotBefore).toEqual(new Date('2025-12-02T00:00:00Z'));
    expect(out.Certificate!.Serial).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(emulator.calls().DescribeCertificate).toBe(1);
    expect(emulator.requests()[0]).toMatchObject({ target: 'CertificateManager.DescribeCertificate', arn: PAYMENTS_CERT_ARN, status: 200, region: 'us-west-2' });
  });

  it('sends the modelled error names the SDK turns into its exception classes', async () => {
    const acm = acmClientFor(emulator);
    const missing = 'arn:aws:acm:us-west-2:111122223333:certificate/00000000-0000-4000-8000-000000000000';
    const notFound = await acm.send(new DescribeCertificateCommand({ CertificateArn: missing })).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ResourceNotFoundException);
    expect((notFound as Error).message).toBe(`Could not find certificate ${missing} in account 111122223333.`);
    expect((notFound as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);

    const wrongType = await acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:acm:us-west-2:111122223333:loadbalancer/app/x' })).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(InvalidArnException);

    const malformed = await acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:s3:::payments-certificates' })).catch((e: unknown) => e);
    expect((malformed as Error).name).toBe('ValidationException');
    expect((malformed as Error).message).toContain("at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern");

    const pcaMissing = await pcaClientFor(emulator)
      .send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: PCA_ARN }))
      .catch((e: unknown) => e);
    expect(pcaMissing).toBeInstanceOf(PcaResourceNotFoundException);
  });

  it('finds a certificate only in the region the request is signed for', async () => {
    const east = emulator.seedCertificate({
      CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/3b7e9c1d-2a4f-4e6b-8d0c-5f1a3e7b9d24',
      DomainName: 'edge.example.com',
    });
    const west = acmClientFor(emulator);
    await expect(west.send(new DescribeCertificateCommand({ CertificateArn: east.CertificateArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const eastClient = acmClientFor(emulator, { region: 'us-east-1' });
    const out = await eastClient.send(new DescribeCertificateCommand({ CertificateArn: east.CertificateArn }));
    expect(out.Certificate?.DomainName).toBe('edge.example.com');
  });

  it('pages ListCertificates with MaxItems/NextToken and applies the default RSA key-type filter', async () => {
    for (let i = 0; i < 5; i++) emulator.seedCertificate({ DomainName: `svc-${i}.payments.svc.cluster.local` });
    emulator.seedCertificate({ DomainName: 'ec.payments.svc.cluster.local', KeyAlgorithm: 'EC_prime256v1' });
    emulator.seedCertificate({ DomainName: 'pending.payments.svc.cluster.local', Status: 'PENDING_VALIDATION' });

    const pages: CertificateSummary[][] = [];
    for await (const page of paginateListCertificates({ client: acmClientFor(emulator), pageSize: 2 }, {})) pages.push(page.CertificateSummaryList ?? []);
    // 6 RSA certificates (5 issued + 1 pending) in pages of 2; the EC one is filtered out by default.
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(pages.flat().map((s) => s.DomainName)).not.toContain('ec.payments.svc.cluster.local');
    expect(pages.flat()[0]).toMatchObject({ Status: 'ISSUED', Type: 'AMAZON_ISSUED', KeyAlgorithm: 'RSA_2048', InUse: false });
    expect(pages.flat()[0].NotAfter).toBeInstanceOf(Date);

    const issuedEc = await acmClientFor(emulator).send(
      new ListCertificatesCommand({ CertificateStatuses: ['ISSUED'], Includes: { keyTypes: ['EC_prime256v1'] } }),
    );
    expect(issuedEc.CertificateSummaryList?.map((s) => s.DomainName)).toEqual(['ec.payments.svc.cluster.local']);
    expect(issuedEc.NextToken).toBeUndefined();
  });

  it('describes a private CA and serves its CA certificate, made with its name and dates', async () => {
    emulator.seedCertificateAuthority({
      Arn: PCA_ARN,
      Type: 'ROOT',
      NotBefore: new Date('2025-06-01T00:00:00Z'),
      NotAfter: new Date('2030-06-01T00:00:00Z'),
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: 'EC_prime256v1',
        SigningAlgorithm: 'SHA256WITHECDSA',
        Subject: { CommonName: 'prod-mesh root CA', Organization: 'Example Corp', Country: 'US' },
      },
    });
    const pca = pcaClientFor(emulator);
    const { CertificateAuthority: ca } = await pca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: PCA_ARN }));
    expect(ca).toMatchObject({
      Arn: PCA_ARN,
      OwnerAccount: '111122223333',
      Type: 'ROOT',
      Status: 'ACTIVE',
      CertificateAuthorityConfiguration: { KeyAlgorithm: 'EC_prime256v1', Subject: { CommonName: 'prod-mesh root CA' } },
      UsageMode: 'GENERAL_PURPOSE',
    });
    expect(ca!.NotAfter).toEqual(new Date('2030-06-01T00:00:00Z'));

    const pem = await pca.send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: PCA_ARN }));
    const x509 = new X509Certificate(pem.Certificate!);
    expect(x509.subject).toContain('CN=prod-mesh root CA');
    expect(x509.ca).toBe(true);
    expect(new Date(x509.validTo).toISOString()).toBe('2030-06-01T00:00:00.000Z');
    expect(pem.CertificateChain).toBeUndefined();
  });

  it('refuses the CA certificate of a CA that has none yet', async () => {
    const pending = emulator.seedCertificateAuthority({ Status: 'PENDING_CERTIFICATE', Type: 'SUBORDINATE' });
    expect(pending.NotAfter).toBeUndefined();
    const err = await pcaClientFor(emulator)
      .send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: pending.Arn }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidStateException);
  });

  it('throttles with a token bucket (ThrottlingException), which the SDK retries', async () => {
    emulator.seedCertificate({ CertificateArn: PAYMENTS_CERT_ARN, DomainName: 'payments-api.payments.svc.cluster.local' });
    emulator.setThrottle({ rps: 2, burst: 1 });
    const noRetry = acmClientFor(emulator, { maxAttempts: 1 });
    await noRetry.send(new DescribeCertificateCommand({ CertificateArn: PAYMENTS_CERT_ARN }));
    const throttled = await noRetry.send(new DescribeCertificateCommand({ CertificateArn: PAYMENTS_CERT_ARN })).catch((e: unknown) => e);
    expect((throttled as Error).name).toBe('ThrottlingException');
    expect((throttled as Error).message).toBe('Rate exceeded');

    const retrying = acmClientFor(emulator, { maxAttempts: 5 });
    const out = await retrying.send(new DescribeCertificateCommand({ CertificateArn: PAYMENTS_CERT_ARN }));
    expect(out.Certificate?.CertificateArn).toBe(PAYMENTS_CERT_ARN);
    expect(out.$metadata.attempts).toBeGreaterThan(1);
  });

  it('fails scripted calls (PCA throttling as the base exception, 503 retried) and counts every attempt', async () => {
    emulator.seedCertificateAuthority({ Arn: PCA_ARN });
    emulator.failNext('DescribeCertificateAuthority', 'ThrottlingException', 1);
    const once = await pcaClientFor(emulator, { maxAttempts: 1 })
      .send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: PCA_ARN }))
      .catch((e: unknown) => e);
    // ACM-PCA does not model ThrottlingException: the SDK raises its base exception with that name.
    expect(once).toBeInstanceOf(ACMPCAServiceException);
    expect((once as Error).name).toBe('ThrottlingException');

    emulator.failNext('DescribeCertificateAuthority', 503, 1);
    const out = await pcaClientFor(emulator).send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: PCA_ARN }));
    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.calls().DescribeCertificateAuthority).toBe(3);
    expect(emulator.requests().map((r) => r.errorName ?? r.status)).toEqual(['ThrottlingException', 'ServiceUnavailable', 200]);
    expect(() => emulator.failNext('*', 'NoSuchThingException')).toThrow(RangeError);
  });

  it('rejects unsigned requests and unknown operations the way AWS front ends do', async () => {
    const unsigned = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CertificateManager.DescribeCertificate' },
      body: JSON.stringify({ CertificateArn: PAYMENTS_CERT_ARN }),
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ __type: 'com.amazonaws.acm#MissingAuthenticationTokenException', message: 'Missing Authentication Token' });

    const unknown = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'CertificateManager.ExportCertificate',
        Authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20261126/us-west-2/acm/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe('com.amazonaws.acm#UnknownOperationException');
  });

  it('reports how many requests were in progress at once', async () => {
    const arns = [0, 1, 2, 3, 4].map((i) => emulator.seedCertificate({ DomainName: `svc-${i}.payments.svc.cluster.local` }).CertificateArn!);
    emulator.setLatency(40, 'DescribeCertificate');
    const acm = acmClientFor(emulator);
    await Promise.all(arns.map((arn) => acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))));
    expect(emulator.peakConcurrency()).toBe(5);
  });
});
