import { sameJson } from './same-json';
import { ACM_CERT_ARN, listener } from './testdata/fixtures';

/** What sameJson must always answer. */
const byText = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const strictTls = { mode: 'STRICT', certificate: { acm: { certificateArn: ACM_CERT_ARN } }, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } };

describe('sameJson', () => {
  const spec = { listeners: [listener(8080, strictTls), listener(9090)], serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } } };

  test.each<[string, unknown, unknown]>([
    ['a spec and itself', spec, spec],
    ['a listener list with one listener replaced by an equal copy', spec.listeners, [spec.listeners[0], { ...spec.listeners[1] }]],
    ['a listener whose tls changed mode', spec.listeners, [{ ...spec.listeners[0], tls: { ...strictTls, mode: 'PERMISSIVE' } }, spec.listeners[1]]],
    ['the same keys in another order', { mode: 'STRICT', certificate: {} }, { certificate: {}, mode: 'STRICT' }],
    ['an undefined member, which JSON leaves out', { mode: 'STRICT', validation: undefined }, { mode: 'STRICT' }],
    ['an undefined element, which JSON writes as null', [8080, undefined], [8080, null]],
    ['one element more', [8080], [8080, 8443]],
    ['NaN and null, both written null', [NaN], [null]],
    ['a YAML timestamp and its ISO text', { notAfter: new Date('2027-01-01T00:00:00Z') }, { notAfter: '2027-01-01T00:00:00.000Z' }],
    ['a Date and an empty object', { notAfter: new Date('2027-01-01T00:00:00Z') }, { notAfter: {} }],
    ['an object and an array', { 0: 8080 }, [8080]],
    ['a function member, left out like undefined', { mode: 'STRICT', toString: () => 'x' }, { mode: 'STRICT' }],
    ['numbers of equal text', { port: 8080.0 }, { port: 8080 }],
    ['strings that differ', { mode: 'STRICT' }, { mode: 'STRICT ' }],
  ])('%s', (_name, a, b) => {
    expect(sameJson(a, b)).toBe(byText(a, b));
    expect(sameJson(b, a)).toBe(byText(b, a));
  });

  test('every element and member is compared, not only the first that differs by identity', () => {
    const before = { backends: [{ virtualService: { virtualServiceName: 'ledger' } }, { virtualService: { virtualServiceName: 'fraud-check' } }] };
    const after = { backends: [{ virtualService: { virtualServiceName: 'ledger' } }, { virtualService: { virtualServiceName: 'fraud-check', clientPolicy: {} } }] };
    expect(sameJson(before, after)).toBe(false);
    expect(sameJson(before, structuredClone(before))).toBe(true);
  });
});
