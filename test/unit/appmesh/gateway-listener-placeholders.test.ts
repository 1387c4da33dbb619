/**
 * The STRICT plan for a virtual gateway listener must be one App Mesh accepts once a person fills
 * it in. API model: `VirtualGatewayListenerTls.certificate` is required (acm, file or sds), and a
 * `validation` needs its `trust` (`VirtualGatewayListenerTlsValidationContextTrust`: file or sds,
 * never ACM); STRICT without `validation.trust` is TLS only, not mTLS. Inputs are
 * `aws appmesh describe-virtual-gateway` / `describe-virtual-node` output of an ingress gateway in
 * a mesh whose only trust is an ACM Private CA (which a listener cannot validate client
 * certificates with).
 */
import { auditModel } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import {
  ACM_CERT_ARN,
  NOW,
  PCA_ARN,
  apiGateway,
  apiGatewayRoute,
  apiMesh,
  apiNode,
  apiServiceByNode,
  dns,
  inventoryOf,
  listener,
} from '../../../functions/providers/appmesh/testdata/fixtures';

const FILE_CA_PLACEHOLDER = { file: { certificateChain: '<path of the CA bundle that issues client certificates>' } };
const SDS_CA_PLACEHOLDER = { sds: { secretName: '<SDS secret name of the CA bundle that issues client certificates>' } };
const FILE_CA_FILL = 'replace the placeholder in tls.validation.trust.file.certificateChain with the path of the CA bundle that issues client certificates';

/** The ledger behind the gateway: PERMISSIVE with an ACM certificate; its client policies trust the Private CA. */
function ledger() {
  return apiNode('ledger', {
    listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })],
    serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    backendDefaults: { clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } } } } },
  });
}

function findingsWith(gatewaySpec: Record<string, unknown>): Finding[] {
  const api = [
    apiMesh(),
    apiGateway('ingress-gw', gatewaySpec),
    apiGatewayRoute('ledger-route', 'ingress-gw', 'ledger.payments.svc.cluster.local'),
    apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
    ledger(),
  ];
  return auditModel(buildAppMeshModel(inventoryOf({ api }), { now: NOW }), loadPolicy(), NOW).findings;
}

const gatewayPlan = (findings: Finding[]) => findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.kind === 'VirtualGateway')!.remediation!;

describe('UpdateVirtualGateway plans to STRICT carry a complete listener TLS', () => {
  test('a listener with no tls at all gets a certificate and a client CA to fill in, and a person must do it', () => {
    const plan = gatewayPlan(findingsWith({ listeners: [listener(8443)] }));
    expect(plan.mode).toBe('manual');
    expect((plan.change as any).spec.listeners[0].tls).toEqual({
      certificate: {
        file: { certificateChain: '<path of the server certificate chain of VirtualGateway ingress-gw>', privateKey: '<path of the server private key of VirtualGateway ingress-gw>' },
      },
      mode: 'STRICT',
      validation: { trust: FILE_CA_PLACEHOLDER },
    });
    expect(plan.reason).toContain('replace the placeholders in tls.certificate.file (certificateChain, privateKey)');
    expect(plan.reason).toContain(FILE_CA_FILL);
  });

  test('a PERMISSIVE listener with an ACM certificate and no validation keeps its certificate and gets a client CA to fill in', () => {
    const tls = { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } };
    const plan = gatewayPlan(findingsWith({ listeners: [listener(8443, tls)] }));
    expect(plan.mode).toBe('manual');
    expect((plan.change as any).spec.listeners[0].tls).toEqual({ certificate: { acm: { certificateArn: ACM_CERT_ARN } }, mode: 'STRICT', validation: { trust: FILE_CA_PLACEHOLDER } });
    // The Private CA the mesh trusts cannot be reused: the reason says so, and what to write instead.
    expect(plan.reason).toContain(`the mesh trusts ACM Private CA ${PCA_ARN} for servers, but a listener can only validate client certificates with a file or sds trust`);
    expect(plan.reason).toContain(FILE_CA_FILL);
  });

  test('a PERMISSIVE listener with an SDS certificate and no validation gets an SDS client CA to fill in', () => {
    const tls = { mode: 'PERMISSIVE', certificate: { sds: { secretName: 'spiffe://prod-mesh.example/ingress-gw' } } };
    const plan = gatewayPlan(findingsWith({ listeners: [listener(8443, tls)] }));
    expect(plan.mode).toBe('manual');
    expect((plan.change as any).spec.listeners[0].tls.validation).toEqual({ trust: SDS_CA_PLACEHOLDER });
    expect(plan.reason).toContain('replace the placeholder in tls.validation.trust.sds.secretName');
  });

  test('a STRICT listener without validation (TLS only) gets the client CA to fill in', () => {
    const tls = { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/ingress-gw/cert_chain.pem', privateKey: '/certs/ingress-gw/key.pem' } } };
    const plan = gatewayPlan(findingsWith({ listeners: [listener(8443, tls)] }));
    expect(plan.mode).toBe('manual');
    expect((plan.change as any).spec.listeners[0].tls).toEqual({ ...tls, validation: { trust: FILE_CA_PLACEHOLDER } });
    expect(plan.reason).toContain(FILE_CA_FILL);
  });

  test('a PERMISSIVE listener whose mesh has a listener trust takes that trust: a complete change, held for approval as a gateway', () => {
    const tls = { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } };
    const api = [
      apiMesh(),
      apiGateway('ingress-gw', { listeners: [listener(8443, tls)] }),
      apiNode('ledger', {
        listeners: [listener(8080, { mode: 'STRICT', certificate: { acm: { certificateArn: ACM_CERT_ARN } }, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
      }),
    ];
    const findings = auditModel(buildAppMeshModel(inventoryOf({ api }), { now: NOW }), loadPolicy(), NOW).findings;
    const plan = gatewayPlan(findings);
    expect(plan.mode).toBe('approval');
    expect((plan.change as any).spec.listeners[0].tls.validation).toEqual({ trust: { file: { certificateChain: '/certs/ca_cert.pem' } } });
    expect(JSON.stringify(plan.change)).not.toContain('<');
  });

  test('no plan with a placeholder is ever one meshgov may apply', () => {
    for (const spec of [{ listeners: [listener(8443)] }, { listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })] }]) {
      for (const f of findingsWith(spec)) {
        if (f.remediation && JSON.stringify(f.remediation.change).includes('<')) expect(f.remediation.mode).toBe('manual');
      }
    }
  });
});
