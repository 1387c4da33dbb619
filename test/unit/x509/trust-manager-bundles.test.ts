import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { collectFiles } from '../../../functions/providers/files/collect';
import { makeRootCa, type IssuedCertificate } from '../../support/certs';
import { shippedPolicy } from '../../support/model';

/**
 * cert-manager's trust-manager: a cluster-scoped Bundle (trust.cert-manager.io/v1alpha1) and the
 * ConfigMaps and Secrets it writes into every namespace, labelled trust.cert-manager.io/bundle.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const indent = (text: string, spaces: number) => text.trimEnd().split('\n').map((l) => ' '.repeat(spaces) + l).join('\n');

let retiredRoot: IssuedCertificate;
let currentRoot: IssuedCertificate;
let expiringRoot: IssuedCertificate;
let dir: string;
beforeAll(() => {
  // A corporate root mid rotation: the 2016 root expired in October, its successor runs to 2036.
  retiredRoot = makeRootCa({ cn: 'Example Corp Root CA 2016', organization: 'Example Corp', notBefore: new Date('2016-10-01T00:00:00Z'), notAfter: new Date('2026-10-01T00:00:00Z') });
  currentRoot = makeRootCa({ cn: 'Example Corp Root CA 2026', organization: 'Example Corp', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z') });
  // The mesh CA cert-manager keeps in the trust namespace, ten days from expiry.
  expiringRoot = makeRootCa({ cn: 'mesh-ca.cert-manager', notBefore: new Date('2025-12-06T00:00:00Z'), notAfter: new Date('2026-12-06T00:00:00Z') });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-trust-manager-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
  return report.findings.map((f) => ({
    rule: f.rule,
    name: f.resource.name,
    namespace: f.resource.namespace,
    file: relative(dir, f.resource.file ?? ''),
    line: f.resource.line,
    message: f.message,
    origin: (f.detail as { origin?: { kind: string; name: string; namespace?: string; key?: string; copies?: string[] } }).origin,
  }));
}

/** The line (1-based) of the nth line of `text` that starts with `prefix` after its indentation. */
function lineOf(text: string, prefix: string, nth = 0): number {
  return text.split('\n').flatMap((l, i) => (l.trimStart().startsWith(prefix) ? [i + 1] : []))[nth]!;
}

/** A Bundle as a platform team writes it: the CA Secret cert-manager keeps, and the corporate roots inline. */
function bundle(inline: string[]): string {
  return `apiVersion: trust.cert-manager.io/v1alpha1
kind: Bundle
metadata:
  name: mesh-trust
spec:
  sources:
  - useDefaultCAs: false
  - secret:
      name: mesh-ca
      key: ca.crt
${inline.map((pem, i) => `  - inLine: |\n      # Example Corp root #${i + 1}\n${indent(pem, 6)}`).join('\n')}
  target:
    configMap:
      key: trust-bundle.pem
    secret:
      key: ca-certificates.crt
    namespaceSelector:
      matchLabels:
        mesh.example.com/trust: enabled
`;
}

/** The ConfigMap trust-manager writes into a namespace: named after the Bundle, labelled, owned by it. */
function targetConfigMap(namespace: string, key: string, pem: string, extra = ''): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: mesh-trust
  namespace: ${namespace}
  labels:
    trust.cert-manager.io/bundle: mesh-trust
  annotations:
    trust.cert-manager.io/hash: 4f0c7d6c2a1f3e9b8d5a6c7e0f1b2a3c4d5e6f708192a3b4c5d6e7f8091a2b3c
  ownerReferences:
  - apiVersion: trust.cert-manager.io/v1alpha1
    kind: Bundle
    name: mesh-trust
    uid: 7d3c1e2a-9b4f-4c6d-8e1a-2b3c4d5e6f70
    controller: true
    blockOwnerDeletion: true
data:
  ${key}: |
${indent(pem, 4)}
${extra}`;
}

