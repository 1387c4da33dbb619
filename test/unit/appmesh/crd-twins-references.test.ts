/**
 * Two clusters' App Mesh CRDs with the same namespaces and names, read together (as the file
 * source keeps them when their mesh or awsName differ). The controller resolves a
 * `virtualServiceRef` / `virtualNodeRef` in the referring object's own cluster and requires the
 * target to be in its mesh, so each cluster's `payments/web` calls its own mesh's
 * `payments/ledger`, never the other cluster's. Two CRDs of one mesh, namespace and name are told
 * apart in model ids by their awsName.
 */
import { auditModel } from '../../../functions/core/audit';
import type { Located, KubeObject } from '../../../functions/core/model/inventory';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { ACM_CERT_ARN, NOW, crd, crdMesh, dns, inventoryOf, listener } from '../../../functions/providers/appmesh/testdata/fixtures';

const strictTls = {
  mode: 'STRICT',
  certificate: { acm: { certificateARN: ACM_CERT_ARN } },
  validation: { trust: { file: { certificateChain: '/etc/appmesh/ca/ca_cert.pem' } } },
};
const permissiveTls = { mode: 'PERMISSIVE', certificate: { acm: { certificateARN: ACM_CERT_ARN } } };

/** One cluster's `payments` namespace: web calls ledger (through the virtual service) without a client policy. */
function cluster(mesh: string, ledgerTls: Record<string, unknown>, ledgerAwsName?: string): Located<KubeObject>[] {
  const file = `k8s/${mesh}/payments.yaml`;
  const meshRef = { name: mesh, uid: `${mesh}-uid` };
  return [
    crdMesh(mesh, { namespaceSelector: { matchLabels: { mesh } } }),
    crd('VirtualService', 'payments', 'ledger', { awsName: 'ledger.payments.svc.cluster.local', provider: { virtualNode: { virtualNodeRef: { name: 'ledger' } } }, meshRef }, file),
    crd(
      'VirtualNode',
      'payments',
      'ledger',
      {
        ...(ledgerAwsName ? { awsName: ledgerAwsName } : {}),
        podSelector: { matchLabels: { app: 'ledger' } },
        listeners: [listener(8080, ledgerTls)],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
        meshRef,
      },
      file,
    ),
    crd(
      'VirtualNode',
      'payments',
      'web',
      { podSelector: { matchLabels: { app: 'web' } }, listeners: [], backends: [{ virtualService: { virtualServiceRef: { name: 'ledger' } } }], meshRef },
      file,
    ),
  ];
}

test("each cluster's client reaches its own mesh's server", () => {
  const kube = [...cluster('prod-use1', strictTls), ...cluster('prod-usw2', permissiveTls)];
  const findings = auditModel(buildAppMeshModel(inventoryOf({ kube }), { now: NOW }), loadPolicy(), NOW).findings;
  const conflicts = findings.filter((f) => f.rule === 'mtls-conflict');
  // Only prod-use1's web meets a STRICT ledger; prod-usw2's web calls a PERMISSIVE one.
  expect(conflicts.map((f) => [f.resource.mesh, (f.detail.server as { mesh: string }).mesh])).toEqual([['prod-use1', 'prod-use1']]);
});

test('two CRDs of one mesh, namespace and name: model ids with their awsName, each finding its own', () => {
  const kube = [...cluster('prod-mesh', permissiveTls, 'ledger_payments-use1'), ...cluster('prod-mesh', { mode: 'DISABLED' }, 'ledger_payments-usw2').slice(2, 3)];
  const model = buildAppMeshModel(inventoryOf({ kube }), { now: NOW });
  expect(model.servers.map((s) => s.id).sort()).toEqual([
    'appmesh:prod-mesh/payments/VirtualNode/ledger[ledger_payments-use1]:8080',
    'appmesh:prod-mesh/payments/VirtualNode/ledger[ledger_payments-usw2]:8080',
  ]);
  const notStrict = auditModel(model, loadPolicy(), NOW).findings.filter((f) => f.rule === 'mtls-not-strict');
  expect(notStrict.map((f) => f.detail.mode).sort()).toEqual(['DISABLED', 'PERMISSIVE']);
  expect(new Set(notStrict.map((f) => f.id)).size).toBe(2);
});

test('one cluster alone: model ids as they always were', () => {
  const model = buildAppMeshModel(inventoryOf({ kube: cluster('prod-mesh', permissiveTls, 'ledger_payments-use1') }), { now: NOW });
  expect(model.servers.map((s) => s.id)).toEqual(['appmesh:prod-mesh/payments/VirtualNode/ledger:8080']);
  expect(model.servers[0].findingKey).toBeUndefined();
});
