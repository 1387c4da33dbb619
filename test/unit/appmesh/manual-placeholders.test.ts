/**
 * A manual App Mesh plan must still be a change App Mesh accepts once a person fills it in:
 * `VirtualGatewayListenerTls.certificate` / `ListenerTls.certificate` are required, and STRICT
 * without `validation.trust` is TLS only, not mTLS. What meshgov cannot choose is written as a
 * placeholder in angle brackets, and the plan's reason says which field to fill in. Inputs: an
 * ingress gateway without TLS in front of an ACM-certificate mesh whose client policies trust an
 * ACM Private CA (which a listener cannot validate client certificates with), as CRDs and as
 * `aws appmesh describe-*` output.
 */
import { auditModel } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import {
  ACM_CERT_ARN,
  PCA_ARN,
  NOW,
  apiGateway,
  apiGatewayRoute,
  apiMesh,
  apiNode,
  apiServiceByNode,
  crd,
  crdMesh,
  dns,
  inventoryOf,
  listener,
  namespace,
} from '../../../functions/providers/appmesh/testdata/fixtures';

const CA_PLACEHOLDER = { file: { certificateChain: '<path of the CA bundle that issues client certificates>' } };
const PCA_TRUST = { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } };

function crdStore(): Finding[] {
  const kube = [
    namespace('store', { mesh: 'store', gateway: 'ingress-gw' }),
    crdMesh('store', { namespaceSelector: { matchLabels: { mesh: 'store' } } }),
    crd('VirtualGateway', 'store', 'ingress-gw', {
      namespaceSelector: { matchLabels: { gateway: 'ingress-gw' } },
      podSelector: { matchLabels: { app: 'ingress-gw' } },
      listeners: [{ portMapping: { port: 8088, protocol: 'http' } }],
      meshRef: { name: 'store' },
    }),
    crd('GatewayRoute', 'store', 'catalog', { httpRoute: { match: { prefix: '/catalog' }, action: { target: { virtualService: { virtualServiceRef: { name: 'catalog' } } } } }, meshRef: { name: 'store' } }),
    crd('VirtualService', 'store', 'catalog', { provider: { virtualNode: { virtualNodeRef: { name: 'catalog' } } }, meshRef: { name: 'store' } }),
    crd('VirtualNode', 'store', 'catalog', {
      podSelector: { matchLabels: { app: 'catalog' } },
      listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: { acm: { certificateARN: ACM_CERT_ARN } } } }],
      serviceDiscovery: { dns: { hostname: 'catalog.store.svc.cluster.local' } },
      backends: [{ virtualService: { virtualServiceRef: { name: 'pricing' } } }],
      backendDefaults: { clientPolicy: { tls: { validation: PCA_TRUST } } },
      meshRef: { name: 'store' },
    }),
    crd('VirtualService', 'store', 'pricing', { provider: { virtualNode: { virtualNodeRef: { name: 'pricing' } } }, meshRef: { name: 'store' } }),
    crd('VirtualNode', 'store', 'pricing', {
      podSelector: { matchLabels: { app: 'pricing' } },
      listeners: [{ portMapping: { port: 8080, protocol: 'http2' }, tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateARN: ACM_CERT_ARN } } } }],
      serviceDiscovery: { dns: { hostname: 'pricing.store.svc.cluster.local' } },
      meshRef: { name: 'store' },
    }),
  ];
  const model = buildAppMeshModel(inventoryOf({ kube }), { now: NOW });
  return auditModel(model, loadPolicy(), NOW).findings;
}

const notStrict = (findings: Finding[], name: string) => findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === name)!;

