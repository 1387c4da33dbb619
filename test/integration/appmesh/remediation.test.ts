/**
 * The App Mesh writer against the emulator through the real SDK: the fixes the model plans,
 * applied with a read right before the write, whole specs, clientToken, read-back and rollback.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { Finding, Remediation } from '../../../functions/core/findings';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { auditScope } from '../../../functions/core/pipeline/audit-scope';
import { govern } from '../../../functions/core/pipeline/govern';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel, ENFORCE_ACTION, SET_STRICT_ACTION } from '../../../functions/providers/appmesh';
import { appMeshExecutor, appMeshSource, MeshSnapshotCache, readCloudTrailEvent, scopeFromCloudTrail, type AppMeshSource } from '../../../functions/providers/appmesh/live';
import type { AppMeshEmulator, AppMeshSeed } from '../../emulators/appmesh';
import { ACCOUNT_ID, MESH_OWNER_ACCOUNT_ID, TEST_CREDENTIALS } from '../../emulators/appmesh/appMeshTestFixtures';
import { sharedEvent } from '../../support/shared-events';
import { audit, clientFor, NOW, startEmulator } from './support/harness';
import { UPDATE_EVENT } from './support/cloudtrail-events';
import { FLEET_MESH } from './support/mesh-fleet';
import { PAYMENTS_API_UID, storySeed } from './support/story-mesh';

const PAYMENTS_API = 'payments-api';

let emulator: AppMeshEmulator;
let client: AppMeshClient;
let cache: MeshSnapshotCache;
let source: AppMeshSource;

afterEach(async () => {
  client.destroy();
  await emulator.stop();
});

async function start(seed = storySeed()): Promise<void> {
  emulator = await startEmulator({ seed });
  client = clientFor(emulator);
  cache = new MeshSnapshotCache();
  source = appMeshSource({ client, cache });
}

/**
 * The story mesh, with checkout-web also calling the ledger, whose STRICT listener validates
 * with the mesh CA: the certificate checkout-web presents there is known to be signed by that
 * CA, so payments-api's STRICT fix may take the same trust without asking (caller-trust.ts).
 */
function seedWithKnownCallerTrust(): AppMeshSeed {
  const seed = storySeed();
  const checkout = seed.virtualNodes!.find((n) => n.virtualNodeName === 'checkout-web')!;
  const backends = (checkout.spec as any).backends;
  backends.push({ virtualService: { ...backends[0].virtualService, virtualServiceName: 'ledger.payments.svc.cluster.local' } });
  return seed;
}

/** The node's own SPIRE identity, which meshgov's client fix may use (never another workload's). */
const OWN_IDENTITY = { clientPolicy: { tls: { certificate: { file: { certificateChain: '/etc/appmesh/certs/payments-api-cert-chain.pem', privateKey: '/etc/appmesh/certs/payments-api-key.pem' } } } } };

/** alice's UpdateVirtualNode (shared event) on a node that presents its own client certificate by default. */
function aliceEvent(ownIdentity: boolean) {
  const event = sharedEvent(UPDATE_EVENT);
  if (ownIdentity) {
    event.detail.requestParameters.spec.backendDefaults = OWN_IDENTITY;
    event.detail.responseElements.virtualNode.spec.backendDefaults = OWN_IDENTITY;
  }
  return event;
}

/** alice's change (payments-api to PERMISSIVE, version 3), then the audit of her event. */
async function aliceChangeAudited(ownIdentity = false): Promise<Finding[]> {
  await source.collect({ kind: 'all', providers: ['appmesh'] });
  emulator.touch(FLEET_MESH, 'virtualNode', PAYMENTS_API, { changeSpec: () => aliceEvent(ownIdentity).detail.requestParameters.spec });
  return audit(await source.collect(scopeFromCloudTrail(aliceEvent(ownIdentity)))).findings;
}

function fixOf(findings: Finding[], rule: Finding['rule'], name: string): Remediation {
  const finding = findings.find((f) => f.rule === rule && f.resource.name === name);
  expect(finding?.remediation).toBeTruthy();
  return finding!.remediation!;
}

