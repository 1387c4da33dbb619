import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/**
 * A `kind: List` whose items are written in flow style (`items: [{…}, {…}]`, on one line or spread
 * over several): a finding or a config-invalid problem on an item points at the line of the
 * field's key, as it does for a block list, never at the List's `apiVersion:` line.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-flow-list-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A namespace in the mesh with one workload on port 8080, for the policies to act on. */
const WORKLOAD = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: api:1
          ports:
            - containerPort: 8080
`;

async function audit(list: string) {
  writeFileSync(join(dir, 'workload.yaml'), WORKLOAD);
  writeFileSync(join(dir, 'list.yaml'), list);
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') });
  return report.findings.filter((f) => f.resource.file === join(dir, 'list.yaml') || f.detail['cause'] !== undefined);
}

/** The 1-based line of the first line holding `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`no line holds ${marker}`);
  return i + 1;
}

test('an item on one line: the finding points at that line, not at the List', async () => {
  const list = `apiVersion: v1
kind: List
items: [{apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: open, namespace: shop}, spec: {mtls: {mode: PERMISSIVE}}}]
`;
  const [finding, ...rest] = await audit(list);
  expect(rest).toEqual([]);
  expect(finding).toMatchObject({ rule: 'mtls-not-strict', detail: { cause: { name: 'open', path: 'spec.mtls.mode', line: 3 } } });
});

test('items spread over lines: each points at the line its mode key is on', async () => {
  const list = `apiVersion: v1
kind: List
items:
  - {apiVersion: security.istio.io/v1, kind: PeerAuthentication,
     metadata: {name: default, namespace: shop},
     spec: {mtls:
              {mode: PERMISSIVE}}}
  - {apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: api-ports, namespace: shop},
     spec: {selector: {matchLabels: {app: api}},
            portLevelMtls: {8080: {mode: DISABLE}}}}
`;
  const findings = await audit(list);
  const byCause = Object.fromEntries(findings.map((f) => [(f.detail['cause'] as { name: string }).name, f]));
  // The port-level policy wins for port 8080 (its workload's port), and names its own line.
  expect(byCause['api-ports']).toMatchObject({ rule: 'mtls-not-strict', resource: { file: join(dir, 'list.yaml') }, detail: { cause: { path: 'spec.portLevelMtls.8080.mode', line: lineOf(list, '8080: {mode: DISABLE}') } } });
  expect(byCause['api-ports']!.message).toContain(`(${join(dir, 'list.yaml')}:${lineOf(list, '8080: {mode: DISABLE}')})`);
});

test('a flow mapping whose keys sit on lines of their own, in a multi-line flow sequence', async () => {
  const list = `apiVersion: v1
kind: List
items: [
  {apiVersion: security.istio.io/v1, kind: PeerAuthentication,
   metadata: {name: default, namespace: shop},
   spec: {
     mtls: {
       mode: PERMISSIVE
     }
   }
  },
  {apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: {name: typo, namespace: other},
   spec: {mtls: {mode: STRCT}}}
  ]
`;
  const findings = await audit(list);
  const notStrict = findings.find((f) => f.rule === 'mtls-not-strict');
  expect(notStrict).toMatchObject({ detail: { cause: { name: 'default', path: 'spec.mtls.mode', line: lineOf(list, 'mode: PERMISSIVE') } } });
  // The config-invalid problem of the second item: its own mode's line, not the first item's nor the List's.
  const invalid = findings.find((f) => f.rule === 'config-invalid');
  expect(invalid).toMatchObject({ resource: { file: join(dir, 'list.yaml'), line: lineOf(list, 'mode: STRCT') } });
});

test('a block list keeps its lines, a flow field inside a block item is followed to its key', async () => {
  const list = `apiVersion: v1
kind: List
items:
  - apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: shop
    spec: {mtls:
            {mode: PERMISSIVE}}
`;
  const [finding] = await audit(list);
  expect(finding).toMatchObject({ rule: 'mtls-not-strict', resource: { line: lineOf(list, 'mode: PERMISSIVE') }, detail: { cause: { line: lineOf(list, 'mode: PERMISSIVE') } } });
});
