/**
 * Scoped audits from CloudTrail events, against the App Mesh emulator through the real SDK.
 *
 * What a scoped audit produces (see functions/providers/appmesh/live/README.md): the findings
 * of the changed resource's whole mesh, as a full audit of that mesh would give them, taken
 * from the snapshot the last read left with the change applied on top, for 0 calls (event
 * carries the resource) or 1 (it does not). What it cannot see: another resource changed
 * since the snapshot without this reader seeing an event for it, until the snapshot is older
 * than its maximum age; the last test shows exactly that.
 */
import { DeleteVirtualNodeCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { Finding } from '../../../functions/core/findings';
import type { AuditScope } from '../../../functions/core/pipeline/trigger';
import { appMeshSource, MeshSnapshotCache, scopeFromCloudTrail, type AppMeshSource } from '../../../functions/providers/appmesh/live';
import type { AppMeshEmulator } from '../../emulators/appmesh';
import { sharedEvent } from '../../support/shared-events';
import { audit, clientFor, nonZeroCalls, sortedFindings, startEmulator, stateInventory } from './support/harness';
import { cloudTrailEventFor, DELETE_EVENT, UPDATE_EVENT, UPDATE_NO_RESPONSE_EVENT } from './support/cloudtrail-events';
import { FLEET_MESH, nodeName, revalidationCalls } from './support/mesh-fleet';
import { storyMesh } from './support/story-mesh';

const MAX_AGE_MS = 15 * 60_000;

let emulator: AppMeshEmulator;
let client: AppMeshClient;
let clock: number;
let fleet: ReturnType<typeof storyMesh>;

beforeEach(async () => {
  fleet = storyMesh();
  emulator = await startEmulator({ seed: fleet.seed });
  client = clientFor(emulator);
  clock = Date.parse('2026-11-20T15:00:00Z');
});

afterEach(async () => {
  client.destroy();
  await emulator.stop();
});

/** A reader whose snapshot of prod-mesh is warm: the full audit a container ran earlier. */
async function warmSource(): Promise<AppMeshSource> {
  const source = appMeshSource({ client, cache: new MeshSnapshotCache(), now: () => clock, snapshotMaxAgeMs: MAX_AGE_MS, coldScopedRead: 'mesh' });
  await source.collect({ kind: 'all', providers: ['appmesh'] });
  emulator.resetCalls();
  return source;
}

/** alice's UpdateVirtualNode at 15:00:49: payments-api's listener to PERMISSIVE (version 2 → 3). */
function aliceSetsPermissive(): void {
  const spec = sharedEvent(UPDATE_EVENT).detail.requestParameters.spec;
  const updated = emulator.touch(FLEET_MESH, 'virtualNode', 'payments-api', { changeSpec: () => spec });
  expect(updated.metadata).toMatchObject({ version: 3 });
}

/** The scoped audit's findings, and those of a full audit of the mesh as the emulator now holds it. */
async function scopedAndFull(source: AppMeshSource, scope: AuditScope) {
  const scoped = audit(await source.collect(scope));
  const full = audit(stateInventory(emulator, FLEET_MESH));
  return { scoped: sortedFindings(scoped), full: sortedFindings(full) };
}

describe('scoped audit from a CloudTrail event', () => {
  it('makes no API call when the event carries the resource, and finds what a full audit of the mesh finds', async () => {
    const source = await warmSource();
    aliceSetsPermissive();

    const { scoped, full } = await scopedAndFull(source, scopeFromCloudTrail(sharedEvent(UPDATE_EVENT)));

    expect(nonZeroCalls(emulator)).toEqual({});
    expect(source.lastCollect).toMatchObject({ scope: 'appmesh-resource', totalCalls: 0, snapshot: 'fresh', change: 'updated' });
    expect(scoped).toEqual(full);
    const payments = scoped.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api');
    expect(payments?.detail.mode).toBe('PERMISSIVE');
    expect(payments?.resource.file).toBe('arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api');
  });

  it('makes one DescribeVirtualNode call when responseElements is null', async () => {
    const source = await warmSource();
    aliceSetsPermissive();

    const { scoped, full } = await scopedAndFull(source, scopeFromCloudTrail(sharedEvent(UPDATE_NO_RESPONSE_EVENT)));

    expect(nonZeroCalls(emulator)).toEqual({ DescribeVirtualNode: 1 });
    expect(source.lastCollect).toMatchObject({ totalCalls: 1, calls: { DescribeVirtualNode: 1 }, change: 'updated' });
    expect(scoped).toEqual(full);
    expect(scoped.some((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api' && f.detail.mode === 'PERMISSIVE')).toBe(true);
  });

  it("brings the findings of the node's clients: a node made plaintext-only turns their enforced mTLS into conflicts", async () => {
    const source = await warmSource();
    const target = nodeName(0); // provides the first virtual service of the fleet
    const service = fleet.serviceNames[0];
    const mtlsClients = fleet.seed.virtualNodes!
      .filter((n) => (n.spec!.backends ?? []).some((b) => b.virtualService?.virtualServiceName === service && b.virtualService.clientPolicy?.tls?.certificate))
      .map((n) => n.virtualNodeName!);
    expect(mtlsClients.length).toBeGreaterThan(0);
    const mtlsConflictsWithTarget = (findings: Finding[]) => findings.filter((f) => f.rule === 'mtls-conflict' && f.detail.sends === 'MTLS' && (f.detail.server as any).name === target);
    const before = mtlsConflictsWithTarget(audit(stateInventory(emulator, FLEET_MESH)).findings);
    expect(before).toEqual([]);

    const data = emulator.touch(FLEET_MESH, 'virtualNode', target, {
      changeSpec: (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { mode: 'DISABLED' } }] }),
    });
    const { scoped, full } = await scopedAndFull(source, scopeFromCloudTrail(cloudTrailEventFor('Update', 'virtualNode', data, { withResponse: true })));

    expect(nonZeroCalls(emulator)).toEqual({});
    expect(scoped).toEqual(full);
    const conflicts = mtlsConflictsWithTarget(scoped);
    // Its direct clients, and those reaching it through a virtual router, are the ones at fault now.
    expect(conflicts.map((f) => f.resource.name)).toEqual(expect.arrayContaining(mtlsClients));
    expect(conflicts.every((f) => f.resource.name !== target && f.severity === 'critical')).toBe(true);
  });

  it('audits a gateway update: an enforced client policy resolves its findings', async () => {
    const source = await warmSource();
    const gatewayFindings = (findings: ReturnType<typeof sortedFindings>) => findings.filter((f) => f.resource.name === 'ingress-gw' && f.rule === 'mtls-client-not-enforced');
    expect(gatewayFindings(sortedFindings(audit(stateInventory(emulator, FLEET_MESH)))).length).toBeGreaterThan(0);

    const data = emulator.touch(FLEET_MESH, 'virtualGateway', 'ingress-gw', {
      changeSpec: (spec: any) => ({
        ...spec,
        backendDefaults: {
          clientPolicy: {
            tls: {
              enforce: true,
              certificate: { sds: { secretName: 'spiffe://prod-mesh/ingress-gw' } },
              validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/prod-mesh-ca-chain.pem' } } },
            },
          },
        },
      }),
    });
    const { scoped, full } = await scopedAndFull(source, scopeFromCloudTrail(cloudTrailEventFor('Update', 'virtualGateway', data, { withResponse: true })));

    expect(nonZeroCalls(emulator)).toEqual({});
    expect(scoped).toEqual(full);
    expect(gatewayFindings(scoped)).toEqual([]);
  });

  it('describes a retargeted route (no responseElements) with its router, in one call', async () => {
    const source = await warmSource();
    const router = fleet.routerNames[0];
    const route = emulator.state.list('route', FLEET_MESH).find((r: any) => r.virtualRouterName === router)!;
    const data = emulator.touch(FLEET_MESH, 'route', String(route.routeName), {
      parentName: router,
      // All traffic to a node whose listener is PERMISSIVE.
      changeSpec: (spec: any) => ({ ...spec, httpRoute: { ...spec.httpRoute, action: { weightedTargets: [{ virtualNode: nodeName(3), weight: 100 }] } } }),
    });
    const scope = scopeFromCloudTrail(cloudTrailEventFor('Update', 'route', data, { withResponse: false }));
    expect(scope).toMatchObject({ resourceType: 'route', parentName: router });

    const { scoped, full } = await scopedAndFull(source, scope);

    expect(nonZeroCalls(emulator)).toEqual({ DescribeRoute: 1 });
    expect(emulator.requests().at(-1)!.path).toBe(`/v20190125/meshes/${FLEET_MESH}/virtualRouter/${router}/routes/${String(route.routeName)}`);
    expect(scoped).toEqual(full);
  });

  it('takes a deleted node out with no call, so its findings resolve', async () => {
    const source = await warmSource();
    expect(audit(stateInventory(emulator, FLEET_MESH)).findings.some((f) => f.resource.name === 'orders-api-legacy')).toBe(true);
    await client.send(new DeleteVirtualNodeCommand({ meshName: FLEET_MESH, virtualNodeName: 'orders-api-legacy' }));
    emulator.resetCalls();

    const scope = scopeFromCloudTrail(sharedEvent(DELETE_EVENT));
    const { scoped, full } = await scopedAndFull(source, scope);

    expect(scope.deleted).toBe(true);
    expect(nonZeroCalls(emulator)).toEqual({});
    expect(source.lastCollect).toMatchObject({ totalCalls: 0, change: 'removed' });
    expect(scoped.some((f) => f.resource.name === 'orders-api-legacy')).toBe(false);
    expect(scoped).toEqual(full);
  });

  it('ignores an event older than what the snapshot holds (EventBridge delivers out of order)', async () => {
    aliceSetsPermissive();
    emulator.touch(FLEET_MESH, 'virtualNode', 'payments-api', { changeSpec: () => sharedEvent(UPDATE_EVENT).detail.requestParameters.spec }); // version 4
    const source = await warmSource();

    const { scoped, full } = await scopedAndFull(source, scopeFromCloudTrail(sharedEvent(UPDATE_EVENT)));

    expect(source.lastCollect).toMatchObject({ totalCalls: 0, change: 'stale' });
    expect(scoped).toEqual(full);
  });

  it('in a cold container reads only the changed resource, and marks the audit partial', async () => {
    aliceSetsPermissive();
    const source = appMeshSource({ client, now: () => clock });
    const carried = await source.collect(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT)));
    // Described even though the event carries it: the event may be late (see reader.ts currentCopy).
    expect(source.lastCollect).toMatchObject({ totalCalls: 1, calls: { DescribeVirtualNode: 1 }, snapshot: 'none' });
    expect(carried.partial).toEqual(['this audit read only the changed resource payments-api, not the rest of mesh prod-mesh, so its clients and servers are unknown']);
    expect(carried.appmeshApi.map((a) => a.doc.data.virtualNodeName)).toEqual(['payments-api']);
    const described = await source.collect(scopeFromCloudTrail(sharedEvent(UPDATE_NO_RESPONSE_EVENT)));
    expect(source.lastCollect).toMatchObject({ totalCalls: 1, calls: { DescribeVirtualNode: 1 } });
    expect(described.partial).toEqual(carried.partial);
    expect(described.appmeshApi[0].doc.data.spec.listeners[0].tls.mode).toBe('PERMISSIVE');
  });

  it('with coldScopedRead mesh, reads the mesh first in a cold container, then serves the next events from memory', async () => {
    aliceSetsPermissive();
    const source = appMeshSource({ client, now: () => clock, coldScopedRead: 'mesh' });

    const { scoped, full } = await scopedAndFull(source, scopeFromCloudTrail(sharedEvent(UPDATE_NO_RESPONSE_EVENT)));

    // The read already holds version 3: nothing was described for the event itself.
    expect(source.lastCollect).toMatchObject({ snapshot: 'read' });
    expect(source.lastCollect!.change).toBeUndefined();
    const calls = source.lastCollect!.calls;
    expect(calls.ListMeshes).toBeUndefined();
    expect(calls.DescribeVirtualNode).toBe(fleet.counts.virtualNodes);
    expect(calls.DescribeMesh).toBe(1);
    expect(scoped).toEqual(full);

    emulator.resetCalls();
    await source.collect(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT)));
    expect(nonZeroCalls(emulator)).toEqual({});
  });

  it('drops a deleted mesh with no call', async () => {
    const source = await warmSource();
    const event = sharedEvent(DELETE_EVENT);
    event.detail.eventName = 'DeleteMesh';
    event.detail.requestParameters = { meshName: FLEET_MESH };
    event.detail.responseElements = null;

    const inventory = await source.collect(scopeFromCloudTrail(event));

    expect(inventory.appmeshApi).toEqual([]);
    expect(source.lastCollect).toMatchObject({ totalCalls: 0, change: 'removed' });
    expect(source.cache.keys()).toEqual([]);
  });

  it('cannot see an out-of-band change to another resource until the snapshot is older than its maximum age', async () => {
    const source = await warmSource();
    aliceSetsPermissive();
    const meshAsTheReaderKnowsIt = sortedFindings(audit(stateInventory(emulator, FLEET_MESH)));
    // Another resource changes, and this reader sees no event for it (handled elsewhere, or failed).
    const other = nodeName(20);
    emulator.touch(FLEET_MESH, 'virtualNode', other, {
      changeSpec: (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { mode: 'DISABLED' } }] }),
    });
    const event = sharedEvent(UPDATE_EVENT);

    const stale = await scopedAndFull(source, scopeFromCloudTrail(event));
    // payments-api's change is seen; the other node (and what depends on it) is as of the snapshot.
    expect(stale.scoped).toEqual(meshAsTheReaderKnowsIt);
    expect(stale.scoped).not.toEqual(stale.full);
    expect(stale.full.some((f) => f.resource.name === other && f.detail.mode === 'DISABLED')).toBe(true);
    expect(stale.scoped.some((f) => f.resource.name === other && f.detail.mode === 'DISABLED')).toBe(false);

    clock += MAX_AGE_MS + 1;
    emulator.resetCalls();
    const earlier = emulator.requests().length;
    const fresh = await scopedAndFull(source, scopeFromCloudTrail(event));

    expect(source.lastCollect).toMatchObject({ snapshot: 'read' });
    // The re-read lists every page and describes only the node whose version moved without an
    // event: payments-api's version 3 came with the event and is not described again.
    expect(nonZeroCalls(emulator)).toMatchObject({ DescribeVirtualNode: 1, ListVirtualNodes: 1 });
    expect(emulator.requests().slice(earlier).filter((r) => r.operation === 'DescribeVirtualNode').map((r) => r.path)).toEqual([`/v20190125/meshes/${FLEET_MESH}/virtualNodes/${other}`]);
    expect(emulator.calls().DescribeVirtualService).toBe(0);
    expect(fresh.scoped).toEqual(fresh.full);
  });
});

