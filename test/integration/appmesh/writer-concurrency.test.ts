/**
 * The App Mesh writer's optimistic concurrency against the emulator through the real SDK: a
 * fix or an Undo must never write over a resource that is not the one meshgov audited or
 * changed, nor over a later write; a write whose answer is lost is applied once.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { CreateVirtualNodeCommand, DeleteVirtualNodeCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { Remediation } from '../../../functions/core/findings';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { ApplyResult } from '../../../functions/core/pipeline/ports';
import type { Trigger } from '../../../functions/core/pipeline/trigger';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { SET_STRICT_ACTION } from '../../../functions/providers/appmesh';
import { appMeshExecutor, appMeshSource } from '../../../functions/providers/appmesh/live';
import { observeChange } from '../../../functions/providers/appmesh/live/observed-change';
import type { AppMeshEmulator, AppMeshSeed } from '../../emulators/appmesh';
import { ACCOUNT_ID, CERTIFICATE_ARN } from '../../emulators/appmesh/appMeshTestFixtures';
import { closeServer, listenOnLoopback, readRequestBody } from '../../support/loopback-server';
import { cloudTrailEventFor } from './support/cloudtrail-events';
import { audit, clientFor, NOW, startEmulator } from './support/harness';

const MESH = 'prod-mesh';
const NODE = 'payments-api';
const UID = '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15';
const OTHER_UID = '9f0e2d4c-1b3a-4c5d-8e7f-6a5b4c3d2e1f';
/** 2100-01-01: records that do not expire during the test. */
const FAR_EXPIRY = 4_102_444_800;

const trigger: Trigger = { source: 'schedule', eventId: 'sched-1', eventTime: NOW.toISOString(), summary: 'scheduled audit' };

/** A PERMISSIVE listener, with fields meshgov's model does not interpret. */
function permissiveSpec(): any {
  return {
    backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local', clientPolicy: { tls: { enforce: true, ports: [8443], validation: { trust: { file: { certificateChain: '/etc/ca.pem' } } } } } } }],
    listeners: [
      {
        portMapping: { port: 8080, protocol: 'http' },
        connectionPool: { http: { maxConnections: 100, maxPendingRequests: 10 } },
        outlierDetection: { maxServerErrors: 5, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 's', value: 30 }, maxEjectionPercent: 50 },
        timeout: { http: { perRequest: { unit: 's', value: 15 }, idle: { unit: 's', value: 300 } } },
        tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: CERTIFICATE_ARN } } },
      },
    ],
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
    serviceDiscovery: { awsCloudMap: { namespaceName: 'payments.local', serviceName: 'payments-api', attributes: [{ key: 'stack', value: 'blue' }] } },
  };
}

function strictSpec(): any {
  const spec = permissiveSpec();
  spec.listeners[0].tls = { mode: 'STRICT', certificate: { acm: { certificateArn: CERTIFICATE_ARN } }, validation: { trust: { file: { certificateChain: '/etc/ca.pem' } } } };
  return spec;
}

function seed(version = 3, uid = UID, spec = permissiveSpec()): AppMeshSeed {
  return {
    meshes: [{ meshName: MESH }],
    virtualNodes: [{ meshName: MESH, virtualNodeName: NODE, spec, metadata: { version, uid } }],
  };
}

const fix: Remediation = {
  action: SET_STRICT_ACTION,
  mode: 'auto',
  reason: 'listener accepts plaintext',
  change: { operation: 'update-virtual-node', meshName: MESH, virtualNodeName: NODE, expectedVersion: 3, resourceOwner: ACCOUNT_ID, spec: strictSpec() },
};

function recordOf(applied: ApplyResult, id: string): ChangeRecord {
  return { id, provider: 'appmesh', action: SET_STRICT_ACTION, target: applied.target, before: applied.before, after: applied.after, reason: fix.reason, trigger, at: NOW.toISOString(), outcome: applied.outcome, expiresAt: 0 };
}

let emulator: AppMeshEmulator;
let client: AppMeshClient;
let proxy: Server | undefined;

afterEach(async () => {
  client.destroy();
  if (proxy) await closeServer(proxy);
  proxy = undefined;
  await emulator.stop();
});

function live(): any {
  return emulator.state.describe('virtualNode', MESH, NODE);
}

