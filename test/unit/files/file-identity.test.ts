import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { collectFiles } from '../../../functions/providers/files/collect';
import { fileIdentityResolver } from '../../../functions/providers/files/file-identity';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { makeCertChain } from '../../support/certs';
import { shippedPolicy } from '../../support/model';

/** The contract: "the same problem on the same resource gives the same id on every run", whatever the path's spelling. */

const NOW = new Date('2026-11-26T00:00:00Z');
let repo: string;
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'meshgov-identity-'));
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'fleet', 'certs'), { recursive: true });
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('fileIdentityResolver', () => {
  it('names a file by its path inside the git work tree, from any directory and in any spelling', () => {
    const fromRoot = fileIdentityResolver(repo);
    const fromFleet = fileIdentityResolver(join(repo, 'fleet'));
    const fromElsewhere = fileIdentityResolver(tmpdir());
    expect(fromRoot('fleet/certs/ledger.pem')).toBe('fleet/certs/ledger.pem');
    expect(fromRoot('./fleet//certs/../certs/ledger.pem')).toBe('fleet/certs/ledger.pem');
    expect(fromFleet('certs/ledger.pem')).toBe('fleet/certs/ledger.pem');
    expect(fromElsewhere(join(repo, 'fleet/certs/ledger.pem'))).toBe('fleet/certs/ledger.pem');
  });

  it('outside a git work tree, names it from the working directory', () => {
    const plain = mkdtempSync(join(tmpdir(), 'meshgov-plain-'));
    try {
      expect(fileIdentityResolver(plain)(join(plain, 'a', 'pa.yaml'))).toBe('a/pa.yaml');
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});

describe('finding ids of files', () => {
  it('a certificate file and a broken file keep their ids whether the path is absolute or relative', async () => {
    const chain = makeCertChain({ leafCN: 'ledger.payments.svc.cluster.local', dnsNames: ['ledger.payments.svc.cluster.local'], notBefore: new Date('2026-09-01T00:00:00Z'), notAfter: new Date('2026-12-01T00:00:00Z') });
    writeFileSync(join(repo, 'fleet', 'certs', 'ledger.pem'), chain.leafPem);
    writeFileSync(join(repo, 'fleet', 'virtual-node.json'), '{\n  "virtualNode": {\n    "meshName": oops\n  }\n}\n');
    const ids = async (path: string) => {
      const report = auditInventory(await collectFiles([path]), { policy: shippedPolicy(), now: NOW });
      return report.findings.map((f) => `${f.rule} ${f.id}`).sort();
    };
    const absolute = await ids(join(repo, 'fleet'));
    expect(absolute.map((x) => x.split(' ')[0])).toEqual(['cert-expiring', 'config-invalid']);
    expect(await ids(relative(process.cwd(), join(repo, 'fleet')))).toEqual(absolute);
    expect(await ids(`${join(repo, 'fleet')}/./`)).toEqual(absolute);
  });
});
