import { parseAcmArn } from './arn';
import { normalizeSerial } from './certificate-records';
import { mapWithConcurrency } from './bounded-map';

describe('parseAcmArn', () => {
  it.each([
    ['arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48', { kind: 'AcmCertificate', partition: 'aws', region: 'us-west-2', account: '111122223333', id: '8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48' }],
    ['arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b', { kind: 'AcmPrivateCA', partition: 'aws', region: 'us-west-2', account: '111122223333', id: '0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b' }],
    ['arn:aws-cn:acm:cn-north-1:111122223333:certificate/5c8a2e6f-1d3b-4f7a-9e0c-8b4d2f6a0c39', { kind: 'AcmCertificate', partition: 'aws-cn', region: 'cn-north-1' }],
  ])('reads %s', (arn, expected) => {
    expect(parseAcmArn(arn)).toMatchObject({ arn, ...expected });
  });

  it.each([
    // A certificate a private CA issued outside ACM: no describe call covers it.
    'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b/certificate/6f1c2a9e4b7d3058',
    'arn:aws:acm:us-west-2:111122223333:certificate-authority/0f3e6b2a',
    'arn:aws:acm-pca:us-west-2:111122223333:certificate/8c2f4e1a',
    'arn:aws:acm::111122223333:certificate/8c2f4e1a',
    'arn:aws:acm:us-west-2:1111:certificate/8c2f4e1a',
    'arn:aws:iam::111122223333:server-certificate/payments-api',
    'arn:aws:acm:us-west-2:111122223333:certificate/',
    'payments-api.payments.svc.cluster.local',
    '',
  ])('rejects %s', (arn) => {
    expect(parseAcmArn(arn)).toBeUndefined();
  });
});

describe('normalizeSerial', () => {
  it("writes ACM's colon notation as Node's X509Certificate does", () => {
    expect(normalizeSerial('0a:1b:2c:ff')).toBe('0A1B2CFF');
    expect(normalizeSerial(undefined)).toBe('');
  });
});

describe('mapWithConcurrency', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([30, 5, 20, 1, 10, 2], 2, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    await expect(mapWithConcurrency([1], 0, async (x) => x)).rejects.toThrow(RangeError);
    expect(await mapWithConcurrency([], 3, async (x) => x)).toEqual([]);
  });
});
