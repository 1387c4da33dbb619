import * as yaml from 'js-yaml';
import { X509Certificate } from 'node:crypto';
import { makeCertChain, type CertChain } from '../../../test/support/certs';
import { emptyInventory, type Inventory, type KubeObject } from '../../core/model/inventory';
import { loadPolicy } from '../../core/policy/load';
import { auditInventory } from '../audit-inventory';
import { buildCertificateModel } from './index';

const NOW = { now: new Date('2026-11-26T00:00:00Z') };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const indent = (text: string, spaces: number) => text.trimEnd().split('\n').map((l) => ' '.repeat(spaces) + l).join('\n');

function kube(inventory: Inventory, text: string, file: string, line = 1): void {
  for (const doc of yaml.loadAll(text)) inventory.kubernetes.push({ doc: doc as KubeObject, source: { file, line } });
}


/** The head of Istio's plug-in CA Secret, up to its `data:` key. */
const CACERTS = `apiVersion: v1
kind: Secret
metadata:
  name: cacerts
  namespace: istio-system
type: Opaque
data:`;

/** The ingress certificate cert-manager issues from Let's Encrypt, with the given `status` lines. */
function issuedCertificate(status: string): string {
  return `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: api-shop-example-com
  namespace: istio-ingress
spec:
  secretName: api-shop-example-com-tls
  dnsNames:
  - api.shop.example.com
  issuerRef:
    name: letsencrypt-prod
    kind: ClusterIssuer
    group: cert-manager.io
status:
${status}`;
}

