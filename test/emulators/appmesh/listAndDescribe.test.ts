import {
  AppMeshClient,
  BadRequestException,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
  ListRoutesCommand,
  ListVirtualNodesCommand,
  NotFoundException,
  paginateListVirtualNodes,
  type VirtualNodeRef,
} from '@aws-sdk/client-app-mesh';
import { ACCOUNT_ID, MESH_NAME, appMeshClientFor, virtualNodeSeed, virtualNodeSpec } from './appMeshTestFixtures';
import { startAppMeshEmulator, type AppMeshEmulator } from './startAppMeshEmulator';

let emulator: AppMeshEmulator;
let client: AppMeshClient;

afterEach(async () => {
  client?.destroy();
  await emulator?.stop();
});

describe('listing and describing through @aws-sdk/client-app-mesh', () => {
  it('pages 250 virtual nodes with paginateListVirtualNodes in 3 calls of limit 100', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `orders-worker-${String(i).padStart(3, '0')}`);
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: names.map((n) => virtualNodeSeed(n)) } });
    client = appMeshClientFor(emulator);

    const pageSizes: number[] = [];
    const seen: VirtualNodeRef[] = [];
    for await (const page of paginateListVirtualNodes({ client, pageSize: 100 }, { meshName: MESH_NAME })) {
      pageSizes.push(page.virtualNodes?.length ?? 0);
      seen.push(...(page.virtualNodes ?? []));
    }

    expect(pageSizes).toEqual([100, 100, 50]);
    expect(seen.map((r) => r.virtualNodeName)).toEqual(names);
    expect(emulator.calls().ListVirtualNodes).toBe(3);
    expect(emulator.requests().map((r) => r.query.limit)).toEqual(['100', '100', '100']);
    expect(seen[0]).toEqual({
      meshName: MESH_NAME,
      virtualNodeName: 'orders-worker-000',
      meshOwner: ACCOUNT_ID,
      resourceOwner: ACCOUNT_ID,
      arn: `arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${MESH_NAME}/virtualNode/orders-worker-000`,
      version: 1,
      createdAt: expect.any(Date),
      lastUpdatedAt: expect.any(Date),
    });
  });

  it('returns at most 100 items and a nextToken when no limit is given', async () => {
    emulator = await startAppMeshEmulator({
      seed: { virtualNodes: Array.from({ length: 101 }, (_, i) => virtualNodeSeed(`ledger-${String(i).padStart(3, '0')}`)) },
    });
    client = appMeshClientFor(emulator);
    const first = await client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME }));
    expect(first.virtualNodes).toHaveLength(100);
    expect(first.nextToken).toEqual(expect.any(String));
    const last = await client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME, nextToken: first.nextToken }));
    expect(last.virtualNodes?.map((r) => r.virtualNodeName)).toEqual(['ledger-100']);
    expect(last.nextToken).toBeUndefined();
  });

  it('describes a virtual node with the metadata and spec App Mesh returns', async () => {
    emulator = await startAppMeshEmulator({
      seed: {
        virtualNodes: [
          virtualNodeSeed('payments-api', {
            metadata: {
              uid: '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15',
              version: 3,
              createdAt: new Date('2026-06-03T09:14:27Z'),
              lastUpdatedAt: new Date('2026-11-20T15:00:49Z'),
            },
          }),
        ],
      },
    });
    client = appMeshClientFor(emulator);

    const { virtualNode } = await client.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' }));

    expect(virtualNode).toEqual({
      meshName: MESH_NAME,
      virtualNodeName: 'payments-api',
      spec: virtualNodeSpec('payments-api'),
      metadata: {
        arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api',
        version: 3,
        uid: '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15',
        createdAt: new Date('2026-06-03T09:14:27Z'),
        lastUpdatedAt: new Date('2026-11-20T15:00:49Z'),
        meshOwner: ACCOUNT_ID,
        resourceOwner: ACCOUNT_ID,
      },
      status: { status: 'ACTIVE' },
    });
  });

  it('sends timestamps as epoch seconds (JSON numbers) and the payload unwrapped, as restJson1 does', async () => {
    emulator = await startAppMeshEmulator({
      seed: { virtualNodes: [virtualNodeSeed('payments-api', { metadata: { createdAt: 1780478067.25, lastUpdatedAt: 1795186849.5 } })] },
    });
    const response = await fetch(`${emulator.url}/v20190125/meshes/prod-mesh/virtualNodes/payments-api`, {
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261120/us-west-2/appmesh/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
      },
    });
    const body = (await response.json()) as { virtualNodeName: string; metadata: Record<string, unknown> };

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(body.virtualNodeName).toBe('payments-api');
    expect(body.metadata.createdAt).toBe(1780478067.25);
    expect(body.metadata.lastUpdatedAt).toBe(1795186849.5);
  });

  it('lists routes under their virtual router and describes one', async () => {
    emulator = await startAppMeshEmulator({
      seed: {
        virtualNodes: [virtualNodeSeed('payments-api-v1'), virtualNodeSeed('payments-api-v2')],
        virtualRouters: [
          { meshName: MESH_NAME, virtualRouterName: 'payments-router', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
        ],
        routes: [
          {
            meshName: MESH_NAME,
            virtualRouterName: 'payments-router',
            routeName: 'canary',
            spec: {
              httpRoute: {
                match: { prefix: '/' },
                action: {
                  weightedTargets: [
                    { virtualNode: 'payments-api-v1', weight: 90 },
                    { virtualNode: 'payments-api-v2', weight: 10 },
                  ],
                },
              },
            },
          },
        ],
      },
    });
    client = appMeshClientFor(emulator);

    const listed = await client.send(new ListRoutesCommand({ meshName: MESH_NAME, virtualRouterName: 'payments-router' }));
    expect(listed.routes?.map((r) => [r.virtualRouterName, r.routeName, r.arn])).toEqual([
      ['payments-router', 'canary', `arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${MESH_NAME}/virtualRouter/payments-router/route/canary`],
    ]);
    const { route } = await client.send(
      new DescribeRouteCommand({ meshName: MESH_NAME, virtualRouterName: 'payments-router', routeName: 'canary' }),
    );
    expect(route?.spec?.httpRoute?.action?.weightedTargets).toEqual([
      { virtualNode: 'payments-api-v1', weight: 90 },
      { virtualNode: 'payments-api-v2', weight: 10 },
    ]);
    await expect(
      client.send(new ListRoutesCommand({ meshName: MESH_NAME, virtualRouterName: 'orders-router' })),
    ).rejects.toThrow('VirtualRouter with name orders-router is not present under mesh prod-mesh');
  });

  it('lists and describes meshes, with the DROP_ALL egress filter by default', async () => {
    emulator = await startAppMeshEmulator({
      seed: { meshes: [{ meshName: MESH_NAME }, { meshName: 'staging-mesh', spec: { egressFilter: { type: 'ALLOW_ALL' } } }] },
    });
    client = appMeshClientFor(emulator);

    const listed = await client.send(new ListMeshesCommand({}));
    expect(listed.meshes?.map((m) => m.meshName)).toEqual([MESH_NAME, 'staging-mesh']);
    const { mesh } = await client.send(new DescribeMeshCommand({ meshName: MESH_NAME }));
    expect(mesh?.spec).toEqual({ egressFilter: { type: 'DROP_ALL' } });
    expect(mesh?.metadata?.arn).toBe(`arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${MESH_NAME}`);
  });

  it('surfaces an unknown virtual node as the SDK NotFoundException with the service wording', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator);

    const error = await client
      .send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api-v9' }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NotFoundException);
    expect(error).toMatchObject({
      name: 'NotFoundException',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
      message: 'VirtualNode with name payments-api-v9 is not present under mesh prod-mesh for account 111122223333',
    });
    await expect(client.send(new DescribeMeshCommand({ meshName: 'dev-mesh' }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('answers a limit outside 1–100 and a forged nextToken with BadRequestException', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator);

    await expect(client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME, limit: 101 }))).rejects.toBeInstanceOf(BadRequestException);
    await expect(client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME, limit: 0 }))).rejects.toBeInstanceOf(BadRequestException);
    await expect(
      client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME, nextToken: 'eyJzIjoib3RoZXIiLCJrIjoiYSJ9' })),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it('requires a SigV4 Authorization header, like the AWS front door', async () => {
    emulator = await startAppMeshEmulator();
    const response = await fetch(`${emulator.url}/v20190125/meshes`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });
});
