import {
  AppMeshClient,
  ConflictException,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateGatewayRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteVirtualNodeCommand,
  DescribeVirtualNodeCommand,
  NotFoundException,
  ResourceInUseException,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  type VirtualGatewaySpec,
} from '@aws-sdk/client-app-mesh';
import { ACCOUNT_ID, CERTIFICATE_ARN, MESH_NAME, appMeshClientFor, virtualNodeSeed, virtualNodeSpec } from './appMeshTestFixtures';
import { startAppMeshEmulator, type AppMeshEmulator } from './startAppMeshEmulator';

let emulator: AppMeshEmulator;
let client: AppMeshClient;

afterEach(async () => {
  client?.destroy();
  await emulator?.stop();
});

async function start(): Promise<void> {
  emulator = await startAppMeshEmulator({ seed: { meshes: [{ meshName: MESH_NAME }], virtualNodes: [virtualNodeSeed('payments-api')] } });
  client = appMeshClientFor(emulator);
}

const describePaymentsApi = () =>
  client.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' })).then((o) => o.virtualNode!);

describe('writes through @aws-sdk/client-app-mesh', () => {
  it('creates a virtual node at version 1, owned by the caller, and refuses a second one with the same name', async () => {
    await start();
    const spec = virtualNodeSpec('ledger');
    const { virtualNode } = await client.send(new CreateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'ledger', spec }));

    expect(virtualNode).toMatchObject({
      meshName: MESH_NAME,
      virtualNodeName: 'ledger',
      spec,
      metadata: {
        arn: `arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${MESH_NAME}/virtualNode/ledger`,
        version: 1,
        uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        meshOwner: ACCOUNT_ID,
        resourceOwner: ACCOUNT_ID,
      },
      status: { status: 'ACTIVE' },
    });
    expect(virtualNode?.metadata?.createdAt).toEqual(virtualNode?.metadata?.lastUpdatedAt);

    await expect(
      client.send(new CreateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'ledger', spec })),
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(
      client.send(new CreateVirtualNodeCommand({ meshName: 'dev-mesh', virtualNodeName: 'ledger', spec })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('replaces the whole spec on update and bumps the version by one', async () => {
    await start();
    const before = await describePaymentsApi();
    const strictWithoutBackends = { ...virtualNodeSpec('payments-api', 'STRICT'), backends: undefined, logging: undefined };

    const { virtualNode: after } = await client.send(
      new UpdateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', spec: strictWithoutBackends }),
    );

    expect(after?.metadata?.version).toBe(before.metadata!.version! + 1);
    expect(after?.metadata?.uid).toBe(before.metadata?.uid);
    expect(after?.metadata?.createdAt).toEqual(before.metadata?.createdAt);
    expect(after!.metadata!.lastUpdatedAt!.getTime()).toBeGreaterThanOrEqual(before.metadata!.lastUpdatedAt!.getTime());
    // Not a merge: members left out of the new spec are gone.
    expect(after?.spec?.backends).toBeUndefined();
    expect(after?.spec?.logging).toBeUndefined();
    expect(after?.spec?.listeners?.[0]?.tls?.mode).toBe('STRICT');
    expect((await describePaymentsApi()).spec).toEqual(after?.spec);
  });

  it('replays an update with the same clientToken and body without a second version, and refuses a different body', async () => {
    await start();
    const clientToken = '0b6f2a71-3c94-4e58-8d1a-5e7c9f2b4a60';
    const update = (mode: 'STRICT' | 'PERMISSIVE') =>
      client.send(
        new UpdateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', clientToken, spec: virtualNodeSpec('payments-api', mode) }),
      );

    const first = await update('STRICT');
    const again = await update('STRICT');
    expect(first.virtualNode?.metadata?.version).toBe(2);
    expect(again.virtualNode).toEqual(first.virtualNode);
    expect((await describePaymentsApi()).metadata?.version).toBe(2);

    const conflict = await update('PERMISSIVE').catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({ $metadata: { httpStatusCode: 409 }, message: expect.stringContaining('client token') });
    expect(emulator.requests().map((r) => r.body?.clientToken)).toEqual([clientToken, clientToken, undefined, clientToken]);

    // Without a token of its own, the SDK sends a fresh one per call: each is a real update.
    await client.send(new UpdateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', spec: virtualNodeSpec('payments-api') }));
    await client.send(new UpdateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', spec: virtualNodeSpec('payments-api') }));
    expect((await describePaymentsApi()).metadata?.version).toBe(4);
  });

  it('replays a create with the same clientToken instead of answering ConflictException', async () => {
    await start();
    const command = new CreateVirtualNodeCommand({
      meshName: MESH_NAME,
      virtualNodeName: 'ledger',
      clientToken: 'f3c1a9e2-7d4b-4c8e-b1f0-6a2d9e7c5b31',
      spec: virtualNodeSpec('ledger'),
    });
    const first = await client.send(command);
    const replay = await client.send(command);
    expect(replay.virtualNode?.metadata).toEqual(first.virtualNode?.metadata);
  });

  it('deletes a virtual node (status DELETED), unless a virtual service still uses it as provider', async () => {
    await start();
    await client.send(
      new CreateVirtualServiceCommand({
        meshName: MESH_NAME,
        virtualServiceName: 'payments.payments.svc.cluster.local',
        spec: { provider: { virtualNode: { virtualNodeName: 'payments-api' } } },
      }),
    );
    await expect(
      client.send(new DeleteVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' })),
    ).rejects.toBeInstanceOf(ResourceInUseException);

    await client.send(new CreateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'ledger', spec: virtualNodeSpec('ledger') }));
    const { virtualNode } = await client.send(new DeleteVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'ledger' }));
    expect(virtualNode?.status?.status).toBe('DELETED');
    expect(emulator.state.describe('virtualNode', MESH_NAME, 'ledger')).toBeUndefined();
    await expect(
      client.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'ledger' })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('refuses to delete a virtual node that a route still sends traffic to', async () => {
    emulator = await startAppMeshEmulator({
      seed: {
        virtualNodes: [virtualNodeSeed('payments-api')],
        virtualRouters: [
          { meshName: MESH_NAME, virtualRouterName: 'payments-router', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } },
        ],
        routes: [
          {
            meshName: MESH_NAME,
            virtualRouterName: 'payments-router',
            routeName: 'default',
            spec: { http2Route: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'payments-api', weight: 100 }] } } },
          },
        ],
      },
    });
    client = appMeshClientFor(emulator);

    const error = await client.send(new DeleteVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResourceInUseException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 409 }, message: expect.stringContaining('Route default') });
    expect(emulator.state.describe('virtualNode', MESH_NAME, 'payments-api')).toBeDefined();
  });

  it('creates and updates the other kinds: mesh, router and route, gateway and gateway route', async () => {
    emulator = await startAppMeshEmulator();
    client = appMeshClientFor(emulator);
    const { mesh } = await client.send(new CreateMeshCommand({ meshName: MESH_NAME }));
    expect(mesh).toMatchObject({ meshName: MESH_NAME, spec: { egressFilter: { type: 'DROP_ALL' } }, metadata: { version: 1 } });

    await client.send(
      new CreateVirtualRouterCommand({
        meshName: MESH_NAME,
        virtualRouterName: 'payments-router',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      }),
    );
    const routeSpec = { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'payments-api', weight: 1 }] } } };
    const created = await client.send(
      new CreateRouteCommand({ meshName: MESH_NAME, virtualRouterName: 'payments-router', routeName: 'default', spec: routeSpec }),
    );
    expect(created.route?.metadata?.arn).toBe(
      `arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${MESH_NAME}/virtualRouter/payments-router/route/default`,
    );
    const updated = await client.send(
      new UpdateRouteCommand({
        meshName: MESH_NAME,
        virtualRouterName: 'payments-router',
        routeName: 'default',
        spec: { ...routeSpec, priority: 10 },
      }),
    );
    expect(updated.route).toMatchObject({ virtualRouterName: 'payments-router', spec: { priority: 10 }, metadata: { version: 2 } });
    await expect(
      client.send(new CreateRouteCommand({ meshName: MESH_NAME, virtualRouterName: 'orders-router', routeName: 'default', spec: routeSpec })),
    ).rejects.toBeInstanceOf(NotFoundException);

    const gatewaySpec: VirtualGatewaySpec = {
      listeners: [
        {
          portMapping: { port: 443, protocol: 'http' },
          tls: { mode: 'STRICT', certificate: { acm: { certificateArn: CERTIFICATE_ARN } } },
        },
      ],
    };
    await client.send(new CreateVirtualGatewayCommand({ meshName: MESH_NAME, virtualGatewayName: 'ingress-gw', spec: gatewaySpec }));
    const permissive = structuredClone(gatewaySpec);
    permissive.listeners![0]!.tls!.mode = 'PERMISSIVE';
    const gateway = await client.send(new UpdateVirtualGatewayCommand({ meshName: MESH_NAME, virtualGatewayName: 'ingress-gw', spec: permissive }));
    expect(gateway.virtualGateway?.spec?.listeners?.[0]?.tls?.mode).toBe('PERMISSIVE');
    expect(gateway.virtualGateway?.metadata?.version).toBe(2);

    const gatewayRoute = await client.send(
      new CreateGatewayRouteCommand({
        meshName: MESH_NAME,
        virtualGatewayName: 'ingress-gw',
        gatewayRouteName: 'payments',
        spec: {
          httpRoute: {
            match: { prefix: '/payments' },
            action: { target: { virtualService: { virtualServiceName: 'payments.payments.svc.cluster.local' } } },
          },
        },
      }),
    );
    expect(gatewayRoute.gatewayRoute?.metadata?.arn).toBe(
      `arn:aws:appmesh:us-west-2:${ACCOUNT_ID}:mesh/${MESH_NAME}/virtualGateway/ingress-gw/gatewayRoute/payments`,
    );
    expect(emulator.calls()).toMatchObject({
      CreateMesh: 1,
      CreateVirtualRouter: 1,
      CreateRoute: 2,
      UpdateRoute: 1,
      CreateVirtualGateway: 1,
      UpdateVirtualGateway: 1,
      CreateGatewayRoute: 1,
    });
  });
});
