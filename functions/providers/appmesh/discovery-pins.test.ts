/**
 * A client validation without `subjectAlternativeNames`: App Mesh then requires the server
 * certificate to match the destination's service discovery name (API Reference,
 * `TlsValidationContext.subjectAlternativeNames`), and an SVID, named by its SPIFFE ID, never does.
 */
import { auditModel } from '../../core/audit';
import type { Finding } from '../../core/findings';
import { loadPolicy } from '../../core/policy/load';
import { issueCertificate, makeCertChain, type CertChain } from '../../../test/support/certs';
import { buildAppMeshModel } from './index';
import { MESH, NOW, apiHttpRoute, apiNode, apiRouter, apiServiceByNode, apiServiceByRouter, crd, crdMesh, dns, inventoryOf, listener } from './testdata/fixtures';

const SERVICE = 'billing.payments.svc.cluster.local';
const BILLING = 'appmesh:prod-mesh/VirtualNode/billing:8443';
const fileCert = (name: string) => ({ file: { certificateChain: `/certs/${name}/cert_chain.pem`, privateKey: `/certs/${name}/key.pem` } });
const caTrust = { trust: { file: { certificateChain: '/certs/ca.pem' } } };

/** billing's serving chain carries `billingSans`; web's client certificate comes from the same CA. */
function pemFiles(billingSans: string[]): Array<{ file: string; text: string }> {
  const billing: CertChain = makeCertChain({ leafCN: billingSans[0], dnsNames: billingSans, intermediateCN: 'prod-mesh Intermediate CA' });
  const web = issueCertificate({ certPem: billing.intermediatePem, keyPem: billing.intermediateKeyPem }, { cn: 'web.payments.svc.cluster.local', dnsNames: ['web.payments.svc.cluster.local'] });
  return [
    { file: 'fleet/certs/billing/cert_chain.pem', text: billing.chainPem },
    { file: 'fleet/certs/web/cert_chain.pem', text: web.certPem + billing.intermediatePem },
    { file: 'fleet/certs/ca.pem', text: billing.rootPem },
  ];
}

/** `aws appmesh describe-virtual-node` of billing (PERMISSIVE on 8443) and of web, calling it with `clientTls`. */
function fleet(clientTls: Record<string, unknown>, serviceDiscovery: Record<string, unknown> = dns(SERVICE)) {
  return [
    apiNode('billing', { listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: fileCert('billing'), validation: caTrust })], serviceDiscovery }),
    apiServiceByNode(SERVICE, 'billing'),
    apiNode('web', {
      backends: [{ virtualService: { virtualServiceName: SERVICE, clientPolicy: { tls: clientTls } } }],
      listeners: [listener(8080, { mode: 'STRICT', certificate: fileCert('web'), validation: caTrust })],
      serviceDiscovery: dns('web.payments.svc.cluster.local'),
    }),
  ];
}

function audit(api: ReturnType<typeof fleet>, pem: Array<{ file: string; text: string }>) {
  const model = buildAppMeshModel(inventoryOf({ api, pem }), { now: NOW });
  return { model, findings: auditModel(model, loadPolicy(), NOW).findings };
}

const of = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule);