function targetSecret(namespace: string, key: string, pem: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: mesh-trust
  namespace: ${namespace}
  labels:
    trust.cert-manager.io/bundle: mesh-trust
type: Opaque
data:
  ${key}: ${b64(pem)}
`;
}

describe('trust-manager bundles', () => {
  test('a labelled target ConfigMap, without its Bundle among the inputs: every PEM value is read, and its expired root beside a valid one is to be taken out', async () => {
    const text = targetConfigMap('payments', 'trust-bundle.pem', retiredRoot.certPem + currentRoot.certPem);
    const findings = await audit({ 'payments-trust.yaml': text });
    expect(findings.map((f) => [f.rule, f.name, f.namespace, f.file, f.line])).toEqual([
      ['cert-expired', 'Example Corp Root CA 2016', 'payments', 'payments-trust.yaml', lineOf(text, 'trust-bundle.pem:')],
    ]);
    expect(findings[0]!.message).toContain('in ConfigMap payments/mesh-trust key trust-bundle.pem expired on 2026-10-01T00:00:00.000Z');
    expect(findings[0]!.message).toContain('the bundle still holds 1 valid root, so take this one out of it');
  });

  test('the Bundle among the inputs: its inLine roots are read, each target copy is folded into it, and only its target key is read', async () => {
    const bundleText = bundle([retiredRoot.certPem, currentRoot.certPem]);
    const targets = [
      targetConfigMap('payments', 'trust-bundle.pem', retiredRoot.certPem + currentRoot.certPem),
      // Another field manager's key beside trust-manager's: not the Bundle's, so not read.
      targetConfigMap('orders', 'trust-bundle.pem', retiredRoot.certPem + currentRoot.certPem, `  legacy-ca.pem: |\n${indent(expiringRoot.certPem, 4)}\n`),
      targetSecret('orders', 'ca-certificates.crt', retiredRoot.certPem + currentRoot.certPem),
    ].join('---\n');
    const findings = await audit({ 'bundle.yaml': bundleText, 'targets.yaml': targets });
    // One finding: on the Bundle's inLine source, where it is fixed, not once per namespace.
    expect(findings.map((f) => [f.rule, f.name, f.namespace, f.file, f.line])).toEqual([
      ['cert-expired', 'Example Corp Root CA 2016', undefined, 'bundle.yaml', lineOf(bundleText, '- inLine:', 0)],
    ]);
    expect(findings[0]!.origin).toEqual(
      expect.objectContaining({ kind: 'Bundle', name: 'mesh-trust', key: 'inLine', copies: ['ConfigMap payments/mesh-trust', 'ConfigMap orders/mesh-trust', 'Secret orders/mesh-trust'] }),
    );
    // The inline roots are appended into one bundle: the valid one in the next source still counts.
    expect(findings[0]!.message).toContain('take this one out of it');
  });

  test('a target copy of a certificate from a Secret the Bundle names is reported on that Secret', async () => {
    const caSecret = `apiVersion: v1
kind: Secret
metadata:
  name: mesh-ca
  namespace: cert-manager
  annotations:
    cert-manager.io/certificate-name: mesh-ca
type: kubernetes.io/tls
data:
  ca.crt: ${b64(expiringRoot.certPem)}
  tls.crt: ${b64(expiringRoot.certPem)}
`;
    const findings = await audit({
      'bundle.yaml': bundle([currentRoot.certPem]),
      'mesh-ca.yaml': caSecret,
      'targets.yaml': [targetConfigMap('payments', 'trust-bundle.pem', expiringRoot.certPem + currentRoot.certPem), targetConfigMap('orders', 'trust-bundle.pem', expiringRoot.certPem + currentRoot.certPem)].join('---\n'),
    });
    expect(findings.map((f) => [f.rule, f.name, f.namespace, f.file])).toEqual([['cert-expiring', 'mesh-ca.cert-manager', 'cert-manager', 'mesh-ca.yaml']]);
    expect(findings[0]!.origin?.copies).toEqual(['ConfigMap payments/mesh-trust', 'ConfigMap orders/mesh-trust']);
  });

  // With useDefaultCAs the targets also hold trust-manager's default CA package (public roots), which no input holds.
  test('a target certificate no read source of a useDefaultCAs Bundle holds is pointed at the default CA package, not the copy', async () => {
    const withDefaults = bundle([currentRoot.certPem]).replace('  - useDefaultCAs: false\n', '  - useDefaultCAs: true\n');
    const findings = await audit({
      'bundle.yaml': withDefaults,
      'targets.yaml': [targetConfigMap('payments', 'trust-bundle.pem', retiredRoot.certPem + currentRoot.certPem), targetConfigMap('orders', 'trust-bundle.pem', retiredRoot.certPem + currentRoot.certPem)].join('---\n'),
    });
    expect(findings.map((f) => [f.rule, f.name, f.namespace])).toEqual([['cert-expired', 'Example Corp Root CA 2016', 'payments']]);
    expect(findings[0]!.message).toContain(
      "it is in no source of Bundle mesh-trust that was read, so it most likely comes from trust-manager's default CA package, which that Bundle adds (useDefaultCAs: true): update the package",
    );
    expect(findings[0]!.origin).toEqual(expect.objectContaining({ defaultCaPackageOf: 'mesh-trust', copies: ['ConfigMap orders/mesh-trust'] }));
    // Without useDefaultCAs nothing is said of a package: the copy's advice stands.
    const without = await audit({ 'bundle.yaml': bundle([currentRoot.certPem]) });
    expect(without.map((f) => f.message).join('\n')).not.toContain('default CA package');
  });

  test('an inLine source that holds no certificate is config-invalid at its line; a Bundle of another group is not read', async () => {
    const text = `apiVersion: trust.cert-manager.io/v1alpha1
kind: Bundle
metadata:
  name: partner-trust
spec:
  sources:
  - inLine: ${b64(currentRoot.certPem)}
  target:
    configMap:
      key: ca.crt
---
apiVersion: fleet.cattle.io/v1alpha1
kind: Bundle
metadata:
  name: mesh-config
  namespace: fleet-default
spec:
  resources:
  - name: root.pem
    content: |
${indent(retiredRoot.certPem, 6)}
`;
    const findings = await audit({ 'bundles.yaml': text });
    expect(findings.map((f) => [f.rule, f.name, f.line])).toEqual([['config-invalid', 'partner-trust', lineOf(text, '- inLine:')]]);
    expect(findings[0]!.message).toContain('spec.sources[0].inLine of Bundle partner-trust holds no PEM certificate');
  });
});
