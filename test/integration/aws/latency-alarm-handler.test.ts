import type { Context } from 'aws-lambda';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { Policy } from '../../../functions/core/policy/types';
import { EventError } from '../../../functions/aws/events/event-error';
import { createLatencyAlarmHandler, FreshQueryError, summariseAlarm, type LatencyAlarmDeps, type LatencyAlarmOutcome } from '../../../functions/aws/latency-alarm';
import { cloudWatchSloSource } from '../../../functions/providers/metrics/cloudwatch/source';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../../emulators/cloudwatch';
import { createIdempotencyTable, dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { sharedEvent } from '../../support/shared-events';
import { paymentsPolicy } from '../slack/support/storyline';

/**
 * The latency alarm Lambda handler as EventBridge invokes it (asynchronously): what it logs and
 * throws, so that Lambda's async retry and the SLO dead-letter queue take a failed event. The
 * fresh burn query goes through the real CloudWatch SDK to the GetMetricData stand-in.
 */

const NAMESPACE = 'ContainerInsights/Prometheus';
const IDEMPOTENCY = 'meshgov-idempotency';
let cw: CloudWatchEmulator;
let dynalite: DynaliteServer;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  cw = await startCloudWatchEmulator();
  dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await createIdempotencyTable(client, IDEMPOTENCY);
  client.destroy();
});

afterAll(async () => {
  await cw.stop();
  await dynalite.stop();
});

beforeEach(() => {
  savedEnv = { ...process.env };
  // The logger writes to the global console in dev mode (read when the handler is created).
  Object.assign(process.env, { AWS_REGION: 'us-west-2', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' });
});

afterEach(() => {
  process.env = savedEnv;
});

function sloPolicy(): Policy {
  return paymentsPolicy((p) => {
    p.slos = [{ name: 'payments-api-latency', service: 'payments-api', mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 250, source: { cloudwatch: { namespace: NAMESPACE, region: 'us-west-2' } } }];
  });
}

function deps(): LatencyAlarmDeps {
  const clock = () => new Date('2026-11-20T15:12:02Z');
  return {
    ledger: new MemoryLedger(clock),
    policy: sloPolicy(),
    executors: [],
    clock,
    dryRun: true,
    newId: (prefix) => `${prefix}-0001`,
    log: () => undefined,
    cloudwatch: cloudWatchSloSource({ client: cloudWatchClientFor(cw) }),
  };
}

/** The error lines the handler's logger wrote while `run` ran, parsed. */
async function errorLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.filter((l) => l.trimStart().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the latency alarm handler', () => {
  it('logs a malformed alarm event with the field at fault and its event id, then throws it for the dead-letter queue', async () => {
    const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
    event.detail.state.value = 'PENDING';
    const handler = createLatencyAlarmHandler(async () => deps());
    const lines = await errorLines(() => expect(handler(event)).rejects.toThrow(EventError));
    expect(lines).toEqual([expect.objectContaining({ field: 'detail.state.value', correlation_id: event.id, eventId: event.id })]);
  });

  it('a failed fresh query is a transient failure, not a malformed event: logged with the event id, thrown for a retry', async () => {
    const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
    cw.failNext('InternalServiceError', 20);
    const handler = createLatencyAlarmHandler(async () => deps());
    let thrown: unknown;
    const lines = await errorLines(async () => {
      thrown = await handler(event).catch((err: unknown) => err);
    });
    expect(thrown).toBeInstanceOf(FreshQueryError);
    expect(thrown).not.toBeInstanceOf(EventError);
    expect(lines).toEqual([expect.objectContaining({ correlation_id: event.id, message: expect.stringContaining('SLO alarm run failed') })]);
  });
});

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'meshgov-latency-alarm',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:meshgov-latency-alarm',
    memoryLimitInMB: '1024',
    awsRequestId: '3f6b1a2c-5d4e-4f7a-9b8c-1d2e3f4a5b6c',
    logGroupName: '/aws/lambda/meshgov-latency-alarm',
    logStreamName: '2026/11/20/[$LATEST]9a8b7c6d',
    getRemainingTimeInMillis: () => 110_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('the latency alarm handler: a redelivered event', () => {
  const options = () => ({ idempotencyTable: IDEMPOTENCY, dynamoDbEndpoint: dynalite.endpoint });

  it('runs once per EventBridge id: a redelivery (same id, another container) gets the first summary without a second run', async () => {
    const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
    event.id = 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a01';
    let runs = 0;
    const counting = async (): Promise<LatencyAlarmDeps> => {
      const d = deps();
      return { ...d, cloudwatch: { read: (slos, at) => (runs++, d.cloudwatch.read(slos, at)) } };
    };
    const first = await createLatencyAlarmHandler(counting, options())(event, lambdaContext());
    const again = await createLatencyAlarmHandler(counting, options())(structuredClone(event), lambdaContext());
    expect(runs).toBe(1);
    expect(['confirmed', 'not-confirmed']).toContain(first.status);
    expect(again).toEqual(summariseAlarm(first as LatencyAlarmOutcome));
    // Another event id runs.
    await createLatencyAlarmHandler(counting, options())({ ...structuredClone(event), id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a02' }, lambdaContext());
    expect(runs).toBe(2);
  });

  it('a failed run leaves no record: the asynchronous retry of the same event runs again', async () => {
    const event = sharedEvent('aws/cloudwatch-alarm-state-change-latency.json');
    event.id = 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a03';
    cw.failNext('InternalServiceError', 20);
    const handler = createLatencyAlarmHandler(async () => deps(), options());
    await errorLines(() => expect(handler(event, lambdaContext())).rejects.toThrow(FreshQueryError));
    cw.reset();
    await expect(handler(event, lambdaContext())).resolves.toMatchObject({ sloName: 'payments-api-latency' });
  });
});