/**
 * Before a fix planned on a snapshot may run on its own, the hub plans again with `revalidate`
 * (process-event.ts): the snapshot is checked against App Mesh's List pages (here 16 calls:
 * DescribeMesh, 5 mesh-level pages, ListRoutes of 10 routers), and only what the lists show to
 * have moved is described, so changes other containers or meshgov's other functions made are seen.
 */
describe('scoped audit with revalidate', () => {
  const revalidated = (scope: AuditScope): AuditScope => ({ ...(scope as Extract<AuditScope, { kind: 'appmesh-resource' }>), revalidate: true });
  const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

  it('lists every page and describes nothing when nothing moved but what the event carried', async () => {
    const source = await warmSource();
    aliceSetsPermissive();
    const revalidation = revalidationCalls(fleet.counts);

    const { scoped, full } = await scopedAndFull(source, revalidated(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT))));

    expect(nonZeroCalls(emulator)).toEqual(revalidation);
    expect(total(revalidation)).toBe(16);
    expect(source.lastCollect).toMatchObject({ scope: 'appmesh-resource', totalCalls: 16, snapshot: 'revalidated', change: 'updated' });
    expect(scoped).toEqual(full);
  });

  it('sees a change to another resource that this reader had no event for, describing only that resource', async () => {
    const source = await warmSource();
    aliceSetsPermissive();
    // Another container took its event, or meshgov's approval worker wrote it and every auditor ignored it as its own.
    const other = nodeName(20);
    emulator.touch(FLEET_MESH, 'virtualNode', other, {
      changeSpec: (spec: any) => ({ ...spec, listeners: [{ ...spec.listeners[0], tls: { mode: 'DISABLED' } }] }),
    });
    const from = emulator.requests().length;

    const { scoped, full } = await scopedAndFull(source, revalidated(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT))));

    expect(scoped).toEqual(full);
    expect(scoped.some((f) => f.resource.name === other && f.detail.mode === 'DISABLED')).toBe(true);
    expect(nonZeroCalls(emulator)).toEqual({ ...revalidationCalls(fleet.counts), DescribeVirtualNode: 1 });
    expect(emulator.requests().slice(from).filter((r) => r.operation === 'DescribeVirtualNode').map((r) => r.path)).toEqual([`/v20190125/meshes/${FLEET_MESH}/virtualNodes/${other}`]);
  });

  it('sees a resource created and one deleted elsewhere since the snapshot', async () => {
    const source = await warmSource();
    aliceSetsPermissive();
    emulator.seed({ virtualNodes: [{ meshName: FLEET_MESH, virtualNodeName: 'legacy-reporting', spec: { backends: [{ virtualService: { virtualServiceName: 'payments-api.payments.svc.cluster.local' } }], serviceDiscovery: { dns: { hostname: 'legacy-reporting.reports.svc.cluster.local' } } } }] });
    await client.send(new DeleteVirtualNodeCommand({ meshName: FLEET_MESH, virtualNodeName: 'orders-api-legacy' }));
    emulator.resetCalls();

    const { scoped, full } = await scopedAndFull(source, revalidated(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT))));

    expect(scoped).toEqual(full);
    expect(nonZeroCalls(emulator)).toEqual({ ...revalidationCalls(fleet.counts), DescribeVirtualNode: 1 });
    const names = new Set(source.cache.find(FLEET_MESH)!.names('virtualNode'));
    expect(names.has('legacy-reporting')).toBe(true);
    expect(names.has('orders-api-legacy')).toBe(false);
  });
});
