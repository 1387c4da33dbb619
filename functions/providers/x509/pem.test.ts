import { X509Certificate } from 'node:crypto';
import { makeCertChain, makeRootCa, type CertChain } from '../../../test/support/certs';
import type { CertificateRecord } from '../../core/model/types';
import { parseCertificateDate } from './certificate-date';
import { certificatesFromPem, certificatesFromPemFile } from './pem';
import { istioRootCa, istioWorkloadCertificate, trustedCertificate } from './testdata/openssl-certs';

const FILE_ORIGIN: CertificateRecord['origin'] = { kind: 'File', name: 'payments-chain.pem', source: { file: 'certs/payments-chain.pem', line: 1 } };

describe('parseCertificateDate', () => {
  test.each([
    ['Jan  1 00:00:00 2027 GMT', '2027-01-01T00:00:00.000Z'],
    ['Dec 31 23:59:59 2049 GMT', '2049-12-31T23:59:59.000Z'],
    ['Feb 29 12:30:05 2028 GMT', '2028-02-29T12:30:05.000Z'],
    ['Jul 14 08:00:00 2060 GMT', '2060-07-14T08:00:00.000Z'],
    // OpenSSL does not pad the year: Go's zero time, and a two-digit year Date.UTC would read as 19xx.
    ['Jan  1 00:00:00 1 GMT', '0001-01-01T00:00:00.000Z'],
    ['Jun  1 00:00:00 99 GMT', '0099-06-01T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseCertificateDate(text)?.toISOString()).toBe(iso);
  });

  test.each(['2027-01-01T00:00:00Z', 'Foo  1 00:00:00 2027 GMT', ''])('rejects %j', (text) => {
    expect(parseCertificateDate(text)).toBeUndefined();
  });
});

describe('certificatesFromPem', () => {
  let chain: CertChain;
  let notYetValid: CertChain;
  let expired: CertChain;
  beforeAll(() => {
    chain = makeCertChain({
      leafCN: 'payments-api',
      dnsNames: ['payments-api.payments.svc.cluster.local'],
      notBefore: new Date('2026-06-01T00:00:00Z'),
      notAfter: new Date('2027-06-01T12:34:56Z'),
      root: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') },
      intermediate: { notBefore: new Date('2025-02-01T00:00:00Z'), notAfter: new Date('2030-02-01T00:00:00Z') },
    });
    notYetValid = makeCertChain({ leafCN: 'orders-api', notBefore: new Date('2099-01-01T00:00:00Z'), notAfter: new Date('2099-12-31T23:59:59Z') });
    expired = makeCertChain({ leafCN: 'legacy-billing', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
  });

  test('reads every block of a chain in order, with the line of each BEGIN marker', () => {
    // Two comment lines, then leaf (line 3), intermediate and root: a typical bundle file.
    const text = `# payments-api serving chain\n# issued by the shop intermediate\n${chain.leafPem}${chain.intermediatePem}\n${chain.rootPem}`;
    const { certificates, problems } = certificatesFromPem(text, FILE_ORIGIN);
    expect(problems).toEqual([]);
    expect(certificates.map((c) => c.chainIndex)).toEqual([0, 1, 2]);
    expect(certificates.map((c) => c.subjectCN)).toEqual(['payments-api', 'meshgov test intermediate CA', 'meshgov test root CA']);
    expect(certificates.map((c) => c.isCA)).toEqual([false, true, true]);

    const leafLines = chain.leafPem.trimEnd().split('\n').length;
    const interLines = chain.intermediatePem.trimEnd().split('\n').length;
    expect(certificates.map((c) => c.origin.source.line)).toEqual([3, 3 + leafLines, 3 + leafLines + interLines + 1]);

    const leaf = certificates[0];
    const x = new X509Certificate(chain.leafPem);
    expect(leaf).toMatchObject({
      provider: 'x509',
      subject: 'CN=payments-api',
      issuer: 'O=meshgov tests, CN=meshgov test intermediate CA',
      serialNumber: x.serialNumber,
      fingerprint256: x.fingerprint256,
      origin: { kind: 'File', name: 'payments-chain.pem', source: { file: 'certs/payments-chain.pem', line: 3 } },
    });
    expect(leaf.id).toBe(`x509:${x.fingerprint256}#0@File//payments-chain.pem`);
    expect(leaf.notBefore.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(leaf.notAfter.toISOString()).toBe('2027-06-01T12:34:56.000Z');
    expect(certificates[1].notAfter.toISOString()).toBe('2030-02-01T00:00:00.000Z');
    expect(certificates[2].notBefore.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(new Set(certificates.map((c) => c.id)).size).toBe(3);
  });

  test('a not-yet-valid certificate keeps its future notBefore', () => {
    const [leaf] = certificatesFromPem(notYetValid.leafPem, FILE_ORIGIN).certificates;
    expect(leaf.notBefore.toISOString()).toBe('2099-01-01T00:00:00.000Z');
    expect(leaf.notAfter.toISOString()).toBe('2099-12-31T23:59:59.000Z');
  });

  test('an expired certificate keeps its past notAfter', () => {
    const [leaf] = certificatesFromPem(expired.chainPem, FILE_ORIGIN).certificates;
    expect(leaf.subjectCN).toBe('legacy-billing');
    expect(leaf.notAfter.toISOString()).toBe('2021-01-01T00:00:00.000Z');
  });

  test('a corrupt block is a problem at its BEGIN line; the blocks around it are still read', () => {
    const corrupt = '-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificateAAAA\n-----END CERTIFICATE-----\n';
    const text = `${chain.leafPem}${corrupt}${chain.rootPem}`;
    const origin = { ...FILE_ORIGIN, source: { file: 'certs/bundle.pem', line: 10 } };
    const { certificates, problems } = certificatesFromPem(text, origin);
    const leafLines = chain.leafPem.trimEnd().split('\n').length;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'certs/bundle.pem', line: 10 + leafLines, kind: 'File', name: 'payments-chain.pem' });
    expect(problems[0].message).toMatch(/^certificate #1 cannot be parsed: /);
    expect(problems[0].field).toBeUndefined();
    expect(certificates.map((c) => [c.subjectCN, c.chainIndex])).toEqual([
      ['payments-api', 0],
      ['meshgov test root CA', 2],
    ]);
  });

  test('a block without its END line is a problem', () => {
    const truncated = chain.leafPem.replace('-----END CERTIFICATE-----\n', '');
    const { certificates, problems } = certificatesFromPem(`${truncated}${chain.rootPem}`, FILE_ORIGIN);
    expect(problems).toEqual([expect.objectContaining({ line: 1, message: 'certificate #0 has no -----END CERTIFICATE----- line' })]);
    expect(certificates.map((c) => c.subjectCN)).toEqual(['meshgov test root CA']);
  });

  test('text decoded from a Secret points every record and problem at the document, with the key as field', () => {
    const origin: CertificateRecord['origin'] = { kind: 'Secret', name: 'cacerts', namespace: 'istio-system', key: 'cert-chain.pem', source: { file: 'k8s/cacerts.yaml', line: 7 } };
    const text = `${chain.intermediatePem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`;
    const { certificates, problems } = certificatesFromPem(text, origin, 'x509', { textFirstLine: null });
    expect(certificates[0].origin).toEqual(origin);
    expect(certificates[0].id).toBe(`x509:${new X509Certificate(chain.intermediatePem).fingerprint256}@Secret/istio-system/cacerts/cert-chain.pem`);
    expect(problems).toEqual([expect.objectContaining({ file: 'k8s/cacerts.yaml', line: 7, field: 'data["cert-chain.pem"]', kind: 'Secret', name: 'cacerts' })]);
  });

  test('the provider can be acm, and the same certificate twice in one text keeps distinct ids', () => {
    const { certificates } = certificatesFromPem(`${chain.rootPem}${chain.rootPem}`, FILE_ORIGIN, 'acm');
    expect(certificates.map((c) => c.provider)).toEqual(['acm', 'acm']);
    expect(new Set(certificates.map((c) => c.id)).size).toBe(2);
    const secret: CertificateRecord['origin'] = { kind: 'Secret', name: 'cacerts', namespace: 'istio-system', key: 'root-cert.pem', source: { file: 'k8s/cacerts.yaml', line: 1 } };
    const inSecret = certificatesFromPem(`${chain.rootPem}${chain.rootPem}`, secret, 'x509', { textFirstLine: null }).certificates;
    expect(inSecret[1].id).toBe(`${inSecret[0].id}#1`);
  });

  test('an Istio workload certificate (empty subject, SPIFFE URI SAN) is named by its SAN, not a crash', () => {
    const root = istioRootCa();
    const workload = istioWorkloadCertificate(root, 'spiffe://cluster.local/ns/payments/sa/payments-api');
    const { certificates, problems } = certificatesFromPem(`${workload.certPem}${root.certPem}`, FILE_ORIGIN);
    expect(problems).toEqual([]);
    expect(certificates.map((c) => [c.subjectCN, c.subject, c.issuer, c.isCA])).toEqual([
      ['spiffe://cluster.local/ns/payments/sa/payments-api', '', 'O=cluster.local', false],
      ['', 'O=cluster.local', 'O=cluster.local', true],
    ]);
  });

  test('a certificate whose fields cannot be read is a problem at its BEGIN line, and the others are still read', () => {
    const text = `# edge bundle\n${chain.leafPem}${chain.intermediatePem}`;
    const leafFingerprint = new X509Certificate(chain.leafPem).fingerprint256;
    const real = Object.getOwnPropertyDescriptor(X509Certificate.prototype, 'subject')!.get!;
    const subject = jest.spyOn(X509Certificate.prototype, 'subject', 'get').mockImplementation(function (this: X509Certificate) {
      if (this.fingerprint256 === leafFingerprint) throw new Error('unsupported name encoding');
      return real.call(this);
    });
    try {
      const { certificates, problems } = certificatesFromPem(text, FILE_ORIGIN, 'x509', { textFirstLine: 1 });
      expect(problems).toEqual([expect.objectContaining({ file: 'certs/payments-chain.pem', line: 2, message: 'certificate #0 cannot be read: unsupported name encoding' })]);
      expect(certificates.map((c) => c.subjectCN)).toEqual(['meshgov test intermediate CA']);
    } finally {
      subject.mockRestore();
    }
  });

  test('CNs are unescaped: DN-special characters come back as written', () => {
    const ca = makeRootCa({ cn: 'Payments, Inc. CA', organization: 'Payments, Inc.' });
    const [cert] = certificatesFromPem(ca.certPem, FILE_ORIGIN).certificates;
    expect(cert.subjectCN).toBe('Payments, Inc. CA');
    // The subject stays a DN, escaped so that its commas still separate attributes.
    expect(cert.subject).toBe('O=Payments\\, Inc., CN=Payments\\, Inc. CA');
  });

  test('a file certificate keeps its id however the path was written; a Secret key keeps its object-and-key id', () => {
    const idsAt = (file: string) =>
      certificatesFromPemFile({ doc: { text: chain.chainPem }, source: { file, line: 1 } }).certificates.map((c) => c.id);
    const ids = idsAt('certs/payments-chain.pem');
    expect(idsAt('/srv/fleet/certs/payments-chain.pem')).toEqual(ids);
    expect(idsAt('../../srv/fleet/certs/payments-chain.pem')).toEqual(ids);
    expect(idsAt('./certs//payments-chain.pem')).toEqual(ids);
    expect(new Set(ids).size).toBe(2);
    // Another file holding the same certificates is another record.
    expect(idsAt('certs/payments-chain-old.pem')).not.toEqual(ids);
  });

  test('CRLF line endings are read', () => {
    const { certificates } = certificatesFromPem(chain.chainPem.replace(/\n/g, '\r\n'), FILE_ORIGIN);
    expect(certificates).toHaveLength(2);
  });

  test('TRUSTED CERTIFICATE blocks (openssl x509 -trustout, Red Hat trust bundles) are read as certificates', () => {
    const trusted = trustedCertificate(chain.rootPem, ['serverAuth', 'clientAuth']);
    expect(trusted.startsWith('-----BEGIN TRUSTED CERTIFICATE-----\n')).toBe(true);
    const text = `${chain.intermediatePem}# mesh root, trusted for TLS clients and servers\n${trusted}`;
    const { certificates, problems } = certificatesFromPem(text, FILE_ORIGIN, 'x509', { textFirstLine: 1 });
    expect(problems).toEqual([]);
    const interLines = chain.intermediatePem.trimEnd().split('\n').length;
    expect(certificates.map((c) => [c.subjectCN, c.chainIndex, c.isCA, c.origin.source.line])).toEqual([
      ['meshgov test intermediate CA', 0, true, 1],
      ['meshgov test root CA', 1, true, interLines + 2],
    ]);
    // The trust settings after the certificate are not part of it.
    expect(certificates[1].fingerprint256).toBe(new X509Certificate(chain.rootPem).fingerprint256);
    expect(certificates[1].notAfter.toISOString()).toBe('2035-01-01T00:00:00.000Z');
  });

  test('a certificate with notBefore 0001-01-01 (Go\'s zero time) is read with its dates, not a problem', () => {
    const goZero = makeRootCa({ cn: 'legacy-ca', notBefore: new Date('0001-01-01T00:00:00Z'), notAfter: new Date('2026-12-01T00:00:00Z') });
    const { certificates, problems } = certificatesFromPem(goZero.certPem, FILE_ORIGIN);
    expect(problems).toEqual([]);
    expect(certificates.map((c) => [c.subjectCN, c.notBefore.toISOString(), c.notAfter.toISOString()])).toEqual([
      ['legacy-ca', '0001-01-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ]);
  });

  test('files concatenated without a final line break: the first block is said to have text after its END marker, not to lack one', () => {
    // `cat leaf.pem intermediate.pem` when leaf.pem has no final newline; OpenSSL says "bad end line" and reads neither.
    const text = `${chain.leafPem.trimEnd()}${chain.intermediatePem}${chain.rootPem}`;
    const { certificates, problems } = certificatesFromPem(text, FILE_ORIGIN, 'x509', { textFirstLine: 1 });
    const leafLines = chain.leafPem.trimEnd().split('\n').length;
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'certificate #0 has text after its -----END CERTIFICATE----- marker on the same line: the END marker must end its line (a file concatenated without its final line break?)'],
      [leafLines, 'certificate #1 is not on lines of its own: its BEGIN line, base64 lines and END line must each end with a line break'],
    ]);
    expect(certificates.map((c) => [c.subjectCN, c.chainIndex])).toEqual([['meshgov test root CA', 2]]);
  });

  test('a certificate folded onto one line, or with bare CR line endings, is a problem at its line, never silently nothing', () => {
    // As a pasted environment value or a multi-line single-quoted YAML value leaves it: OpenSSL and Go read no certificate there.
    const folded = chain.leafPem.trimEnd().split('\n').join(' ');
    const { certificates, problems } = certificatesFromPem(`# edge bundle\n${folded}\n${chain.intermediatePem}`, FILE_ORIGIN, 'x509', { textFirstLine: 1 });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'certs/payments-chain.pem', line: 2, message: 'certificate #0 is not on lines of its own: its BEGIN line, base64 lines and END line must each end with a line break' }),
    ]);
    expect(certificates.map((c) => [c.subjectCN, c.chainIndex])).toEqual([['meshgov test intermediate CA', 1]]);

    const classicMac = certificatesFromPem(chain.chainPem.replace(/\n/g, '\r'), FILE_ORIGIN);
    expect(classicMac.certificates).toEqual([]);
    expect(classicMac.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^certificate #0 is not on lines of its own/),
      expect.stringMatching(/^certificate #1 is not on lines of its own/),
    ]);
  });
});
