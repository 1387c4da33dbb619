import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { firstDifference } from '../../../functions/providers/files/first-difference';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { deployment, docs, namespaceYaml, peerAuthenticationYaml } from '../../../functions/providers/istio/testInventory';
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

const NAMESPACE_AND_WORKLOAD = docs(namespaceYaml('checkout'), deployment('checkout', 'cart'));

function peerAuthentication(mode: string, apiVersion = 'security.istio.io/v1'): string {
  return peerAuthenticationYaml('checkout', 'default', mode).replace('security.istio.io/v1', apiVersion);
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
    expect(finding.resource).toEqual(expect.objectContaining({ kind: 'PeerAuthentication', name: 'default', namespace: 'checkout', file: permissive, line: 10 }));
    expect(finding.provider).toBe('istio');
    expect(finding.detail).toEqual(expect.objectContaining({ field: 'spec.mtls.mode' }));
    expect(finding.message).toContain(`differently from ${strict}:1 ("PERMISSIVE" here, "STRICT" there): only the definition at ${strict}:1 is audited`);

    // The other order audits the other copy: the verdict follows the paths, and says so.
    const reversed = await audit([join(dir, 'workloads.yaml'), permissive, strict]);
    expect(reversed.report.findings.map((f) => f.rule).sort()).toEqual(['config-invalid', 'mtls-not-strict']);
    const invalid = reversed.report.findings.find((f) => f.rule === 'config-invalid')!;
    expect(invalid.resource).toEqual(expect.objectContaining({ file: strict, line: 9 }));
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
      generation: 7
      managedFields:
        - manager: helm
          operation: Update
          apiVersion: apps/v1
    spec:
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
              image: registry.example.com/checkout/cart:1.4.2
              ports:
                - containerPort: 8080
                  protocol: TCP
    status:
      availableReplicas: 2
      observedGeneration: 7
`,
    );
    const { inventory, report } = await audit([manifests, exported]);
    expect(report.findings).toEqual([]);
    expect(inventory.repeated).toEqual([
      { source: { file: join(dir, 'export.yaml'), line: 4 }, first: { file: join(dir, 'manifests.yaml'), line: 29 }, what: 'PeerAuthentication checkout/default' },
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

describe('a rendered tree and a live export of it', () => {
  const rendered = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  labels:
    app.kubernetes.io/managed-by: Helm
spec:
  selector:
    app: cart
  ports:
    - name: http
      port: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
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
          image: us-docker.pkg.dev/shop/cart:4.2.0
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
---
apiVersion: v1
kind: Secret
metadata:
  name: cart-db
  namespace: shop
type: Opaque
stringData:
  DATABASE_URL: postgres://cart@cart-db.shop.svc.cluster.local:5432/cart
`;
  // As `kubectl get ns,svc,deploy,secret -o yaml` returns them once applied with Helm.
  const exported = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
      labels:
        istio-injection: enabled
        kubernetes.io/metadata.name: shop
      creationTimestamp: "2026-09-14T08:20:51Z"
      resourceVersion: "48213002"
      uid: 0c9a4f1e-2b7d-4e6a-8f30-5d1c2b3a4e5f
    spec:
      finalizers:
        - kubernetes
    status:
      phase: Active
  - apiVersion: v1
    kind: Service
    metadata:
      name: cart
      namespace: shop
      labels:
        app.kubernetes.io/managed-by: Helm
      annotations:
        meta.helm.sh/release-name: shop
        meta.helm.sh/release-namespace: shop
    spec:
      clusterIP: 10.48.7.211
      clusterIPs:
        - 10.48.7.211
      internalTrafficPolicy: Cluster
      ipFamilies:
        - IPv4
      ipFamilyPolicy: SingleStack
      ports:
        - name: http
          port: 8080
          protocol: TCP
          targetPort: 8080
      selector:
        app: cart
      sessionAffinity: None
      type: ClusterIP
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: cart
      namespace: shop
      annotations:
        deployment.kubernetes.io/revision: "3"
        meta.helm.sh/release-name: shop
        meta.helm.sh/release-namespace: shop
      generation: 3
    spec:
      progressDeadlineSeconds: 600
      replicas: 2
      revisionHistoryLimit: 10
      selector:
        matchLabels:
          app: cart
      strategy:
        rollingUpdate:
          maxSurge: 25%
          maxUnavailable: 25%
        type: RollingUpdate
      template:
        metadata:
          creationTimestamp: null
          labels:
            app: cart
        spec:
          containers:
            - name: cart
              image: us-docker.pkg.dev/shop/cart:4.2.0
              imagePullPolicy: IfNotPresent
              ports:
                - name: http
                  containerPort: 8080
                  protocol: TCP
              readinessProbe:
                failureThreshold: 3
                httpGet:
                  path: /healthz
                  port: http
                  scheme: HTTP
                periodSeconds: 10
                successThreshold: 1
                timeoutSeconds: 1
              resources: {}
              terminationMessagePath: /dev/termination-log
              terminationMessagePolicy: File
          dnsPolicy: ClusterFirst
          restartPolicy: Always
          schedulerName: default-scheduler
          securityContext: {}
          terminationGracePeriodSeconds: 30
    status:
      availableReplicas: 2
  - apiVersion: v1
    kind: Secret
    metadata:
      name: cart-db
      namespace: shop
    type: Opaque
    data:
      DATABASE_URL: ${Buffer.from('postgres://cart@cart-db.shop.svc.cluster.local:5432/cart').toString('base64')}
`;

  it('holds no difference meshgov reads: each object is audited once, and what else differs is noted', async () => {
    const first = write('rendered.yaml', rendered);
    const later = write('export.yaml', exported);
    const { inventory } = await audit([first, later]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.repeated?.map((r) => [r.what, r.otherDifference])).toEqual([
      ['Namespace shop', 'metadata.labels["kubernetes.io/metadata.name"]'],
      ['Service shop/cart', 'spec.ports[0].protocol'],
      ['Deployment shop/cart', 'spec.template.spec.containers[0].ports[0].protocol'],
      ['Secret shop/cart-db', 'stringData'],
    ]);
  });

  it('still reports a difference that changes the audit, with both values', async () => {
    const first = write('rendered.yaml', rendered);
    const later = write('export.yaml', exported.replace('istio-injection: enabled', 'istio-injection: disabled'));
    const invalid = (await audit([first, later])).report.findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid.map((f) => [f.resource.kind, f.detail['field']])).toEqual([['Namespace', 'metadata.labels["istio-injection"]']]);
    expect(invalid[0]!.message).toContain('("disabled" here, "enabled" there)');
  });

  it('keeps the finding id when the audited copy moves within its file', async () => {
    const first = write('rendered.yaml', rendered);
    const later = write('export.yaml', exported.replace('istio-injection: enabled', 'istio-injection: disabled'));
    const configInvalid = async () => (await audit([first, later])).report.findings.find((f) => f.rule === 'config-invalid')!;
    const before = await configInvalid();
    write('rendered.yaml', `# rendered by helm template shop ./chart\n${rendered}`);
    const after = await configInvalid();
    expect(after.message).not.toBe(before.message);
    expect(after.id).toBe(before.id);
  });
});