/** The set-strict fix of payments-api as the live reader and the engine plan it now. */
async function auditedFix(): Promise<Remediation> {
  const inventory = await appMeshSource({ client }).collect({ kind: 'all', providers: ['appmesh'] });
  const finding = audit(inventory).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === NODE);
  expect(finding?.remediation?.action).toBe(SET_STRICT_ACTION);
  return finding!.remediation!;
}

describe('App Mesh writer: a fix planned on a node deleted and re-created before it runs', () => {
  // A re-created node starts again at version 1: audited at version 1, the version check alone cannot tell the two apart.
  it('aborts, and leaves the new node as it is, when the uid the audit read is gone though the version is the same', async () => {
    emulator = await startEmulator({ seed: seed(1) });
    client = clientFor(emulator);
    const remediation = await auditedFix();
    expect(remediation.change).toMatchObject({ operation: 'update-virtual-node', virtualNodeName: NODE, expectedVersion: 1, expectedUid: UID });
    // Between the audit and an approval: someone deletes payments-api and creates it again, with a spec of its own.
    await client.send(new DeleteVirtualNodeCommand({ meshName: MESH, virtualNodeName: NODE }));
    const recreatedSpec = { ...permissiveSpec(), logging: { accessLog: { file: { path: '/var/log/envoy.log' } } } };
    const { virtualNode: recreated } = await client.send(new CreateVirtualNodeCommand({ meshName: MESH, virtualNodeName: NODE, spec: recreatedSpec }));
    expect(recreated?.metadata).toMatchObject({ version: 1 });
    expect(recreated?.metadata?.uid).not.toBe(UID);
    emulator.resetCalls();

    const applied = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(remediation, { trigger, changeId: 'chg-recreated-before-fix' });

    expect(applied.outcome).toBe('aborted');
    expect(applied.detail).toBe(
      `VirtualNode ${MESH}/${NODE} was deleted and re-created since the audit (uid ${UID}, now ${recreated!.metadata!.uid}): not writing a spec recorded from another resource`,
    );
    expect(applied.target).toMatchObject({ version: 1, uid: recreated!.metadata!.uid });
    expect(emulator.calls().UpdateVirtualNode).toBe(0);
    expect(live().spec).toEqual(recreatedSpec);
    expect(live().metadata).toMatchObject({ version: 1, uid: recreated!.metadata!.uid });
  });

  it('applies the fix to the node the audit read (same uid, same version)', async () => {
    emulator = await startEmulator({ seed: seed(1) });
    client = clientFor(emulator);
    const remediation = await auditedFix();
    expect(remediation.change).toMatchObject({ expectedVersion: 1, expectedUid: UID });

    const applied = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(remediation, { trigger, changeId: 'chg-same-incarnation' });

    expect(applied).toMatchObject({ outcome: 'verified', target: { version: 2, uid: UID } });
    expect(emulator.calls().UpdateVirtualNode).toBe(1);
    expect(live().spec.listeners[0].tls.mode).toBe('STRICT');
    expect(live().metadata).toMatchObject({ version: 2, uid: UID });
  });

  it('a change planned before expectedUid was carried is still applied on the version check alone', async () => {
    emulator = await startEmulator({ seed: seed(1) });
    client = clientFor(emulator);
    const { expectedUid, ...planned } = (await auditedFix()).change;
    expect(expectedUid).toBe(UID);

    const applied = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply({ ...fix, change: planned }, { trigger, changeId: 'chg-no-uid' });

    expect(applied).toMatchObject({ outcome: 'verified', target: { version: 2, uid: UID } });
    expect(live().spec.listeners[0].tls.mode).toBe('STRICT');
  });
});

