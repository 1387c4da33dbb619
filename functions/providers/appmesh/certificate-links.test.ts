import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertChain, type CertChain } from '../../../test/support/certs';
import { shippedPolicy } from '../../../test/support/model';
import { auditInventory } from '../audit-inventory';
import { collectFiles } from '../files/collect';
import { fileIdentityResolver } from '../files/file-identity';
import { buildCertificateModel } from '../x509';
import { CertificateFiles } from './destination-trust';
import { buildAppMeshModel } from './index';
import { MESH, NOW, apiNode, dns, inventoryOf, listener } from './testdata/fixtures';

// The proxy's chain as mounted into the Envoy container, with the comment header a deploy
// script leaves, so that no block starts on line 1; its last block was cut by a bad copy.
const CORRUPT = '-----BEGIN CERTIFICATE-----\nMIIBnotreallyacertificateAAAA\n-----END CERTIFICATE-----\n';
let chain: CertChain;
let chainText: string;
beforeAll(() => {
  chain = makeCertChain({
    leafCN: 'payments-api.payments.svc.cluster.local',
    dnsNames: ['payments-api.payments.svc.cluster.local'],
    notBefore: new Date('2026-09-01T00:00:00Z'),
    notAfter: new Date('2026-12-01T00:00:00Z'),
    intermediateCN: 'prod-mesh Intermediate CA',
    intermediate: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-11-20T00:00:00Z') },
  });
  chainText = `# payments-api serving chain\n# rotated 2026-09-01\n${chain.chainPem}${CORRUPT}`;
});

function paymentsNode() {
  return apiNode('payments-api', {
    listeners: [
      listener(8080, {
        mode: 'STRICT',
        certificate: { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } },
      }),
    ],
    serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
  });
}

describe('certificate files an App Mesh listener names are read by the x509 reader', () => {
  test('the same records as the x509 provider: ids, block lines, names; usedBy added', () => {
    const inventory = inventoryOf({ api: [paymentsNode()], pem: [{ file: 'fleet/certs/payments-api/cert_chain.pem', text: chainText }] });
    const appMesh = buildAppMeshModel(inventory, { now: NOW }).certificates;
    const x509 = buildCertificateModel(inventory, { now: NOW }).certificates;
    expect(appMesh.map(({ usedBy: _, ...record }) => record)).toEqual(x509);
    expect(appMesh.map((c) => [c.subjectCN, c.origin.source.line])).toEqual([
      ['payments-api.payments.svc.cluster.local', 3],
      ['prod-mesh Intermediate CA', 3 + chain.leafPem.trimEnd().split('\n').length],
    ]);
    expect(appMesh[0].usedBy).toEqual([expect.objectContaining({ kind: 'VirtualNode', name: 'payments-api', mesh: MESH, port: 8080 })]);
  });

  test('auditing the file alone or with the spec that names it gives the same certificate findings, and the corrupt block once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-appmesh-certs-'));
    try {
      mkdirSync(join(dir, 'certs', 'payments-api'), { recursive: true });
      const pemFile = join(dir, 'certs', 'payments-api', 'cert_chain.pem');
      writeFileSync(pemFile, chainText);
      writeFileSync(join(dir, 'payments-api.json'), JSON.stringify({ virtualNode: paymentsNode().doc.data }, null, 2));

      const audit = async (paths: string[]) => auditInventory(await collectFiles(paths), { policy: shippedPolicy(), now: NOW }).findings;
      const alone = await audit([pemFile]);
      const withSpec = await audit([dir]);
      const certificateFindings = (findings: typeof alone) =>
        findings.filter((f) => f.rule.startsWith('cert-')).map((f) => ({ id: f.id, rule: f.rule, resource: f.resource, subject: f.detail.subject }));

      expect(certificateFindings(withSpec)).toEqual(certificateFindings(alone));
      expect(certificateFindings(alone).map((f) => [f.rule, f.resource.name, f.resource.line])).toEqual([
        ['cert-expired', 'prod-mesh Intermediate CA', 3 + chain.leafPem.trimEnd().split('\n').length],
        ['cert-expiring', 'payments-api.payments.svc.cluster.local', 3],
      ]);
      const corruptLine = chainText.split('\n').lastIndexOf('-----BEGIN CERTIFICATE-----') + 1;
      expect(withSpec.filter((f) => f.rule === 'config-invalid').map((f) => [f.resource.file, f.resource.line])).toEqual([[pemFile, corruptLine]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('which spec uses a file does not depend on the directory the command runs from', () => {
    // A checkout (a `.git` at its top) with one service's chain; two services name theirs alike.
    const repo = mkdtempSync(join(tmpdir(), 'meshgov-appmesh-cwd-'));
    try {
      mkdirSync(join(repo, '.git'));
      const certsDir = join(repo, 'fleet', 'certs', 'payments-api');
      mkdirSync(certsDir, { recursive: true });
      const ordersNode = apiNode('orders-api', {
        listeners: [listener(8080, { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/orders-api/cert_chain.pem', privateKey: '/certs/orders-api/key.pem' } } })],
        serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
      });
      const usersFrom = (cwd: string, file: string) => {
        const inventory = inventoryOf({ api: [paymentsNode(), ordersNode], pem: [{ file, text: chain.chainPem }] });
        inventory.fileIdentity = fileIdentityResolver(cwd);
        return buildAppMeshModel(inventory, { now: NOW }).certificates.map((c) => c.usedBy?.map((u) => u.name));
      };
      // From the top of the checkout, and from inside the file's own directory (`meshgov audit .`).
      expect(usersFrom(repo, 'fleet/certs/payments-api/cert_chain.pem')).toEqual([['payments-api'], ['payments-api']]);
      expect(usersFrom(certsDir, 'cert_chain.pem')).toEqual([['payments-api'], ['payments-api']]);
      // The trust checks of the fixes read the same file only for the spec path that names it.
      const files = new CertificateFiles([{ doc: { text: chain.chainPem }, source: { file: 'cert_chain.pem', line: 1 } }], fileIdentityResolver(certsDir));
      expect(files.at('/certs/orders-api/cert_chain.pem')).toEqual([]);
      expect(files.at('/certs/payments-api/cert_chain.pem').map((c) => c.subject)).toEqual([expect.stringContaining('payments-api'), expect.stringContaining('Intermediate')]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
