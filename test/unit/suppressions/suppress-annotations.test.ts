import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { makeRootCa } from '../../support/certs';
import { deploymentYaml } from '../../support/deployment-yaml';
import { shippedPolicy } from '../../support/model';

/** `suppress.meshgov.io/<rule>: "<reason>"` on a Kubernetes object accepts that rule's findings about it. */

const NOW = new Date('2026-11-26T00:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-suppress-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit() {
  return auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
}

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: checkout
  labels:
    istio-injection: enabled
`;

function peerAuthentication(annotations = ''): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: checkout
${annotations}spec:
  mtls:
    mode: PERMISSIVE
`;
}

function deployment(name: string, annotations = '', namespace = '  namespace: checkout\n'): string {
  return deploymentYaml(name, `${namespace}${annotations}`);
}

const ACCEPT_WEB = `  annotations:
    suppress.meshgov.io/mtls-not-strict: "Cloud Run health checks reach it over plaintext until SHOP-5120"
`;

test('an annotated workload moves its own finding to the suppressed list, with the reason and the annotation line', async () => {
  writeFileSync(join(dir, 'namespace.yaml'), NAMESPACE);
  writeFileSync(join(dir, 'security.yaml'), peerAuthentication());
  writeFileSync(join(dir, 'workloads.yaml'), `${deployment('checkout-web', ACCEPT_WEB)}---\n${deployment('cart')}`);
  const report = await audit();
  const notStrict = report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.name);
  expect(notStrict).toEqual(['cart']);
  expect(report.suppressed).toEqual([
    expect.objectContaining({
      rule: 'mtls-not-strict',
      resource: expect.objectContaining({ kind: 'Deployment', namespace: 'checkout', name: 'checkout-web' }),
      suppression: {
        annotation: 'suppress.meshgov.io/mtls-not-strict',
        reason: 'Cloud Run health checks reach it over plaintext until SHOP-5120',
        file: join(dir, 'workloads.yaml'),
        line: 7,
      },
    }),
  ]);
  expect(report.summary).toEqual(expect.objectContaining({ findings: report.findings.length, suppressed: 1 }));
});

test('an annotation for another rule, or on another object, suppresses nothing', async () => {
  writeFileSync(join(dir, 'namespace.yaml'), NAMESPACE);
  writeFileSync(join(dir, 'security.yaml'), peerAuthentication());
  const otherRule = `  annotations:\n    suppress.meshgov.io/mtls-conflict: "not this rule"\n`;
  writeFileSync(join(dir, 'workloads.yaml'), `${deployment('checkout-web', otherRule)}---\n${deployment('cart')}`);
  const report = await audit();
  expect(report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.name).sort()).toEqual(['cart', 'checkout-web']);
  expect(report.suppressed).toBeUndefined();
  expect(report.summary).not.toHaveProperty('suppressed');
});

test('the policy that causes the findings can accept them all: the PERMISSIVE PeerAuthentication annotated', async () => {
  writeFileSync(join(dir, 'namespace.yaml'), NAMESPACE);
  writeFileSync(join(dir, 'security.yaml'), peerAuthentication(`  annotations:\n    suppress.meshgov.io/mtls-not-strict: "namespace migrating to STRICT in Q1"\n`));
  writeFileSync(join(dir, 'workloads.yaml'), `${deployment('checkout-web')}---\n${deployment('cart')}`);
  const report = await audit();
  expect(report.findings.filter((f) => f.rule === 'mtls-not-strict')).toEqual([]);
  expect(report.suppressed!.map((f) => [f.resource.name, f.suppression.line])).toEqual([
    ['cart', 7],
    ['checkout-web', 7],
  ]);
});

