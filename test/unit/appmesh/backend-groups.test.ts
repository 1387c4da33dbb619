/**
 * A VirtualNode's `spec.backendGroups` (aws-app-mesh-controller-for-k8s, "Backend Groups", with
 * the controller flag `enableBackendGroups=true`) makes every VirtualService of each listed
 * BackendGroup a backend of the node, under its `backendDefaults` client policy; the group name
 * `*` stands for every VirtualService of the namespace. Input: the controller docs' color-group
 * example, written to a manifest and read as `meshgov audit` reads files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditModel } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { NOW } from '../../../functions/providers/appmesh/testdata/fixtures';
import { collectFiles } from '../../../functions/providers/files/collect';

const MESH = `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata:
  name: colors
spec:
  namespaceSelector:
    matchLabels:
      mesh: colors
`;

const GROUP = `apiVersion: appmesh.k8s.aws/v1beta2
kind: BackendGroup
metadata:
  name: color-group
  namespace: colors
spec:
  virtualservices:
    - name: green
      namespace: colors
  meshRef:
    name: colors
`;

const front = (backendGroups: string, backendDefaults = '') => `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: front
  namespace: colors
spec:
  podSelector:
    matchLabels:
      app: front
  backendGroups:
${backendGroups}${backendDefaults}
  meshRef:
    name: colors
`;

/** green: STRICT with SPIFFE certificates from SDS, as the App Mesh SDS walkthrough sets it up. */
const service = (name: string) => `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata:
  name: ${name}
  namespace: colors
spec:
  provider:
    virtualNode:
      virtualNodeRef:
        name: ${name}
  meshRef:
    name: colors
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: ${name}
  namespace: colors
spec:
  podSelector:
    matchLabels:
      app: ${name}
  listeners:
    - portMapping:
        port: 8080
        protocol: http
      tls:
        mode: STRICT
        certificate:
          sds:
            secretName: spiffe://colors.example/${name}
        validation:
          trust:
            sds:
              secretName: spiffe://colors.example
  serviceDiscovery:
    dns:
      hostname: ${name}.colors.svc.cluster.local
  meshRef:
    name: colors
`;

const MTLS_DEFAULTS = `
  backendDefaults:
    clientPolicy:
      tls:
        certificate:
          sds:
            secretName: spiffe://colors.example/front
        validation:
          trust:
            sds:
              secretName: spiffe://colors.example`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-backend-groups-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(...docs: string[]): Promise<{ findings: Finding[]; unknown: number }> {
  writeFileSync(join(dir, 'colors.yaml'), docs.join('---\n'));
  const inventory = await collectFiles([dir]);
  const model = buildAppMeshModel(inventory, { now: NOW });
  return { findings: auditModel(model, loadPolicy(), NOW).findings, unknown: inventory.unknown.length };
}

const GROUP_REF = `    - name: color-group
      namespace: colors`;

describe('VirtualNode backendGroups', () => {
  test("a node with no client policy reaching a STRICT service through a group is in conflict, at its backendGroups entry", async () => {
    const { findings, unknown } = await audit(MESH, GROUP, front(GROUP_REF), service('green'));
    // BackendGroup is read, not skipped as a kind meshgov does not audit.
    expect(unknown).toBe(0);
    const conflict = findings.find((f) => f.rule === 'mtls-conflict')!;
    expect(conflict).toMatchObject({ resource: { kind: 'VirtualNode', name: 'front' }, detail: { sends: 'PLAINTEXT', server: { name: 'green', mode: 'STRICT' } } });
    expect(conflict.detail.clientCause).toMatchObject({ scope: 'default', path: 'spec.backendGroups[0]' });
    expect(findings.find((f) => f.rule === 'mtls-client-not-enforced')).toMatchObject({ resource: { name: 'front' }, detail: { destination: ['green.colors'] } });
    // The group's backends have no entry in spec.backends: the fix writes backendDefaults, which they use.
    const patch = (conflict.remediation!.change as any).patch.spec;
    expect(patch.backends).toBeUndefined();
    expect(patch.backendDefaults.clientPolicy.tls).toMatchObject({ enforce: true, validation: { trust: { sds: { secretName: 'spiffe://colors.example' } } } });
    // No client certificate is known for front: a person issues one.
    expect(conflict.remediation!.mode).toBe('manual');
  });

  test("the group's backends take the node's backendDefaults client policy", async () => {
    const { findings } = await audit(MESH, GROUP, front(GROUP_REF, MTLS_DEFAULTS), service('green'));
    expect(findings.filter((f) => f.rule === 'mtls-conflict' || f.rule === 'mtls-client-not-enforced')).toEqual([]);
  });

  test('the name * adds every VirtualService of the namespace', async () => {
    const { findings } = await audit(MESH, front(`    - name: "*"
      namespace: colors`), service('green'), service('red'));
    const conflicts = findings.filter((f) => f.rule === 'mtls-conflict').map((f) => f.detail.server);
    expect(conflicts).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'green' }), expect.objectContaining({ name: 'red' })]));
    expect(conflicts).toHaveLength(2);
  });

  test('a BackendGroup that was not read is a config-invalid finding at the reference', async () => {
    const { findings } = await audit(MESH, front(GROUP_REF), service('green'));
    expect(findings.find((f) => f.rule === 'config-invalid')).toMatchObject({
      resource: { kind: 'VirtualNode', name: 'front' },
      message: expect.stringContaining('BackendGroup colors/color-group is not among the objects read'),
    });
  });
});
