/**
 * `appmesh.client-policy.enforce` checks the TLS it writes the way the audit checks what clients
 * send (trust-refusals.ts): a trust, written or kept, that refuses a destination listener's
 * certificate would be an mtls-conflict once applied, so it is never `auto`. A listener's own
 * `validation.trust` names the CA of its callers, and says nothing of the CA that signs it.
 */
import { issueCertificate, makeRootCa, type IssuedCertificate } from '../../../test/support/certs';
import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { buildAppMeshModel } from './index';
import { SERVER_CA_FILL } from './placeholders';
import { MESH, NOW, ACM_CERT_ARN, apiMesh, apiNode, apiServiceByNode, crd, crdMesh, dns, inventoryOf, listener } from './testdata/fixtures';

const LEDGER_SERVICE = 'ledger.payments.svc.cluster.local';
const LEDGER = 'appmesh:prod-mesh/VirtualNode/ledger:8443';
const ledgerCert = { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } };
const paymentsCert = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };
const fileTrust = (path: string) => ({ trust: { file: { certificateChain: path } } });

/** Two CAs, as many meshes run them: one signs server certificates, the other client certificates. */
let pem: Array<{ file: string; text: string }>;
beforeAll(() => {
  const validity = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z') };
  const serverCa = makeRootCa({ cn: 'prod-mesh server CA', organization: 'Example Corp', ...validity });
  const clientCa = makeRootCa({ cn: 'prod-mesh client CA', organization: 'Example Corp', ...validity });
  const leaf = (ca: IssuedCertificate, name: string) =>
    issueCertificate(ca, { cn: name, dnsNames: [name], notBefore: new Date('2026-09-01T00:00:00Z'), notAfter: new Date('2027-09-01T00:00:00Z') }).certPem;
  pem = [
    { file: 'fleet/certs/server-ca.pem', text: serverCa.certPem },
    { file: 'fleet/certs/client-ca.pem', text: clientCa.certPem },
    { file: 'fleet/certs/ledger/cert_chain.pem', text: leaf(serverCa, LEDGER_SERVICE) },
    { file: 'fleet/certs/payments-api/cert_chain.pem', text: leaf(clientCa, 'payments-api.payments.svc.cluster.local') },
  ];
});

/** ledger serves a certificate signed by the server CA, and validates its callers with the client CA (not enforced: PERMISSIVE). */
const ledger = () =>
  apiNode('ledger', {
    listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: ledgerCert, validation: fileTrust('/certs/client-ca.pem') })],
    serviceDiscovery: dns(LEDGER_SERVICE),
  });

/** payments-api calls ledger; its own listener holds the certificate a client policy can present. */
const paymentsApi = (spec: Record<string, unknown> = {}) =>
  apiNode('payments-api', {
    listeners: [listener(8080, { mode: 'STRICT', certificate: paymentsCert, validation: fileTrust('/certs/client-ca.pem') })],
    backends: [{ virtualService: { virtualServiceName: LEDGER_SERVICE } }],
    serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
    ...spec,
  });

function audit(api: ReturnType<typeof apiNode>[]) {
  const model = buildAppMeshModel(inventoryOf({ api: [apiMesh(), apiServiceByNode(LEDGER_SERVICE, 'ledger'), ...api], pem }), { now: NOW });
  const client = model.clients.find((c) => c.resource.name === 'payments-api')!;
  const finding = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'payments-api')!;
  return { fix: client.fix!, remediation: finding.remediation! };
}

const refusedBy = (trust: string) =>
  `with the client policy this change writes, toward ${LEDGER}: the client validates server certificates with ${trust}, which does not validate the listener certificate /certs/ledger/cert_chain.pem, so its TLS handshakes fail`;

