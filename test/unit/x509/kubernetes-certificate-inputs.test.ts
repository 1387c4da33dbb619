import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { makeCertChain, makeRootCa, type CertChain } from '../../support/certs';
import { shippedPolicy } from '../../support/model';

const NOW = new Date('2026-11-26T00:00:00Z');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const indent = (text: string, spaces: number) => text.trimEnd().split('\n').map((l) => ' '.repeat(spaces) + l).join('\n');

let chain: CertChain;
let dir: string;
beforeAll(() => {
  chain = makeCertChain({
    leafCN: 'api.shop.example.com',
    dnsNames: ['api.shop.example.com'],
    notBefore: new Date('2026-09-01T00:00:00Z'),
    notAfter: new Date('2026-12-01T00:00:00Z'),
    root: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') },
  });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-x509-kube-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
  return report.findings.map((f) => ({
    rule: f.rule,
    name: f.resource.name,
    file: relative(dir, f.resource.file ?? ''),
    line: f.resource.line,
    message: f.message,
    field: (f.detail as { field?: string }).field,
    origin: (f.detail as { origin?: unknown }).origin,
  }));
}

describe('Kubernetes certificate inputs', () => {
  test('a Secret named `constructor` (a valid Secret name) does not abort the audit; the cacerts beside it are still checked', async () => {
    const findings = await audit({
      'secrets.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: constructor
  namespace: shop
type: Opaque
data:
  password: ${b64('hunter2')}
---
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
data:
  cert-chain.pem: ${b64(chain.chainPem)}
  root-cert.pem: ${b64(chain.rootPem)}
`,
    });
    // On the line of the key that holds it, cert-chain.pem.
    expect(findings.map((f) => [f.rule, f.name, f.file, f.line])).toEqual([['cert-expiring', 'api.shop.example.com', 'secrets.yaml', 17]]);
  });

  test('PEM under data, base64 under stringData, data encoded twice and a base64 root ConfigMap: each problem says which mix-up it is', async () => {
    const text = `apiVersion: v1
kind: Secret
metadata:
  name: api-shop-example-com-tls
  namespace: istio-ingress
type: kubernetes.io/tls
stringData:
  tls.crt: ${b64(chain.chainPem)}
data:
  ca.crt: |
${indent(chain.rootPem, 4)}
---
apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
data:
  root-cert.pem: ${b64(b64(chain.rootPem))}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-ca-root-cert
  namespace: shop
data:
  root-cert.pem: ${b64(chain.rootPem)}
`;
    const findings = await audit({ 'ingress.yaml': text });
    const lines = text.split('\n');
    const lineOf = (key: string, nth = 0) => lines.flatMap((l, i) => (l.startsWith(`  ${key}:`) ? [i + 1] : []))[nth];
    const problems = findings.filter((f) => f.rule === 'config-invalid').sort((a, b) => a.line! - b.line!);
    expect(problems.map((f) => [f.name, f.line, f.field, f.message.replace(/^.*?: /, '')])).toEqual([
      ['api-shop-example-com-tls', lineOf('tls.crt'), 'stringData["tls.crt"]', 'stringData["tls.crt"] of Secret api-shop-example-com-tls holds no PEM certificate: it holds base64, which belongs under data (stringData takes the PEM as plain text)'],
      ['api-shop-example-com-tls', lineOf('ca.crt'), 'data["ca.crt"]', 'data["ca.crt"] of Secret api-shop-example-com-tls is not valid base64: it holds the PEM as plain text, which belongs under stringData (data takes base64)'],
      ['cacerts', lineOf('root-cert.pem', 0), 'data["root-cert.pem"]', 'data["root-cert.pem"] of Secret cacerts holds no PEM certificate: it is base64-encoded twice (data takes the PEM encoded once)'],
      ['istio-ca-root-cert', lineOf('root-cert.pem', 1), 'data["root-cert.pem"]', 'data["root-cert.pem"] of ConfigMap istio-ca-root-cert holds no PEM certificate: it holds base64, but ConfigMap data takes the PEM as plain text'],
    ]);
  });

  test('a CA whose notBefore is 0001-01-01 (Go\'s zero time) is checked for expiry, not reported as unreadable', async () => {
    const legacy = makeRootCa({ cn: 'legacy payments CA', notBefore: new Date('0001-01-01T00:00:00Z'), notAfter: new Date('2026-12-20T00:00:00Z') });
    const findings = await audit({ 'legacy-ca.pem': legacy.certPem });
    expect(findings.map((f) => [f.rule, f.name, f.file, f.line])).toEqual([['cert-expiring', 'legacy payments CA', 'legacy-ca.pem', 1]]);
  });

  test('a CA in two keys of cacerts is one finding that names both keys, so replacing one does not leave the other unseen', async () => {
    const plugged = makeCertChain({
      leafCN: 'istiod.istio-system.svc',
      intermediateCN: 'prod-gke intermediate CA',
      intermediate: { notBefore: new Date('2025-12-10T00:00:00Z'), notAfter: new Date('2026-12-10T00:00:00Z') },
      root: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') },
    });
    // Istio's plug-in CA layout: cert-chain.pem is ca-cert.pem followed by the root.
    const findings = await audit({
      'cacerts.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
data:
  ca-cert.pem: ${b64(plugged.intermediatePem)}
  ca-key.pem: ${b64(plugged.intermediateKeyPem)}
  cert-chain.pem: ${b64(plugged.intermediatePem + plugged.rootPem)}
  root-cert.pem: ${b64(plugged.rootPem)}
`,
    });
    expect(findings.map((f) => [f.rule, f.name, f.line])).toEqual([['cert-expiring', 'prod-gke intermediate CA', 8]]);
    expect(findings[0]!.message).toContain('in Secret istio-system/cacerts key ca-cert.pem (also in cert-chain.pem) expires in 14 days');
    expect(findings[0]!.origin).toEqual(expect.objectContaining({ key: 'ca-cert.pem', alsoKeys: ['cert-chain.pem'] }));
  });

  test('a kubernetes.io/tls Secret without tls.crt is config-invalid at its data, with its namespace; an empty one, or no tls.key (left out of exports), is not', async () => {
    writeFileSync(
      join(dir, 'tls.yaml'),
      `apiVersion: v1
kind: Secret
metadata:
  name: web-tls
  namespace: shop
type: kubernetes.io/tls
data:
  tls.key: ${b64('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n')}
---
apiVersion: v1
kind: Secret
metadata:
  name: pending-tls
  namespace: shop
  annotations:
    cert-manager.io/issuer-name: shop-issuer
type: kubernetes.io/tls
data:
  tls.crt: ""
  tls.key: ""
---
apiVersion: v1
kind: Secret
metadata:
  name: exported-tls
  namespace: shop
type: kubernetes.io/tls
data:
  tls.crt: ${b64(chain.chainPem)}
`,
    );
    const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
    expect(report.findings.map((f) => [f.rule, f.resource.namespace, f.resource.name, f.resource.line, (f.detail as { field?: string }).field])).toEqual([
      ['cert-expiring', 'shop', 'api.shop.example.com', 29, undefined],
      ['config-invalid', 'shop', 'web-tls', 7, 'data["tls.crt"]'],
    ]);
    expect(report.findings[1]!.message).toContain('Secret web-tls of type kubernetes.io/tls has no tls.crt; Kubernetes refuses it without one');
  });

  test('a block that cannot be read names the namespace of its Secret', async () => {
    const findings = await audit({
      'cacerts.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
stringData:
  ca-cert.pem: |
${indent(chain.leafPem.split('\n').slice(0, 4).join('\n'), 4)}
`,
    });
    expect(findings.map((f) => [f.rule, f.name, f.field])).toEqual([['config-invalid', 'cacerts', 'stringData["ca-cert.pem"]']]);
    const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
    expect(report.findings[0]!.resource.namespace).toBe('istio-system');
  });

  test("an expired root beside the valid one in a namespace's istio-ca-root-cert is taken out, not renewed, when the valid one is folded into cacerts", async () => {
    // A root rotation half done: istiod publishes both roots into every namespace; cacerts already holds only the new one.
    const current = makeRootCa({ cn: 'Mesh Root CA', organization: 'shop', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') });
    const retired = makeRootCa({ cn: 'Old Root CA', organization: 'shop', notBefore: new Date('2016-01-01T00:00:00Z'), notAfter: new Date('2026-11-01T00:00:00Z') });
    const findings = await audit({
      'roots.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
data:
  root-cert.pem: ${b64(current.certPem)}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-ca-root-cert
  namespace: shop
data:
  root-cert.pem: |
${indent(current.certPem + retired.certPem, 4)}
`,
    });
    expect(findings.map((f) => [f.rule, f.name])).toEqual([['cert-expired', 'Old Root CA']]);
    expect(findings[0]!.message).toContain('the bundle still holds 1 valid root, so take this one out of it');
    expect(findings[0]!.message).not.toContain('renew it');
  });
});

describe("generic (Opaque) Secrets that Istio gateways' credentialName names", () => {
  // Istio's secure gateways task: `kubectl create secret generic … --from-file=tls.crt=… --from-file=ca.crt=…`, or the older cert/cacert keys.
  const generic = (name: string, data: Record<string, string>) =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: istio-system\ntype: Opaque\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${b64(v)}`).join('\n')}\n`;

  it('reads tls.crt and ca.crt', async () => {
    const findings = await audit({ 'gw.yaml': generic('shop-credential', { 'tls.crt': chain.leafPem, 'tls.key': chain.keyPem, 'ca.crt': chain.rootPem }) });
    // On the line of the key that holds it.
    expect(findings.map((f) => [f.rule, f.name, f.line])).toEqual([['cert-expiring', 'api.shop.example.com', 8]]);
  });

  it('reads the older cert and cacert keys, and a Secret without a type (Opaque)', async () => {
    const text = generic('shop-credential', { cert: chain.leafPem, key: chain.keyPem, cacert: chain.rootPem }).replace('type: Opaque\n', '');
    const findings = await audit({ 'gw.yaml': text });
    expect(findings.map((f) => [f.rule, f.name, f.line])).toEqual([['cert-expiring', 'api.shop.example.com', 7]]);
  });

  it('passes over such a key that holds something else: it is not meant for meshgov', async () => {
    const findings = await audit({ 'app.yaml': generic('app-config', { cert: 'not a certificate', 'ca.crt': '' }) });
    expect(findings).toEqual([]);
  });

  it('reads no other type of Secret by those keys (a service account token carries the cluster CA)', async () => {
    const text = generic('default-token-x7k2p', { 'ca.crt': chain.rootPem, token: 'eyJhbGciOiJSUzI1NiJ9' }).replace('type: Opaque', 'type: kubernetes.io/service-account-token');
    expect(await audit({ 'sa.yaml': text })).toEqual([]);
  });
});
