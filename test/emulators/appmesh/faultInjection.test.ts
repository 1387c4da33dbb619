import {
  AppMeshClient,
  DescribeVirtualNodeCommand,
  InternalServerErrorException,
  ListVirtualNodesCommand,
  ServiceUnavailableException,
  TooManyRequestsException,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { MESH_NAME, appMeshClientFor, virtualNodeSeed, virtualNodeSpec } from './appMeshTestFixtures';
import { startAppMeshEmulator, type AppMeshEmulator } from './startAppMeshEmulator';

let emulator: AppMeshEmulator;
let client: AppMeshClient;

afterEach(async () => {
  client?.destroy();
  await emulator?.stop();
});

const describePaymentsApi = () => client.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' }));

describe('injected faults, as the real SDK sees them', () => {
  it('throttles a burst of 20 calls above 40 rps / burst 5 with TooManyRequestsException when the client does not retry', async () => {
    // A hand-driven clock makes the bucket exact: no token comes back until the test moves time.
    let nowMs = Date.parse('2026-11-20T15:00:49Z');
    emulator = await startAppMeshEmulator({
      seed: { virtualNodes: [virtualNodeSeed('payments-api')] },
      throttle: { rps: 40, burst: 5 },
      now: () => nowMs,
    });
    client = appMeshClientFor(emulator, { maxAttempts: 1 });

    const results = await Promise.allSettled(Array.from({ length: 20 }, describePaymentsApi));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejected).toHaveLength(15);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect(error).toMatchObject({ $fault: 'client', $metadata: { httpStatusCode: 429, attempts: 1 } });
    }
    expect(emulator.calls().DescribeVirtualNode).toBe(20);

    nowMs += 100; // 4 tokens at 40 per second
    const later = await Promise.allSettled(Array.from({ length: 6 }, describePaymentsApi));
    expect(later.map((r) => r.status).filter((s) => s === 'fulfilled')).toHaveLength(4);
  });

  it('lets the SDK adaptive retry mode get all 20 calls through the same throttle', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] }, throttle: { rps: 40, burst: 5 } });
    client = appMeshClientFor(emulator, { retryMode: 'adaptive', maxAttempts: 10 });

    const results = await Promise.all(Array.from({ length: 20 }, describePaymentsApi));

    expect(results.every((r) => r.virtualNode?.virtualNodeName === 'payments-api')).toBe(true);
    const retried = results.filter((r) => r.$metadata.attempts! > 1);
    expect(retried.length).toBeGreaterThan(0);
    const throttled = emulator.requests().filter((r) => r.errorType === 'TooManyRequestsException').length;
    expect(emulator.calls().DescribeVirtualNode).toBe(20 + throttled);
  });

  it('fails the next call with 503 ServiceUnavailableException, which standard retry gets past', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator, { retryMode: 'standard', maxAttempts: 3 });
    emulator.failNext('DescribeVirtualNode', 503);

    const result = await describePaymentsApi();

    expect(result.virtualNode?.virtualNodeName).toBe('payments-api');
    expect(result.$metadata.attempts).toBe(2);
    expect(emulator.requests().map((r) => [r.operation, r.status, r.errorType])).toEqual([
      ['DescribeVirtualNode', 503, 'ServiceUnavailableException'],
      ['DescribeVirtualNode', 200, undefined],
    ]);

    // Without retries the caller sees the server fault itself.
    const noRetry = appMeshClientFor(emulator, { maxAttempts: 1 });
    emulator.failNext('DescribeVirtualNode', 503);
    try {
      await expect(
        noRetry.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' })),
      ).rejects.toMatchObject({ name: 'ServiceUnavailableException', $fault: 'server', $metadata: { httpStatusCode: 503 } });
      emulator.failNext('DescribeVirtualNode', 503);
      await expect(
        noRetry.send(new DescribeVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api' })),
      ).rejects.toBeInstanceOf(ServiceUnavailableException);
    } finally {
      noRetry.destroy();
    }
  });

  it('retries a write after a 503 with the same clientToken, so it is applied once', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator, { maxAttempts: 3 });
    emulator.failNext('UpdateVirtualNode', 'ServiceUnavailableException');

    const result = await client.send(
      new UpdateVirtualNodeCommand({ meshName: MESH_NAME, virtualNodeName: 'payments-api', spec: virtualNodeSpec('payments-api', 'STRICT') }),
    );

    expect(result.virtualNode?.metadata?.version).toBe(2);
    const tokens = emulator.requests().map((r) => r.body?.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toEqual(expect.any(String));
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('gives up after maxAttempts when the failures outlast them', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator, { maxAttempts: 2 });
    emulator.failNext('*', 500, 3, 'Internal failure while reading the mesh');

    const error = await describePaymentsApi().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InternalServerErrorException);
    expect(error).toMatchObject({ $fault: 'server', message: 'Internal failure while reading the mesh', $metadata: { attempts: 2 } });
    // The third scripted failure is still queued, for any operation: one retry gets past it.
    await expect(client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME }))).resolves.toMatchObject({ $metadata: { attempts: 2 } });
    expect(emulator.requests().map((r) => r.status)).toEqual([500, 500, 500, 200]);
    // A failure scripted for one operation leaves the others alone.
    emulator.failNext('ListVirtualNodes', 503, 1);
    await expect(describePaymentsApi()).resolves.toMatchObject({ $metadata: { attempts: 1 } });
  });

  it('adds latency to calls', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator);
    emulator.setLatency(300, 'DescribeVirtualNode');

    const started = Date.now();
    await describePaymentsApi();
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);

    const listStarted = Date.now();
    await client.send(new ListVirtualNodesCommand({ meshName: MESH_NAME }));
    expect(Date.now() - listStarted).toBeLessThan(250);
  });

  it('changes a resource out of band between a read and a write (touch, touchAfterNext)', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator);

    const touched = emulator.touch(MESH_NAME, 'virtualNode', 'payments-api');
    expect(touched).toMatchObject({ metadata: { version: 2 } });

    emulator.touchAfterNext('DescribeVirtualNode', MESH_NAME, 'virtualNode', 'payments-api', {
      changeSpec: (spec) => ({ ...spec, logging: { accessLog: { file: { path: '/var/log/envoy/access.log' } } } }),
    });
    const read = await describePaymentsApi();
    expect(read.virtualNode?.metadata?.version).toBe(2); // what the reader saw
    const reread = await describePaymentsApi();
    expect(reread.virtualNode?.metadata?.version).toBe(3); // what is there when it comes to write
    expect(reread.virtualNode?.spec?.logging?.accessLog?.file?.path).toBe('/var/log/envoy/access.log');

    expect(() => emulator.touch(MESH_NAME, 'virtualNode', 'orders-api')).toThrow('no virtualNode orders-api');
  });

  it('resets state, calls and faults', async () => {
    emulator = await startAppMeshEmulator({ seed: { virtualNodes: [virtualNodeSeed('payments-api')] } });
    client = appMeshClientFor(emulator);
    await describePaymentsApi();
    emulator.failNext('DescribeVirtualNode', 503, 5);
    expect(emulator.calls().DescribeVirtualNode).toBe(1);

    emulator.reset();

    expect(emulator.calls().DescribeVirtualNode).toBe(0);
    expect(emulator.requests()).toEqual([]);
    expect(emulator.state.list('virtualNode')).toEqual([]);
    emulator.seed({ virtualNodes: [virtualNodeSeed('payments-api')] });
    await expect(describePaymentsApi()).resolves.toMatchObject({ $metadata: { attempts: 1 } });
    emulator.resetCalls();
    expect(emulator.calls().DescribeVirtualNode).toBe(0);
  });
});