describe('appmesh.client-policy.enforce: the trust it writes or keeps must validate the destination certificate', () => {
  test("the destination listener's client-validation trust is not taken as the CA of its certificate: a guess the audit's own check refuses", () => {
    const { fix, remediation } = audit([ledger(), paymentsApi()]);
    const tls = (fix.change.spec as any).backends[0].virtualService.clientPolicy.tls;
    expect(tls.validation).toEqual(fileTrust('/certs/client-ca.pem'));
    expect(fix.blockers).toEqual([
      `the CA that signs the certificate of virtual service ${LEDGER_SERVICE} is not known: meshgov guessed /certs/client-ca.pem from the validation of other listeners of mesh ${MESH}; confirm it`,
      refusedBy('/certs/client-ca.pem'),
    ]);
    expect(remediation.mode).toBe('approval');
    expect(remediation.reason).toContain(refusedBy('/certs/client-ca.pem'));
  });

  test('the CA file that signed the listener certificate (both PEM files read): known, auto', () => {
    // Another client of the mesh validates servers with the server CA: its signature on ledger's certificate is the evidence.
    const billingSync = apiNode('billing-sync', {
      backends: [{ virtualService: { virtualServiceName: LEDGER_SERVICE, clientPolicy: { tls: { certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/payments/sa/billing-sync' } }, validation: fileTrust('/certs/server-ca.pem') } } } }],
      serviceDiscovery: dns('billing-sync.payments.svc.cluster.local'),
    });
    const { fix, remediation } = audit([ledger(), paymentsApi(), billingSync]);
    expect((fix.change.spec as any).backends[0].virtualService.clientPolicy.tls).toEqual({ enforce: true, certificate: paymentsCert, validation: fileTrust('/certs/server-ca.pem') });
    expect(fix.blockers).toEqual([]);
    expect(remediation.mode).toBe('auto');
  });

  test('a trust kept from backendDefaults (enforce: false) that refuses the listener certificate: approval, naming the refusal', () => {
    const defaults = { clientPolicy: { tls: { enforce: false, certificate: paymentsCert, validation: fileTrust('/certs/client-ca.pem') } } };
    const { fix, remediation } = audit([ledger(), paymentsApi({ backendDefaults: defaults })]);
    expect((fix.change.spec as any).backends[0].virtualService.clientPolicy.tls).toEqual({ enforce: true, certificate: paymentsCert, validation: fileTrust('/certs/client-ca.pem') });
    expect(fix.blockers).toEqual([refusedBy('/certs/client-ca.pem')]);
    expect(remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${refusedBy('/certs/client-ca.pem')}` });
  });

  test('a kept trust that signed the listener certificate: auto stays', () => {
    const defaults = { clientPolicy: { tls: { enforce: false, certificate: paymentsCert, validation: fileTrust('/certs/server-ca.pem') } } };
    const { fix, remediation } = audit([ledger(), paymentsApi({ backendDefaults: defaults })]);
    expect(fix.blockers).toEqual([]);
    expect(remediation.mode).toBe('auto');
  });

  test("CRD: an ACM certificate and the listener's file trust for its callers: no trust known for the certificate, never auto", () => {
    const meshRef = { name: MESH };
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          crdMesh(MESH, {}),
          crd('VirtualService', 'payments', 'ledger', { awsName: LEDGER_SERVICE, provider: { virtualNode: { virtualNodeRef: { name: 'ledger' } } }, meshRef }),
          crd('VirtualNode', 'payments', 'ledger', {
            listeners: [
              {
                portMapping: { port: 8443, protocol: 'http' },
                tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateARN: ACM_CERT_ARN } }, validation: fileTrust('/etc/appmesh/certs/root-ca.pem') },
              },
            ],
            serviceDiscovery: { dns: { hostname: LEDGER_SERVICE } },
            meshRef,
          }),
          crd('VirtualNode', 'payments', 'payments-api', {
            listeners: [
              {
                portMapping: { port: 8080, protocol: 'http' },
                tls: {
                  mode: 'STRICT',
                  certificate: { file: { certificateChain: '/etc/appmesh/certs/payments-cert-chain.pem', privateKey: '/etc/appmesh/certs/payments-key.pem' } },
                  validation: fileTrust('/etc/appmesh/certs/root-ca.pem'),
                },
              },
            ],
            backends: [{ virtualService: { virtualServiceRef: { name: 'ledger' } } }],
            serviceDiscovery: { dns: { hostname: 'payments-api.payments.svc.cluster.local' } },
            meshRef,
          }),
        ],
      }),
      { now: NOW },
    );
    const fix = model.clients.find((c) => c.resource.name === 'payments-api')!.fix!;
    expect(fix.blockers).toEqual([`no trust known for the certificate of virtual service ${LEDGER_SERVICE}: choose the CA that signs its server certificate and ${SERVER_CA_FILL}`]);
    // App Mesh requires ClientPolicyTls.validation.trust: the manual change carries a placeholder, in CRD spelling.
    expect((fix.change as any).patch.spec.backends[0].virtualService.clientPolicy.tls).toEqual({
      enforce: true,
      certificate: { file: { certificateChain: '/etc/appmesh/certs/payments-cert-chain.pem', privateKey: '/etc/appmesh/certs/payments-key.pem' } },
      validation: { trust: { file: { certificateChain: `<path of the CA bundle that signs the server certificate of ${LEDGER_SERVICE}>` } } },
    });
    const finding = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-client-not-enforced')!;
    expect(finding.remediation!.mode).not.toBe('auto');
  });
});
