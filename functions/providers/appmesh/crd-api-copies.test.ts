import { shippedPolicy } from '../../../test/support/model';
import { auditInventory } from '../audit-inventory';
import { ACCOUNT, ACM_CERT_ARN, MESH, NOW, apiNode, crd, crdMesh, dns, inventoryOf, listener, namespace } from './testdata/fixtures';

/**
 * `kubectl get virtualnodes -o yaml` beside `aws appmesh describe-virtual-node`: the same App Mesh
 * object twice, the CRD and the API object the controller made from it (awsName `ledger_payments`).
 */

const ACM = { acm: { certificateArn: ACM_CERT_ARN } };
const ARN = `arn:aws:appmesh:us-west-2:${ACCOUNT}:mesh/${MESH}/virtualNode/ledger_payments`;

function crdNode(mode: string, opts: { arn?: string; backendDefaults?: Record<string, unknown> } = {}) {
  const located = crd('VirtualNode', 'payments', 'ledger', {
    meshRef: { name: MESH, uid: '7c2a9e41-3b5d-4f80-a1c6-2e9d8b4f7a13' },
    podSelector: { matchLabels: { app: 'ledger' } },
    listeners: [listener(8080, { mode, certificate: { acm: { certificateARN: ACM_CERT_ARN } } })],
    ...(opts.backendDefaults ? { backendDefaults: opts.backendDefaults } : {}),
    serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
  });
  located.doc.status = { virtualNodeARN: opts.arn ?? ARN, observedGeneration: 2 };
  return located;
}

function apiCopy(mode: string, backendDefaults?: Record<string, unknown>) {
  return apiNode('ledger_payments', {
    listeners: [listener(8080, { mode, certificate: ACM })],
    ...(backendDefaults ? { backendDefaults } : {}),
    serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    backends: [],
  });
}

function audit(api: ReturnType<typeof apiCopy>, node: ReturnType<typeof crdNode>) {
  const kube = [crdMesh(MESH, { namespaceSelector: { matchLabels: { mesh: MESH } } }), namespace('payments', { mesh: MESH }), node];
  return auditInventory(inventoryOf({ api: [api], kube }), { policy: shippedPolicy(), now: NOW });
}

describe('an App Mesh object read as its CRD and as the API object made from it', () => {
  it('is audited once, as the CRD, and counted once', () => {
    const report = audit(apiCopy('PERMISSIVE'), crdNode('PERMISSIVE'));
    expect(report.findings.map((f) => [f.rule, f.resource.kind, f.resource.namespace, f.resource.name, f.resource.file])).toEqual([
      ['mtls-not-strict', 'VirtualNode', 'payments', 'ledger', 'k8s/payments/ledger.yaml'],
    ]);
    // The Mesh CRD and one virtual node.
    expect(report.summary.resources).toBe(2);
  });

  it('reports where the API copy differs from the CRD in what meshgov reads, at the API field', () => {
    const report = audit(apiCopy('STRICT'), crdNode('PERMISSIVE'));
    const problem = report.findings.find((f) => f.rule === 'config-invalid');
    expect(problem?.resource).toMatchObject({ kind: 'VirtualNode', name: 'ledger_payments', mesh: MESH, file: 'appmesh/ledger_payments.json' });
    expect(problem?.message).toContain('is the App Mesh object of VirtualNode payments/ledger (k8s/payments/ledger.yaml:1), and differs from it at spec.listeners[0].tls.mode ("STRICT" here, "PERMISSIVE" in the CRD)');
    expect(report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.name)).toEqual(['ledger']);
  });

  it('takes a client policy that spells out enforce: true as the same as one that leaves it out', () => {
    const policy = (enforce?: boolean) => ({
      clientPolicy: { tls: { ...(enforce === undefined ? {} : { enforce }), validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b'] } } } } },
    });
    const crdPolicy = { clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityARNs: ['arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b'] } } } } } };
    const report = audit(apiCopy('STRICT', policy(true)), crdNode('STRICT', { backendDefaults: crdPolicy }));
    expect(report.findings.filter((f) => f.rule === 'config-invalid')).toEqual([]);
    const differing = audit(apiCopy('STRICT', policy(false)), crdNode('STRICT', { backendDefaults: crdPolicy }));
    expect(differing.findings.filter((f) => f.rule === 'config-invalid').map((f) => f.message)).toEqual([
      expect.stringContaining('differs from it at spec.backendDefaults.clientPolicy.tls.enforce (false here, true in the CRD)'),
    ]);
  });

  it('keeps both when their ARNs name another region or account', () => {
    const report = audit(apiCopy('PERMISSIVE'), crdNode('PERMISSIVE', { arn: `arn:aws:appmesh:us-east-1:${ACCOUNT}:mesh/${MESH}/virtualNode/ledger_payments` }));
    expect(report.findings.map((f) => [f.rule, f.resource.name])).toEqual([
      ['mtls-not-strict', 'ledger'],
      ['mtls-not-strict', 'ledger_payments'],
    ]);
  });
});
