import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { firstDifference } from '../../../functions/providers/files/repeated-objects';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/**
 * One object defined by two input documents: the first is audited whatever the providers would
 * do, a copy that differs is a config-invalid finding at its first differing field, and a copy
 * that is the same is set aside and listed.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-repeated-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NAMESPACE_AND_WORKLOAD = `apiVersion: v1
kind: Namespace
metadata:
  name: checkout
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: checkout
  labels:
    app: cart
spec:
  replicas: 2
  selector:
    matchLabels:
      app: cart
  template:
    metadata:
      labels:
        app: cart
    spec:
      containers:
        - name: cart
          image: us-docker.pkg.dev/shop/checkout/cart:4.2.0
          ports:
            - name: http
              containerPort: 8080
`;

function peerAuthentication(mode: string, apiVersion = 'security.istio.io/v1'): string {
  return `apiVersion: ${apiVersion}
kind: PeerAuthentication
metadata:
  name: default
  namespace: checkout
spec:
  mtls:
    mode: ${mode}
`;
}

async function audit(paths: string[]) {
  const inventory = await collectFiles(paths);
  return { inventory, report: auditInventory(inventory, { policy: shippedPolicy(), now: NOW }) };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('a PeerAuthentication that two files define differently', () => {
  it('audits the first as the paths are given, and reports the second at its differing field', async () => {
    write('workloads.yaml', NAMESPACE_AND_WORKLOAD);
    const strict = write('git-policy.yaml', peerAuthentication('STRICT'));
    const permissive = write('live-export.yaml', `# exported from the cluster\n${peerAuthentication('PERMISSIVE')}`);

    const { report } = await audit([join(dir, 'workloads.yaml'), strict, permissive]);
    expect(report.findings.map((f) => f.rule)).toEqual(['config-invalid']);
    const finding = report.findings[0]!;
    expect(finding.resource).toEqual(expect.objectContaining({ kind: 'PeerAuthentication', name: 'default', namespace: 'checkout', file: permissive, line: 9 }));
    expect(finding.provider).toBe('istio');
    expect(finding.detail).toEqual(expect.objectContaining({ field: 'spec.mtls.mode' }));
    expect(finding.message).toContain(`differently from ${strict}:1: only the definition at ${strict}:1 is audited`);

    // The other order audits the other copy: the verdict follows the paths, and says so.
    const reversed = await audit([join(dir, 'workloads.yaml'), permissive, strict]);
    expect(reversed.report.findings.map((f) => f.rule).sort()).toEqual(['config-invalid', 'mtls-not-strict']);
    const invalid = reversed.report.findings.find((f) => f.rule === 'config-invalid')!;
    expect(invalid.resource).toEqual(expect.objectContaining({ file: strict, line: 8 }));
    expect(invalid.message).toContain(`only the definition at ${permissive}:2 is audited`);
  });

  it('counts the object once among the resources', async () => {
    write('workloads.yaml', NAMESPACE_AND_WORKLOAD);
    write('a.yaml', peerAuthentication('STRICT'));
    const alone = await audit([dir]);
    write('b.yaml', peerAuthentication('DISABLE'));
    const twice = await audit([dir]);
    expect(twice.report.summary.resources).toBe(alone.report.summary.resources);
  });
});

describe('copies that say the same thing', () => {
  it('sets aside a kubectl export of an applied manifest: status, server-set metadata and the last-applied annotation aside', async () => {
    const manifests = write('manifests.yaml', `${NAMESPACE_AND_WORKLOAD}---\n${peerAuthentication('STRICT')}`);
    const exported = write(
      'export.yaml',
      `apiVersion: v1
kind: List
items:
  - apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      annotations:
        kubectl.kubernetes.io/last-applied-configuration: |
          {"apiVersion":"security.istio.io/v1","kind":"PeerAuthentication","metadata":{"annotations":{},"name":"default","namespace":"checkout"},"spec":{"mtls":{"mode":"STRICT"}}}
      creationTimestamp: "2026-09-14T08:21:07Z"
      generation: 1
      name: default
      namespace: checkout
      resourceVersion: "48213377"
      uid: 3f0c2a91-6d4e-4b7a-9e15-8c2d7f41a6b0
    spec:
      mtls:
        mode: STRICT
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cart
      namespace: checkout
      labels:
        app: cart
      generation: 7
      managedFields:
        - manager: helm
          operation: Update
          apiVersion: apps/v1
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: cart
      template:
        metadata:
          labels:
            app: cart
        spec:
          containers:
            - name: cart
              image: us-docker.pkg.dev/shop/checkout/cart:4.2.0
              ports:
                - name: http
                  containerPort: 8080
    status:
      availableReplicas: 2
      observedGeneration: 7
`,
    );
    const { inventory, report } = await audit([manifests, exported]);
    expect(report.findings).toEqual([]);
    expect(inventory.repeated).toEqual([
      { source: { file: join(dir, 'export.yaml'), line: 4 }, first: { file: join(dir, 'manifests.yaml'), line: 32 }, what: 'PeerAuthentication checkout/default' },
      { source: { file: join(dir, 'export.yaml'), line: 19 }, first: { file: join(dir, 'manifests.yaml'), line: 8 }, what: 'Deployment checkout/cart' },
    ]);
    expect(inventory.kubernetes).toHaveLength(3);
  });

  it('takes v1beta1 and v1 of one PeerAuthentication for one object', async () => {
    write('a.yaml', peerAuthentication('STRICT', 'security.istio.io/v1beta1'));
    write('b.yaml', peerAuthentication('STRICT', 'security.istio.io/v1'));
    const { inventory } = await audit([dir]);
    expect(inventory.kubernetes).toHaveLength(1);
    expect(inventory.repeated?.map((r) => r.what)).toEqual(['PeerAuthentication checkout/default']);
  });

  it('keeps a label change as a difference, named with the key as written', async () => {
    write('a.yaml', NAMESPACE_AND_WORKLOAD);
    write('b.yaml', NAMESPACE_AND_WORKLOAD.replace('istio-injection: enabled', 'istio-injection: disabled'));
    const { report } = await audit([dir]);
    const invalid = report.findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.detail).toEqual(expect.objectContaining({ field: 'metadata.labels["istio-injection"]' }));
    expect(invalid[0]!.resource).toEqual(expect.objectContaining({ kind: 'Namespace', name: 'checkout', file: join(dir, 'b.yaml'), line: 6 }));
  });
});

describe('objects that only share a name', () => {
  it('are two objects in two namespaces, and two kinds with one name', async () => {
    write('a.yaml', peerAuthentication('STRICT'));
    write('b.yaml', peerAuthentication('PERMISSIVE').replace('namespace: checkout', 'namespace: orders'));
    write(
      'c.yaml',
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: default
  namespace: checkout
spec:
  host: cart.checkout.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`,
    );
    const { inventory } = await audit([dir]);
    expect(inventory.kubernetes).toHaveLength(3);
    expect(inventory.repeated).toBeUndefined();
    expect(inventory.problems).toEqual([]);
  });
});

function describeVirtualNode(region: string, port: number, listenerTls?: object): string {
  return JSON.stringify(
    {
      virtualNode: {
        meshName: 'prod-mesh',
        metadata: {
          arn: `arn:aws:appmesh:${region}:111122223333:mesh/prod-mesh/virtualNode/payments-api`,
          createdAt: '2026-06-03T09:14:27.512000+00:00',
          lastUpdatedAt: '2026-11-20T15:00:49.000000+00:00',
          meshOwner: '111122223333',
          resourceOwner: '111122223333',
          uid: '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15',
          version: 3,
        },
        spec: {
          listeners: [{ portMapping: { port, protocol: 'http' }, ...(listenerTls ? { tls: listenerTls } : {}) }],
          serviceDiscovery: { dns: { hostname: 'payments-api.payments.svc.cluster.local' } },
        },
        status: { status: 'ACTIVE' },
        virtualNodeName: 'payments-api',
      },
    },
    null,
    4,
  );
}

describe('App Mesh objects as describe-* returns them', () => {
  const strictTls = { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/8c1f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f' } } };

  it('are the same object when the ARN is, and a changed listener is reported at its field', async () => {
    write('describe-before.json', describeVirtualNode('us-west-2', 8080, strictTls));
    write('describe-after.json', describeVirtualNode('us-west-2', 8080, { ...strictTls, mode: 'PERMISSIVE' }));
    const { report } = await audit([dir]);
    const invalid = report.findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.provider).toBe('appmesh');
    expect(invalid[0]!.resource).toEqual(expect.objectContaining({ kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', file: join(dir, 'describe-before.json') }));
    expect(invalid[0]!.detail).toEqual(expect.objectContaining({ field: 'spec.listeners[0].tls.mode' }));
    // The field's own line in the pretty-printed JSON, not the object's.
    expect(invalid[0]!.resource.line).toBe(21);
  });

  it('are two objects in two regions, whatever their names', async () => {
    write('us-west-2.json', describeVirtualNode('us-west-2', 8080, strictTls));
    write('eu-west-1.json', describeVirtualNode('eu-west-1', 9080));
    const { inventory } = await audit([dir]);
    expect(inventory.appmeshApi).toHaveLength(2);
    expect(inventory.problems).toEqual([]);
  });

  it('a route is named within its router', async () => {
    const route = (router: string) =>
      JSON.stringify({
        route: {
          meshName: 'prod-mesh',
          virtualRouterName: router,
          routeName: 'default',
          spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: router, weight: 100 }] } } },
          status: { status: 'ACTIVE' },
        },
      });
    write('routes.json', `[${route('payments-router')}, ${route('ledger-router')}, ${route('payments-router')}]`);
    const { inventory } = await audit([dir]);
    expect(inventory.appmeshApi).toHaveLength(2);
    expect(inventory.repeated).toEqual([expect.objectContaining({ what: 'App Mesh Route prod-mesh/default' })]);
  });
});

describe('firstDifference', () => {
  it('reads a null, an empty map or list and a missing key as the same, as the API server does', () => {
    expect(firstDifference({ spec: { selector: null, mtls: { mode: 'STRICT' } } }, { spec: { mtls: { mode: 'STRICT' } } })).toBeUndefined();
    expect(firstDifference({ metadata: { annotations: {}, labels: { app: 'cart' } }, spec: { ports: [] } }, { metadata: { labels: { app: 'cart' } }, spec: {} })).toBeUndefined();
  });

  it('names the first differing place in the first copy’s key order', () => {
    expect(firstDifference({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 3 }] })).toEqual(['b', 1, 'c']);
    expect(firstDifference({ a: [1, 2] }, { a: [1] })).toEqual(['a', 1]);
    expect(firstDifference({ a: 1 }, { a: 1, z: 'added' })).toEqual(['z']);
    expect(firstDifference({ a: { b: 1 } }, { a: 'text' })).toEqual(['a']);
  });
});