describe('manual App Mesh listener plans carry a complete TLS, with placeholders (CRDs)', () => {
  const findings = crdStore();

  test('a virtual gateway listener without TLS gets a certificate and a client CA to fill in, and stays manual', () => {
    const remediation = notStrict(findings, 'ingress-gw').remediation!;
    expect(remediation.mode).toBe('manual');
    expect((remediation.change as any).patch.spec.listeners[0].tls).toEqual({
      certificate: {
        file: { certificateChain: '<path of the server certificate chain of VirtualGateway ingress-gw>', privateKey: '<path of the server private key of VirtualGateway ingress-gw>' },
      },
      mode: 'STRICT',
      validation: { trust: CA_PLACEHOLDER },
    });
    expect(remediation.reason).toContain('replace the placeholders in tls.certificate.file (certificateChain, privateKey) with the files of its server certificate');
    expect(remediation.reason).toContain('replace the placeholder in tls.validation.trust.file.certificateChain with the path of the CA bundle that issues client certificates');
  });

  test('a PERMISSIVE listener whose mesh has no listener trust goes STRICT with a validation.trust to fill in (mTLS, not TLS only)', () => {
    const remediation = notStrict(findings, 'pricing').remediation!;
    expect(remediation.mode).toBe('manual');
    // The CRD spells certificateARN, and the patch keeps that spelling.
    expect((remediation.change as any).patch.spec.listeners[0].tls).toEqual({
      certificate: { acm: { certificateARN: ACM_CERT_ARN } },
      mode: 'STRICT',
      validation: { trust: CA_PLACEHOLDER },
    });
    expect(remediation.reason).toContain('tls.validation.trust.file.certificateChain');
  });

  test('a STRICT listener without validation (one-way TLS) gets its listener change too, not only its client policy', () => {
    const remediation = notStrict(findings, 'catalog').remediation!;
    expect(remediation.mode).toBe('manual');
    expect((remediation.change as any).patch.spec.listeners[0].tls.validation).toEqual({ trust: CA_PLACEHOLDER });
  });

  test('a client policy with no client certificate known gets a placeholder one', () => {
    const remediation = findings.find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'catalog')!.remediation!;
    expect(remediation.mode).toBe('manual');
    expect((remediation.change as any).patch.spec.backends[0].virtualService.clientPolicy.tls).toMatchObject({
      enforce: true,
      certificate: { file: { certificateChain: '<path of the client certificate chain of VirtualNode catalog>', privateKey: '<path of the client private key of VirtualNode catalog>' } },
      validation: PCA_TRUST,
    });
  });

  test('no placeholder ever reaches a plan meshgov may apply', () => {
    for (const finding of findings) {
      if (finding.remediation && JSON.stringify(finding.remediation.change).includes('<')) expect(finding.remediation.mode).toBe('manual');
    }
  });
});

describe('manual App Mesh listener plans carry a complete TLS, with placeholders (API objects)', () => {
  test('UpdateVirtualGateway gets the whole spec with a certificate and a validation.trust in API spelling', () => {
    const api = [
      apiMesh(),
      apiGateway('ingress-gw', { listeners: [listener(8443)], logging: { accessLog: { file: { path: '/dev/stdout' } } } }),
      apiGatewayRoute('ledger-route', 'ingress-gw', 'ledger.payments.svc.cluster.local'),
      apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
      apiNode('ledger', {
        listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
        backendDefaults: { clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } } } } },
      }),
    ];
    const model = buildAppMeshModel(inventoryOf({ api }), { now: NOW });
    const findings = auditModel(model, loadPolicy(), NOW).findings;
    const gateway = notStrict(findings, 'ingress-gw').remediation!;
    expect(gateway.mode).toBe('manual');
    expect(gateway.change).toMatchObject({ operation: 'update-virtual-gateway', virtualGatewayName: 'ingress-gw' });
    const spec = (gateway.change as any).spec;
    expect(spec.listeners[0].tls).toEqual({
      certificate: {
        file: { certificateChain: '<path of the server certificate chain of VirtualGateway ingress-gw>', privateKey: '<path of the server private key of VirtualGateway ingress-gw>' },
      },
      mode: 'STRICT',
      validation: { trust: CA_PLACEHOLDER },
    });
    expect(spec.logging).toEqual({ accessLog: { file: { path: '/dev/stdout' } } });
    const ledger = notStrict(findings, 'ledger').remediation!;
    expect(ledger.mode).toBe('manual');
    expect((ledger.change as any).spec.listeners[0].tls).toEqual({ certificate: { acm: { certificateArn: ACM_CERT_ARN } }, mode: 'STRICT', validation: { trust: CA_PLACEHOLDER } });
  });
});
