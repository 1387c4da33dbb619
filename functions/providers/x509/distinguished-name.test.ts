import { X509Certificate } from 'node:crypto';
import { makeRootCa } from '../../../test/support/certs';
import { attributesOf, commonNameOf, firstAltNameOf, oneLine } from './distinguished-name';
import { istioRootCa, istioWorkloadCertificate, selfSigned } from './testdata/openssl-certs';

describe('commonNameOf, on the text Node prints', () => {
  test.each([
    ['O=Shop\nCN=payments-api', 'payments-api'],
    ['CN=Payments\\, Inc. CA', 'Payments, Inc. CA'],
    ['CN=api(v2)\\+[x]$.example.com', 'api(v2)+[x]$.example.com'],
    ['CN=q\\"\\<\\>\\;=\\\\', 'q"<>;=\\'],
    ['CN=\\ lead\\+trail\\ \nO=\\#hash', ' lead+trail '],
    ['CN=\\#x#', '#x#'],
    ['CN=a\\01b\\0Ac', 'a\u0001b\nc'],
    ['CN=zürich.example.com', 'zürich.example.com'],
    // Several CNs: the last, most specific one.
    ['CN=first\nCN=second', 'second'],
    // A multi-valued RDN, and a value ending in a space or a backslash before its ` + `.
    ['CN=x + O=y', 'x'],
    ['O=y + CN=x\\ ', 'x '],
    ['CN=a\\\\ + CN=b', 'b'],
  ])('%j → %j', (dn, cn) => {
    expect(commonNameOf(dn)).toBe(cn);
  });

  test('no CN, or no subject at all (Node 20 gives undefined for an empty one)', () => {
    expect(commonNameOf('O=cluster.local')).toBeUndefined();
    expect(commonNameOf(undefined)).toBeUndefined();
    expect(oneLine(undefined)).toBe('');
  });

  test('every attribute of a multi-valued RDN', () => {
    expect(attributesOf('C=DE\nO=a\\+b + OU=c\\\\ + CN=d')).toEqual([
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'a+b' },
      { type: 'OU', value: 'c\\' },
      { type: 'CN', value: 'd' },
    ]);
  });
});

describe('firstAltNameOf', () => {
  test.each([
    ['URI:spiffe://cluster.local/ns/payments/sa/payments-api', 'spiffe://cluster.local/ns/payments/sa/payments-api'],
    ['DNS:shop.example.com, DNS:www.shop.example.com', 'shop.example.com'],
    ['IP Address:10.0.0.12, DNS:x', '10.0.0.12'],
    ['URI:"http://a.example/x,y", DNS:b', 'http://a.example/x,y'],
  ])('%j → %j', (san, first) => {
    expect(firstAltNameOf(san)).toBe(first);
  });

  test('none', () => {
    expect(firstAltNameOf(undefined)).toBeUndefined();
    expect(firstAltNameOf('')).toBeUndefined();
  });
});

describe('on real certificates', () => {
  test('CNs with DN-special characters come back as written', () => {
    for (const cn of ['Payments, Inc. CA', 'api(v2)+[x]$.example.com', 'Shop "Edge" <prod>; CA', 'tenant=blue\\green']) {
      const cert = new X509Certificate(makeRootCa({ cn, organization: 'Example Corp' }).certPem);
      expect(commonNameOf(cert.subject)).toBe(cn);
    }
  });

  test('two CNs, and a multi-valued RDN', () => {
    expect(commonNameOf(new X509Certificate(selfSigned('/O=Example Corp/CN=edge.example.com/CN=api.edge.example.com').certPem).subject)).toBe('api.edge.example.com');
    expect(commonNameOf(new X509Certificate(selfSigned('/O=Example Corp+CN=ledger.example.com').certPem).subject)).toBe('ledger.example.com');
  });

  test('an Istio workload certificate: no subject, named by its SPIFFE id', () => {
    const cert = new X509Certificate(istioWorkloadCertificate(istioRootCa(), 'spiffe://cluster.local/ns/payments/sa/payments-api').certPem);
    expect(commonNameOf(cert.subject)).toBeUndefined();
    expect(oneLine(cert.subject)).toBe('');
    expect(oneLine(cert.issuer)).toBe('O=cluster.local');
    expect(firstAltNameOf(cert.subjectAltName)).toBe('spiffe://cluster.local/ns/payments/sa/payments-api');
  });
});