test('a document further down the same file is not covered by the annotated one above it', async () => {
  writeFileSync(join(dir, 'namespace.yaml'), NAMESPACE);
  const otherNamespace = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n  labels:\n    istio-injection: enabled\n`;
  const ordersPolicy = peerAuthentication().replace('namespace: checkout', 'namespace: orders');
  const annotated = peerAuthentication(`  annotations:\n    suppress.meshgov.io/mtls-not-strict: "checkout only"\n`);
  writeFileSync(join(dir, 'security.yaml'), `${annotated}---\n${otherNamespace}---\n${ordersPolicy}`);
  writeFileSync(join(dir, 'workloads.yaml'), `${deployment('checkout-web')}---\n${deployment('orders-api', '', '  namespace: orders\n')}`);
  const report = await audit();
  expect(report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.name)).toEqual(['orders-api']);
  expect(report.suppressed!.map((f) => f.resource.name)).toEqual(['checkout-web']);
});

test('a workload written without a namespace is matched in default, as the providers place it', async () => {
  const defaultPolicy = peerAuthentication().replace('namespace: checkout', 'namespace: default');
  writeFileSync(join(dir, 'security.yaml'), defaultPolicy);
  writeFileSync(join(dir, 'workloads.yaml'), deployment('legacy-cron', ACCEPT_WEB, ''));
  const report = await audit();
  expect(report.findings.filter((f) => f.rule === 'mtls-not-strict')).toEqual([]);
  expect(report.suppressed!.map((f) => [f.resource.namespace, f.resource.name])).toEqual([['default', 'legacy-cron']]);
});

test('a Namespace outside the mesh on purpose: mesh-sidecar-missing accepted on the Namespace', async () => {
  writeFileSync(
    join(dir, 'namespaces.yaml'),
    `apiVersion: v1
kind: Namespace
metadata:
  name: legacy-batch
  labels:
    istio-injection: disabled
  annotations:
    suppress.meshgov.io/mesh-sidecar-missing: "batch jobs talk only to Cloud SQL over its own TLS"
---
# The rest of the cluster runs Istio: an opt-out alone is no sign of it.
apiVersion: v1
kind: Namespace
metadata:
  name: orders
  labels:
    istio-injection: enabled
`,
  );
  writeFileSync(join(dir, 'workloads.yaml'), deployment('nightly-export', '', '  namespace: legacy-batch\n'));
  const report = await audit();
  expect(report.findings.filter((f) => f.rule === 'mesh-sidecar-missing')).toEqual([]);
  expect(report.suppressed!.map((f) => [f.rule, f.resource.kind, f.resource.name])).toEqual([['mesh-sidecar-missing', 'Namespace', 'legacy-batch']]);
});

test("a Secret's expired certificate accepted on the Secret", async () => {
  const ca = makeRootCa({ cn: 'reports.orders.svc.cluster.local', notBefore: new Date('2025-01-01Z'), notAfter: new Date('2026-01-01Z') });
  const secret = (name: string, annotations: string) => `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: ${name}
  namespace: orders
${annotations}data:
  tls.crt: ${Buffer.from(ca.certPem).toString('base64')}
  tls.key: ${Buffer.from(ca.keyPem).toString('base64')}
`;
  const accepted = `  annotations:\n    suppress.meshgov.io/cert-expired: "kept for decrypting old exports; not served"\n`;
  writeFileSync(join(dir, 'secrets.yaml'), `${secret('reports-tls-archive', accepted)}---\n${secret('reports-tls', '')}`);
  const report = await audit();
  expect(report.findings.filter((f) => f.rule === 'cert-expired').map((f) => f.resource.line)).toEqual([20]);
  expect(report.suppressed!.map((f) => [f.rule, f.resource.line, f.suppression.reason])).toEqual([['cert-expired', 10, 'kept for decrypting old exports; not served']]);
});

test('an annotation naming no rule is a config-invalid finding on its own line, with the rule it was probably meant for', async () => {
  writeFileSync(join(dir, 'namespace.yaml'), NAMESPACE);
  writeFileSync(join(dir, 'security.yaml'), peerAuthentication());
  writeFileSync(join(dir, 'workloads.yaml'), deployment('checkout-web', `  annotations:\n    team.example.com/owner: checkout\n    suppress.meshgov.io/mtls-not-stric: "typo"\n`));
  const report = await audit();
  const invalid = report.findings.filter((f) => f.rule === 'config-invalid');
  expect(invalid).toEqual([
    expect.objectContaining({
      resource: expect.objectContaining({ kind: 'Deployment', name: 'checkout-web', namespace: 'checkout', file: join(dir, 'workloads.yaml'), line: 8 }),
      message: expect.stringContaining('did you mean suppress.meshgov.io/mtls-not-strict?'),
    }),
  ]);
  // It suppressed nothing: the workload's finding stands.
  expect(report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.name)).toEqual(['checkout-web']);
});
