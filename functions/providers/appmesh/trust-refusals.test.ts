/**
 * A validation trust that does not validate the certificate the other side presents: Envoy
 * fails the handshake (CERTIFICATE_VERIFY_FAILED), whatever the TLS modes say. Reported only
 * where the certificates are known: PEM files read, or SPIFFE trust domains and IDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { buildAppMeshModel } from './index';
import { ACM_CERT_ARN, MESH, NOW, PCA_ARN, TESTDATA, apiNode, apiServiceByNode, dns, inventoryOf, listener } from './testdata/fixtures';

const TRUST_DOMAIN = 'spiffe://prod-mesh.example.org';
const PARTNER_DOMAIN = 'spiffe://partner.example.com';
const SERVICE = 'payments-api.payments.svc.cluster.local';
const SERVER = 'appmesh:prod-mesh/VirtualNode/payments-api:8080';
const fileCert = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };
const svid = (sa: string) => ({ sds: { secretName: `${TRUST_DOMAIN}/ns/payments/sa/${sa}` } });
const fileTrust = (path: string) => ({ trust: { file: { certificateChain: path } } });
const sdsTrust = (domain: string) => ({ trust: { sds: { secretName: domain } } });
const pem = (path: string) => ({ file: `fleet/${path}`, text: readFileSync(join(TESTDATA, path), 'utf8') });
const ALL_PEM = [pem('certs/payments-api/cert_chain.pem'), pem('certs/ca_cert.pem'), pem('certs/partner-ca.pem')];

/** payments-api serves `serverTls` on 8080; orders-api calls it with `clientTls`. */
function fleet(serverTls: Record<string, unknown>, clientTls: Record<string, unknown>) {
  return [
    apiNode('payments-api', { listeners: [listener(8080, serverTls)], serviceDiscovery: dns(SERVICE) }),
    apiServiceByNode(SERVICE, 'payments-api'),
    apiNode('orders-api', {
      backends: [{ virtualService: { virtualServiceName: SERVICE, clientPolicy: { tls: clientTls } } }],
      serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
    }),
  ];
}

const refusals = (model: ReturnType<typeof buildAppMeshModel>) => model.clients.filter((c) => c.refusesCertificateOf).map((c) => c.refusesCertificateOf!);

describe("the client's validation trust and the listener's certificate", () => {
  test('a trust file that did not sign the listener certificate (both PEM files read): the calls fail, an mtls-conflict says so', () => {
    const api = fleet({ mode: 'STRICT', certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) }, { certificate: svid('orders-api'), validation: fileTrust('/certs/partner-ca.pem') });
    const model = buildAppMeshModel(inventoryOf({ api, pem: ALL_PEM }), { now: NOW });
    const why =
      'the client validates server certificates with /certs/partner-ca.pem, which does not validate the listener certificate /certs/payments-api/cert_chain.pem, so its TLS handshakes fail';
    expect(refusals(model)).toEqual([{ [SERVER]: why }]);
    const conflict = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-conflict')!;
    expect(conflict.resource).toMatchObject({ kind: 'VirtualNode', name: 'orders-api', mesh: MESH });
    expect(conflict.detail).toMatchObject({ reason: why, server: { kind: 'VirtualNode', name: 'payments-api', port: 8080 } });
  });

  test('the CA file that signed it (signature checked), or PEM files not read: nothing reported', () => {
    const signed = fleet({ mode: 'STRICT', certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) }, { certificate: svid('orders-api'), validation: fileTrust('/certs/ca_cert.pem') });
    expect(refusals(buildAppMeshModel(inventoryOf({ api: signed, pem: ALL_PEM }), { now: NOW }))).toEqual([]);
    const unread = fleet({ mode: 'STRICT', certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) }, { certificate: svid('orders-api'), validation: fileTrust('/certs/partner-ca.pem') });
    expect(refusals(buildAppMeshModel(inventoryOf({ api: unread }), { now: NOW }))).toEqual([]);
  });

  test("SPIFFE: a trust domain refuses another domain's SVID, even toward a PERMISSIVE listener (the client validates what it is sent)", () => {
    const api = fleet({ mode: 'PERMISSIVE', certificate: svid('payments-api') }, { enforce: true, validation: sdsTrust(PARTNER_DOMAIN) });
    const model = buildAppMeshModel(inventoryOf({ api }), { now: NOW });
    expect(refusals(model)).toEqual([
      {
        [SERVER]: `the client validates server certificates with ${PARTNER_DOMAIN}, which does not validate the listener certificate ${TRUST_DOMAIN}/ns/payments/sa/payments-api, so its TLS handshakes fail`,
      },
    ]);
    const same = fleet({ mode: 'PERMISSIVE', certificate: svid('payments-api') }, { enforce: true, validation: sdsTrust(TRUST_DOMAIN) });
    expect(refusals(buildAppMeshModel(inventoryOf({ api: same }), { now: NOW }))).toEqual([]);
  });

  test('ACM: the Private CA behind an ACM certificate is not in any App Mesh object, nothing reported', () => {
    const api = fleet({ mode: 'STRICT', certificate: { acm: { certificateArn: ACM_CERT_ARN } } }, { validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } } });
    expect(refusals(buildAppMeshModel(inventoryOf({ api, pem: ALL_PEM }), { now: NOW }))).toEqual([]);
  });

  test('a client that sends plaintext (enforce: false) validates nothing', () => {
    const api = fleet({ mode: 'PERMISSIVE', certificate: svid('payments-api') }, { enforce: false, validation: sdsTrust(PARTNER_DOMAIN) });
    expect(refusals(buildAppMeshModel(inventoryOf({ api }), { now: NOW }))).toEqual([]);
  });
});

