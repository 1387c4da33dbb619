import { createServer } from 'node:http';
import type { EmulatorErrorName } from './appMeshErrors';
import { FaultInjector, type OperationSelector, type ThrottleOptions } from './faultInjector';
import { handleAppMeshRequest, type EmulatorRuntime, type RecordedRequest } from './handleAppMeshRequest';
import { IdempotencyCache } from './idempotencyCache';
import { MeshStore } from './meshStore';
import { OPERATION_NAMES, type OperationName } from './operationNames';
import { toData } from './renderResource';
import { applyUpdate } from './resourceFactory';
import type { ResourceKind } from './resourceKinds';
import type { AppMeshSeed } from './seedTypes';
import { seedStore } from './seedState';
import type { JsonObject, ResourceAddress } from './storedResource';
import { closeServer, listenOnLoopback } from '../../support/loopback-server';

export const DEFAULT_ACCOUNT_ID = '111122223333';
export const DEFAULT_REGION = 'us-west-2';

export interface AppMeshEmulatorOptions {
  /** The caller's account (owner of what it creates); default 111122223333. */
  accountId?: string;
  /** Other callers: access key id → account id, read from the SigV4 credential scope. */
  accountsByAccessKeyId?: Record<string, string>;
  /** Region in ARNs; default us-west-2. */
  region?: string;
  /** Initial state. */
  seed?: AppMeshSeed;
  /** Throttle from the start: a token bucket of `burst` tokens refilled at `rps` per second. */
  throttle?: ThrottleOptions;
  /** Latency added to every call, in milliseconds. */
  latencyMs?: number;
  /** Clock in epoch milliseconds, for metadata timestamps and the token bucket. */
  now?: () => number;
}

/** Which resource `touch` addresses; `meshOwner` defaults to the emulator's account. */
export interface TouchOptions {
  meshOwner?: string;
  /** `virtualRouterName` of a route, `virtualGatewayName` of a gateway route. */
  parentName?: string;
  /** The new spec, computed from the current one; the spec is kept when omitted. */
  changeSpec?: (spec: JsonObject) => JsonObject;
}

/** Read-only views of the current state, in the API's `*Data` shapes. */
export interface AppMeshStateView {
  describe(kind: ResourceKind, meshName: string, name: string, options?: { meshOwner?: string; parentName?: string }): JsonObject | undefined;
  list(kind: ResourceKind, meshName?: string): JsonObject[];
}

export interface AppMeshEmulator {
  /** Endpoint for `new AppMeshClient({ endpoint })`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly accountId: string;
  readonly region: string;
  readonly state: AppMeshStateView;
  stop(): Promise<void>;
  /** Adds or replaces resources from API-shaped objects. */
  seed(seed: AppMeshSeed): void;
  /** Empties the state and forgets calls, requests, idempotency tokens and every fault. */
  reset(): void;
  /** Calls received per operation (every attempt, failed or not). */
  calls(): Record<OperationName, number>;
  resetCalls(): void;
  /** Every request received, in order. */
  requests(): RecordedRequest[];
  /** The next `count` calls of `operation` ('*' for any) fail with this status or error name. */
  failNext(operation: OperationSelector, statusOrError: number | EmulatorErrorName, count?: number, message?: string): void;
  /** Token-bucket throttling; `null` turns it off. */
  setThrottle(options: ThrottleOptions | null): void;
  setLatency(ms: number, operation?: OperationSelector): void;
  /**
   * Changes a resource out of band, as another writer would: version +1, lastUpdatedAt now,
   * and the spec replaced when `changeSpec` is given. Returns the resource's new `*Data`.
   */
  touch(meshName: string, kind: ResourceKind, name: string, options?: TouchOptions): JsonObject;
  /** Runs `touch` right after the next successful call of `operation`: a write racing a read. */
  touchAfterNext(operation: OperationSelector, meshName: string, kind: ResourceKind, name: string, options?: TouchOptions): void;
}

