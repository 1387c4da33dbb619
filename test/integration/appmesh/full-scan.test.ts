/**
 * The live reader's full scan against the App Mesh emulator, through the real SDK client:
 * paging, the throttle, shared meshes, retries, and the findings of what it read.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { auditScope } from '../../../functions/core/pipeline/audit-scope';
import { loadPolicy } from '../../../functions/core/policy/load';
import { buildAppMeshModel } from '../../../functions/providers/appmesh';
import { AppMeshCallError, appMeshSource, MeshSnapshotCache } from '../../../functions/providers/appmesh/live';
import type { AppMeshEmulator } from '../../emulators/appmesh';
import { ACCOUNT_ID, MESH_OWNER_ACCOUNT_ID, virtualNodeSeed } from '../../emulators/appmesh/appMeshTestFixtures';
import { audit, clientFor, nonZeroCalls, sortedFindings, startEmulator, stateInventory } from './support/harness';
import { FLEET_MESH, generateMeshFleet, maxFullScanCalls, nodeName } from './support/mesh-fleet';

let emulator: AppMeshEmulator | undefined;
let client: AppMeshClient | undefined;

afterEach(async () => {
  client?.destroy();
  await emulator?.stop();
  client = undefined;
  emulator = undefined;
});

describe('full scan', () => {
  it('reads 1,000 virtual nodes through a 40 rps / burst 5 throttle with no failed call, and finds what the mesh holds', async () => {
    const fleet = generateMeshFleet(1000);
    emulator = await startEmulator({ seed: fleet.seed, throttle: { rps: 40, burst: 5 } });
    client = clientFor(emulator, { requestsPerSecond: 40 });
    const source = appMeshSource({ client });

    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });

    // Every call succeeded in the end; pacing keeps throttled attempts rare (a loaded machine can
    // bunch some requests: a run beside other test processes saw more than 1 %; without pacing
    // most of them would be), and the SDK's retry absorbs those.
    const requests = emulator.requests();
    const lastStatusByPath = new Map(requests.map((r) => [`${r.method} ${r.path}`, r.status]));
    expect([...lastStatusByPath.values()].filter((status) => status !== 200)).toEqual([]);
    const throttled = requests.filter((r) => r.status === 429).length;
    expect(throttled).toBeLessThanOrEqual(Math.ceil(requests.length * 0.05));
    expect(requests.filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
    // One List page per 100 resources (100 per page), one Describe per resource, nothing more.
    // The stats count attempts, so each throttled attempt the SDK retried adds one. On a loaded
    // machine an attempt can also be lost on a reused socket before the emulator logs it, and be
    // retried: CI once counted one more than the emulator saw. The answered counts below still pin
    // one call per page and per resource.
    const stats = source.lastCollect!;
    const retriedUnseen = stats.totalCalls - (maxFullScanCalls(fleet.counts) + throttled);
    expect(retriedUnseen).toBeGreaterThanOrEqual(0);
    expect(retriedUnseen).toBeLessThanOrEqual(Math.ceil(requests.length * 0.01));
    // Per operation, the client counts at least what the emulator saw, and only those lost attempts more.
    const seen: Record<string, number | undefined> = nonZeroCalls(emulator);
    const extra = Object.entries(stats.calls).map(([operation, n]) => n - (seen[operation] ?? 0));
    expect(extra.every((n) => n >= 0)).toBe(true);
    expect(extra.reduce((a, b) => a + b, 0)).toBe(retriedUnseen);
    expect(Object.keys(seen).every((operation) => operation in stats.calls)).toBe(true);
    const answered = (operation: string) => requests.filter((r) => r.operation === operation && r.status === 200).length;
    expect(answered('ListVirtualNodes')).toBe(10);
    expect(answered('DescribeVirtualNode')).toBe(1000);
    expect(emulator.requests().filter((r) => r.operation?.startsWith('List')).every((r) => r.query.limit === '100')).toBe(true);
    expect(inventory.appmeshApi).toHaveLength(1 + 1000 + 50 + 10 + 10 + 1 + 2);

    // The findings are those of the mesh as the emulator holds it.
    const report = audit(inventory);
    expect(sortedFindings(report)).toEqual(sortedFindings(audit(stateInventory(emulator, FLEET_MESH))));
    const notStrict = report.findings.filter((f) => f.rule === 'mtls-not-strict').map((f) => f.resource.name).sort();
    const expected = [...fleet.listenerPosture].filter(([, posture]) => posture !== 'STRICT').map(([name]) => name);
    expect(notStrict).toEqual([...expected, 'ingress-gw'].sort());
    expect(report.findings.filter((f) => f.rule === 'mtls-client-not-enforced').length).toBeGreaterThan(0);
  }, 120_000);

  it('rescans a mesh it holds with List pages only, describing just what changed since', async () => {
    const fleet = generateMeshFleet(150);
    emulator = await startEmulator({ seed: fleet.seed });
    client = clientFor(emulator);
    const source = appMeshSource({ client });
    await source.collect({ kind: 'all', providers: ['appmesh'] });

    const changed = nodeName(20);
    emulator.touch(FLEET_MESH, 'virtualNode', changed, {
      changeSpec: (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { mode: 'DISABLED' } }] }),
    });
    emulator.resetCalls();
    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });

    expect(nonZeroCalls(emulator)).toEqual({
      ListMeshes: 1,
      ListVirtualNodes: 2,
      ListVirtualGateways: 1,
      ListVirtualServices: 1,
      ListVirtualRouters: 1,
      ListRoutes: 10,
      ListGatewayRoutes: 1,
      DescribeVirtualNode: 1,
    });
    expect(sortedFindings(audit(inventory))).toEqual(sortedFindings(audit(stateInventory(emulator, FLEET_MESH))));
    expect(audit(inventory).findings.some((f) => f.rule === 'mtls-not-strict' && f.resource.name === changed && f.detail.mode === 'DISABLED')).toBe(true);
  });

  it('passes meshOwner on every List and Describe of a shared mesh', async () => {
    const shared = { meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: MESH_OWNER_ACCOUNT_ID };
    emulator = await startEmulator({
      seed: {
        meshes: [{ meshName: 'prod-mesh', metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID } }, { meshName: 'checkout-mesh' }],
        virtualNodes: [
          virtualNodeSeed('payments-api', { metadata: shared }),
          virtualNodeSeed('checkout-web', { metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: ACCOUNT_ID } }),
          virtualNodeSeed('checkout-api', { meshName: 'checkout-mesh' }),
        ],
        virtualRouters: [{ meshName: 'prod-mesh', virtualRouterName: 'payments-router', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }, metadata: shared }],
        routes: [
          {
            meshName: 'prod-mesh',
            virtualRouterName: 'payments-router',
            routeName: 'payments-default',
            spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'payments-api', weight: 100 }] } } },
            metadata: shared,
          },
        ],
      },
    });
    client = clientFor(emulator);
    const source = appMeshSource({ client });
    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });

    const sharedCalls = emulator.requests().filter((r) => r.path.includes('/meshes/prod-mesh'));
    // DescribeMesh; List nodes, gateways, services, routers; ListRoutes; Describe of 2 nodes, the router and the route.
    expect(sharedCalls.length).toBe(10);
    expect(sharedCalls.every((r) => r.query.meshOwner === MESH_OWNER_ACCOUNT_ID)).toBe(true);
    const ownCalls = emulator.requests().filter((r) => r.path.includes('/meshes/checkout-mesh'));
    expect(ownCalls.every((r) => r.query.meshOwner === ACCOUNT_ID)).toBe(true);
    expect(source.lastCollect!.meshes).toEqual([`${ACCOUNT_ID}/checkout-mesh`, `${MESH_OWNER_ACCOUNT_ID}/prod-mesh`]);
    const owners = inventory.appmeshApi.filter((l) => l.doc.type === 'virtualNode').map((l) => `${l.doc.data.virtualNodeName}:${l.doc.data.metadata.resourceOwner}`);
    expect(owners.sort()).toEqual(['checkout-api:111122223333', 'checkout-web:111122223333', 'payments-api:444455556666']);
  });

  it('reads only the meshes the scope or the rules name, and says which it could not see', async () => {
    emulator = await startEmulator({
      seed: { virtualNodes: [virtualNodeSeed('payments-api'), virtualNodeSeed('checkout-api', { meshName: 'checkout-mesh' })] },
    });
    client = clientFor(emulator);
    const source = appMeshSource({ client, meshes: ['checkout-mesh', 'staging-mesh'] });
    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });
    expect(new Set(inventory.appmeshApi.map((l) => l.doc.data.meshName))).toEqual(new Set(['checkout-mesh']));
    expect(source.lastCollect!.missingMeshes).toEqual(['staging-mesh']);
    expect(emulator.requests().some((r) => r.path.includes('/meshes/prod-mesh'))).toBe(false);

    const scoped = await source.collect({ kind: 'all', providers: ['appmesh'], meshes: ['prod-mesh'] });
    expect(new Set(scoped.appmeshApi.map((l) => l.doc.data.meshName))).toEqual(new Set(['prod-mesh']));
    expect(await source.collect({ kind: 'all', providers: ['istio'] })).toMatchObject({ appmeshApi: [] });
  });

  it('rides out 5xx and 429 answers with the SDK retry, counting every attempt', async () => {
    const fleet = generateMeshFleet(40);
    emulator = await startEmulator({ seed: fleet.seed });
    client = clientFor(emulator);
    const source = appMeshSource({ client });
    emulator.failNext('DescribeVirtualNode', 503, 2);
    emulator.failNext('ListVirtualNodes', 'TooManyRequestsException', 1);
    emulator.failNext('DescribeRoute', 500, 1);

    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });

    expect(inventory.appmeshApi.filter((l) => l.doc.type === 'virtualNode')).toHaveLength(40);
    expect(source.lastCollect!.calls).toMatchObject({ DescribeVirtualNode: 42, ListVirtualNodes: 2, DescribeRoute: 11 });
    expect(source.lastCollect!.calls).toEqual(nonZeroCalls(emulator));
    expect(sortedFindings(audit(inventory))).toEqual(sortedFindings(audit(stateInventory(emulator, FLEET_MESH))));
  });

  it('does not resend a LimitExceededException (a service quota, not a throttle): one attempt, and the collect fails with it', async () => {
    emulator = await startEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = clientFor(emulator, { maxAttempts: 3 });
    const source = appMeshSource({ client });
    emulator.failNext('DescribeVirtualNode', 'LimitExceededException', 3, 'You have exceeded a service limit for your account.');

    const error = await source.collect({ kind: 'all', providers: ['appmesh'] }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppMeshCallError);
    expect(error).toMatchObject({ operation: 'DescribeVirtualNode', errorName: 'LimitExceededException', statusCode: 400 });
    expect(emulator.calls().DescribeVirtualNode).toBe(1);
    expect(source.lastCollect).toBeUndefined();
    // Throttles and 5xx are still resent.
    emulator.reset();
    emulator.seed({ virtualNodes: [virtualNodeSeed('payments-api')] });
    emulator.failNext('DescribeVirtualNode', 'TooManyRequestsException', 1);
    emulator.failNext('DescribeMesh', 503, 1);
    await source.collect({ kind: 'all', providers: ['appmesh'] });
    expect(emulator.calls()).toMatchObject({ DescribeVirtualNode: 2, DescribeMesh: 2 });
  });

  it('audits the other meshes when one refuses the credentials, naming it, and marks the inventory partial', async () => {
    emulator = await startEmulator({
      seed: { virtualNodes: [virtualNodeSeed('payments-api'), virtualNodeSeed('checkout-api', { meshName: 'checkout-mesh' })] },
    });
    client = clientFor(emulator);
    const source = appMeshSource({ client });
    // An IAM policy that names one mesh only: the first mesh the scan describes is refused.
    emulator.failNext('DescribeMesh', 'AccessDeniedException', 1);

    const inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });
    const readMeshes = new Set(inventory.appmeshApi.map((l) => l.doc.data.meshName));
    expect(readMeshes.size).toBe(1);
    const [unread] = ['prod-mesh', 'checkout-mesh'].filter((m) => !readMeshes.has(m));
    expect(inventory.unreadMeshes).toEqual([unread]);
    expect(inventory.partial).toEqual([`this run could not read mesh(es) ${unread}`]);
    expect(inventory.problems).toEqual([
      expect.objectContaining({ file: `appmesh:${unread}`, line: 1, provider: 'appmesh', kind: 'Mesh', name: unread, message: expect.stringMatching(/^mesh not audited: DescribeMesh .*AccessDeniedException/) }),
    ]);
    // The finding for it is config-invalid, and the scan's scope keeps that mesh's findings open.
    expect(audit(inventory).findings.filter((f) => f.rule === 'config-invalid').map((f) => f.resource.name)).toEqual([unread]);

    // Through the pipeline, the run's scope carries the unread mesh to the govern stage.
    emulator.failNext('DescribeMesh', 'AccessDeniedException', 1);
    const scoped = await auditScope(
      { source: 'schedule', eventId: 'scan-2', eventTime: '2026-11-20T15:00:00Z', summary: 'scheduled audit' },
      { kind: 'all', providers: ['appmesh', 'acm'] },
      { source, builders: [buildAppMeshModel], policy: loadPolicy(), clock: () => new Date('2026-11-20T15:00:00Z') },
    );
    expect(scoped.scope).toMatchObject({ kind: 'all', unreadMeshes: [expect.stringMatching(/^(prod|checkout)-mesh$/)] });
  });

  it('fails the collect with the call and resource when App Mesh keeps failing, rather than return a partial mesh', async () => {
    emulator = await startEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api'), virtualNodeSeed('ledger')] } });
    client = clientFor(emulator, { maxAttempts: 2 });
    const cache = new MeshSnapshotCache();
    const source = appMeshSource({ client, cache });
    emulator.failNext('DescribeVirtualNode', 500, 10);

    const error = await source.collect({ kind: 'all', providers: ['appmesh'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppMeshCallError);
    expect(error).toMatchObject({ operation: 'DescribeVirtualNode', errorName: 'InternalServerErrorException', statusCode: 500, address: { meshName: 'prod-mesh' } });
    expect((error as Error).message).toMatch(/^DescribeVirtualNode prod-mesh\/(ledger|payments-api) \(mesh owner 111122223333\) failed: InternalServerErrorException \(HTTP 500\)/);
    expect(cache.keys()).toEqual([]);
  });
});
