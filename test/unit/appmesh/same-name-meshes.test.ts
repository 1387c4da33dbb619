/**
 * Two meshes named `prod`: us-east-1 and us-west-2 of one account, or two accounts of one
 * region (`aws appmesh describe-*` output of each). A mesh belongs to one region and one owner,
 * so objects of the two are never related: no client of one reaches a server of the other, no
 * trust is guessed from the other, and their findings keep apart ids. One mesh per name keeps
 * the ids it always had.
 */
import { auditModel } from '../../../functions/core/audit';
import type { Finding } from '../../../functions/core/findings';
import type { AppMeshApiObject, Located } from '../../../functions/core/model/inventory';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { inventoryOf, NOW } from '../../../functions/providers/appmesh/testdata/fixtures';

interface Where {
  region: string;
  account: string;
  file: string;
}

function described(type: 'virtualNode' | 'virtualService', name: string, spec: Record<string, unknown>, at: Where, line: number): Located<AppMeshApiObject> {
  const nameKey = type === 'virtualNode' ? 'virtualNodeName' : 'virtualServiceName';
  const data = {
    meshName: 'prod',
    [nameKey]: name,
    metadata: {
      arn: `arn:aws:appmesh:${at.region}:${at.account}:mesh/prod/${type}/${name}`,
      meshOwner: at.account,
      resourceOwner: at.account,
      uid: `${at.region}-${at.account}-${name}`,
      version: 1,
    },
    spec,
    status: { status: 'ACTIVE' },
  };
  return { doc: { type, data }, source: { file: at.file, line } };
}

const serverCert = { file: { certificateChain: '/certs/srv.pem', privateKey: '/certs/srv.key' } };
const caTrust = { trust: { file: { certificateChain: '/certs/ca.pem' } } };

/** api (listener `mode`), the virtual service api.prod.local, and web calling it with `clientPolicy`. */
function meshAt(at: Where, mode: string, clientPolicy: Record<string, unknown>): Located<AppMeshApiObject>[] {
  const listeners = [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode, certificate: serverCert, ...(mode === 'STRICT' ? { validation: caTrust } : {}) } }];
  return [
    described('virtualNode', 'api', { listeners, serviceDiscovery: { dns: { hostname: 'api.prod.local' } } }, at, 1),
    described('virtualService', 'api.prod.local', { provider: { virtualNode: { virtualNodeName: 'api' } } }, at, 40),
    described('virtualNode', 'web', { listeners: [], backends: [{ virtualService: { virtualServiceName: 'api.prod.local' } }], backendDefaults: { clientPolicy } }, at, 60),
  ];
}

function audit(api: Located<AppMeshApiObject>[]): Finding[] {
  return auditModel(buildAppMeshModel(inventoryOf({ api }), { now: NOW }), loadPolicy(), NOW).findings;
}

const EAST: Where = { region: 'us-east-1', account: '111122223333', file: 'appmesh/use1.json' };
const WEST: Where = { region: 'us-west-2', account: '111122223333', file: 'appmesh/usw2.json' };
const OTHER_ACCOUNT: Where = { region: 'us-east-1', account: '444455556666', file: 'appmesh/acct-b.json' };

test('two regions: each client meets its own region’s server, never the other’s', () => {
  const findings = audit([...meshAt(EAST, 'PERMISSIVE', {}), ...meshAt(WEST, 'STRICT', {})]);
  // us-west-2's own web → api is a real conflict; us-east-1's web calls a PERMISSIVE api and has none.
  const conflicts = findings.filter((f) => f.rule === 'mtls-conflict');
  expect(conflicts.map((f) => [f.resource.file, (f.detail.server as { file: string }).file])).toEqual([['appmesh/usw2.json', 'appmesh/usw2.json']]);
  // Each region's plaintext client is reported on its own, with its own fix.
  const clients = findings.filter((f) => f.rule === 'mtls-client-not-enforced');
  expect(clients.map((f) => f.resource.file).sort()).toEqual(['appmesh/use1.json', 'appmesh/usw2.json']);
  expect(new Set(clients.map((f) => f.id)).size).toBe(2);
  for (const f of clients) expect(f.remediation).not.toBeNull();
  const notStrict = findings.filter((f) => f.rule === 'mtls-not-strict');
  expect(notStrict.map((f) => f.resource.file)).toEqual(['appmesh/use1.json']);
});

test('two accounts: no trust is guessed from the other account’s client policies', () => {
  const clientWithTrust = { tls: { certificate: { file: { certificateChain: '/certs/c.pem', privateKey: '/certs/c.key' } }, validation: caTrust } };
  const findings = audit([...meshAt(EAST, 'STRICT', clientWithTrust), ...meshAt(OTHER_ACCOUNT, 'PERMISSIVE', {})]);
  const b = findings.find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.file === OTHER_ACCOUNT.file)!;
  // Account B's mesh uses no trust anywhere: there is nothing of its own to propose.
  expect(b.remediation!.reason).not.toContain('/certs/ca.pem');
});

test('one mesh per name: ids as they always were, whatever the ARNs say', () => {
  const findings = audit(meshAt(EAST, 'PERMISSIVE', {}));
  const alone = audit([...meshAt(EAST, 'PERMISSIVE', {})].map((o) => ({ ...o, doc: { ...o.doc, data: { ...(o.doc.data as object), metadata: undefined } } })));
  expect(findings.map((f) => f.id).sort()).toEqual(alone.map((f) => f.id).sort());
});