/**
 * Starts an App Mesh API emulator on a free loopback port.
 *
 * @example
 * const emulator = await startAppMeshEmulator({ seed: { virtualNodes: [paymentsApi] } });
 * const client = new AppMeshClient({ endpoint: emulator.url, region: 'us-west-2', credentials });
 * await client.send(new DescribeVirtualNodeCommand({ meshName: 'prod-mesh', virtualNodeName: 'payments-api' }));
 * await emulator.stop();
 */
export async function startAppMeshEmulator(options: AppMeshEmulatorOptions = {}): Promise<AppMeshEmulator> {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const region = options.region ?? DEFAULT_REGION;
  const now = options.now ?? Date.now;
  const store = new MeshStore();
  const idempotency = new IdempotencyCache();
  const faults = new FaultInjector(now);
  let callCounts = zeroCounts();
  let recorded: RecordedRequest[] = [];

  const runtime: EmulatorRuntime = {
    store,
    idempotency,
    faults,
    region,
    accountId,
    accountsByAccessKeyId: { ...options.accountsByAccessKeyId },
    now,
    countCall: (operation) => {
      callCounts[operation] += 1;
    },
    record: (request) => {
      recorded.push(request);
    },
  };
  if (options.seed) seedStore(store, options.seed, { region, accountId, nowMs: now() });
  if (options.throttle) faults.setThrottle(options.throttle);
  if (options.latencyMs) faults.setLatency(options.latencyMs);

  const server = createServer((req, res) => {
    // A client that hangs up mid-request leaves nothing to answer.
    handleAppMeshRequest(runtime, req, res).catch(() => res.destroy());
  });
  const port = await listenOnLoopback(server);

  const addressOf = (meshName: string, kind: ResourceKind, name: string, touchOptions?: TouchOptions): ResourceAddress => ({
    kind,
    meshName,
    meshOwner: touchOptions?.meshOwner ?? accountId,
    parentName: touchOptions?.parentName,
    name: kind === 'mesh' ? meshName : name,
  });

  const touch = (meshName: string, kind: ResourceKind, name: string, touchOptions?: TouchOptions): JsonObject => {
    const resource = store.get(addressOf(meshName, kind, name, touchOptions));
    if (!resource) throw new Error(`touch: no ${kind} ${name} in mesh ${meshName}`);
    const spec = touchOptions?.changeSpec ? touchOptions.changeSpec(structuredClone(resource.spec)) : resource.spec;
    applyUpdate(resource, spec, now());
    return toData(resource);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    accountId,
    region,
    state: {
      describe: (kind, meshName, name, where) => {
        const resource = store.get(addressOf(meshName, kind, name, where));
        return resource ? toData(resource) : undefined;
      },
      list: (kind, meshName) => store.all(kind).filter((r) => meshName === undefined || r.meshName === meshName).map((r) => toData(r)),
    },
    stop: () => closeServer(server),
    seed: (seed) => seedStore(store, seed, { region, accountId, nowMs: now() }),
    reset: () => {
      store.clear();
      idempotency.clear();
      faults.clear();
      callCounts = zeroCounts();
      recorded = [];
    },
    calls: () => ({ ...callCounts }),
    resetCalls: () => {
      callCounts = zeroCounts();
    },
    requests: () => structuredClone(recorded),
    failNext: (operation, statusOrError, count, message) => faults.failNext(operation, statusOrError, count, message),
    setThrottle: (throttle) => faults.setThrottle(throttle),
    setLatency: (ms, operation) => faults.setLatency(ms, operation),
    touch,
    touchAfterNext: (operation, meshName, kind, name, touchOptions) => {
      if (!store.get(addressOf(meshName, kind, name, touchOptions))) {
        throw new Error(`touchAfterNext: no ${kind} ${name} in mesh ${meshName}`);
      }
      faults.afterNext(operation, () => {
        touch(meshName, kind, name, touchOptions);
      });
    },
  };
}

function zeroCounts(): Record<OperationName, number> {
  return Object.fromEntries(OPERATION_NAMES.map((name) => [name, 0])) as Record<OperationName, number>;
}