describe('no SAN pins toward a file certificate whose PEM was read: the service discovery name is checked', () => {
  let missing: Array<{ file: string; text: string }>;
  let carried: Array<{ file: string; text: string }>;
  beforeAll(() => {
    missing = pemFiles(['billing-legacy.internal']);
    carried = pemFiles([SERVICE]);
  });

  test('the certificate lacks the DNS hostname: an mtls-conflict, and the STRICT fix of the listener is not auto', () => {
    const { findings } = audit(fleet({ certificate: fileCert('web'), validation: caTrust }), missing);
    const why = `the client pins no subjectAlternativeNames, so App Mesh checks the server certificate against the service discovery name [${SERVICE}], and its certificate /certs/billing/cert_chain.pem carries billing-legacy.internal, so its TLS handshakes fail`;
    const [conflict] = of(findings, 'mtls-conflict');
    expect(conflict.resource).toMatchObject({ kind: 'VirtualNode', name: 'web', mesh: MESH });
    expect(conflict.detail).toMatchObject({ reason: why, server: { name: 'billing', port: 8443 } });
    const strict = of(findings, 'mtls-not-strict')[0].remediation!;
    expect(strict).toMatchObject({ action: 'appmesh.listener.set-strict', mode: 'approval' });
    expect(strict.reason).toContain(`VirtualNode prod-mesh/web sends mTLS to ${BILLING}, but its calls fail (${why})`);
  });

  test('the certificate carries the hostname: no conflict, and the STRICT fix stays auto', () => {
    const { findings } = audit(fleet({ certificate: fileCert('web'), validation: caTrust }), carried);
    expect(of(findings, 'mtls-conflict')).toEqual([]);
    expect(of(findings, 'mtls-not-strict')[0].remediation).toMatchObject({ mode: 'auto' });
  });

  test('Cloud Map: the name checked is serviceName.namespaceName, which a wildcard SAN may match', () => {
    const cloudMap = { awsCloudMap: { namespaceName: 'payments.local', serviceName: 'billing' } };
    const refused = audit(fleet({ certificate: fileCert('web'), validation: caTrust }, cloudMap), carried).model;
    expect(refused.clients[0].refusesCertificateOf?.[BILLING]).toContain('the service discovery name [billing.payments.local]');
    const wildcard = pemFiles(['*.payments.local']);
    expect(audit(fleet({ certificate: fileCert('web'), validation: caTrust }, cloudMap), wildcard).model.clients[0].refusesCertificateOf).toBeUndefined();
  });

  test('enforce: false toward it: the enforce fix keeps the unpinned validation, so it needs approval naming the check', () => {
    const { findings } = audit(fleet({ enforce: false, certificate: fileCert('web'), validation: caTrust }), missing);
    const remediation = of(findings, 'mtls-client-not-enforced')[0].remediation!;
    expect(remediation).toMatchObject({ action: 'appmesh.client-policy.enforce', mode: 'approval' });
    expect(remediation.reason).toContain(`toward ${BILLING}: the client pins no subjectAlternativeNames, so App Mesh checks the server certificate against the service discovery name [${SERVICE}]`);
  });

  test('explicit pins are checked instead of the service discovery name', () => {
    const pinned = { certificate: fileCert('web'), validation: { ...caTrust, subjectAlternativeNames: { match: { exact: ['billing-legacy.internal'] } } } };
    expect(of(audit(fleet(pinned), missing).findings, 'mtls-conflict')).toEqual([]);
  });

  test('explicit pins that miss hold back the STRICT fix the same way', () => {
    const pinned = { certificate: fileCert('web'), validation: { ...caTrust, subjectAlternativeNames: { match: { exact: [SERVICE] } } } };
    const { findings } = audit(fleet(pinned), missing);
    expect(of(findings, 'mtls-conflict')).toHaveLength(1);
    const strict = of(findings, 'mtls-not-strict')[0].remediation!;
    expect(strict.mode).toBe('approval');
    expect(strict.reason).toContain(`VirtualNode prod-mesh/web sends mTLS to ${BILLING}, but its calls fail (the client pins subjectAlternativeNames [${SERVICE}]`);
  });

  test('without the PEM files the names are not known: nothing reported', () => {
    const { findings } = audit(fleet({ certificate: fileCert('web'), validation: caTrust }), []);
    expect(of(findings, 'mtls-conflict')).toEqual([]);
  });
});