describe('buildCertificateModel', () => {
  let mesh: CertChain;
  let ingress: CertChain;
  beforeAll(() => {
    mesh = makeCertChain({
      leafCN: 'istiod.istio-system.svc',
      rootCN: 'Shop mesh root CA',
      intermediateCN: 'Shop mesh cluster-east intermediate',
      notAfter: new Date('2027-02-01T00:00:00Z'),
      intermediate: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-12-10T00:00:00Z') },
      root: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') },
    });
    ingress = makeCertChain({
      leafCN: 'shop.example.com',
      dnsNames: ['shop.example.com', 'www.shop.example.com'],
      notBefore: new Date('2026-09-01T00:00:00Z'),
      notAfter: new Date('2026-11-30T00:00:00Z'),
    });
  });

  test('a PEM file: every block, dated, with the line of each BEGIN marker in the file', () => {
    const inventory = emptyInventory();
    const text = `# bundle for the edge proxy\n${ingress.bundlePem}`;
    // The file loader gives the whole text and the line of the first marker.
    inventory.pem.push({ doc: { text }, source: { file: 'certs/edge/bundle.pem', line: 2 } });
    const model = buildCertificateModel(inventory, NOW);
    expect(model.resourceCount).toBe(1);
    expect(model.problems).toEqual([]);
    expect(model.certificates.map((c) => [c.subjectCN, c.chainIndex, c.origin.kind, c.origin.name])).toEqual([
      ['shop.example.com', 0, 'File', 'bundle.pem'],
      ['meshgov test intermediate CA', 1, 'File', 'bundle.pem'],
      ['meshgov test root CA', 2, 'File', 'bundle.pem'],
    ]);
    expect(model.certificates[0].origin.source).toEqual({ file: 'certs/edge/bundle.pem', line: 2 });
    expect(model.certificates[1].origin.source.line).toBe(2 + ingress.leafPem.trimEnd().split('\n').length);
    expect(model.certificates[0].notAfter.toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  test('the Istio cacerts Secret (base64 data): ca-cert, cert-chain and root-cert are read, the key is not', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `${CACERTS}
  ca-cert.pem: ${b64(mesh.intermediatePem)}
  ca-key.pem: ${b64(mesh.intermediateKeyPem)}
  cert-chain.pem: ${b64(mesh.intermediatePem + mesh.rootPem)}
  root-cert.pem: ${b64(mesh.rootPem)}
`,
      'clusters/east/cacerts.yaml',
      4,
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems).toEqual([]);
    expect(model.resourceCount).toBe(1);
    expect(model.certificates.map((c) => [c.origin.key, c.chainIndex, c.subjectCN])).toEqual([
      ['ca-cert.pem', 0, 'Shop mesh cluster-east intermediate'],
      ['cert-chain.pem', 0, 'Shop mesh cluster-east intermediate'],
      ['cert-chain.pem', 1, 'Shop mesh root CA'],
      ['root-cert.pem', 0, 'Shop mesh root CA'],
    ]);
    const first = model.certificates[0];
    expect(first.origin).toEqual({ kind: 'Secret', name: 'cacerts', namespace: 'istio-system', key: 'ca-cert.pem', source: { file: 'clusters/east/cacerts.yaml', line: 4 } });
    expect(first.id).toBe(`x509:${new X509Certificate(mesh.intermediatePem).fingerprint256}@Secret/istio-system/cacerts/ca-cert.pem`);
    expect(first.notAfter.toISOString()).toBe('2026-12-10T00:00:00.000Z');
    expect(first.isCA).toBe(true);
  });

  test('stringData is read as plain text, and wins over data for the same key', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `apiVersion: v1
kind: Secret
metadata:
  name: istio-ca-secret
  namespace: istio-system
type: istio.io/ca-root
data:
  ca-cert.pem: ${b64(ingress.rootPem)}
stringData:
  ca-cert.pem: |
${indent(mesh.rootPem, 4)}
`,
      'istio-ca-secret.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.certificates).toHaveLength(1);
    expect(model.certificates[0]).toMatchObject({ subjectCN: 'Shop mesh root CA', origin: { kind: 'Secret', name: 'istio-ca-secret', key: 'ca-cert.pem' } });
  });

  test('a kubernetes.io/tls Secret: the tls.crt chain is read, an empty ca.crt is skipped', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `apiVersion: v1
kind: Secret
metadata:
  name: shop-example-com-tls
  namespace: istio-ingress
type: kubernetes.io/tls
data:
  tls.crt: ${b64(ingress.chainPem)}
  tls.key: ${b64(ingress.keyPem)}
  ca.crt: ""
`,
      'ingress/tls.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems).toEqual([]);
    expect(model.certificates.map((c) => [c.origin.key, c.subjectCN, c.origin.namespace])).toEqual([
      ['tls.crt', 'shop.example.com', 'istio-ingress'],
      ['tls.crt', 'meshgov test intermediate CA', 'istio-ingress'],
    ]);
  });

  test('the istio-ca-root-cert ConfigMap', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-ca-root-cert
  namespace: payments
  labels:
    istio.io/config: "true"
data:
  root-cert.pem: |
${indent(mesh.rootPem, 4)}
`,
      'payments/istio-ca-root-cert.yaml',
      12,
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.resourceCount).toBe(1);
    expect(model.certificates).toEqual([
      expect.objectContaining({
        subjectCN: 'Shop mesh root CA',
        isCA: true,
        origin: { kind: 'ConfigMap', name: 'istio-ca-root-cert', namespace: 'payments', key: 'root-cert.pem', source: { file: 'payments/istio-ca-root-cert.yaml', line: 12 }, labels: { 'istio.io/config': 'true' } },
      }),
    ]);
  });

  test('cert-manager Certificates are dated by their status; one not issued yet yields nothing', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `${issuedCertificate(`  conditions:
  - type: Ready
    status: "True"
    reason: Ready
  notBefore: "2026-09-02T10:00:00Z"
  notAfter: "2026-12-01T10:00:00Z"
  renewalTime: "2026-11-01T10:00:00Z"
  revision: 3`)}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: pending
  namespace: istio-ingress
spec:
  secretName: pending-tls
  commonName: pending.shop.example.com
  issuerRef:
    name: letsencrypt-prod
    kind: ClusterIssuer
`,
      'ingress/certificates.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.resourceCount).toBe(2);
    expect(model.problems).toEqual([]);
    expect(model.certificates).toEqual([
      {
        id: 'certmanager:istio-ingress/api-shop-example-com',
        provider: 'x509',
        subjectCN: 'api.shop.example.com',
        subject: '',
        issuer: 'ClusterIssuer/letsencrypt-prod',
        serialNumber: '',
        fingerprint256: '',
        notBefore: new Date('2026-09-02T10:00:00Z'),
        notAfter: new Date('2026-12-01T10:00:00Z'),
        isCA: false,
        chainIndex: 0,
        origin: { kind: 'Certificate', name: 'api-shop-example-com', namespace: 'istio-ingress', source: { file: 'ingress/certificates.yaml', line: 1 } },
        dateSource: 'cert-manager status',
        // status.renewalTime: when cert-manager means to renew it.
        renewal: { by: 'cert-manager', at: new Date('2026-11-01T10:00:00Z'), rotatesBeforeExpiry: true },
      },
    ]);
  });

  test('a cert-manager Certificate whose Secret is also present is reported once, from the parsed Secret', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop-example-com
  namespace: istio-ingress
spec:
  secretName: shop-example-com-tls
  commonName: shop.example.com
  issuerRef: { name: shop-ca, kind: Issuer }
status:
  notBefore: "2026-09-01T00:00:00Z"
  notAfter: "2026-11-30T00:00:00Z"
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-example-com-tls
  namespace: istio-ingress
  annotations:
    cert-manager.io/certificate-name: shop-example-com
type: kubernetes.io/tls
data:
  tls.crt: ${b64(ingress.leafPem)}
  tls.key: ${b64(ingress.keyPem)}
`,
      'ingress/shop.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.resourceCount).toBe(2);
    expect(model.certificates.map((c) => c.origin.kind)).toEqual(['Secret']);
  });

  test('bad base64, non-PEM data and a corrupt block are problems naming the key', () => {
    const inventory = emptyInventory();
    const corrupt = `${mesh.rootPem}-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----\n`;
    kube(
      inventory,
      `${CACERTS}
  ca-cert.pem: "not*base64!"
  cert-chain.pem: ${b64('this is not a certificate\n')}
  root-cert.pem: ${b64(corrupt)}
`,
      'broken/cacerts.yaml',
      20,
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems.map((p) => [p.field, p.line, p.kind, p.name])).toEqual([
      ['data["ca-cert.pem"]', 20, 'Secret', 'cacerts'],
      ['data["cert-chain.pem"]', 20, 'Secret', 'cacerts'],
      ['data["root-cert.pem"]', 20, 'Secret', 'cacerts'],
    ]);
    expect(model.problems[0].message).toBe('data["ca-cert.pem"] of Secret cacerts is not valid base64');
    expect(model.problems[1].message).toBe('data["cert-chain.pem"] of Secret cacerts holds no PEM certificate');
    expect(model.problems[2].message).toMatch(/^certificate #1 in data\["root-cert.pem"\] cannot be parsed/);
    // The good root before the corrupt block is still read.
    expect(model.certificates.map((c) => [c.origin.key, c.subjectCN])).toEqual([['root-cert.pem', 'Shop mesh root CA']]);
  });

  test('a PEM that YAML folded onto one line (a multi-line single-quoted value) is a problem naming the key, not silently nothing', () => {
    const inventory = emptyInventory();
    // YAML folds the lines of a quoted scalar into spaces: the Secret holds a one-line PEM istiod cannot read.
    const quoted = `'${ingress.leafPem.trimEnd().split('\n').join('\n    ')}'`;
    kube(
      inventory,
      `apiVersion: v1
kind: Secret
metadata:
  name: shop-example-com-tls
  namespace: istio-ingress
type: kubernetes.io/tls
stringData:
  tls.crt: ${quoted}
  ca.crt: |
${indent(ingress.rootPem, 4)}
`,
      'ingress/tls.yaml',
      3,
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems).toEqual([
      {
        file: 'ingress/tls.yaml',
        line: 3,
        field: 'stringData["tls.crt"]',
        message: 'certificate #0 in stringData["tls.crt"] is not on lines of its own: its BEGIN line, base64 lines and END line must each end with a line break',
        kind: 'Secret',
        name: 'shop-example-com-tls',
        namespace: 'istio-ingress',
      },
    ]);
    expect(model.certificates.map((c) => [c.origin.key, c.subjectCN])).toEqual([['ca.crt', 'meshgov test root CA']]);
  });

  test('base64 data with spaces, as YAML folding of a plain multi-line value leaves it, is not valid base64 (the API server refuses it)', () => {
    const inventory = emptyInventory();
    const encoded = b64(mesh.rootPem);
    // Line breaks inside a block scalar are skipped by Go's decoder as by ours; the folded spaces are not.
    kube(
      inventory,
      `${CACERTS}
  root-cert.pem: ${encoded.slice(0, 64)}
    ${encoded.slice(64)}
  ca-cert.pem: |
    ${encoded.slice(0, 64)}
    ${encoded.slice(64)}
`,
      'clusters/east/cacerts.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems.map((p) => [p.field, p.message])).toEqual([['data["root-cert.pem"]', 'data["root-cert.pem"] of Secret cacerts is not valid base64']]);
    expect(model.certificates.map((c) => [c.origin.key, c.subjectCN])).toEqual([['ca-cert.pem', 'Shop mesh root CA']]);
  });

  test.each([
    ['an hour past 23', '2026-12-01T25:00:00Z'],
    ['24:00, which Date rolls into the next day', '2026-12-01T24:00:00Z'],
    ['a day the month does not have, which Date rolls into March', '2026-02-30T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['an offset past 23 hours', '2026-12-01T10:00:00+24:00'],
  ])('a cert-manager status time with %s is a problem, never a record with a wrong or invalid date', (_why, notAfter) => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `${issuedCertificate(`  notBefore: "2026-09-02T10:00:00Z"
  notAfter: "${notAfter}"`)}
`,
      'ingress/certificates.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.certificates).toEqual([]);
    expect(model.problems).toEqual([
      expect.objectContaining({ field: 'status.notAfter', message: `status.notAfter of Certificate api-shop-example-com is not an RFC 3339 time: "${notAfter}"` }),
    ]);
  });

  test('valid RFC 3339 status times still read: fractions, offsets, a leap day', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: leap
  namespace: shop
spec:
  secretName: leap-tls
  commonName: leap.shop.example.com
  issuerRef: { name: shop-ca }
status:
  notBefore: "2028-02-29T23:30:00.5+01:00"
  notAfter: "2028-05-29T23:59:59Z"
`,
      'shop/leap.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.problems).toEqual([]);
    expect(model.certificates.map((c) => [c.notBefore.toISOString(), c.notAfter.toISOString()])).toEqual([['2028-02-29T22:30:00.500Z', '2028-05-29T23:59:59.000Z']]);
  });

  test('the same Secret in two clusters\' files (a shared root) keeps a record id per file, so each gets its finding', () => {
    const inventory = emptyInventory();
    const cacerts = (cluster: string) => `${CACERTS}
  root-cert.pem: ${b64(mesh.rootPem)}
# ${cluster}
`;
    kube(inventory, cacerts('east'), 'clusters/east/cacerts.yaml');
    kube(inventory, cacerts('west'), 'clusters/west/cacerts.yaml');
    const model = buildCertificateModel(inventory, NOW);
    const rootId = `x509:${new X509Certificate(mesh.rootPem).fingerprint256}@Secret/istio-system/cacerts/root-cert.pem`;
    expect(model.certificates.map((c) => [c.origin.source.file, c.id])).toEqual([
      // The first keeps the object's id, the same as when its cluster is audited alone.
      ['clusters/east/cacerts.yaml', rootId],
      ['clusters/west/cacerts.yaml', `${rootId}@clusters/west/cacerts.yaml`],
    ]);
    // The engine keeps one finding per id: with one id, west's Secret had no finding at all.
    const report = auditInventory(inventory, { policy: loadPolicy(), now: new Date('2034-12-20T00:00:00Z') });
    expect(report.findings.filter((f) => f.rule === 'cert-expiring').map((f) => [f.resource.file, f.severity]).sort()).toEqual([
      ['clusters/east/cacerts.yaml', 'high'],
      ['clusters/west/cacerts.yaml', 'high'],
    ]);
  });

  test('a bad cert-manager status date is a problem; unrelated Secrets and ConfigMaps are not read', () => {
    const inventory = emptyInventory();
    kube(
      inventory,
      `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: broken-date
  namespace: shop
spec:
  secretName: broken-date-tls
  commonName: broken.shop.example.com
  issuerRef: { name: shop-ca }
status:
  notAfter: "next tuesday"
---
apiVersion: v1
kind: Secret
metadata:
  name: db-password
  namespace: shop
type: Opaque
data:
  password: ${b64('hunter2')}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: "enableAutoMtls: true"
`,
      'shop/misc.yaml',
    );
    const model = buildCertificateModel(inventory, NOW);
    expect(model.resourceCount).toBe(1);
    expect(model.certificates).toEqual([]);
    expect(model.problems).toEqual([
      { file: 'shop/misc.yaml', line: 1, field: 'status.notAfter', message: 'status.notAfter of Certificate broken-date is not an RFC 3339 time: "next tuesday"', kind: 'Certificate', name: 'broken-date' },
    ]);
  });
});
