import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createAgentFindingsHandler } from '../../../functions/aws/agent-findings';
import { createLatencyAlarmHandler, type LatencyAlarmDeps } from '../../../functions/aws/latency-alarm';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { signRequest, type AgentReport } from '../../../functions/core/link';
import { buildReport } from '../../../functions/core/report/report';
import { SlackNotifier } from '../../../functions/notify/slack/slack-notifier';
import { cloudWatchSloSource } from '../../../functions/providers/metrics/cloudwatch/source';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../../emulators/cloudwatch';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { agentFindingsEvent, hubReportDeps } from '../../support/agent-findings-event';
import { declaredMetrics as declared, emfDocuments as emf } from '../../support/emf';
import { createIdempotencyTable, dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { shippedPolicy } from '../../support/model';
import { sharedEvent } from '../../support/shared-events';
import { approvalRecord } from '../ledger/fixtures';
import { CHANNEL, paymentsPolicy, USERS, WORKSPACE } from '../slack/support/storyline';

/**
 * Every Lambda that governs, not only the hub's, publishes ExpiryRedrawsAbandoned (the metric
 * behind ExpiryRedrawsAbandonedAlarm) for the runs that governed, under its own service: the GCP
 * agent's findings endpoint and the SLO alarm function (alarms and the scheduled sweep). A repeat
 * answered by idempotency governs nothing and publishes nothing. Real servers behind the ports:
 * idempotency on dynalite, Slack on the Slack emulator (which refuses the redraw for good:
 * channel_not_found), the fresh SLO query on the CloudWatch emulator.
 */

const SECRET = 'link-test-secret-3f9a1c7e5b2d4f60';
const NOW = new Date('2026-11-20T15:12:02Z');
const IDEMPOTENCY = 'meshgov-idempotency';
/** A private channel the app was removed from after it asked there: chat.update answers channel_not_found. */
const LEFT_CHANNEL = 'G07PAYOPS42';

let dynalite: DynaliteServer;
let cw: CloudWatchEmulator;
let slack: SlackEmulator;
let savedEnv: NodeJS.ProcessEnv;
let seq = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
  cw = await startCloudWatchEmulator();
  const client = dynaliteClient(dynalite.endpoint);
  await createIdempotencyTable(client, IDEMPOTENCY);
  client.destroy();
});

afterAll(async () => {
  await cw.stop();
  await dynalite.stop();
});