describe('one object, however its copies are written', () => {
  it('a manifest without a namespace and the same object in default', async () => {
    const first = write('a.yaml', peerAuthentication('STRICT').replace('  namespace: checkout\n', ''));
    const later = write('b.yaml', peerAuthentication('PERMISSIVE').replace('namespace: checkout', 'namespace: default'));
    const { inventory } = await audit([first, later]);
    expect(inventory.problems).toEqual([expect.objectContaining({ file: later, field: 'spec.mtls.mode', namespace: 'default' })]);
  });

  it('a Namespace with a namespace of its own, which the API server ignores', async () => {
    const first = write('a.yaml', namespaceYaml('shop').replace('  name: shop\n', '  name: shop\n  namespace: shop\n'));
    const later = write('b.yaml', namespaceYaml('shop', { 'istio-injection': 'disabled' }));
    const { inventory } = await audit([first, later]);
    expect(inventory.problems).toEqual([expect.objectContaining({ file: later, kind: 'Namespace', field: 'metadata.labels["istio-injection"]' })]);
    expect(inventory.problems[0]!.message).toMatch(/^Namespace shop is defined again/);
  });

  it('an --cli-input-json virtual node and describe-virtual-node output of it', async () => {
    const described = write('describe.json', describeVirtualNode('us-west-2', 8080));
    const input = write(
      'update-input.json',
      JSON.stringify({ meshName: 'prod-mesh', virtualNodeName: 'payments-api', spec: JSON.parse(describeVirtualNode('us-west-2', 8080, { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } } })).virtualNode.spec }, null, 2),
    );
    const { inventory } = await audit([described, input]);
    expect(inventory.appmeshApi).toHaveLength(1);
    expect(inventory.problems).toEqual([expect.objectContaining({ file: input, field: 'spec.listeners[0].tls', mesh: 'prod-mesh' })]);
  });

  it('a deleted App Mesh object and the active one', async () => {
    const active = write('active.json', describeVirtualNode('us-west-2', 8080));
    const deleted = JSON.parse(describeVirtualNode('us-west-2', 8080));
    deleted.virtualNode.status.status = 'DELETED';
    const later = write('deleted.json', JSON.stringify(deleted, null, 4));
    const { inventory } = await audit([active, later]);
    expect(inventory.problems).toEqual([expect.objectContaining({ file: later, field: 'status.status' })]);
  });

  it('a DestinationRule with an empty workloadSelector, and one without, which Istio applies differently', async () => {
    const rule = (selector: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: cart
  namespace: platform
spec:
  host: cart.checkout.svc.cluster.local
${selector}  trafficPolicy:
    tls:
      mode: DISABLE
`;
    const first = write('public.yaml', rule(''));
    const later = write('private.yaml', rule('  workloadSelector: {}\n'));
    const { inventory } = await audit([first, later]);
    expect(inventory.problems).toEqual([expect.objectContaining({ file: later, field: 'spec.workloadSelector' })]);
  });

  it("a cert-manager Certificate as rendered and as exported: the export's status is audited in either order", async () => {
    const spec = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: cart-tls
  namespace: checkout
spec:
  secretName: cart-tls
  dnsNames:
    - cart.checkout.svc.cluster.local
  issuerRef:
    name: mesh-ca
    kind: ClusterIssuer
`;
    const renderedCopy = write('rendered.yaml', spec);
    const exportedCopy = write(
      'export.yaml',
      `${spec}status:
  notBefore: "2026-08-31T10:00:05Z"
  notAfter: "2026-11-30T10:00:05Z"
  renewalTime: "2026-11-20T10:00:05Z"
  conditions:
    - type: Ready
      status: "True"
      reason: Ready
`,
    );
    for (const order of [
      [renderedCopy, exportedCopy],
      [exportedCopy, renderedCopy],
    ]) {
      const { report } = await audit(order);
      expect(report.findings.map((f) => [f.rule, f.severity, f.resource.kind])).toEqual([['cert-expiring', 'critical', 'Certificate']]);
    }
  });
});

