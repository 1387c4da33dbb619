import { X509Certificate, createPrivateKey } from 'node:crypto';
import { issueCertificate, makeCertChain, makeRootCa, opensslTime } from './certs';

describe('test/support/certs', () => {
  test('opensslTime is GeneralizedTime', () => {
    expect(opensslTime(new Date('2027-03-04T05:06:07.890Z'))).toBe('20270304050607Z');
  });

  test('makeCertChain: a verifiable root → intermediate → leaf chain with the chosen dates and SANs', () => {
    const chain = makeCertChain({
      leafCN: 'payments-api',
      dnsNames: ['payments-api.payments.svc.cluster.local'],
      uris: ['spiffe://cluster.local/ns/payments/sa/payments-api'],
      ipAddresses: ['127.0.0.1'],
      notBefore: new Date('2030-01-01T00:00:00Z'),
      notAfter: new Date('2031-01-01T00:00:00Z'),
    });
    const root = new X509Certificate(chain.rootPem);
    const intermediate = new X509Certificate(chain.intermediatePem);
    const leaf = new X509Certificate(chain.leafPem);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(chain.keyPem))).toBe(true);
    expect([root.ca, intermediate.ca, leaf.ca]).toEqual([true, true, false]);
    expect(leaf.validFrom).toBe('Jan  1 00:00:00 2030 GMT');
    expect(leaf.validTo).toBe('Jan  1 00:00:00 2031 GMT');
    expect(leaf.subjectAltName).toBe('DNS:payments-api.payments.svc.cluster.local, URI:spiffe://cluster.local/ns/payments/sa/payments-api, IP Address:127.0.0.1');
    expect(chain.chainPem).toBe(chain.leafPem + chain.intermediatePem);
    expect(chain.bundlePem).toBe(chain.chainPem + chain.rootPem);
  });

  test('issueCertificate signs with any CA, e.g. a client certificate from a separate root', () => {
    const ca = makeRootCa({ cn: 'clients CA', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') });
    const client = issueCertificate(ca, { cn: 'frontend', keyType: 'rsa', notBefore: new Date('2019-06-01T00:00:00Z'), notAfter: new Date('2019-07-01T00:00:00Z') });
    const x = new X509Certificate(client.certPem);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.publicKey.asymmetricKeyType).toBe('rsa');
    expect(x.validTo).toBe('Jul  1 00:00:00 2019 GMT');
  });
});
