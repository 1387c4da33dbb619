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

test('a cluster-scoped object keeps no namespace', async () => {
  writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n  labels:\n    istio-injection: 42\n');
  const resources = await configInvalid();
  expect(resources).toHaveLength(1);
  expect(resources[0]).toMatchObject({ kind: 'Namespace', name: 'orders' });
  expect(resources[0]!.namespace).toBeUndefined();
});
