import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAgentFindingsHandler } from '../../../functions/aws/agent-findings';
import type { AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { signRequest, type AgentReport } from '../../../functions/core/link';
import { buildReport } from '../../../functions/core/report/report';
import type { Finding } from '../../../functions/core/findings';
import { reportToHub } from '../../../functions/gcp/hub-client';
import type { Logger as AgentLogger } from '../../../functions/gcp/log';
import { agentFindingsEvent, hubReportDeps } from '../../support/agent-findings-event';
import { createIdempotencyTable, dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { shippedPolicy } from '../../support/model';
import { RecordingNotifier } from '../../support/recording-notifier';

/**
 * The agent findings Lambda handler with Powertools idempotency on dynalite: one govern run per
 * trigger, whatever the number of posts, and answers the agent's client (functions/gcp/hub-client.ts)
 * retries or not as the failure deserves.
 */

const SECRET = 'link-test-secret-3f9a1c7e5b2d4f60';
const NOW = new Date('2026-11-20T14:47:20Z');
const IDEMPOTENCY = 'meshgov-idempotency';

let dynalite: DynaliteServer;
let savedEnv: NodeJS.ProcessEnv;
let triggerSeq = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await createIdempotencyTable(client, IDEMPOTENCY);
  client.destroy();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(() => {
  savedEnv = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
});

afterEach(() => {
  process.env = savedEnv;
});

function finding(id: string, name: string): Finding {
  return {
    id,
    rule: 'mtls-not-strict',
    severity: 'high',
    provider: 'istio',
    resource: { kind: 'Deployment', name, namespace: 'payments', port: 8080, file: '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default', line: 1 },
    message: `Deployment payments/${name} port 8080 accepts plaintext as well as mTLS (PERMISSIVE)`,
    detail: { mode: 'PERMISSIVE' },
    remediation: null,
  };
}

/** A report for Pub/Sub message `eventId`, holding `findings`. */
function report(eventId: string, findings: Finding[]): AgentReport {
  return {
    agent: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
    scopedReport: {
      trigger: { source: 'gke-audit', eventId, eventTime: NOW.toISOString(), summary: 'patch PeerAuthentication payments/default by bob@example.com' },
      scope: { kind: 'istio-namespace', namespace: 'payments' },
      auditedResources: findings.map((f) => `istio|Deployment|payments||${f.resource.name}`),
      report: buildReport(findings, findings.length, NOW),
    },
  };
}

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'meshgov-agent-findings',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:meshgov-agent-findings',
    memoryLimitInMB: '1024',
    awsRequestId: `7d1c2b3a-4e5f-4a6b-8c7d-${String(triggerSeq).padStart(12, '0')}`,
    logGroupName: '/aws/lambda/meshgov-agent-findings',
    logStreamName: '2026/11/20/[$LATEST]4b1f0c2d',
    getRemainingTimeInMillis: () => 55_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A fresh Pub/Sub message id per test, so idempotency records of other tests do not interfere. */
function newTrigger(): string {
  return `1144720890321${String(++triggerSeq).padStart(4, '0')}`;
}

/** A POST as the agent signs it (a fresh nonce per call, as every agent attempt is signed afresh). */
function post(body: string): APIGatewayProxyEventV2 {
  return agentFindingsEvent(body, { 'content-type': 'application/json', ...(signRequest(body, SECRET, NOW) as unknown as Record<string, string>) });
}

function world(overrides: Partial<AgentReportDeps> = {}) {
  const ledger = new MemoryLedger(() => NOW);
  const notifier = new RecordingNotifier();
  let builds = 0;
  const deps = hubReportDeps(NOW, SECRET, { ledger, notifier, policy: shippedPolicy(), newId: (p) => `${p}-1`, ...overrides });
  const lambda = createAgentFindingsHandler(
    async () => {
      builds++;
      return deps;
    },
    { idempotencyTable: IDEMPOTENCY, dynamoDbEndpoint: dynalite.endpoint },
  );
  const handler = (event: APIGatewayProxyEventV2) => lambda(event, lambdaContext());
  return { ledger, notifier, handler, builds: () => builds };
}

/** The agent's fetch, into the handler as API Gateway would hand it the request. */
function fetchInto(handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const answer = await handler(agentFindingsEvent(String(init?.body), Object.fromEntries(new Headers(init?.headers).entries())));
    return new Response(answer.body ?? '', { status: answer.statusCode ?? 200, headers: answer.headers as Record<string, string> });
  }) as typeof fetch;
}

const quietAgentLog: AgentLogger = { debug: () => {}, info: () => {}, notice: () => {}, warning: () => {}, error: () => {}, with: () => quietAgentLog };

function deliver(handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>, body: AgentReport, attempts = 3) {
  return reportToHub(body, { url: new URL('https://hub.example.com/agent/findings'), secret: SECRET, retry: { attempts, backoffMs: 1, timeoutMs: 5_000 } }, { fetch: fetchInto(handler), clock: () => NOW, sleep: async () => {}, random: () => 0, log: quietAgentLog });
}