describe('App Mesh writer: concurrency', () => {
  it('does not undo a fix over a node that was deleted and re-created since, even at the same version', async () => {
    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID });
    const applied = await executor.apply(fix, { trigger, changeId: 'chg-recreated' });
    expect(applied).toMatchObject({ outcome: 'verified', target: { version: 4, uid: UID } });
    // Someone deletes payments-api and creates it again; three updates bring it to version 4.
    const otherSpec = { ...strictSpec(), logging: { accessLog: { file: { path: '/var/log/envoy.log' } } } };
    emulator.seed(seed(4, OTHER_UID, otherSpec));
    emulator.resetCalls();

    const undo = await executor.revert(recordOf(applied, 'chg-recreated'), { trigger, changeId: 'undo-chg-recreated' });

    expect(undo.outcome).toBe('aborted');
    expect(undo.detail).toContain('deleted and re-created');
    expect(emulator.calls().UpdateVirtualNode).toBe(0);
    expect(live().spec).toEqual(otherSpec);
  });

  it("records the version its own write produced when a later write kept the fix, so an Undo cannot overwrite that later write", async () => {
    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID });
    const theirs = { path: '/var/log/envoy.log' };
    emulator.touchAfterNext('UpdateVirtualNode', MESH, 'virtualNode', NODE, { changeSpec: (spec) => ({ ...spec, logging: { accessLog: { file: theirs } } }) });

    const applied = await executor.apply(fix, { trigger, changeId: 'chg-later-write' });

    expect(applied.outcome).toBe('verified');
    expect(applied.detail).toContain('a later write (version 5) kept the listener TLS as intended');
    expect(applied.target.version).toBe(4);
    expect(applied.after).toEqual(strictSpec());
    emulator.resetCalls();

    const undo = await executor.revert(recordOf(applied, 'chg-later-write'), { trigger, changeId: 'undo-chg-later-write' });

    expect(undo.outcome).toBe('aborted');
    expect(emulator.calls().UpdateVirtualNode).toBe(0);
    expect(live().spec.logging.accessLog.file).toEqual(theirs);
    expect(live().spec.listeners[0].tls.mode).toBe('STRICT');
  });

  it('records the version its own write produced when a later write undid the fix, so an Undo or SLO rollback of that failed change cannot overwrite the later write', async () => {
    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator);
    const executor = appMeshExecutor({ client, accountId: ACCOUNT_ID });
    // A deploy pipeline re-applies its own spec right after meshgov's write: PERMISSIVE again, and its access log.
    const theirs = { path: '/var/log/envoy.log' };
    emulator.touchAfterNext('UpdateVirtualNode', MESH, 'virtualNode', NODE, {
      changeSpec: (spec) => ({ ...spec, listeners: (spec.listeners as any[]).map((l: any) => ({ ...l, tls: { ...l.tls, mode: 'PERMISSIVE' } })), logging: { accessLog: { file: theirs } } }),
    });

    const applied = await executor.apply(fix, { trigger, changeId: 'chg-later-undid' });

    expect(applied).toMatchObject({ outcome: 'failed', wrote: true });
    expect(applied.detail).toContain('a later write (version 5) replaced it');
    expect(applied.target.version).toBe(4);
    expect(applied.after).toEqual(strictSpec());
    emulator.resetCalls();

    const undo = await executor.revert(recordOf(applied, 'chg-later-undid'), { trigger, changeId: 'undo-chg-later-undid' });

    expect(undo.outcome).toBe('aborted');
    expect(emulator.calls().UpdateVirtualNode).toBe(0);
    expect(live().spec.logging.accessLog.file).toEqual(theirs);
  });

  it("vouches for a write whose read-back failed, so its Undo can run, unless another writer's change came between meshgov's read and its write: that one a person reviews", async () => {
    /** Fails every read-back of the node after meshgov's Update (every attempt the client's retry strategy makes). */
    const failReadBack = () =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const output = await next(args);
          if (context.commandName === 'UpdateVirtualNodeCommand') emulator.failNext('DescribeVirtualNode', 503, 10, 'Service is unavailable');
          return output;
        },
        { step: 'initialize', name: 'failReadBack' },
      );

    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator);
    failReadBack();
    const plain = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(fix, { trigger, changeId: 'chg-unread' });
    expect(plain).toMatchObject({ outcome: 'failed', wrote: true, afterWritten: true, after: strictSpec(), target: { version: 4 } });
    client.destroy();
    await emulator.stop();

    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator);
    failReadBack();
    // alice's deploy lands between meshgov's read of version 3 and its write: her access log at version 4, meshgov's write at 5.
    emulator.touchAfterNext('DescribeVirtualNode', MESH, 'virtualNode', NODE, { changeSpec: (spec) => ({ ...spec, logging: { accessLog: { file: { path: '/var/log/alice.log' } } } }) });
    const raced = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(fix, { trigger, changeId: 'chg-raced' });
    expect(raced).toMatchObject({ outcome: 'failed', wrote: true, target: { version: 5 }, detail: expect.stringContaining("another writer updated it between meshgov's read (version 3) and its write, and that change was overwritten: review the resource") });
    expect(raced.afterWritten).toBeUndefined();
  });

  it('applies a write once when its answer is lost after it landed: the retry with the same clientToken is not taken for another writer', async () => {
    emulator = await startEmulator({ seed: seed() });
    // Forwards every call; the first UpdateVirtualNode reaches App Mesh but its answer is replaced by a 503.
    let dropped = false;
    proxy = createServer(async (req, res) => {
      const body = await readRequestBody(req);
      const target = new URL(emulator.url);
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          if (!dropped && req.method === 'PUT' && req.url?.includes('/virtualNodes/')) {
            dropped = true;
            res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
            res.end(JSON.stringify({ message: 'The request has failed due to a temporary failure of the service.' }));
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      });
      upstream.end(body);
    });
    const port = await listenOnLoopback(proxy);
    client = clientFor({ ...emulator, url: `http://127.0.0.1:${port}` } as AppMeshEmulator);

    const applied = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(fix, { trigger, changeId: 'chg-lost-answer' });

    expect(dropped).toBe(true);
    expect(applied).toMatchObject({ outcome: 'verified', target: { version: 4 } });
    const updates = emulator.requests().filter((r) => r.operation === 'UpdateVirtualNode');
    expect(updates.map((r) => r.body?.clientToken)).toEqual(['chg-lost-answer', 'chg-lost-answer']);
    expect(live().metadata.version).toBe(4);
  });

  it('sends back every field it read, changing only the listener TLS', async () => {
    emulator = await startEmulator({ seed: seed() });
    client = clientFor(emulator);

    const applied = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).apply(fix, { trigger, changeId: 'chg-whole-spec' });

    expect(applied.outcome).toBe('verified');
    const update = emulator.requests().find((r) => r.operation === 'UpdateVirtualNode')!;
    expect(update.body!.spec).toEqual(strictSpec());
    expect(live().spec).toEqual(strictSpec());
  });

  it("does not restore a person's recorded change over a node re-created since at the same version", async () => {
    emulator = await startEmulator({ seed: seed(4) });
    client = clientFor(emulator);
    const observed: ChangeRecord = {
      id: 'chg-cloudtrail-1',
      provider: 'appmesh',
      action: 'appmesh.virtual-node.update',
      target: { kind: 'VirtualNode', mesh: MESH, name: NODE, version: 4, uid: UID, resourceOwner: ACCOUNT_ID },
      before: strictSpec(),
      after: permissiveSpec(),
      reason: 'UpdateVirtualNode by alice, outside meshgov',
      trigger,
      at: NOW.toISOString(),
      outcome: 'applied',
      expiresAt: FAR_EXPIRY,
    };
    emulator.seed(seed(4, OTHER_UID));
    emulator.resetCalls();

    const undo = await appMeshExecutor({ client, accountId: ACCOUNT_ID }).revert(observed, { trigger, changeId: 'undo-chg-cloudtrail-1' });

    expect(undo.outcome).toBe('aborted');
    expect(undo.detail).toContain('deleted and re-created');
    expect(emulator.calls().UpdateVirtualNode).toBe(0);
  });

  it("does not take a ledger record of an earlier incarnation as the spec a person's update replaced", async () => {
    emulator = await startEmulator({ seed: seed(4, OTHER_UID) });
    client = clientFor(emulator);
    const ledger = new MemoryLedger();
    // meshgov's fix of the node before it was deleted and re-created made version 3.
    await ledger.recordChange({ ...recordOf({ outcome: 'verified', detail: '', target: { kind: 'VirtualNode', mesh: MESH, name: NODE, version: 3, uid: UID }, before: permissiveSpec(), after: strictSpec() }, 'chg-old'), expiresAt: FAR_EXPIRY });
    const event = cloudTrailEventFor('Update', 'virtualNode', live(), { withResponse: true });

    const observed = await observeChange(event, { ledger, accountId: ACCOUNT_ID });
    const record = await observed!.record(NOW);

    expect(record.target).toMatchObject({ version: 4, uid: OTHER_UID });
    expect(record.before ?? undefined).toBeUndefined();
    expect(record.detail).toContain('unknown');
  });
});