describe("a STRICT listener's validation trust and the client certificate", () => {
  test('a trust file that did not sign the client certificate (both PEM files read): the listener refuses the calls', () => {
    const api = fleet(
      { mode: 'STRICT', certificate: svid('payments-api'), validation: fileTrust('/certs/partner-ca.pem') },
      { certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) },
    );
    const model = buildAppMeshModel(inventoryOf({ api, pem: ALL_PEM }), { now: NOW });
    expect(refusals(model)).toEqual([
      {
        [SERVER]:
          'the listener validates client certificates with /certs/partner-ca.pem, which does not validate the client certificate /certs/payments-api/cert_chain.pem, so the listener refuses its TLS handshakes',
      },
    ]);
    const signed = fleet(
      { mode: 'STRICT', certificate: svid('payments-api'), validation: fileTrust('/certs/ca_cert.pem') },
      { certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) },
    );
    expect(refusals(buildAppMeshModel(inventoryOf({ api: signed, pem: ALL_PEM }), { now: NOW }))).toEqual([]);
  });

  test("SPIFFE: a listener of the partner's trust domain refuses this mesh's SVID", () => {
    const api = fleet({ mode: 'STRICT', certificate: svid('payments-api'), validation: sdsTrust(PARTNER_DOMAIN) }, { certificate: svid('orders-api'), validation: sdsTrust(TRUST_DOMAIN) });
    expect(refusals(buildAppMeshModel(inventoryOf({ api }), { now: NOW }))).toEqual([
      {
        [SERVER]: `the listener validates client certificates with ${PARTNER_DOMAIN}, which does not validate the client certificate ${TRUST_DOMAIN}/ns/payments/sa/orders-api, so the listener refuses its TLS handshakes`,
      },
    ]);
  });

  test('both sides refuse: one finding, with both reasons', () => {
    const api = fleet(
      { mode: 'STRICT', certificate: svid('payments-api'), validation: sdsTrust(PARTNER_DOMAIN) },
      { certificate: svid('orders-api'), validation: sdsTrust(PARTNER_DOMAIN) },
    );
    const [refused] = refusals(buildAppMeshModel(inventoryOf({ api }), { now: NOW }));
    expect(refused[SERVER]).toMatch(/^the client validates server certificates with .*; and the listener validates client certificates with .*refuses its TLS handshakes$/);
  });
});

describe("a STRICT listener's subjectAlternativeNames and the client certificate", () => {
  const pinned = (pins: string[]) => ({
    mode: 'STRICT',
    certificate: svid('payments-api'),
    validation: { ...sdsTrust(TRUST_DOMAIN), subjectAlternativeNames: { match: { exact: pins } } },
  });

  test("a listener pinning SVIDs the caller's is not: the listener refuses the calls", () => {
    const api = fleet(pinned([`${TRUST_DOMAIN}/ns/checkout/sa/checkout`]), { certificate: svid('orders-api'), validation: sdsTrust(TRUST_DOMAIN) });
    const model = buildAppMeshModel(inventoryOf({ api }), { now: NOW });
    const why = `the listener pins subjectAlternativeNames [${TRUST_DOMAIN}/ns/checkout/sa/checkout] for client certificates, and the client certificate is the SVID ${TRUST_DOMAIN}/ns/payments/sa/orders-api, so the listener refuses its TLS handshakes`;
    expect(refusals(model)).toEqual([{ [SERVER]: why }]);
    expect(auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-conflict')!.detail).toMatchObject({ reason: why });
  });

  test("the caller's SVID pinned, or a DNS pin an SVID may carry: nothing reported", () => {
    for (const pins of [[`${TRUST_DOMAIN}/ns/payments/sa/orders-api`], ['orders-api.orders.svc.cluster.local']]) {
      const api = fleet(pinned(pins), { certificate: svid('orders-api'), validation: sdsTrust(TRUST_DOMAIN) });
      expect(refusals(buildAppMeshModel(inventoryOf({ api }), { now: NOW }))).toEqual([]);
    }
  });

  test('a file client certificate whose PEM was read: its subjectAltName decides', () => {
    const api = fleet(pinned(['orders-api.orders.svc.cluster.local']), { certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) });
    expect(refusals(buildAppMeshModel(inventoryOf({ api, pem: ALL_PEM }), { now: NOW }))).toEqual([
      {
        [SERVER]:
          'the listener pins subjectAlternativeNames [orders-api.orders.svc.cluster.local] for client certificates, and the client certificate /certs/payments-api/cert_chain.pem carries payments-api.payments.svc.cluster.local, so the listener refuses its TLS handshakes',
      },
    ]);
    const carried = fleet(pinned([SERVICE]), { certificate: fileCert, validation: sdsTrust(TRUST_DOMAIN) });
    expect(refusals(buildAppMeshModel(inventoryOf({ api: carried, pem: ALL_PEM }), { now: NOW }))).toEqual([]);
  });
});