describe('the agent findings handler: one govern run per trigger', () => {
  it('answers a redelivered report (re-signed, same trigger) as before, without governing it again', async () => {
    const w = world();
    const body = JSON.stringify(report(newTrigger(), [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]));
    const first = await w.handler(post(body));
    const again = await w.handler(post(body));
    expect(first.statusCode).toBe(200);
    expect(again).toEqual(first);
    expect(JSON.parse(first.body as string)).toMatchObject({ observed: 1 });
    expect(w.notifier.sent).toHaveLength(1);
  });

  it("governs only the first of two agent instances' reports for one trigger", async () => {
    const w = world();
    const trigger = newTrigger();
    const a = await w.handler(post(JSON.stringify(report(trigger, [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]))));
    // The second instance read a moment later and saw one more problem: it is the same trigger all the same.
    const b = await w.handler(post(JSON.stringify(report(trigger, [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api'), finding('0d2c3e4f5a6b7c8d9e0f1a2b', 'payments-worker')]))));
    expect(b).toEqual(a);
    expect(await w.ledger.getFinding('0d2c3e4f5a6b7c8d9e0f1a2b')).toBeUndefined();
    // Another trigger is governed.
    await w.handler(post(JSON.stringify(report(newTrigger(), [finding('0d2c3e4f5a6b7c8d9e0f1a2b', 'payments-worker')]))));
    expect(await w.ledger.getFinding('0d2c3e4f5a6b7c8d9e0f1a2b')).toMatchObject({ status: 'open' });
  });

  it('asks a concurrent post for a trigger still being governed to retry (503, Retry-After), then answers it as the first', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const w = world();
    // The first run waits in the ledger until the second post has been answered.
    const getFinding = w.ledger.getFinding.bind(w.ledger);
    w.ledger.getFinding = async (id) => {
      await gate;
      return getFinding(id);
    };
    const body = JSON.stringify(report(newTrigger(), [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]));
    const first = w.handler(post(body));
    await new Promise((r) => setTimeout(r, 200));
    const concurrent = await w.handler(post(body));
    expect(concurrent.statusCode).toBe(503);
    expect(concurrent.headers).toMatchObject({ 'retry-after': expect.stringMatching(/^\d+$/) });
    release();
    expect((await first).statusCode).toBe(200);
    expect(await w.handler(post(body))).toEqual(await first);
  });
});

describe('the agent findings handler: failures, as the agent client sees them', () => {
  it('a failed govern run answers 500, keeps no record and the dependencies, and the retry governs', async () => {
    const w = world();
    const failing = w.ledger.getFinding.bind(w.ledger);
    let failures = 1;
    w.ledger.getFinding = async (id) => {
      if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
      return failing(id);
    };
    const body = JSON.stringify(report(newTrigger(), [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]));
    expect((await w.handler(post(body))).statusCode).toBe(500);
    expect((await w.handler(post(body))).statusCode).toBe(200);
    expect(w.notifier.sent).toHaveLength(1);
    // A failed report says nothing about the SDK clients: they are built once.
    expect(w.builds()).toBe(1);
  });

  it('rebuilds the dependencies only after a failed build', async () => {
    let builds = 0;
    const deps = hubReportDeps(NOW, SECRET, { ledger: new MemoryLedger(() => NOW), policy: shippedPolicy() });
    const handler = createAgentFindingsHandler(
      async () => {
        if (++builds === 1) throw new Error('secrets manager unreachable');
        return deps;
      },
      { idempotencyTable: IDEMPOTENCY, dynamoDbEndpoint: dynalite.endpoint },
    );
    const body = JSON.stringify(report(newTrigger(), []));
    expect((await handler(post(body), lambdaContext())).statusCode).toBe(500);
    expect((await handler(post(body), lambdaContext())).statusCode).toBe(200);
    expect(builds).toBe(2);
  });

  it('a transient failure makes the agent retry it until the hub takes it', async () => {
    const w = world();
    const getFinding = w.ledger.getFinding.bind(w.ledger);
    let failures = 2;
    w.ledger.getFinding = async (id) => {
      if (failures-- > 0) throw new Error('ProvisionedThroughputExceededException');
      return getFinding(id);
    };
    const delivery = await deliver(w.handler, report(newTrigger(), [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]));
    expect(delivery).toMatchObject({ status: 200, attempts: 3 });
    expect(await w.ledger.getFinding('9c1b2d3e4f5a6b7c8d9e0f1a')).toMatchObject({ status: 'open' });
  });

  it("a malformed report is refused with 400: the agent fails the delivery, for Pub/Sub's dead-letter topic, and nothing is governed", async () => {
    const w = world();
    const bad = report(newTrigger(), [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]) as any;
    delete bad.scopedReport.auditedResources;
    // The agent does not retry a 400 itself; its function fails, so Pub/Sub redelivers, then dead-letters.
    await expect(deliver(w.handler, bad)).rejects.toMatchObject({ name: 'HubDeliveryError', status: 400, attempts: 1, retryable: false });
    expect(w.notifier.sent).toHaveLength(0);
  });

  it('logs the malformed report as an error naming the field, with the request id as correlation id, and never the body', async () => {
    process.env.POWERTOOLS_DEV = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    const w = world();
    const bad = report(newTrigger(), [finding('9c1b2d3e4f5a6b7c8d9e0f1a', 'payments-api')]) as any;
    delete bad.scopedReport.auditedResources;
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    let answer: APIGatewayProxyStructuredResultV2;
    const event = post(JSON.stringify(bad));
    try {
      answer = await w.handler(event);
    } finally {
      spy.mockRestore();
    }
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body as string)).toMatchObject({ error: 'malformed-request', field: 'scopedReport.auditedResources' });
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([expect.objectContaining({ level: 'ERROR', field: 'scopedReport.auditedResources', correlation_id: event.requestContext.requestId, service: 'meshgov-agent-findings' })]);
    expect(lines.join('\n')).not.toContain('PERMISSIVE');
  });
});