describe('firstDifference', () => {
  it('reads a null and a missing key as the same, and an empty map as a value (an empty selector selects everything)', () => {
    expect(firstDifference({ spec: { selector: null, mtls: { mode: 'STRICT' } } }, { spec: { mtls: { mode: 'STRICT' } } })).toBeUndefined();
    expect(firstDifference({ spec: { workloadSelector: {}, host: 'cart' } }, { spec: { host: 'cart' } })).toEqual({ path: ['spec', 'workloadSelector'] });
  });

  it('names the first differing place in the first copy’s key order, with the two values when they are scalars', () => {
    expect(firstDifference({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 3 }] })).toEqual({ path: ['b', 1, 'c'], values: { first: '2', later: '3' } });
    expect(firstDifference({ a: [1, 2] }, { a: [1] })).toEqual({ path: ['a', 1], values: { first: '2', later: 'absent' } });
    expect(firstDifference({ a: 1 }, { a: 1, z: 'added' })).toEqual({ path: ['z'], values: { first: 'absent', later: '"added"' } });
    expect(firstDifference({ a: { b: 1 } }, { a: 'text' })).toEqual({ path: ['a'] });
  });

  it('skips a one-sided field only where one copy lacks it', () => {
    expect(firstDifference({ spec: { awsName: 'cart_shop', listeners: [] } }, { spec: { listeners: [] } }, [['spec', 'awsName']])).toBeUndefined();
    expect(firstDifference({ spec: { awsName: 'cart_shop' } }, { spec: { awsName: 'cart_web' } }, [['spec', 'awsName']])?.path).toEqual(['spec', 'awsName']);
  });

  it('compares a structure nested past any real object without exhausting the stack', () => {
    const deep = (leaf: string) => {
      let v: unknown = leaf;
      for (let i = 0; i < 6000; i++) v = { k: v };
      return v;
    };
    expect(firstDifference(deep('a'), deep('a'))?.path.length).toBeGreaterThan(200);
    expect(firstDifference(deep('a'), deep('b'))).toBeDefined();
  });

  it('compares each pair of shared nodes once, so YAML aliases cannot make it exponential', () => {
    // Nine levels of ten aliases each: 10^9 leaves once expanded.
    const tower = () => {
      let level: unknown[] = Array.from({ length: 10 }, () => 'v');
      for (let i = 0; i < 9; i++) level = Array.from({ length: 10 }, () => level);
      return { spec: { x: level } };
    };
    expect(firstDifference(tower(), tower())).toBeUndefined();
  });
});

