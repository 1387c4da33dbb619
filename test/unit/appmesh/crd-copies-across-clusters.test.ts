/**
 * `kubectl get virtualnodes -A -o yaml` of two EKS clusters, audited together. A VirtualNode CRD
 * is one App Mesh object only as far as its mesh and App Mesh name go: `payments/ledger` in each
 * cluster, with `spec.awsName` `ledger_payments-use1` in one and `ledger_payments-usw2` in the
 * other (the multi-cluster setup, where the controller's default `<name>_<namespace>` would make
 * both clusters' controllers write one object), are two virtual nodes, and so are two
 * `payments/ledger` whose `meshRef` names different meshes. Both must be audited, with findings
 * of their own. A rendered manifest and an export of one object (same awsName, same mesh, the
 * export with what the controller and the API server add) are still one object.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../functions/core/findings';
import type { Inventory } from '../../../functions/core/model/inventory';
import { findingId } from '../../../functions/core/rules/finding-id';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { collectFiles } from '../../../functions/providers/files/collect';
import { shippedPolicy } from '../../support/model';
import { ACM_CERT_ARN, NOW } from '../../../functions/providers/appmesh/testdata/fixtures';

const meshYaml = (name: string) => `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata:
  name: ${name}
spec:
  egressFilter:
    type: DROP_ALL
  namespaceSelector:
    matchLabels:
      mesh: ${name}
`;

interface LedgerOptions {
  mesh: string;
  /** Left out: the controller's default, `ledger_payments`. */
  awsName?: string;
  /** Listener `tls.mode`; none: no tls (plaintext). */
  mode?: string;
  /** As `kubectl get -o yaml` prints it, with what the API server and the controller add. */
  exported?: boolean;
}

function ledgerYaml(o: LedgerOptions): string {
  const tls = o.mode
    ? `
      tls:
        mode: ${o.mode}
        certificate:
          acm:
            certificateARN: ${ACM_CERT_ARN}`
    : '';
  const exported = o.exported
    ? `
  resourceVersion: "731904"
  uid: 0b6f3c2e-9a41-4d7e-8f35-6c1e2a9b4d70
  generation: 3
  creationTimestamp: "2026-06-03T09:14:27Z"`
    : '';
  const status = o.exported
    ? `status:
  observedGeneration: 3
  conditions:
    - type: VirtualNodeActive
      status: "True"
`
    : '';
  return `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: ledger
  namespace: payments${exported}
spec:${o.awsName ? `\n  awsName: ${o.awsName}` : ''}
  podSelector:
    matchLabels:
      app: ledger
  listeners:
    - portMapping:
        port: 8080
        protocol: http${tls}
  serviceDiscovery:
    dns:
      hostname: ledger.payments.svc.cluster.local
  meshRef:
    name: ${o.mesh}
    uid: 7c2a9e41-3b5d-4f80-a1c6-2e9d8b4f7a13
${status}`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-crd-clusters-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes each cluster's export to `<cluster>/appmesh.yaml` and audits the lot, as `meshgov audit DIR` does. */
async function auditClusters(clusters: Record<string, string[]>): Promise<{ findings: Finding[]; inventory: Inventory }> {
  for (const [cluster, docs] of Object.entries(clusters)) {
    mkdirSync(join(dir, cluster));
    writeFileSync(join(dir, cluster, 'appmesh.yaml'), docs.join('---\n'));
  }
  const inventory = await collectFiles([dir]);
  return { findings: auditInventory(inventory, { policy: shippedPolicy(), now: NOW }).findings, inventory };
}

const notStrict = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'ledger');
const redefined = (findings: Finding[]) => findings.filter((f) => f.rule === 'config-invalid' && f.message.includes('defined again'));

describe('VirtualNode CRDs of one namespace and name in two clusters', () => {
  test('different awsName in one mesh: two virtual nodes, each audited, with ids of their own', async () => {
    const { findings } = await auditClusters({
      'eks-use1': [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', awsName: 'ledger_payments-use1', mode: 'PERMISSIVE' })],
      'eks-usw2': [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', awsName: 'ledger_payments-usw2' })],
    });
    expect(redefined(findings)).toEqual([]);
    const ledgers = notStrict(findings);
    expect(ledgers.map((f) => [f.resource.file, f.detail.mode]).sort()).toEqual([
      [join(dir, 'eks-use1', 'appmesh.yaml'), 'PERMISSIVE'],
      [join(dir, 'eks-usw2', 'appmesh.yaml'), 'DISABLED'],
    ]);
    expect(new Set(ledgers.map((f) => f.id)).size).toBe(2);
    // Each plan patches its own cluster's object.
    for (const f of ledgers) expect(f.remediation?.change).toMatchObject({ operation: 'merge-patch', target: { kind: 'VirtualNode', namespace: 'payments', name: 'ledger' } });
  });

  test('different meshRef: one virtual node in each mesh, each audited in its own mesh', async () => {
    const { findings } = await auditClusters({
      'eks-use1': [meshYaml('prod-use1'), ledgerYaml({ mesh: 'prod-use1', mode: 'PERMISSIVE' })],
      'eks-usw2': [meshYaml('prod-usw2'), ledgerYaml({ mesh: 'prod-usw2', mode: 'PERMISSIVE' })],
    });
    expect(redefined(findings)).toEqual([]);
    expect(notStrict(findings).map((f) => f.resource.mesh).sort()).toEqual(['prod-use1', 'prod-usw2']);
  });

  test('a manifest and its export (awsName left to the controller, then filled in): one object, audited once', async () => {
    const { findings, inventory } = await auditClusters({
      rendered: [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', mode: 'PERMISSIVE' })],
      exported: [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', awsName: 'ledger_payments', mode: 'PERMISSIVE', exported: true })],
    });
    expect(redefined(findings)).toEqual([]);
    expect(notStrict(findings)).toHaveLength(1);
    expect(inventory.repeated?.map((r) => r.what)).toEqual(['Mesh prod-mesh', 'VirtualNode payments/ledger']);
  });

  test('the same awsName with different settings is still one object defined twice, differently', async () => {
    const { findings } = await auditClusters({
      'eks-use1': [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', awsName: 'ledger_payments', mode: 'PERMISSIVE' })],
      'eks-usw2': [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', awsName: 'ledger_payments', mode: 'STRICT' })],
    });
    expect(redefined(findings)).toHaveLength(1);
    expect(notStrict(findings)).toHaveLength(1);
  });

  test('one cluster alone: the finding id is the one it always had', async () => {
    const { findings } = await auditClusters({ 'eks-use1': [meshYaml('prod-mesh'), ledgerYaml({ mesh: 'prod-mesh', awsName: 'ledger_payments-use1', mode: 'PERMISSIVE' })] });
    const [ledger] = notStrict(findings);
    expect(ledger.id).toBe(findingId('mtls-not-strict', 'appmesh', { kind: 'VirtualNode', name: 'ledger', namespace: 'payments', mesh: 'prod-mesh', port: 8080 }));
  });
});
