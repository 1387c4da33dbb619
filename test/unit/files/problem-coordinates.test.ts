import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/** CONTRACT.md: an App Mesh finding always sets `mesh` (for CRDs also `namespace`), `port` where a listener is concerned; Envoy too. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-coordinates-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function configInvalid() {
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') });
  return report.findings.filter((f) => f.rule === 'config-invalid').map((f) => f.resource);
}

test('a bad listener of an App Mesh CRD names its mesh, namespace and port', async () => {
  writeFileSync(
    join(dir, 'billing.yaml'),
    `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: billing
  namespace: payments
spec:
  meshRef:
    name: prod-mesh
    uid: 6d1e7c0a-3b9f-4e52-8a41-0c2d9e7f5b13
  awsName: billing_payments
  podSelector:
    matchLabels:
      app: billing
  listeners:
    - portMapping:
        port: 8443
        protocol: http
      tls:
        mode: STRICTLY
        certificate:
          file:
            certificateChain: /certs/billing/cert_chain.pem
            privateKey: /certs/billing/key.pem
  serviceDiscovery:
    dns:
      hostname: billing.payments.svc.cluster.local
`,
  );
  expect(await configInvalid()).toEqual([expect.objectContaining({ kind: 'VirtualNode', name: 'billing', namespace: 'payments', mesh: 'prod-mesh', port: 8443 })]);
});

test('a bad filter chain of an Envoy listener names the listener port', async () => {
  writeFileSync(
    join(dir, 'envoy.yaml'),
    `static_resources:
  listeners:
    - name: ingress_https
      address:
        socket_address: { address: 0.0.0.0, port_value: 8443 }
      filter_chains:
        - transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.NoSuchContext
          filters: []
`,
  );
  expect(await configInvalid()).toEqual([expect.objectContaining({ kind: 'Listener', name: 'ingress_https', port: 8443 })]);
});

test('an Istio object written without metadata.namespace is in default, as kubectl places it: its config-invalid finding names that namespace', async () => {
  writeFileSync(join(dir, 'pa.yaml'), 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\nspec:\n  mtls:\n    mode: BOGUS\n');
  const resources = await configInvalid();
  expect(resources).toContainEqual({ kind: 'PeerAuthentication', name: 'default', namespace: 'default', file: join(dir, 'pa.yaml'), line: 7 });
});

test('a cluster-scoped object keeps no namespace, but a Namespace names itself, as its namespace-wide findings do', async () => {
  writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n  labels:\n    istio-injection: 42\n');
  writeFileSync(
    join(dir, 'webhook.yaml'),
    'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: istio-sidecar-injector\n  namespace: istio-system\n  labels:\n    istio.io/rev: 42\nwebhooks: []\n',
  );
  const resources = await configInvalid();
  expect(resources.map((r) => [r.kind, r.name, r.namespace])).toEqual([
    ['MutatingWebhookConfiguration', 'istio-sidecar-injector', undefined],
    ['Namespace', 'orders', 'orders'],
  ]);
});

describe('an Istio config-invalid finding names a namespace, and keeps its id when lines move', () => {
  const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: orders-api
  namespace: orders
spec:
  selector:
    app: orders-api
  ports:
    - name: http
      port: "8080"
      targetPort: 8080
`;
  const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
  annotations:
    suppress.meshgov.io/mtls-not-strik: "health checks from the ALB"
`;

  const findings = async () => auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') }).findings.filter((f) => f.rule === 'config-invalid');

  test('a Service the API server refuses (left out of the inventory) still names its namespace; one written without any, default', async () => {
    writeFileSync(join(dir, 'svc.yaml'), `${SERVICE}---\n${SERVICE.replace('  namespace: orders\n', '').replace('orders-api', 'cart')}`);
    expect((await configInvalid()).map((r) => [r.name, r.namespace]).sort()).toEqual([
      ['cart', 'default'],
      ['orders-api', 'orders'],
    ]);
  });

  test("a Namespace's problem names the namespace itself", async () => {
    writeFileSync(join(dir, 'ns.yaml'), NAMESPACE);
    expect((await configInvalid()).map((r) => [r.kind, r.name, r.namespace])).toEqual([['Namespace', 'shop', 'shop']]);
  });

  test('a comment added above a bad field keeps the finding id (a --baseline job saw a new problem)', async () => {
    writeFileSync(join(dir, 'svc.yaml'), SERVICE);
    const [before] = await findings();
    writeFileSync(join(dir, 'svc.yaml'), `# owner: team-orders\n# rendered by helm\n${SERVICE}`);
    const [after] = await findings();
    expect(after!.resource.line).toBe(before!.resource.line! + 2);
    expect(after!.id).toBe(before!.id);
  });

  test('a YAML syntax error, which has no object or field, is still told apart by its line', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: [\n');
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Service\n\nmetadata: [\n');
    const [a, b] = await findings();
    expect(a!.id).not.toBe(b!.id);
  });
});
