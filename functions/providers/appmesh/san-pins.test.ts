/**
 * `subjectAlternativeNames.match.exact` on a client policy: a pin the destination's certificate
 * does not carry fails the calls; reported only where the certificate's names are known.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { buildAppMeshModel } from './index';
import { sanMatchesPin } from './san-pins';
import { ACM_CERT_ARN, MESH, NOW, PCA_ARN, TESTDATA, apiNode, apiServiceByNode, crd, crdMesh, dns, inventoryOf, listener } from './testdata/fixtures';

const TRUST_DOMAIN = 'spiffe://prod-mesh.example.org';
const sdsTrust = { trust: { sds: { secretName: TRUST_DOMAIN } } };
const LEDGER_SVID = `${TRUST_DOMAIN}/ns/payments/sa/ledger`;
const SERVICE = 'ledger.payments.svc.cluster.local';
const LEDGER = 'appmesh:prod-mesh/VirtualNode/ledger:8080';

function fleet(ledgerCertificate: Record<string, unknown>, pins: string[], trust: Record<string, unknown> = sdsTrust) {
  return [
    apiNode('ledger', { listeners: [listener(8080, { mode: 'STRICT', certificate: ledgerCertificate, validation: sdsTrust })], serviceDiscovery: dns(SERVICE) }),
    apiServiceByNode(SERVICE, 'ledger'),
    apiNode('orders-api', {
      backends: [
        {
          virtualService: {
            virtualServiceName: SERVICE,
            clientPolicy: {
              tls: {
                certificate: { sds: { secretName: `${TRUST_DOMAIN}/ns/orders/sa/orders-api` } },
                validation: { ...trust, subjectAlternativeNames: { match: { exact: pins } } },
              },
            },
          },
        },
      ],
      serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
    }),
  ];
}

/** The servers each client refuses the certificate of, with why. */
const refusals = (model: ReturnType<typeof buildAppMeshModel>) => model.clients.filter((c) => c.refusesCertificateOf).map((c) => c.refusesCertificateOf!);

describe('client policy SAN pins', () => {
  test("a SPIFFE pin that is not the destination's SVID: the calls fail, an mtls-conflict says so", () => {
    const model = buildAppMeshModel(inventoryOf({ api: fleet({ sds: { secretName: LEDGER_SVID } }, [`${TRUST_DOMAIN}/ns/payments/sa/ledger-v2`]) }), { now: NOW });
    const why = `the client pins subjectAlternativeNames [${TRUST_DOMAIN}/ns/payments/sa/ledger-v2], and its certificate is the SVID ${LEDGER_SVID}, so its TLS handshakes fail`;
    expect(refusals(model)).toEqual([{ [LEDGER]: why }]);
    const conflict = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-conflict')!;
    expect(conflict.resource).toMatchObject({ kind: 'VirtualNode', name: 'orders-api', mesh: MESH });
    expect(conflict.detail).toMatchObject({ reason: why, server: { kind: 'VirtualNode', name: 'ledger', port: 8080 } });
    expect(model.problems).toEqual([]);
  });

  test('a SPIFFE pin that is the SVID, and a DNS pin an SVID may carry (SPIRE dns_names): nothing reported', () => {
    for (const pins of [[LEDGER_SVID], ['ledger.payments.svc.cluster.local'], ['ledger.payments.svc.cluster.local', `${TRUST_DOMAIN}/ns/payments/sa/other`]]) {
      const model = buildAppMeshModel(inventoryOf({ api: fleet({ sds: { secretName: LEDGER_SVID } }, pins) }), { now: NOW });
      expect(refusals(model)).toEqual([]);
    }
  });

  test("a file certificate whose PEM was read: its subjectAltName decides", () => {
    const cert = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };
    const pem = [{ file: 'fleet/certs/payments-api/cert_chain.pem', text: readFileSync(join(TESTDATA, 'certs/payments-api/cert_chain.pem'), 'utf8') }];
    const missing = buildAppMeshModel(inventoryOf({ api: fleet(cert, ['ledger.payments.svc.cluster.local']), pem }), { now: NOW });
    expect(refusals(missing)).toEqual([
      { [LEDGER]: 'the client pins subjectAlternativeNames [ledger.payments.svc.cluster.local], and its certificate /certs/payments-api/cert_chain.pem carries payments-api.payments.svc.cluster.local, so its TLS handshakes fail' },
    ]);
    const carried = buildAppMeshModel(inventoryOf({ api: fleet(cert, ['payments-api.payments.svc.cluster.local']), pem }), { now: NOW });
    expect(refusals(carried)).toEqual([]);
    // Without the PEM file the names are not known.
    const unread = buildAppMeshModel(inventoryOf({ api: fleet(cert, ['ledger.payments.svc.cluster.local']) }), { now: NOW });
    expect(refusals(unread)).toEqual([]);
  });

  test('an ACM certificate: its names are not in any App Mesh object, nothing reported', () => {
    const model = buildAppMeshModel(
      inventoryOf({ api: fleet({ acm: { certificateArn: ACM_CERT_ARN } }, ['ledger.example.org'], { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } }) }),
      { now: NOW },
    );
    expect(refusals(model)).toEqual([]);
  });

  test('a client that sends plaintext (enforce: false) pins nothing that matters', () => {
    const api = fleet({ sds: { secretName: LEDGER_SVID } }, [`${TRUST_DOMAIN}/ns/payments/sa/other`]);
    (api[2].doc.data as any).spec.backends[0].virtualService.clientPolicy.tls.enforce = false;
    expect(refusals(buildAppMeshModel(inventoryOf({ api }), { now: NOW }))).toEqual([]);
  });

  test('CRD: backendDefaults pins; the conflict names the client in its namespace', () => {
    const meshRef = { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' };
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          crdMesh(MESH, { namespaceSelector: { matchLabels: { mesh: MESH } } }),
          crd('VirtualNode', 'payments', 'ledger', {
            podSelector: { matchLabels: { app: 'ledger' } },
            listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: { sds: { secretName: LEDGER_SVID } }, validation: sdsTrust } }],
            serviceDiscovery: { dns: { hostname: SERVICE } },
            meshRef,
          }),
          crd('VirtualService', 'payments', 'ledger', { awsName: SERVICE, provider: { virtualNode: { virtualNodeRef: { name: 'ledger' } } }, meshRef }),
          crd('VirtualNode', 'orders', 'orders-api', {
            podSelector: { matchLabels: { app: 'orders-api' } },
            backends: [{ virtualService: { virtualServiceRef: { name: 'ledger', namespace: 'payments' } } }],
            backendDefaults: {
              clientPolicy: {
                tls: {
                  certificate: { sds: { secretName: `${TRUST_DOMAIN}/ns/orders/sa/orders-api` } },
                  validation: { ...sdsTrust, subjectAlternativeNames: { match: { exact: [`${TRUST_DOMAIN}/ns/payments/sa/ledger-canary`] } } },
                },
              },
            },
            serviceDiscovery: { dns: { hostname: 'orders-api.orders.svc.cluster.local' } },
            meshRef,
          }),
        ],
      }),
      { now: NOW },
    );
    const conflicts = auditModel(model, loadPolicy(), NOW).findings.filter((f) => f.rule === 'mtls-conflict');
    expect(conflicts).toEqual([
      expect.objectContaining({ resource: expect.objectContaining({ kind: 'VirtualNode', name: 'orders-api', namespace: 'orders', mesh: MESH }), detail: expect.objectContaining({ reason: expect.stringContaining('ledger-canary') }) }),
    ]);
  });
});