beforeEach(async () => {
  savedEnv = { ...process.env };
  // POWERTOOLS_DEV makes the metrics (and the silenced logger) write to the global console; read when a handler is created.
  Object.assign(process.env, {
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  slack = await startSlackEmulator({ workspace: WORKSPACE, users: USERS, channels: [CHANNEL] });
});

afterEach(async () => {
  process.env = savedEnv;
  await slack.stop();
});

/** A ledger holding one approval request past its deadline, asked in a channel Slack no longer shows the app. */
async function ledgerWithOverdueRequest(): Promise<MemoryLedger> {
  const ledger = new MemoryLedger(() => NOW);
  await ledger.createApproval(approvalRecord({ approvalExpiresAt: '2026-11-20T15:05:00.000Z', slack: { channel: LEFT_CHANNEL, ts: '1795186890.000100' } }));
  return ledger;
}

function slackNotifier(): SlackNotifier {
  return new SlackNotifier(slackClientFor(slack, slack.token, { retryConfig: { retries: 0 } }), { awsRegion: 'us-west-2' });
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-west-2:111122223333:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `5e2d1c0b-3a4f-4b6c-8d7e-${String(++seq).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/20/[$LATEST]6c5d4e3f',
    getRemainingTimeInMillis: () => 55_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('the agent findings handler publishes ExpiryRedrawsAbandoned', () => {
  /** A report with nothing to tell: governing it still expires the overdue requests. */
  function quietReport(): AgentReport {
    return {
      agent: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
      scopedReport: {
        trigger: { source: 'gke-audit', eventId: `11447208903${String(++seq).padStart(6, '0')}`, eventTime: NOW.toISOString(), summary: 'patch PeerAuthentication payments/default by bob@example.com' },
        scope: { kind: 'istio-namespace', namespace: 'payments' },
        auditedResources: [],
        report: buildReport([], 0, NOW),
      },
    };
  }

  const post = (body: string, secret = SECRET): APIGatewayProxyEventV2 =>
    agentFindingsEvent(body, { 'content-type': 'application/json', ...(signRequest(body, secret, NOW) as unknown as Record<string, string>) });

  async function handler() {
    const deps = hubReportDeps(NOW, SECRET, { ledger: await ledgerWithOverdueRequest(), notifier: slackNotifier(), policy: shippedPolicy() });
    const lambda = createAgentFindingsHandler(async () => deps, { idempotencyTable: IDEMPOTENCY, dynamoDbEndpoint: dynalite.endpoint });
    return (event: APIGatewayProxyEventV2) => lambda(event, lambdaContext('meshgov-agent-findings'));
  }

  it('counts the redraw the governed report gave up, under its service, and not again for the repeated post', async () => {
    const h = await handler();
    const body = JSON.stringify(quietReport());
    const [first] = await emf(async () => expect((await h(post(body))).statusCode).toBe(200));
    expect(slack.callLog('chat.update')).toEqual([expect.objectContaining({ error: 'channel_not_found' })]);
    expect(first).toMatchObject({ service: 'meshgov-agent-findings', ExpiryRedrawsAbandoned: 1, AgentReportsAnswered: 1 });
    expect(first._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'meshgov', Dimensions: [['service']] });
    expect(first._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'ExpiryRedrawsAbandoned', Unit: 'Count' });

    // Pub/Sub redelivers: the same trigger, signed afresh, answered from the record.
    const [again] = await emf(async () => expect((await h(post(body))).statusCode).toBe(200));
    expect(again).toMatchObject({ AgentReportsRepeated: 1, AgentReportsAnswered: 1 });
    expect(declared(again)).not.toContain('ExpiryRedrawsAbandoned');
    expect(slack.calls('chat.update')).toBe(1);
  });

  it('counts 0 for a governed report that gave nothing up, and nothing for a refused one', async () => {
    const h = await handler();
    await emf(() => h(post(JSON.stringify(quietReport()))));
    // The request was given up by that run; this one has nothing to redraw.
    const [governed] = await emf(() => h(post(JSON.stringify(quietReport()))));
    expect(governed).toMatchObject({ ExpiryRedrawsAbandoned: 0 });

    const [refused] = await emf(async () => expect((await h(post(JSON.stringify(quietReport()), 'not-the-link-secret-0000000000000'))).statusCode).toBe(401));
    expect(refused).toMatchObject({ AgentReportsRefused: 1 });
    expect(declared(refused)).not.toContain('ExpiryRedrawsAbandoned');
  });
});

describe('the SLO alarm function publishes ExpiryRedrawsAbandoned', () => {
  const slo = (service: string) => ({ name: `${service}-latency`, service, mesh: 'appmesh', meshName: 'prod-mesh', objective: 99, thresholdMs: 250, source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus', region: 'us-west-2' } } });

  async function deps(): Promise<LatencyAlarmDeps> {
    return {
      ledger: await ledgerWithOverdueRequest(),
      // Two SLOs: the sweep governs twice, and the first run gives the redraw up.
      policy: paymentsPolicy((p) => void (p.slos = [slo('payments-api'), slo('orders-api')])),
      notifier: slackNotifier(),
      executors: [],
      clock: () => NOW,
      dryRun: true,
      newId: (prefix) => `${prefix}-0001`,
      log: () => undefined,
      cloudwatch: cloudWatchSloSource({ client: cloudWatchClientFor(cw) }),
    };
  }

  async function handler() {
    const d = await deps();
    const lambda = createLatencyAlarmHandler(async () => d, { idempotencyTable: IDEMPOTENCY, dynamoDbEndpoint: dynalite.endpoint });
    return (event: unknown) => lambda(event, lambdaContext('meshgov-latency-alarm'));
  }

  const alarmEvent = () => ({ ...sharedEvent('aws/cloudwatch-alarm-state-change-latency.json'), id: `c4c1c1c9-6542-e61b-6ef0-${String(++seq).padStart(12, '0')}` });

  it('counts the redraw an alarm run gave up, under meshgov-slo, and not again for the redelivered event', async () => {
    const h = await handler();
    const event = alarmEvent();
    const [first] = await emf(() => h(event));
    expect(slack.callLog('chat.update')).toEqual([expect.objectContaining({ error: 'channel_not_found' })]);
    expect(first).toMatchObject({ service: 'meshgov-slo', ExpiryRedrawsAbandoned: 1 });
    expect(first._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'meshgov', Dimensions: [['service']] });

    const [again] = await emf(() => h(structuredClone(event)));
    expect(again).toMatchObject({ SloAlarmEventsRepeated: 1 });
    expect(declared(again)).not.toContain('ExpiryRedrawsAbandoned');
  });

  it("counts the redraw the scheduled SLO sweep gave up as one value for all the sweep's govern runs", async () => {
    const h = await handler();
    const sweep = { ...sharedEvent('aws/scheduled-event.json'), id: `9b8a7c6d-5e4f-3a2b-1c0d-${String(++seq).padStart(12, '0')}`, time: NOW.toISOString() };
    let outcome: unknown;
    const [swept] = await emf(async () => (outcome = await h(sweep)));
    expect(outcome).toMatchObject({ status: 'swept', slos: 2, read: 2 });
    expect(swept).toMatchObject({ service: 'meshgov-slo', SloSweeps: 1, ExpiryRedrawsAbandoned: 1 });
  });

  it('publishes nothing for an event that governs nothing (INSUFFICIENT_DATA)', async () => {
    const h = await handler();
    const event = alarmEvent();
    event.detail.state.value = 'INSUFFICIENT_DATA';
    const [ignored] = await emf(() => h(event));
    expect(ignored).toMatchObject({ SloAlarmsIgnored: 1 });
    expect(declared(ignored)).not.toContain('ExpiryRedrawsAbandoned');
    expect(slack.calls('chat.update')).toBe(0);
  });
});
