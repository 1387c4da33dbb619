import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppMeshError } from './appMeshErrors';
import { callerAccountOf } from './callerIdentity';
import type { FaultInjector } from './faultInjector';
import { readRequestBody } from '../../support/loopback-server';
import { parseJsonBody, sendError, sendJson } from './httpExchange';
import type { IdempotencyCache } from './idempotencyCache';
import { runMeshOperation } from './meshOperations';
import type { MeshStore } from './meshStore';
import type { OperationContext } from './operationContext';
import type { OperationName } from './operationNames';
import { matchOperation } from './operationRoutes';
import { runMeshScopedOperation } from './resourceOperations';
import type { JsonObject } from './storedResource';

/** One request as the emulator saw it, for assertions on what a client sent. */
export interface RecordedRequest {
  /** Undefined when the path matched no App Mesh operation. */
  operation?: OperationName;
  method: string;
  path: string;
  query: Record<string, string>;
  body?: JsonObject;
  /** Account resolved from the SigV4 credential scope. */
  callerAccount?: string;
  status: number;
  /** Error name sent in `x-amzn-ErrorType`, when the call failed. */
  errorType?: string;
}

export interface EmulatorRuntime {
  store: MeshStore;
  idempotency: IdempotencyCache;
  faults: FaultInjector;
  region: string;
  accountId: string;
  accountsByAccessKeyId: Readonly<Record<string, string>>;
  now: () => number;
  countCall(operation: OperationName): void;
  record(request: RecordedRequest): void;
}

/**
 * One App Mesh API call: route it, count it, apply injected latency, throttling and scripted
 * failures, run the operation, and answer in restJson1.
 */
export async function handleAppMeshRequest(runtime: EmulatorRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawBody = (await readRequestBody(req)).toString('utf8');
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://appmesh.emulator');
  const recorded: RecordedRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 200 };
  try {
    const match = matchOperation(method, url.pathname);
    if (!match) throw new AppMeshError('UnknownOperationException', `No App Mesh operation for ${method} ${url.pathname}`);
    recorded.operation = match.operation;
    runtime.countCall(match.operation);
    const callerAccount = callerAccountOf(req.headers, runtime.accountId, runtime.accountsByAccessKeyId);
    recorded.callerAccount = callerAccount;

    const body = parseJsonBody(rawBody);
    recorded.body = body;

    const latency = runtime.faults.latencyFor(match.operation);
    if (latency > 0) await sleep(latency);
    runtime.faults.checkBeforeCall(match.operation);

    const ctx: OperationContext = {
      store: runtime.store,
      idempotency: runtime.idempotency,
      region: runtime.region,
      callerAccount,
      nowMs: runtime.now(),
      query: url.searchParams,
      body,
    };
    const result = match.descriptor ? runMeshScopedOperation(match, ctx) : runMeshOperation(match, ctx);
    // Hooks run before the answer leaves, so the change is in place before the client's next call.
    runtime.faults.runAfterHooks(match.operation);
    sendJson(res, 200, result);
  } catch (caught) {
    const error =
      caught instanceof AppMeshError
        ? caught
        : new AppMeshError('InternalServerErrorException', `Emulator failure: ${caught instanceof Error ? caught.message : String(caught)}`);
    recorded.status = error.statusCode;
    recorded.errorType = error.errorName;
    sendError(res, error);
  } finally {
    runtime.record(recorded);
  }
}