describe('Secrets defined twice (two clusters exported into one audit)', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  // Istio's plugged-in CA task gives each cluster its own CA key beside the shared root.
  const cacerts = (key: string, root: string, labels = '') => `apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system${labels}
type: Opaque
data:
  ca-key.pem: ${b64(key)}
  root-cert.pem: ${b64(root)}
`;
  const KEY_EAST = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEASTEASTEASTEAST\n-----END PRIVATE KEY-----\n';
  const KEY_WEST = KEY_EAST.replace(/EAST/g, 'WEST');
  const ROOT = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';

  it('never quotes a value of a Secret, even a certificate key that differs', async () => {
    const first = write('east.yaml', cacerts(KEY_EAST, ROOT));
    const later = write('west.yaml', cacerts(KEY_WEST, ROOT.replace('MIIBroot', 'MIIBrenewed')));
    const { inventory, report } = await audit([first, later]);
    const invalid = report.findings.filter((f) => f.rule === 'config-invalid' && f.message.includes('defined again'));
    expect(invalid.map((f) => f.detail['field'])).toEqual(['data["root-cert.pem"]']);
    const everything = JSON.stringify({ report, repeated: inventory.repeated, problems: inventory.problems });
    for (const secret of [KEY_EAST, KEY_WEST, ROOT]) {
      expect(everything).not.toContain(b64(secret).slice(0, 24));
      expect(everything).not.toContain(secret.split('\n')[1]!);
    }
  });

  it('a private key that differs is what meshgov does not read: a notice naming the key, no value', async () => {
    const first = write('east.yaml', cacerts(KEY_EAST, ROOT));
    const later = write('west.yaml', cacerts(KEY_WEST, ROOT));
    const { inventory } = await audit([first, later]);
    expect(inventory.problems.filter((p) => p.kind === 'Secret')).toEqual([]);
    expect(inventory.repeated?.map((r) => [r.what, r.otherDifference])).toEqual([['Secret istio-system/cacerts', 'data["ca-key.pem"]']]);
  });

  it('labels that differ are no finding: meshgov reads none of a Secret', async () => {
    const first = write('east.yaml', cacerts(KEY_EAST, ROOT));
    const later = write('west.yaml', cacerts(KEY_EAST, ROOT, '\n  labels:\n    topology.istio.io/network: network2'));
    const { inventory } = await audit([first, later]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.repeated?.map((r) => r.otherDifference)).toEqual(['metadata.labels']);
  });
});

describe('firstDifference values', () => {
  it('quotes at most 80 characters of a value: a renewed certificate is kilobytes', () => {
    const long = 'A'.repeat(5000);
    const d = firstDifference({ data: { 'root-cert.pem': long } }, { data: { 'root-cert.pem': `${long}B` } });
    expect(d?.values?.first.length).toBeLessThanOrEqual(80);
    expect(d?.values?.first.endsWith('…')).toBe(true);
  });
});
