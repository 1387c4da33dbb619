/**
 * A scoped audit in a container with no fresh snapshot of the mesh (`coldScopedRead: 'resource'`,
 * the hub's): the changed resource is described even when the event carries it, because the
 * event may be late (an SQS redelivery after the visibility timeout, or a newer change handled
 * first by another container) and its copy no longer what App Mesh holds. Against the App Mesh
 * emulator through the real SDK, with the shared UpdateVirtualNode event (alice's PERMISSIVE,
 * payments-api version 3).
 */
import { DeleteVirtualNodeCommand, DeleteVirtualServiceCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import { appMeshSource, scopeFromCloudTrail } from '../../../functions/providers/appmesh/live';
import type { AppMeshEmulator } from '../../emulators/appmesh';
import { sharedEvent } from '../../support/shared-events';
import { audit, clientFor, startEmulator } from './support/harness';
import { UPDATE_EVENT } from './support/cloudtrail-events';
import { FLEET_MESH } from './support/mesh-fleet';
import { paymentsApiV2Spec, PAYMENTS_API_UID, storyMesh } from './support/story-mesh';

let emulator: AppMeshEmulator;
let client: AppMeshClient;
const clock = Date.parse('2026-11-20T15:40:00Z');

beforeEach(async () => {
  emulator = await startEmulator({ seed: storyMesh().seed });
  client = clientFor(emulator);
});

afterEach(async () => {
  client.destroy();
  await emulator.stop();
});

/** alice's change (version 3, PERMISSIVE, as her event carries it), then bob's back to STRICT (version 4). */
function aliceThenBob(): void {
  emulator.touch(FLEET_MESH, 'virtualNode', 'payments-api', { changeSpec: () => sharedEvent(UPDATE_EVENT).detail.requestParameters.spec });
  const bob = emulator.touch(FLEET_MESH, 'virtualNode', 'payments-api', { changeSpec: () => paymentsApiV2Spec() });
  expect(bob.metadata).toMatchObject({ version: 4 });
}

async function coldCollectOfAliceEvent() {
  const source = appMeshSource({ client, now: () => clock });
  const inventory = await source.collect(scopeFromCloudTrail(sharedEvent(UPDATE_EVENT)));
  return { source, inventory, payments: inventory.appmeshApi.find((a) => a.doc.data.virtualNodeName === 'payments-api')?.doc.data };
}

const permissiveFindings = (inventory: Parameters<typeof audit>[0]) =>
  audit(inventory).findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'payments-api');

describe('a cold scoped audit of a late event', () => {
  it("audits what App Mesh holds now, not the event's older copy: no PERMISSIVE finding after bob's STRICT", async () => {
    aliceThenBob();
    const { source, inventory, payments } = await coldCollectOfAliceEvent();
    expect(permissiveFindings(inventory)).toEqual([]);
    expect(payments).toMatchObject({ metadata: { version: 4, uid: PAYMENTS_API_UID }, spec: { listeners: [{ tls: { mode: 'STRICT' } }] } });
    expect(source.lastCollect).toMatchObject({ totalCalls: 1, calls: { DescribeVirtualNode: 1 }, snapshot: 'none', change: 'updated' });
    expect(inventory.partial).toHaveLength(1);
  });

  it("keeps the event's copy when it is newer than what the Describe returns (same uid, higher version)", async () => {
    // App Mesh still answers version 2 (a read lagging alice's write); her event carries version 3.
    const { source, inventory, payments } = await coldCollectOfAliceEvent();
    expect(source.lastCollect).toMatchObject({ calls: { DescribeVirtualNode: 1 } });
    expect(payments).toMatchObject({ metadata: { version: 3, uid: PAYMENTS_API_UID } });
    expect(permissiveFindings(inventory).map((f) => f.detail.mode)).toEqual(['PERMISSIVE']);
  });

  it('audits nothing of a node deleted since the event', async () => {
    // payments-api (and the virtual service it provided) deleted after alice's update.
    await client.send(new DeleteVirtualServiceCommand({ meshName: FLEET_MESH, virtualServiceName: 'payments-api.payments.svc.cluster.local' }));
    await client.send(new DeleteVirtualNodeCommand({ meshName: FLEET_MESH, virtualNodeName: 'payments-api' }));
    emulator.resetCalls();
    const { source, inventory } = await coldCollectOfAliceEvent();
    expect(inventory.appmeshApi).toEqual([]);
    expect(source.lastCollect).toMatchObject({ totalCalls: 1, change: 'absent' });
  });

  it("falls back to the event's copy when App Mesh refuses the Describe (IAM naming some meshes only)", async () => {
    aliceThenBob();
    emulator.failNext('DescribeVirtualNode', 'AccessDeniedException');
    const { source, payments } = await coldCollectOfAliceEvent();
    expect(source.lastCollect).toMatchObject({ calls: { DescribeVirtualNode: 1 } });
    expect(payments).toMatchObject({ metadata: { version: 3 } });
  });

  it('still fails the audit (to be retried) on any other Describe failure', async () => {
    emulator.failNext('DescribeVirtualNode', 'BadRequestException');
    await expect(coldCollectOfAliceEvent()).rejects.toThrow(/DescribeVirtualNode/);
  });
});