describe('DNS names are matched as Envoy matches them (dnsNameMatch: no case, a wildcard in the left-most label)', () => {
  test('a pin in other letter case than the DNS SAN of a read certificate: the handshake succeeds, nothing reported', () => {
    const cert = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };
    const pem = [{ file: 'fleet/certs/payments-api/cert_chain.pem', text: readFileSync(join(TESTDATA, 'certs/payments-api/cert_chain.pem'), 'utf8') }];
    const model = buildAppMeshModel(inventoryOf({ api: fleet(cert, ['Payments-API.payments.svc.cluster.local']), pem }), { now: NOW });
    expect(refusals(model)).toEqual([]);
  });

  test.each([
    // [certificate SAN, pin, Envoy accepts]
    [{ dns: true, value: '*.payments.svc.cluster.local' }, 'ledger.payments.svc.cluster.local', true],
    [{ dns: true, value: '*.payments.svc.cluster.local' }, 'v2.ledger.payments.svc.cluster.local', false],
    [{ dns: true, value: '*.payments.svc.cluster.local' }, 'payments.svc.cluster.local', false],
    [{ dns: true, value: 'ledger-*.payments.svc.cluster.local' }, 'ledger-v2.payments.svc.cluster.local', true],
    [{ dns: true, value: 'ledger-*.payments.svc.cluster.local' }, 'audit-v2.payments.svc.cluster.local', false],
    [{ dns: true, value: '*-canary.payments.svc.cluster.local' }, 'ledger-canary.payments.svc.cluster.local', true],
    [{ dns: true, value: 'xn--*.payments.svc.cluster.local' }, 'xn--bcher-kva.payments.svc.cluster.local', false],
    [{ dns: true, value: 'ledger.*.svc.cluster.local' }, 'ledger.payments.svc.cluster.local', false],
    [{ dns: true, value: 'LEDGER.Payments.svc.cluster.local' }, 'ledger.payments.svc.cluster.local', true],
    // Only DNS names get DNS semantics: a URI SAN is compared exactly.
    [{ dns: false, value: 'spiffe://prod-mesh.example.org/ns/payments/sa/ledger' }, 'spiffe://PROD-MESH.example.org/ns/payments/sa/ledger', false],
    [{ dns: false, value: '*.payments.svc.cluster.local' }, 'ledger.payments.svc.cluster.local', false],
  ])('SAN %j, pin %s: %s', (san, pin, accepted) => {
    expect(sanMatchesPin(san, pin)).toBe(accepted);
  });
});
