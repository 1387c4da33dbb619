/**
 * rules/ownership.yaml matches teams by label. A platform that labels its App Mesh CRDs
 * `team: payments` (the CRD's own metadata.labels) must see the findings of those virtual nodes
 * reach that team, the client findings as well as the listener ones: approvals are decided by
 * the same route, and a finding routed to the default team can be approved by none of its owners.
 */
import { auditModel } from '../../../functions/core/audit';
import { routeFor } from '../../../functions/core/pipeline/route';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { ACM_CERT_ARN, NOW, crd, crdMesh, dns, inventoryOf, listener } from '../../../functions/providers/appmesh/testdata/fixtures';

function labelled<T extends { doc: { metadata: Record<string, unknown> } }>(object: T, labels: Record<string, string>): T {
  object.doc.metadata.labels = labels;
  return object;
}

test("a virtual node's findings, as server and as client, reach the team its CRD's labels name", () => {
  const meshRef = { name: 'prod-mesh', uid: 'prod-mesh-uid' };
  const kube = [
    crdMesh('prod-mesh', { namespaceSelector: { matchLabels: { mesh: 'prod-mesh' } } }),
    crd('VirtualService', 'payments', 'ledger', { awsName: 'ledger.payments.svc.cluster.local', provider: { virtualNode: { virtualNodeRef: { name: 'ledger' } } }, meshRef }),
    labelled(
      crd('VirtualNode', 'payments', 'ledger', {
        podSelector: { matchLabels: { app: 'ledger' } },
        listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { acm: { certificateARN: ACM_CERT_ARN } } })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
        meshRef,
      }),
      { team: 'payments', 'app.kubernetes.io/managed-by': 'Helm' },
    ),
    labelled(
      crd('VirtualNode', 'payments', 'web', {
        podSelector: { matchLabels: { app: 'web' } },
        listeners: [],
        backends: [{ virtualService: { virtualServiceRef: { name: 'ledger' } } }],
        meshRef,
      }),
      { team: 'payments' },
    ),
  ];
  const policy = loadPolicy();
  policy.ownership.default = { channel: '#mesh-governance' };
  policy.ownership.teams = [{ name: 'payments', match: { labels: { team: 'payments' } }, slack: { channel: '#payments-oncall', approvers: { usergroups: ['S0PAYOPS1'] } } }];
  const findings = auditModel(buildAppMeshModel(inventoryOf({ kube }), { now: NOW }), policy, NOW).findings;
  const routed = findings.map((f) => [f.rule, f.resource.name, routeFor(f, policy).team]);
  expect(routed).toEqual(
    expect.arrayContaining([
      ['mtls-not-strict', 'ledger', 'payments'],
      ['mtls-client-not-enforced', 'web', 'payments'],
    ]),
  );
  expect(routed.every(([, , team]) => team === 'payments')).toBe(true);
});