describe('no SAN pins toward an SVID (SPIRE): its SPIFFE ID is no service discovery name', () => {
  const TRUST_DOMAIN = 'spiffe://prod-mesh.example.org';
  const svid = (ns: string, sa: string) => ({ sds: { secretName: `${TRUST_DOMAIN}/ns/${ns}/sa/${sa}` } });
  const sdsTrust = { trust: { sds: { secretName: TRUST_DOMAIN } } };
  const meshRef = { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' };

  /** ledger (PERMISSIVE, its SVID) and orders-api calling it with `clientTls`, as the controller's CRDs. */
  function crds(clientTls: Record<string, unknown>) {
    return [
      crdMesh(MESH, { namespaceSelector: { matchLabels: { mesh: MESH } } }),
      crd('VirtualNode', 'payments', 'ledger', {
        podSelector: { matchLabels: { app: 'ledger' } },
        listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: svid('payments', 'ledger'), validation: sdsTrust } }],
        serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
        meshRef,
      }),
      crd('VirtualService', 'payments', 'ledger', { awsName: 'ledger.payments.svc.cluster.local', provider: { virtualNode: { virtualNodeRef: { name: 'ledger' } } }, meshRef }),
      crd('VirtualNode', 'orders', 'orders-api', {
        podSelector: { matchLabels: { app: 'orders-api' } },
        backends: [{ virtualService: { virtualServiceRef: { name: 'ledger', namespace: 'payments' }, clientPolicy: { tls: clientTls } } }],
        serviceDiscovery: { dns: { hostname: 'orders-api.orders.svc.cluster.local' } },
        meshRef,
      }),
    ];
  }
  const auditCrds = (clientTls: Record<string, unknown>) => auditModel(buildAppMeshModel(inventoryOf({ kube: crds(clientTls) }), { now: NOW }), loadPolicy(), NOW).findings;

  test('a caller sending mTLS without pins: no conflict (its DNS names are unknown), but the STRICT fix needs approval asking to pin the SPIFFE ID', () => {
    const findings = auditCrds({ certificate: svid('orders', 'orders-api'), validation: sdsTrust });
    expect(of(findings, 'mtls-conflict')).toEqual([]);
    const strict = of(findings, 'mtls-not-strict')[0].remediation!;
    expect(strict.mode).toBe('approval');
    expect(strict.reason).toContain(
      `VirtualNode orders/orders-api pins no subjectAlternativeNames toward appmesh:prod-mesh/payments/VirtualNode/ledger:8080, so App Mesh checks the listener certificate, the SVID ${TRUST_DOMAIN}/ns/payments/sa/ledger, against the service discovery name [ledger.payments.svc.cluster.local]`,
    );
    expect(strict.reason).toContain(`pin ${TRUST_DOMAIN}/ns/payments/sa/ledger in its client policy's validation.subjectAlternativeNames`);
  });

  test('a caller pinning the SVID: the STRICT fix stays auto', () => {
    const pinned = { certificate: svid('orders', 'orders-api'), validation: { ...sdsTrust, subjectAlternativeNames: { match: { exact: [`${TRUST_DOMAIN}/ns/payments/sa/ledger`] } } } };
    expect(of(auditCrds(pinned), 'mtls-not-strict')[0].remediation).toMatchObject({ mode: 'auto' });
  });

  test('enforce: false: the enforce fix pins the one SVID behind the service, and stays auto', () => {
    const findings = auditCrds({ enforce: false, certificate: svid('orders', 'orders-api'), validation: sdsTrust });
    const remediation = of(findings, 'mtls-client-not-enforced')[0].remediation!;
    expect(remediation.mode).toBe('auto');
    const patch = remediation.change.patch as any;
    expect(patch.spec.backends[0].virtualService.clientPolicy.tls.validation).toEqual({
      ...sdsTrust,
      subjectAlternativeNames: { match: { exact: [`${TRUST_DOMAIN}/ns/payments/sa/ledger`] } },
    });
  });

  test('an SVID and a file certificate behind one virtual service: no pin is written, a person chooses the names', () => {
    const api = [
      apiNode('ledger-v1', { listeners: [listener(8080, { mode: 'STRICT', certificate: svid('payments', 'ledger-v1'), validation: sdsTrust })], serviceDiscovery: dns('ledger-v1.payments.svc.cluster.local') }),
      apiNode('ledger-v2', { listeners: [listener(8080, { mode: 'STRICT', certificate: fileCert('ledger-v2'), validation: sdsTrust })], serviceDiscovery: dns('ledger-v2.payments.svc.cluster.local') }),
      apiRouter('ledger-router', [8080]),
      apiHttpRoute('canary', 'ledger-router', [
        { virtualNode: 'ledger-v1', weight: 90 },
        { virtualNode: 'ledger-v2', weight: 10 },
      ]),
      apiServiceByRouter('ledger.payments.svc.cluster.local', 'ledger-router'),
      apiNode('orders-api', {
        backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local', clientPolicy: { tls: { enforce: false, certificate: svid('orders', 'orders-api'), validation: sdsTrust } } } }],
        serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
      }),
    ];
    const fix = buildAppMeshModel(inventoryOf({ api }), { now: NOW }).clients[0].fix!;
    expect((fix.change.spec as any).backends[0].virtualService.clientPolicy.tls.validation).toEqual(sdsTrust);
    expect(fix.blockers).toContain(
      `the listeners behind virtual service ledger.payments.svc.cluster.local serve the SVID ${TRUST_DOMAIN}/ns/payments/sa/ledger-v1 and certificates of other kinds: without subjectAlternativeNames App Mesh checks each against its service discovery name, which a SPIFFE ID does not match; choose the names to pin in validation.subjectAlternativeNames`,
    );
  });
});
