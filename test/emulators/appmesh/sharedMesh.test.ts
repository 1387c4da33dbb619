import {
  AppMeshClient,
  CreateVirtualNodeCommand,
  DeleteVirtualNodeCommand,
  DescribeVirtualNodeCommand,
  ForbiddenException,
  ListMeshesCommand,
  ListVirtualNodesCommand,
  NotFoundException,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import {
  ACCOUNT_ID,
  MESH_NAME,
  MESH_OWNER_ACCOUNT_ID,
  TEST_CREDENTIALS,
  appMeshClientFor,
  virtualNodeSeed,
  virtualNodeSpec,
} from './appMeshTestFixtures';
import { startAppMeshEmulator, type AppMeshEmulator } from './startAppMeshEmulator';

let emulator: AppMeshEmulator;
let client: AppMeshClient;

afterEach(async () => {
  client?.destroy();
  await emulator?.stop();
});

/**
 * `prod-mesh` of account 444455556666 is shared with 111122223333 (the caller). The owner runs
 * `payments-api` in it; the caller runs `checkout-web`.
 */
async function startWithSharedMesh(): Promise<void> {
  emulator = await startAppMeshEmulator({
    seed: {
      meshes: [{ meshName: MESH_NAME, metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID } }],
      virtualNodes: [
        virtualNodeSeed('payments-api', { metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: MESH_OWNER_ACCOUNT_ID } }),
        virtualNodeSeed('checkout-web', { metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: ACCOUNT_ID } }),
      ],
    },
  });
  client = appMeshClientFor(emulator);
}

describe('shared meshes: meshOwner and resourceOwner', () => {
  it('passes meshOwner through on Describe and List, and finds nothing in the caller account without it', async () => {
    await startWithSharedMesh();

    const { virtualNode } = await client.send(
      new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', meshOwner: MESH_OWNER_ACCOUNT_ID }),
    );
    expect(virtualNode?.metadata).toMatchObject({
      arn: `arn:aws:appmesh:us-west-2:${MESH_OWNER_ACCOUNT_ID}:mesh/${MESH_NAME}/virtualNode/payments-api`,
      meshOwner: MESH_OWNER_ACCOUNT_ID,
      resourceOwner: MESH_OWNER_ACCOUNT_ID,
    });
    const listed = await client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME, meshOwner: MESH_OWNER_ACCOUNT_ID }));
    expect(listed.virtualNodes?.map((r) => [r.virtualNodeName, r.meshOwner, r.resourceOwner])).toEqual([
      ['checkout-web', MESH_OWNER_ACCOUNT_ID, ACCOUNT_ID],
      ['payments-api', MESH_OWNER_ACCOUNT_ID, MESH_OWNER_ACCOUNT_ID],
    ]);
    expect(emulator.requests().map((r) => r.query.meshOwner)).toEqual([MESH_OWNER_ACCOUNT_ID, MESH_OWNER_ACCOUNT_ID]);

    await expect(
      client.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    const meshes = await client.send(new ListMeshesCommand({}));
    expect(meshes.meshes?.map((m) => [m.meshName, m.meshOwner])).toEqual([[MESH_NAME, MESH_OWNER_ACCOUNT_ID]]);
  });

  it('answers ForbiddenException to an update or delete of a resource another account owns', async () => {
    await startWithSharedMesh();

    const update = await client
      .send(
        new UpdateVirtualNodeCommand({
          meshName: MESH_NAME,
          virtualNodeName: 'payments-api',
          meshOwner: MESH_OWNER_ACCOUNT_ID,
          spec: virtualNodeSpec('payments-api', 'STRICT'),
        }),
      )
      .catch((e: unknown) => e);
    expect(update).toBeInstanceOf(ForbiddenException);
    expect(update).toMatchObject({ $metadata: { httpStatusCode: 403 }, message: expect.stringContaining(MESH_OWNER_ACCOUNT_ID) });
    await expect(
      client.send(new DeleteVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', meshOwner: MESH_OWNER_ACCOUNT_ID })),
    ).rejects.toBeInstanceOf(ForbiddenException);
    expect(emulator.state.describe('virtualNode', MESH_NAME, 'payments-api', { meshOwner: MESH_OWNER_ACCOUNT_ID })).toMatchObject({
      metadata: { version: 1 },
      spec: { listeners: [{ tls: { mode: 'PERMISSIVE' } }] },
    });

    // Its own resource in the same shared mesh, the caller may change.
    const own = await client.send(
      new UpdateVirtualNodeCommand({
        meshName: MESH_NAME,
        virtualNodeName: 'checkout-web',
        meshOwner: MESH_OWNER_ACCOUNT_ID,
        spec: virtualNodeSpec('checkout-web', 'STRICT'),
      }),
    );
    expect(own.virtualNode?.metadata?.version).toBe(2);
  });

  it('makes the caller the resourceOwner of what it creates in a shared mesh', async () => {
    await startWithSharedMesh();

    const { virtualNode } = await client.send(
      new CreateVirtualNodeCommand({
        meshName: MESH_NAME,
        meshOwner: MESH_OWNER_ACCOUNT_ID,
        virtualNodeName: 'fraud-scorer',
        spec: virtualNodeSpec('fraud-scorer'),
      }),
    );

    expect(virtualNode?.metadata).toMatchObject({ meshOwner: MESH_OWNER_ACCOUNT_ID, resourceOwner: ACCOUNT_ID });
  });

  it('tells callers apart by the access key in the SigV4 credential scope', async () => {
    emulator = await startAppMeshEmulator({
      accountsByAccessKeyId: { AKIAI44QH8DHBEXAMPLE: MESH_OWNER_ACCOUNT_ID },
      seed: {
        meshes: [{ meshName: MESH_NAME, metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID } }],
        virtualNodes: [virtualNodeSeed('payments-api', { metadata: { meshOwner: MESH_OWNER_ACCOUNT_ID } })],
      },
    });
    client = appMeshClientFor(emulator, {
      credentials: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
    });
    const participant = appMeshClientFor(emulator, { credentials: TEST_CREDENTIALS });

    try {
      // The owner's own account needs no meshOwner.
      const owned = await client.send(
        new UpdateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', spec: virtualNodeSpec('payments-api', 'STRICT') }),
      );
      expect(owned.virtualNode?.metadata?.version).toBe(2);
      await expect(
        participant.send(
          new UpdateVirtualNodeCommand({
            meshName: MESH_NAME,
            virtualNodeName: 'payments-api',
            meshOwner: MESH_OWNER_ACCOUNT_ID,
            spec: virtualNodeSpec('payments-api'),
          }),
        ),
      ).rejects.toBeInstanceOf(ForbiddenException);
      expect(emulator.requests().map((r) => r.callerAccount)).toEqual([MESH_OWNER_ACCOUNT_ID, ACCOUNT_ID]);
    } finally {
      participant.destroy();
    }
  });
});
