import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { invalidUtf8Sites } from '../../../functions/providers/files/invalid-utf8';
import { withLineFeeds } from '../../../functions/core/line-breaks';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { deployment, docs, peerAuthenticationYaml } from '../../../functions/providers/istio/testInventory';
import { makeRootCa } from '../../support/certs';
import { shippedPolicy } from '../../support/model';

/** Files as other editors and exporters save them: CR-only line ends, Latin-1 or Windows-1252 bytes. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-encodings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = new Date('2026-11-26T00:00:00Z');
const audit = async (paths: string[]) => auditInventory(await collectFiles(paths), { policy: shippedPolicy(), now: NOW });

const FLEET = docs(peerAuthenticationYaml('orders', 'default', 'PERMISSIVE'), deployment('orders', 'orders-api'));

const summary = (report: Awaited<ReturnType<typeof audit>>) =>
  report.findings.map((f) => [f.rule, f.resource.kind, f.resource.name, f.resource.line]);

describe('line ends', () => {
  it('a CR-only file reads as its LF twin, with the same lines (it was one line, and one document that did not parse)', async () => {
    writeFileSync(join(dir, 'lf.yaml'), FLEET);
    const lf = summary(await audit([join(dir, 'lf.yaml')]));
    rmSync(join(dir, 'lf.yaml'));
    writeFileSync(join(dir, 'cr.yaml'), FLEET.replace(/\n/g, '\r'));
    const cr = summary(await audit([join(dir, 'cr.yaml')]));
    expect(lf).toEqual([['mtls-not-strict', 'Deployment', 'orders-api', 9]]);
    expect(cr).toEqual(lf);
  });

  it('the PeerAuthentication named as the cause points at its mode line in a CR-only file too', async () => {
    writeFileSync(join(dir, 'cr.yaml'), FLEET.replace(/\n/g, '\r'));
    const [finding] = (await audit([dir])).findings;
    expect(finding!.message).toContain(`PeerAuthentication orders/default (${join(dir, 'cr.yaml')}:9)`);
  });

  it('keeps CRLF and LF text as it is, and turns only lone CRs into LFs', () => {
    const crlf = 'a: 1\r\nb: 2\r\n';
    expect(withLineFeeds(crlf)).toBe(crlf);
    expect(withLineFeeds('a: 1\nb: 2\n')).toBe('a: 1\nb: 2\n');
    expect(withLineFeeds('a: 1\rb: 2\r\nc: 3\r')).toBe('a: 1\nb: 2\r\nc: 3\n');
  });
});

describe('bytes that are not UTF-8', () => {
  const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('finds each bad sequence by line and column, and passes over valid multi-byte text', () => {
    const buf = bytes('name: Zürich ✓\n', '# caf', [0xe9], ' 1252\n', 'x: ', [0xc0, 0xaf], '\n', 'y: ', [0xed, 0xa0, 0x80], '\n', 'z: ', [0xe2, 0x82]);
    expect(invalidUtf8Sites(buf)).toEqual([
      { line: 2, column: 6, byte: 0xe9 },
      // An overlong `/`: both bytes are refused, one after the other.
      { line: 3, column: 4, byte: 0xc0 },
      { line: 3, column: 5, byte: 0xaf },
      // A UTF-16 surrogate written as UTF-8 (CESU-8).
      { line: 4, column: 4, byte: 0xed },
      { line: 4, column: 5, byte: 0xa0 },
      { line: 4, column: 6, byte: 0x80 },
      // A character cut off at the end of the file.
      { line: 5, column: 4, byte: 0xe2 },
      { line: 5, column: 5, byte: 0x82 },
    ]);
    expect(invalidUtf8Sites(bytes('name: \uFFFD is a real replacement character, 🚀\n'))).toEqual([]);
  });

  it('leaves out the document holding them, reported at the byte, and audits the others', async () => {
    const [policy, deployment] = FLEET.split('---\n');
    // The namespace's STRICT policy is the document with the bad byte; the mesh-wide one says PERMISSIVE.
    const [before, after] = policy!.replace('PERMISSIVE', 'STRICT').split('default');
    writeFileSync(join(dir, 'fleet.yaml'), bytes(before!, 'd', [0xe9], 'faut', after!, '---\n', deployment!));
    writeFileSync(join(dir, 'mesh.yaml'), policy!.replace('namespace: orders', 'namespace: istio-system'));
    const report = await audit([dir]);
    const invalid = report.findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.resource).toMatchObject({ file: join(dir, 'fleet.yaml'), line: 4 });
    expect(invalid[0]!.message).toContain('not UTF-8: byte 0xE9 at column 10');
    // Read as U+FFFD, the STRICT policy would have counted and the workload would be STRICT.
    const strict = report.findings.filter((f) => f.rule === 'mtls-not-strict');
    // The finding points at the mode that decides it: the mesh-wide policy's.
    expect(strict.map((f) => [f.resource.name, f.resource.file, f.resource.line])).toEqual([['orders-api', join(dir, 'mesh.yaml'), 9]]);
    expect(strict[0]!.message).toContain('mesh-level PeerAuthentication');
  });

  it('a Latin-1 header around a PEM certificate does not stop the certificate from being read', async () => {
    const ca = makeRootCa({ cn: 'Zurich Root CA', notBefore: new Date('2026-01-01Z'), notAfter: new Date('2026-12-01Z') });
    writeFileSync(join(dir, 'root.pem'), bytes('subject=CN = Z', [0xfc], 'rich Root CA\n', ca.certPem));
    const report = await audit([dir]);
    expect(report.findings.map((f) => f.rule)).toEqual(['cert-expiring']);
  });
});
