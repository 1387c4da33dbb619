import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { parseFileText } from '../../../functions/providers/files/parse-documents';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { makeCertChain, type CertChain } from '../../support/certs';
import { shippedPolicy } from '../../support/model';

const NOW = new Date('2026-11-26T00:00:00Z');
let chain: CertChain;
let dir: string;
beforeAll(() => {
  chain = makeCertChain({
    leafCN: 'ledger.payments.svc.cluster.local',
    dnsNames: ['ledger.payments.svc.cluster.local'],
    notBefore: new Date('2026-09-01T00:00:00Z'),
    notAfter: new Date('2026-12-01T00:00:00Z'),
  });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-cert-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const der = (pem: string) => new X509Certificate(pem).raw;
const indent = (text: string, spaces: number) => text.trimEnd().split('\n').map((l) => ' '.repeat(spaces) + l).join('\n');

describe('DER certificates', () => {
  test('a DER .crt or .cer in a directory is read as one certificate at line 1; other binary files are still ignored', async () => {
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'ledger.crt'), der(chain.leafPem));
    writeFileSync(join(dir, 'certs', 'root-ca.cer'), der(chain.rootPem));
    // A PKCS#8 key starts with a SEQUENCE too, and is not a certificate.
    writeFileSync(join(dir, 'certs', 'ledger.key.der'), Buffer.from(chain.keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    writeFileSync(join(dir, 'certs', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));

    const inventory = await collectFiles([dir]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.pem.map((p) => [relative(dir, p.source.file), p.source.line]).sort()).toEqual([
      ['certs/ledger.crt', 1],
      ['certs/root-ca.cer', 1],
    ]);
    const findings = auditInventory(inventory, { policy: shippedPolicy(), now: NOW }).findings;
    expect(findings.map((f) => [f.rule, f.resource.name, relative(dir, f.resource.file!), f.resource.line])).toEqual([
      ['cert-expiring', 'ledger.payments.svc.cluster.local', 'certs/ledger.crt', 1],
    ]);
  });

  test('named directly: a DER certificate is read, a binary file that is not one is still a problem', async () => {
    writeFileSync(join(dir, 'ledger.der'), der(chain.leafPem));
    writeFileSync(join(dir, 'truncated.der'), der(chain.leafPem).subarray(0, -10));
    const inventory = await collectFiles([join(dir, 'ledger.der'), join(dir, 'truncated.der')]);
    expect(inventory.pem.map((p) => p.source.file)).toEqual([join(dir, 'ledger.der')]);
    expect(inventory.problems).toEqual([{ file: join(dir, 'truncated.der'), line: 1, message: 'binary file: not a configuration file', unread: true }]);
  });
});

describe('PEM files with a text header, and PEM inside YAML', () => {
  test('a PEM file whose header line starts with `kind:` is PEM, at the line of its BEGIN marker', () => {
    const text = `# kind: root bundle for the mesh\nkind: informational header\n${chain.rootPem}`;
    const parsed = parseFileText('mesh/root-bundle.pem', text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.documents.map((d) => [d.format, d.line])).toEqual([['pem', 3]]);
  });

  test("openssl's Bag Attributes header is PEM too", () => {
    const text = `Bag Attributes\n    friendlyName: ledger\nsubject=CN = ledger.payments.svc.cluster.local\n\n${chain.leafPem}`;
    expect(parseFileText('ledger.pem', text).documents.map((d) => [d.format, d.line])).toEqual([['pem', 5]]);
  });

  test('a Secret holding PEM in a block scalar is YAML', () => {
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ledger-tls\n  namespace: payments\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n${indent(chain.chainPem, 4)}\n`;
    const parsed = parseFileText('payments/ledger-tls.yaml', text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.documents.map((d) => [d.format, (d.body as { kind: string }).kind])).toEqual([['yaml', 'Secret']]);
  });

  test('a Secret whose PEM lost its indentation stays YAML, and its error is reported', () => {
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ledger-tls\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n${chain.leafPem}`;
    const parsed = parseFileText('payments/ledger-tls.yaml', text);
    expect(parsed.documents.filter((d) => d.format === 'pem')).toEqual([]);
    expect(parsed.problems).toEqual([expect.objectContaining({ file: 'payments/ledger-tls.yaml', message: expect.stringMatching(/^invalid YAML/) })]);
  });
});

describe('finding ids of file certificates', () => {
  test('do not depend on how the path was written', async () => {
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'ledger-chain.pem'), chain.chainPem);
    const idsOf = async (path: string) =>
      auditInventory(await collectFiles([path]), { policy: shippedPolicy(), now: NOW })
        .findings.filter((f) => f.rule.startsWith('cert-'))
        .map((f) => f.id);
    const absolute = await idsOf(dir);
    expect(absolute).toHaveLength(1);
    expect(await idsOf(relative(process.cwd(), dir))).toEqual(absolute);
    expect(await idsOf(`${dir}/./certs/`)).toEqual(absolute);
    expect(await idsOf(join(dir, 'certs', 'ledger-chain.pem'))).toEqual(absolute);
  });
});

describe('PKCS #7 bundles (.p7b), as Windows and some CAs hand out chains', () => {
  const p7b = (outform: 'PEM' | 'DER'): Buffer => {
    writeFileSync(join(dir, 'chain.pem'), chain.chainPem);
    const out = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'chain.pem'), '-outform', outform]);
    rmSync(join(dir, 'chain.pem'));
    return out;
  };

  it.each(['PEM', 'DER'] as const)('%s: noted with the openssl command that extracts the certificates', async (outform) => {
    writeFileSync(join(dir, 'chain.p7b'), p7b(outform));
    const inventory = await collectFiles([dir]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.unknown.map((u) => [relative(dir, u.source.file), u.note])).toEqual([['chain.p7b', expect.stringContaining('PKCS #7 bundle (.p7b)')]]);
    expect(inventory.unknown[0]!.note).toContain('openssl pkcs7 -print_certs');
  });
});

describe('PEM blocks whose BEGIN or END line is indented', () => {
  const indentLine = (pem: string, which: 'BEGIN' | 'END') => pem.replace(new RegExp(`^-----${which} `, 'm'), `  -----${which} `);

  it.each(['BEGIN', 'END'] as const)('%s: a config-invalid problem, as OpenSSL reads no certificate there ("Could not read certificate")', async (which) => {
    writeFileSync(join(dir, 'ledger.pem'), indentLine(chain.leafPem, which));
    const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
    expect(report.findings.map((f) => [f.rule, f.message.replace(`${dir}/`, '')])).toEqual([
      ['config-invalid', 'ledger.pem:1: certificate #0 is indented: its BEGIN and END lines must start in the first column, or OpenSSL, Envoy and Go read no certificate there'],
    ]);
  });

  it('indented base64 lines and trailing spaces are read, as OpenSSL reads them', async () => {
    writeFileSync(join(dir, 'ledger.pem'), chain.leafPem.split('\n').map((l) => (l.startsWith('-----') || l === '' ? `${l}  ` : `    ${l}`)).join('\n'));
    const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
    expect(report.findings.map((f) => f.rule)).toEqual(['cert-expiring']);
  });
});