const trigger: Trigger = {
  source: 'cloudtrail',
  eventId: 'b3f1c2d4-8e7a-4b6c-9d05-1a2e3f4c5d6e',
  eventTime: '2026-11-20T15:00:49Z',
  actor: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_4f2a9c1d7e3b5a60/alice@example.com',
  summary: 'UpdateVirtualNode payments-api in mesh prod-mesh by alice@example.com',
};

function listenerTls(name = PAYMENTS_API): any {
  return (emulator.state.describe('virtualNode', FLEET_MESH, name) as any).spec.listeners[0].tls;
}

describe('App Mesh writer', () => {
  it('sets a PERMISSIVE listener STRICT with validation, with the whole spec and the change id as clientToken, and verifies it', async () => {
    await start(seedWithKnownCallerTrust());
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    expect(remediation).toMatchObject({ action: SET_STRICT_ACTION, mode: 'auto', change: { operation: 'update-virtual-node', expectedVersion: 3, resourceOwner: ACCOUNT_ID } });
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID, cache });
    expect(executor.handles(remediation)).toBe(true);
    emulator.resetCalls();

    const result = await executor.apply(remediation, { trigger, changeId: 'chg-7c1e9a44d2b0' });

    expect(result.outcome).toBe('verified');
    expect(result.detail).toBe(`wrote VirtualNode ${FLEET_MESH}/${PAYMENTS_API} (version 3 → 4) and read it back: listener TLS as intended`);
    expect(result.target).toEqual({
      mesh: FLEET_MESH,
      meshOwner: ACCOUNT_ID,
      kind: 'VirtualNode',
      name: PAYMENTS_API,
      arn: `arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${FLEET_MESH}/virtualNode/${PAYMENTS_API}`,
      // The incarnation written, so an Undo never lands on a re-created node.
      uid: PAYMENTS_API_UID,
      version: 4,
    });
    expect((result.before as any).listeners[0].tls.mode).toBe('PERMISSIVE');
    expect((result.after as any).listeners[0].tls).toMatchObject({ mode: 'STRICT', validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/prod-mesh-ca-chain.pem' } } } });
    expect(listenerTls()).toMatchObject({ mode: 'STRICT', certificate: { acm: {} }, validation: { trust: { file: {} } } });
    // Read right before the write, one whole-spec write, one read back.
    expect(emulator.calls()).toMatchObject({ DescribeVirtualNode: 2, UpdateVirtualNode: 1 });
    const update = emulator.requests().find((r) => r.operation === 'UpdateVirtualNode')!;
    expect(update.body).toMatchObject({ clientToken: 'chg-7c1e9a44d2b0', spec: remediation.change.spec });
    expect(Object.keys(update.body!.spec as object).sort()).toEqual(['backends', 'listeners', 'logging', 'serviceDiscovery']);
    expect(update.query.meshOwner).toBe(ACCOUNT_ID);

    // The shared cache saw the write: the next scoped audit (no call) no longer finds it.
    emulator.resetCalls();
    const again = audit(await source.collect(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT))));
    expect(source.lastCollect).toMatchObject({ totalCalls: 0, change: 'stale' });
    expect(again.findings.some((f) => f.rule === 'mtls-not-strict' && f.resource.name === PAYMENTS_API)).toBe(false);
  });

  it('runs as the govern stage drives it; the two fixes planned on one node are one change, written once', async () => {
    await start(seedWithKnownCallerTrust());
    await source.collect({ kind: 'all', providers: ['appmesh'] });
    emulator.touch(FLEET_MESH, 'virtualNode', PAYMENTS_API, { changeSpec: () => aliceEvent(true).detail.requestParameters.spec });
    const event = readCloudTrailEvent(aliceEvent(true));
    if (event.kind !== 'scope') throw new Error(event.kind);
    const policy = loadPolicy();
    // The enforce fix also fixes an mtls-conflict, whose shipped rule asks for approval; allow
    // it here, so that two fixes of one node run in one pass.
    policy.rules['mtls-conflict'].remediation = 'auto';
    const ledger = new MemoryLedger();
    let n = 0;
    const run = async () =>
      govern(await auditScope(event.trigger, event.scope, { source, builders: [buildAppMeshModel], policy, clock: () => NOW }), {
        ledger,
        policy,
        executors: [appMeshExecutor({ client, accountId: ACCOUNT_ID, cache })],
        clock: () => NOW,
        dryRun: false,
        newId: (prefix) => `${prefix}-${++n}`,
      });

    const first = await run();

    // Both fixes of payments-api were planned from version 3, and each replaces the whole spec:
    // they carry one change with both edits (changes.ts joinObjectFixes), written once.
    const onPayments = first.changes.filter((c) => c.target.name === PAYMENTS_API);
    expect(onPayments).toHaveLength(1);
    expect(onPayments[0]).toMatchObject({ outcome: 'verified' });
    expect([ENFORCE_ACTION, SET_STRICT_ACTION]).toContain(onPayments[0]!.action);
    expect(first.changes.filter((c) => c.target.name !== PAYMENTS_API).every((c) => c.outcome === 'verified')).toBe(true);
    expect(await ledger.getChange(onPayments[0]!.id)).toMatchObject({ trigger: event.trigger, before: { listeners: [{ tls: { mode: 'PERMISSIVE' } }] } });
    const live = (emulator.state.describe('virtualNode', FLEET_MESH, PAYMENTS_API) as any).spec;
    expect(live.listeners[0].tls.mode).toBe('STRICT');
    expect(live.backends[0].virtualService.clientPolicy.tls.certificate).toBeDefined();

    // The next run audits from the snapshot the writer updated (no API read) and finds nothing left to write there.
    emulator.resetCalls();
    const second = await run();
    expect(emulator.calls()).toMatchObject({ ListVirtualNodes: 0 });
    expect(second.changes.filter((c) => c.target.name === PAYMENTS_API)).toEqual([]);
  });

  it('aborts and reports when the resource changed between the audit and the write', async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    emulator.touch(FLEET_MESH, 'virtualNode', PAYMENTS_API); // someone else writes: version 4
    emulator.resetCalls();

    const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(remediation, { trigger, changeId: 'chg-aborted' });

    expect(result.outcome).toBe('aborted');
    expect(result.detail).toBe(
      `VirtualNode ${FLEET_MESH}/${PAYMENTS_API} changed since the audit read it (version 3, now 4): not overwriting a change meshgov has not audited`,
    );
    expect(emulator.calls().UpdateVirtualNode).toBe(0);
    expect(listenerTls().mode).toBe('PERMISSIVE');
  });

  it('reports a write that raced another writer right after its read: the version jumped by two', async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    emulator.touchAfterNext('DescribeVirtualNode', FLEET_MESH, 'virtualNode', PAYMENTS_API);

    const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(remediation, { trigger, changeId: 'chg-raced' });

    expect(result.outcome).toBe('failed');
    expect(result.detail).toContain("another writer updated it between meshgov's read (version 3) and its write (which became version 5)");
    expect(result.target.version).toBe(5);
  });

  it.each([
    ['a throttled write (429 TooManyRequestsException)', 'TooManyRequestsException' as const],
    ['a 503', 503],
  ])('retries %s with the same clientToken, so it is applied once', async (_what, failure) => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    emulator.failNext('UpdateVirtualNode', failure);
    const before = emulator.requests().length;

    const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(remediation, { trigger, changeId: 'chg-retried' });

    expect(result.outcome).toBe('verified');
    const updates = emulator.requests().slice(before).filter((r) => r.operation === 'UpdateVirtualNode');
    expect(updates.map((r) => r.status)).toEqual([failure === 503 ? 503 : 429, 200]);
    expect(updates.map((r) => r.body?.clientToken)).toEqual(['chg-retried', 'chg-retried']);
    expect((emulator.state.describe('virtualNode', FLEET_MESH, PAYMENTS_API) as any).metadata.version).toBe(4);
  });

  describe("another account's resource", () => {
    const sharedSeed = () => {
      const seed = storySeed();
      seed.meshes = [{ meshName: FLEET_MESH, metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID } }];
      for (const list of [seed.virtualNodes!, seed.virtualServices!, seed.virtualGateways!, seed.gatewayRoutes!]) {
        for (const item of list as Array<{ metadata?: Record<string, unknown> }>) {
          item.metadata = { ...item.metadata, meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: MESH_OWNER_ACCOUNT_ID };
        }
      }
      // checkout-web is this account's, in the mesh the other account shares with it.
      const checkout = seed.virtualNodes!.find((n) => n.virtualNodeName === 'checkout-web')!;
      checkout.metadata = { ...checkout.metadata, resourceOwner: ACCOUNT_ID };
      return seed;
    };

    it('is refused before any call when the audit saw its owner', async () => {
      await start(sharedSeed());
      const findings = audit(await source.collect({ kind: 'all', providers: ['appmesh'] }));
      const remediation = fixOf(findings.findings, 'mtls-not-strict', 'orders-api-legacy');
      expect(remediation.change).toMatchObject({ meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: MESH_OWNER_ACCOUNT_ID });
      emulator.resetCalls();

      const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(remediation, { trigger, changeId: 'chg-foreign' });

      expect(result.outcome).toBe('aborted');
      expect(result.detail).toBe(`VirtualNode ${FLEET_MESH}/orders-api-legacy belongs to account ${MESH_OWNER_ACCOUNT_ID}, not ${ACCOUNT_ID}: meshgov never modifies another account's resource`);
      expect(Object.values(emulator.calls()).every((n) => n === 0)).toBe(true);
    });

    it('is refused when the live resource says so, whatever the change claims', async () => {
      await start(sharedSeed());
      const findings = audit(await source.collect({ kind: 'all', providers: ['appmesh'] }));
      const remediation = fixOf(findings.findings, 'mtls-not-strict', 'orders-api-legacy');
      const claimed = { ...remediation, change: { ...remediation.change, resourceOwner: ACCOUNT_ID } };
      emulator.resetCalls();

      const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(claimed, { trigger, changeId: 'chg-foreign' });

      expect(result.outcome).toBe('aborted');
      expect(result.detail).toContain(`belongs to account ${MESH_OWNER_ACCOUNT_ID}, not ${ACCOUNT_ID}`);
      expect(emulator.calls()).toMatchObject({ DescribeVirtualNode: 1, UpdateVirtualNode: 0 });
    });

    it('is refused when meshgov cannot tell its own account', async () => {
      await start(sharedSeed());
      const findings = audit(await source.collect({ kind: 'all', providers: ['appmesh'] }));
      const remediation = fixOf(findings.findings, 'mtls-not-strict', 'orders-api-legacy');

      const result = await appMeshExecutor({ client }).apply(remediation, { trigger, changeId: 'chg-unknown' });

      expect(result.outcome).toBe('aborted');
      expect(result.detail).toContain('cannot tell which account meshgov runs as');
      expect(emulator.calls().UpdateVirtualNode).toBe(0);
    });
  });

  it('writes nothing when it cannot read the node right before the write, or the node is gone', async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID, cache });
    const label = `VirtualNode ${FLEET_MESH}/${PAYMENTS_API}`;
    emulator.resetCalls();

    emulator.failNext('DescribeVirtualNode', 'BadRequestException', 1, 'virtualNodeName is malformed');
    const unread = await executor.apply(remediation, { trigger, changeId: 'chg-unread' });
    expect(unread).toMatchObject({ outcome: 'failed', detail: `could not read ${label} before writing: BadRequestException: virtualNodeName is malformed; nothing was changed` });
    expect(unread.before).toBeUndefined();

    emulator.failNext('DescribeVirtualNode', 'NotFoundException');
    const gone = await executor.apply(remediation, { trigger, changeId: 'chg-gone' });
    expect(gone).toMatchObject({ outcome: 'aborted', detail: `${label} no longer exists; nothing was changed` });
    expect(emulator.calls()).toMatchObject({ DescribeVirtualNode: 2, UpdateVirtualNode: 0 });
    expect(listenerTls().mode).toBe('PERMISSIVE');
  });

  it('does not resend a write App Mesh refuses with LimitExceededException (a service quota): one attempt, nothing changed', async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID, cache });
    emulator.resetCalls();
    emulator.failNext('UpdateVirtualNode', 'LimitExceededException', 8, 'You have exceeded a service limit for your account.');

    const result = await executor.apply(remediation, { trigger, changeId: 'chg-quota' });

    expect(result.outcome).toBe('failed');
    expect(result.detail).toContain('LimitExceededException: You have exceeded a service limit for your account.');
    expect(result.detail).toContain('the resource is unchanged (version 3)');
    expect(emulator.calls()).toMatchObject({ UpdateVirtualNode: 1 });
    expect(listenerTls().mode).toBe('PERMISSIVE');
  });

  it("aborts with nothing changed when IAM denies the write (AccessDeniedException), without a second read", async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID, cache });
    emulator.resetCalls();
    const denial = `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/meshgov-hub/worker is not authorized to perform: appmesh:UpdateVirtualNode on resource: arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${FLEET_MESH}/virtualNode/${PAYMENTS_API}`;
    emulator.failNext('UpdateVirtualNode', 'AccessDeniedException', 1, denial);

    const result = await executor.apply(remediation, { trigger, changeId: 'chg-denied' });

    expect(result).toMatchObject({ outcome: 'aborted', target: { version: 3 } });
    expect(result.detail).toBe(`meshgov's role may not update VirtualNode ${FLEET_MESH}/${PAYMENTS_API} (AccessDeniedException: ${denial}); nothing was changed: grant it the Update call, or apply the fix by hand`);
    expect(emulator.calls()).toMatchObject({ DescribeVirtualNode: 1, UpdateVirtualNode: 1 });
    expect(listenerTls().mode).toBe('PERMISSIVE');
  });

  it('restores the previous spec when the read-back shows the fix did not hold', async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    // A plan that sets STRICT but leaves out the validation: clients would not be verified.
    const spec = structuredClone(remediation.change.spec as any);
    delete spec.listeners[0].tls.validation;
    const flawed = { ...remediation, change: { ...remediation.change, spec } };
    const before = emulator.requests().length;

    const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(flawed, { trigger, changeId: 'chg-flawed' });

    expect(result.outcome).toBe('rolled-back');
    expect(result.detail).toContain('read back listener 0 (port 8080) is TLS_NO_CLIENT_AUTH');
    expect(result.detail).toContain('restored the previous spec (version 5)');
    const updates = emulator.requests().slice(before).filter((r) => r.operation === 'UpdateVirtualNode');
    expect(updates.map((r) => r.body?.clientToken)).toEqual(['chg-flawed', 'chg-flawed-rollback']);
    expect((emulator.state.describe('virtualNode', FLEET_MESH, PAYMENTS_API) as any).spec).toEqual(sharedEvent(UPDATE_EVENT).detail.requestParameters.spec);
  });

  it("checks every part a change alters, whatever its finding's action: a listener fix whose client edit does not hold is rolled back", async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    expect(remediation.action).toBe(SET_STRICT_ACTION);
    // As a joined change carries it (changes.ts joinObjectFixes), with a client edit that sends plaintext.
    const spec = structuredClone(remediation.change.spec as any);
    spec.backends[0].virtualService.clientPolicy = { tls: { enforce: false, validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } } } };
    const joined = { ...remediation, change: { ...remediation.change, spec } };

    const result = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(joined, { trigger, changeId: 'chg-joined' });

    expect(result.outcome).toBe('rolled-back');
    expect(result.detail).toMatch(/backend \S+ sends PLAINTEXT/);
  });

  it('enforces a virtual node backend client policy and a virtual gateway backendDefaults', async () => {
    await start();
    const findings = await aliceChangeAudited(true);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID });

    const nodeFix = fixOf(findings, 'mtls-client-not-enforced', PAYMENTS_API);
    expect(nodeFix).toMatchObject({ action: ENFORCE_ACTION, change: { operation: 'update-virtual-node' } });
    const node = await executor.apply(nodeFix, { trigger, changeId: 'chg-enforce-node' });
    expect(node).toMatchObject({ outcome: 'verified' });
    const backend = (emulator.state.describe('virtualNode', FLEET_MESH, PAYMENTS_API) as any).spec.backends[0].virtualService;
    expect(backend.clientPolicy.tls).toMatchObject({ enforce: true, certificate: { file: {} } });

    const gatewayFix = fixOf(findings, 'mtls-client-not-enforced', 'ingress-gw');
    expect(gatewayFix.change).toMatchObject({ operation: 'update-virtual-gateway', virtualGatewayName: 'ingress-gw' });
    emulator.resetCalls();
    const gateway = await executor.apply(gatewayFix, { trigger, changeId: 'chg-enforce-gw' });
    expect(gateway).toMatchObject({ outcome: 'verified', target: { kind: 'VirtualGateway', name: 'ingress-gw', version: 2 } });
    expect(emulator.calls()).toMatchObject({ DescribeVirtualGateway: 2, UpdateVirtualGateway: 1 });
    expect((emulator.state.describe('virtualGateway', FLEET_MESH, 'ingress-gw') as any).spec.backendDefaults.clientPolicy.tls.enforce).toBe(true);
  });

  it('undoes a verified change, and refuses to undo over a later change', async () => {
    await start();
    const remediation = fixOf(await aliceChangeAudited(), 'mtls-not-strict', PAYMENTS_API);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID, cache });
    const applied = await executor.apply(remediation, { trigger, changeId: 'chg-7c1e9a44d2b0' });
    const record: ChangeRecord = {
      id: 'chg-7c1e9a44d2b0',
      provider: 'appmesh',
      action: remediation.action,
      target: applied.target,
      before: applied.before,
      after: applied.after,
      reason: remediation.reason,
      trigger,
      at: NOW.toISOString(),
      outcome: 'verified',
      expiresAt: 0,
    };
    const undo: Remediation = { action: `${SET_STRICT_ACTION}.undo`, mode: 'approval', reason: 'undo of automatic change chg-7c1e9a44d2b0', change: { changeId: record.id } };
    expect(executor.handles(undo)).toBe(true);

    const reverted = await executor.revert(record, { trigger: { ...trigger, source: 'slack', summary: 'Undo by carol@example.com' }, changeId: 'undo-chg-7c1e9a44d2b0' });

    expect(reverted).toMatchObject({ outcome: 'verified', target: { version: 5 } });
    expect(listenerTls().mode).toBe('PERMISSIVE');
    const again = await executor.revert(record, { trigger, changeId: 'undo-chg-7c1e9a44d2b0-2' });
    expect(again.outcome).toBe('aborted');
    expect(again.detail).toContain('(version 4, now 5)');
  });

  it('handles only whole-spec App Mesh API changes, and names the field of a malformed one', async () => {
    await start();
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID });
    const crd: Remediation = { action: SET_STRICT_ACTION, mode: 'auto', reason: 'r', change: { operation: 'merge-patch', patch: { spec: {} } } };
    expect(executor.handles(crd)).toBe(false);
    expect(executor.handles({ ...crd, action: 'istio.peer-authentication.set-strict', change: { operation: 'update-virtual-node' } })).toBe(false);

    const malformed: Remediation = { action: SET_STRICT_ACTION, mode: 'auto', reason: 'r', change: { operation: 'update-virtual-node', meshName: FLEET_MESH, virtualNodeName: PAYMENTS_API, expectedVersion: 2 } };
    expect(await executor.apply(malformed, { trigger, changeId: 'chg-malformed' })).toMatchObject({
      outcome: 'failed',
      detail: 'change.spec: not an object: an update must carry the whole spec',
    });
    expect(emulator.calls().DescribeVirtualNode).toBe(0);
  });

  it('finds App Mesh where AWS_ENDPOINT_URL_APP_MESH points, with no endpoint in code (CONTRACT.md)', async () => {
    await start();
    const env = { AWS_ENDPOINT_URL_APP_MESH: emulator.url, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const executor = appMeshExecutor({ region: 'us-west-2', accountId: ACCOUNT_ID });
      const reader = appMeshSource({ client: executor.client });
      const inventory = await reader.collect({ kind: 'all', providers: ['appmesh'] });
      expect(inventory.appmeshApi.some((l) => l.doc.data.virtualNodeName === PAYMENTS_API)).toBe(true);
      expect(emulator.calls().ListMeshes).toBe(1);
      executor.client.destroy();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
