import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { Policy } from '../../../functions/core/policy/types';
import { EventError } from '../../../functions/aws/events/event-error';
import { createLatencyAlarmHandler, FreshQueryError, type LatencyAlarmDeps } from '../../../functions/aws/latency-alarm';
import { cloudWatchSloSource } from '../../../functions/providers/metrics/cloudwatch/source';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../../emulators/cloudwatch';
import { sharedEvent } from '../../support/shared-events';
import { paymentsPolicy } from '../slack/support/storyline';

/**
 * The latency alarm Lambda handler as EventBridge invokes it (asynchronously): what it logs and
 * throws, so that Lambda's async retry and the SLO dead-letter queue take a failed event. The
 * fresh burn query goes through the real CloudWatch SDK to the GetMetricData stand-in.
 */

const NAMESPACE = 'ContainerInsights/Prometheus';
let cw: CloudWatchEmulator;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  cw = await startCloudWatchEmulator();
});

afterAll(async () => {
  await cw.stop();
});

beforeEach(() => {
  savedEnv = { ...process.env };
  // The logger writes to the global console in dev mode (read when the handler is created).
  Object.assign(process.env, { POWERTOOLS_DEV: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' });
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
