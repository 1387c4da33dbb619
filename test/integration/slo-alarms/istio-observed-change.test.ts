/**
 * A person's Istio change, from the GKE audit log to its rollback, on loopback:
 * - carol creates DestinationRule payments/payments-api (ISTIO_MUTUAL) and bob later patches it
 *   to DISABLE, both on the Kubernetes emulator; their audit entries reach the real
 *   functions-framework agent (istioConfigChanged, reading the emulator with the live reader),
 *   whose signed reports reach the hub's real receive function (behind a loopback HTTP server):
 *   the hub records each change once, bob's with carol's spec as the one it replaced;
 * - a Cloud Monitoring incident on payments-api (the burn confirmed by a real Prometheus) names
 *   bob's change as the suspect in the finding and in Slack (the Slack emulator);
 * - an approval of its rollback goes from the hub's agent executor to the real executeRemediation
 *   function, which puts ISTIO_MUTUAL back, guarded so that a later edit is never overwritten.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { receiveAgentReport, type AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import { executeApproval } from '../../../functions/core/approvals/execute-approval';
import { MemoryNonceStore } from '../../../functions/core/link';
import { madeByMeshgov } from '../../../functions/core/ledger/meshgov-changes';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { Policy } from '../../../functions/core/policy/types';
import { AGENT_BUILDERS, type AgentDeps } from '../../../functions/gcp/agent-deps';
import { istioAlertFired } from '../../../functions/gcp/istio-alert-fired';
import { jsonLogger } from '../../../functions/gcp/log';
import { SlackNotifier } from '../../../functions/notify/slack/slack-notifier';
import { agentExecutor } from '../../../functions/providers/agent/agent-executor';
import { istioSource } from '../../../functions/providers/istio/live';
import { loadKubeConfigFor, loadKubernetesClient, startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { slackClientFor, startSlackEmulator, type SlackEmulator } from '../../emulators/slack';
import { shippedPolicy } from '../../support/model';
import { istioLatencyOpenMetrics, sampleTimes, startPrometheus, type PrometheusServer, type TrafficAt } from '../../support/prometheus';
import { sharedEvent } from '../../support/shared-events';
import { agentEnvironment, AGENT_SA, kubeconfigFile, LINK_SECRET, removeKubeconfigFiles } from '../gcp/agent-environment';
import { auditEvent, auditLogEntry, deliver, type LogEntry } from '../gcp/cloud-events';
import { startFunctionsServer, type FunctionsServer } from '../gcp/functions-server';
import { wholeCluster } from '../istio/cluster-fixture';
import { CHANNEL, DAVE, USERS, WORKSPACE } from '../slack/support/storyline';
import { agentFindingsEvent } from '../../support/agent-findings-event';

/** The incident opened at 15:10Z; the alarm-triggered run and the hub run a minute later. */
const NOW = new Date('2026-11-20T15:11:00Z');
const NOW_S = NOW.getTime() / 1000;
const HOUR = 3600;
const CAROL_AT = '2026-11-20T09:02:41.113208Z';
const BOB_AT = '2026-11-20T14:45:03.871455Z';
const HOST = 'payments-api.payments.svc.cluster.local';
const DR_PATH = '/apis/networking.istio.io/v1/namespaces/payments/destinationrules';
const RESOURCE_NAME = 'networking.istio.io/v1/namespaces/payments/destinationrules/payments-api';

let emulator: KubernetesEmulator;
let prometheus: PrometheusServer;
let slack: SlackEmulator;
let agentServer: FunctionsServer;
let executeServer: FunctionsServer;
let hubServer: Server;
/** The hub the agent's reports reach; each story gives it a fresh ledger. */
let hub: AgentReportDeps;

function policy(): Policy {
  const p = shippedPolicy();
  p.ownership.teams = [{ name: 'payments', match: { namespaces: ['payments'] }, slack: { channel: CHANNEL, approvers: { users: [DAVE.id] } } }];
  p.slos = [{ name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: { url: prometheus.url } } }];
  return p;
}

beforeAll(async () => {
  // payments-api: 40 % of its requests over 250 ms since bob's change (0.2 % before): a page at NOW.
  const changed = Date.parse(BOB_AT) / 1000;
  const times = sampleTimes(NOW_S, 80 * HOUR, 7 * HOUR, 60, 600);
  const services = [{ namespace: 'payments', service: 'payments-api', traffic: (t: number): TrafficAt => ({ perSecond: 50, slowShare: t > changed ? 0.4 : 0.002 }) }];
  [emulator, prometheus, slack] = await Promise.all([startKubernetesEmulator(), startPrometheus({ openMetrics: istioLatencyOpenMetrics({ times, services }) }), startSlackEmulator({ workspace: WORKSPACE, users: USERS })]);
  hubServer = await startHub();
  const { port } = hubServer.address() as AddressInfo;
  const kubeconfig = kubeconfigFile(emulator);
  [agentServer, executeServer] = await Promise.all([
    startFunctionsServer({ target: 'istioConfigChanged', env: agentEnvironment({ kubeconfig, hubUrl: `http://127.0.0.1:${port}/agent/findings` }) }),
    startFunctionsServer({ target: 'executeRemediation', env: agentEnvironment({ kubeconfig, hubUrl: 'https://hub.invalid/agent/findings', extra: { MESHGOV_DRY_RUN: 'false' } }) }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([agentServer?.stop(), executeServer?.stop()]);
  await new Promise<void>((resolve) => (hubServer ? (hubServer.closeAllConnections(), hubServer.close(() => resolve())) : resolve()));
  await Promise.all([emulator?.stop(), prometheus?.stop(), slack?.stop()]);
  removeKubeconfigFiles();
});

/** The hub's findings endpoint as API Gateway calls it: the real receive function over the current `hub`. */
async function startHub(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiveAgentReport(agentFindingsEvent(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>), hub).then(
        (answer) => {
          res.writeHead(answer.statusCode ?? 200, { 'content-type': 'application/json' });
          res.end(answer.body ?? '');
        },
        (error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: String(error) }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}


/** The hub's dependencies: the link is verified at the real time (the agent process signs with it). */
function hubDeps(ledger: MemoryLedger, clock: () => Date = () => new Date()): AgentReportDeps {
  let ids = 0;
  return {
    ledger,
    notifier: new SlackNotifier(slackClientFor(slack), { awsRegion: 'us-west-2' }),
    policy: policy(),
    executors: [agentExecutor({ url: executeServer.url, secret: async () => LINK_SECRET })],
    clock,
    // Nothing the audits find is fixed on its own here: only the approved rollback writes (executeApproval, dryRun false).
    dryRun: true,
    newId: (prefix) => `${prefix}-hub${String(++ids).padStart(4, '0')}`,
    log: () => undefined,
    linkSecret: async () => LINK_SECRET,
    nonceStore: new MemoryNonceStore({ clock }),
  };
}

/** A write as kubectl sends it, answered by the emulator with the object it stored. */
async function kubectl(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${emulator.token}`, 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status: method === 'POST' ? 201 : 200 });
  return JSON.parse(text);
}

/** The GKE audit entry of a write, with the request and the API server's response as GKE logs them. */
function entryOf(options: { verb: 'create' | 'patch'; by: string; at: string; insertId: string; request: Record<string, unknown>; response?: Record<string, any> }): LogEntry {
  const entry = auditLogEntry();
  const methodName = `io.istio.networking.v1.destinationrules.${options.verb}`;
  entry.insertId = options.insertId;
  entry.operation.id = options.insertId;
  entry.timestamp = options.at;
  entry.protoPayload.authenticationInfo.principalEmail = options.by;
  entry.protoPayload.methodName = methodName;
  // The API server's audit objectRef names the object for a create too (taken from the body).
  entry.protoPayload.resourceName = RESOURCE_NAME;
  entry.protoPayload.authorizationInfo = [{ granted: true, permission: methodName, resource: entry.protoPayload.resourceName }];
  entry.protoPayload.request = { '@type': options.verb === 'create' ? 'networking.istio.io/v1.DestinationRule' : 'k8s.io/Patch', ...options.request };
  if (options.response) entry.protoPayload.response = { '@type': 'networking.istio.io/v1.DestinationRule', ...options.response };
  else delete entry.protoPayload.response;
  return entry;
}

const DR_OBJECT = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'payments-api', namespace: 'payments', labels: { app: 'payments-api' } },
  spec: { host: HOST, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { http: { http2MaxRequests: 1000 } } } },
};

interface Story {
  ledger: MemoryLedger;
  carolChange: string;
  bobChange: string;
  bobEvent: ReturnType<typeof auditEvent>;
}

/**
 * carol creates payments/payments-api at 09:02, bob patches it to DISABLE at 14:45; the agent sees
 * both (bob's entry carries no response on request, as when GKE does not log bodies).
 */
async function carolThenBob(options: { bobLogged?: boolean } = {}): Promise<Story> {
  emulator.reset();
  emulator.seed(wholeCluster());
  const ledger = new MemoryLedger(() => new Date());
  hub = hubDeps(ledger);

  const created = await kubectl('POST', DR_PATH, DR_OBJECT);
  const carolEntry = entryOf({ verb: 'create', by: 'carol@example.com', at: CAROL_AT, insertId: `1f0b6a3c-${suffix()}-4d2e-9a7b-3c5e7f9a1b2d`, request: DR_OBJECT, response: created });
  expect((await deliver(agentServer.url, auditEvent(carolEntry))).status).toBeLessThan(300);

  const patch = { spec: { trafficPolicy: { tls: { mode: 'DISABLE' } } } };
  const patched = await kubectl('PATCH', `${DR_PATH}/payments-api`, patch);
  const bobEntry = entryOf({ verb: 'patch', by: 'bob@example.com', at: BOB_AT, insertId: `6d8f0b2c-${suffix()}-4a1e-8c3d-5f7b9d1e3a4c`, request: patch, ...(options.bobLogged === false ? {} : { response: patched }) });
  const bobEvent = auditEvent(bobEntry);
  expect((await deliver(agentServer.url, bobEvent)).status).toBeLessThan(300);
  return { ledger, carolChange: `chg-gke-audit-${carolEntry.insertId}`, bobChange: `chg-gke-audit-${bobEntry.insertId}`, bobEvent };
}

let sequence = 0;
function suffix(): string {
  return String(4000 + ++sequence);
}

function liveRule(): Record<string, any> {
  return emulator.get('DestinationRule', 'payments', 'payments-api')!;
}

/** The Cloud Monitoring incident on payments-api, through the agent's istioAlertFired (in this process, at NOW) into the hub at NOW. */
async function incident(ledger: MemoryLedger): Promise<void> {
  const at = hubDeps(ledger, () => NOW);
  const k8s = await loadKubernetesClient();
  const agent: AgentDeps = {
    config: {
      hubUrl: new URL('https://hub.example.com/agent/findings'),
      linkSecrets: [LINK_SECRET],
      identity: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
      ownPrincipals: [AGENT_SA],
      rootNamespace: 'istio-system',
      dryRun: 'true',
      hubRetry: { attempts: 1, backoffMs: 1, timeoutMs: 5_000 },
    },
    source: istioSource({ kubeConfig: await loadKubeConfigFor(emulator), client: k8s }),
    executors: [],
    builders: AGENT_BUILDERS,
    policy: policy(),
    dryRun: true,
    nonceStore: new MemoryNonceStore({ clock: () => NOW }),
    clock: () => NOW,
    fetch: (async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).startsWith(prometheus.url)) return globalThis.fetch(url, init);
      const answer = await receiveAgentReport(agentFindingsEvent(String(init?.body), Object.fromEntries(new Headers(init?.headers).entries())), at);
      return new Response(answer.body ?? '', { status: answer.statusCode ?? 200 });
    }) as typeof fetch,
    sleep: async () => undefined,
  };
  await istioAlertFired(async () => agent, jsonLogger(() => undefined))(sharedEvent('gcp/pubsub-cloudevent-monitoring-incident-open.json'));
}

/** dave approves the rollback in Slack; the hub's worker runs it five minutes after the incident. */
async function approveRollback(ledger: MemoryLedger, approvalId: string) {
  const later = new Date(NOW.getTime() + 5 * 60_000);
  await ledger.transitionApproval(approvalId, ['PENDING'], 'APPROVED', { decidedBy: DAVE.id, decidedAt: later.toISOString() });
  const deps = hubDeps(ledger, () => later);
  return executeApproval(approvalId, { ledger, notifier: deps.notifier!, executors: deps.executors, policy: deps.policy, dryRun: false, clock: () => later, newId: deps.newId });
}

async function rollbackApproval(ledger: MemoryLedger): Promise<string> {
  const [finding] = await ledger.listOpenFindings({ provider: 'prometheus' });
  const approval = await ledger.findOpenApproval(finding!.id);
  expect(approval).toBeDefined();
  return approval!.id;
}

beforeEach(() => {
  slack.reset();
  agentServer.clearLogs();
});

describe("a person's Istio change, recorded, blamed and rolled back", () => {
  it("records bob's DestinationRule change to DISABLE once across two deliveries, with carol's spec as the one it replaced", async () => {
    const { ledger, carolChange, bobChange, bobEvent } = await carolThenBob();
    const carol = await ledger.getChange(carolChange);
    expect(carol).toMatchObject({ provider: 'istio', action: 'istio.destinationrule.create', before: null, outcome: 'applied', trigger: { source: 'gke-audit', actor: 'carol@example.com' } });

    const bob = (await ledger.getChange(bobChange))!;
    const uid = liveRule().metadata.uid;
    expect(bob).toMatchObject({
      provider: 'istio',
      action: 'istio.destinationrule.patch',
      target: { kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', namespace: 'payments', name: 'payments-api', uid, resourceVersion: liveRule().metadata.resourceVersion, generation: 2, services: ['istio:payments/payments-api'] },
      before: { kind: 'DestinationRule', metadata: { uid, generation: 1 }, spec: DR_OBJECT.spec },
      after: { kind: 'DestinationRule', metadata: { uid, generation: 2 }, spec: { host: HOST, trafficPolicy: { tls: { mode: 'DISABLE' }, connectionPool: { http: { http2MaxRequests: 1000 } } } } },
      trigger: { source: 'gke-audit', eventId: bobEvent.data.message.messageId, actor: 'bob@example.com', summary: 'patch DestinationRule payments/payments-api by bob@example.com' },
      at: BOB_AT,
      outcome: 'applied',
      service: 'istio:payments/payments-api',
      detail: `previous spec from change ${carolChange}, which recorded generation 1`,
    });
    expect(madeByMeshgov(bob)).toBe(false);

    // Pub/Sub delivers at least once: the same message again is audited and reported again, and recorded once.
    expect((await deliver(agentServer.url, bobEvent)).status).toBeLessThan(300);
    await agentServer.waitForLog((l) => l.eventId === bobEvent.id && l.message === 'report delivered to the hub');
    expect((await ledger.listChanges('2026-11-01T00:00:00Z')).map((c) => c.id)).toEqual([bobChange, carolChange]);
    expect(await ledger.getChange(bobChange)).toEqual(bob);
  });

  it('records the object as the agent read it when GKE did not log the response', async () => {
    const { ledger, bobChange } = await carolThenBob({ bobLogged: false });
    expect(await ledger.getChange(bobChange)).toMatchObject({
      after: { metadata: { generation: 2 }, spec: { trafficPolicy: { tls: { mode: 'DISABLE' } } } },
      before: { metadata: { generation: 1 }, spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } },
      detail: expect.stringContaining('as the agent read it right after the event'),
    });
  });

  it("does not record meshgov's own patch (its service account) as a person's change", async () => {
    const { ledger } = await carolThenBob();
    const before = (await ledger.listChanges('2026-11-01T00:00:00Z')).map((c) => c.id);
    const patch = { metadata: { annotations: { 'meshgov.io/change-id': 'chg-hub0007' } }, spec: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } };
    const patched = await kubectl('PATCH', `${DR_PATH}/payments-api`, patch);
    const event = auditEvent(entryOf({ verb: 'patch', by: AGENT_SA, at: '2026-11-20T15:20:07.100000Z', insertId: '0c2e4a6b-8d0f-4b2c-9e4a-6c8e0a2b4d6f', request: patch, response: patched }));
    expect((await deliver(agentServer.url, event)).status).toBeLessThan(300);
    await agentServer.waitForLog((l) => l.eventId === event.id && l.message === `ignored: change made by meshgov itself (${AGENT_SA})`);
    expect((await ledger.listChanges('2026-11-01T00:00:00Z')).map((c) => c.id)).toEqual(before);
    expect(await ledger.getChange('chg-gke-audit-0c2e4a6b-8d0f-4b2c-9e4a-6c8e0a2b4d6f')).toBeUndefined();
  });

  it("names bob's change as the suspect of the payments-api burn, in the finding and in Slack, and offers its rollback", async () => {
    const { ledger, bobChange } = await carolThenBob();
    await incident(ledger);

    const [record] = await ledger.listOpenFindings({ provider: 'prometheus' });
    expect(record!.finding).toMatchObject({ rule: 'slo-latency-burn', resource: { name: 'payments-api', namespace: 'payments' }, detail: { level: 'page' } });
    expect(record!.finding.detail.suspect).toMatchObject({ changeId: bobChange, relation: 'service', who: 'bob@example.com', action: 'istio.destinationrule.patch', service: 'istio:payments/payments-api', byMeshgov: false });
    expect(record!.finding.remediation).toMatchObject({ action: 'istio.destinationrule.patch.undo', mode: 'approval', change: { changeId: bobChange } });
    const approval = await ledger.findOpenApproval(record!.id);
    expect(approval).toMatchObject({ state: 'PENDING', undoOf: bobChange });

    // The burn's own message (bob is also named as the cause of the audits' findings, in other messages).
    const burn = slack.messages(CHANNEL).filter((m) => JSON.stringify(m).includes('slo-latency-burn'));
    expect(burn.length).toBeGreaterThan(0);
    const posted = JSON.stringify(burn);
    expect(posted).toContain('Suspected change');
    expect(posted).toContain('bob@example.com');
    expect(posted).toContain(bobChange);
    expect(posted).toContain('istio.destinationrule.patch');
  });

  it('an approved rollback puts ISTIO_MUTUAL back through the agent, and reads it back', async () => {
    const { ledger, bobChange } = await carolThenBob();
    await incident(ledger);
    const outcome = await approveRollback(ledger, await rollbackApproval(ledger));

    expect(outcome).toMatchObject({ status: 'finished', state: 'SUCCEEDED' });
    expect(liveRule().spec).toEqual(DR_OBJECT.spec);
    expect(liveRule().metadata.annotations).toMatchObject({ 'meshgov.io/change-id': 'chg-hub0001' });
    const undo = outcome.status === 'finished' ? outcome.change : undefined;
    expect(undo).toMatchObject({ action: 'istio.destinationrule.patch.undo', outcome: 'verified', wrote: true, approvedBy: DAVE.id, detail: expect.stringContaining(`restored the spec from before change ${bobChange}`) });
  });

  it("does not overwrite dana's later edit: the rollback aborts and says so", async () => {
    const { ledger, bobChange } = await carolThenBob();
    // dana raises the connection pool after bob's change (whether meshgov saw her entry or not, the object shows it).
    await kubectl('PATCH', `${DR_PATH}/payments-api`, { spec: { trafficPolicy: { connectionPool: { http: { http2MaxRequests: 4000 } } } } });
    const danas = liveRule().spec;
    await incident(ledger);
    const outcome = await approveRollback(ledger, await rollbackApproval(ledger));

    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining(`was changed again after change ${bobChange}`) });
    expect(liveRule().spec).toEqual(danas);
    expect(emulator.requests().filter((r) => r.verb === 'patch' && r.fieldManager === 'meshgov')).toEqual([]);
    // Nothing written: the blast radius does not count it.
    expect(outcome.status === 'finished' ? outcome.change : undefined).toMatchObject({ outcome: 'aborted', wrote: false });
  });

  it('a write that loses the race (409 Conflict) aborts with nothing written', async () => {
    const { ledger } = await carolThenBob();
    await incident(ledger);
    const approvalId = await rollbackApproval(ledger);
    emulator.failNext({ verb: 'patch', resource: 'destinationrules' }, 409);
    const outcome = await approveRollback(ledger, approvalId);

    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('409 Conflict') });
    expect(outcome.status === 'finished' ? outcome.change : undefined).toMatchObject({ outcome: 'aborted', wrote: false });
    expect(liveRule().spec.trafficPolicy.tls).toEqual({ mode: 'DISABLE' });
  });

  it('a rollback that cannot read the rule fails with nothing written, which the blast radius does not count', async () => {
    const { ledger } = await carolThenBob();
    await incident(ledger);
    const approvalId = await rollbackApproval(ledger);
    emulator.failNext({ verb: 'get', resource: 'destinationrules' }, 403);
    const outcome = await approveRollback(ledger, approvalId);

    expect(outcome).toMatchObject({ status: 'finished', state: 'FAILED', detail: expect.stringContaining('nothing was changed') });
    expect(outcome.status === 'finished' ? outcome.change : undefined).toMatchObject({ outcome: 'failed', wrote: false });
    expect(liveRule().spec.trafficPolicy.tls).toEqual({ mode: 'DISABLE' });
  });

  it("offers a manual rollback when the spec before the change is unknown (meshgov never saw the rule before bob's patch)", async () => {
    emulator.reset();
    emulator.seed([...wholeCluster(), DR_OBJECT as never]);
    const ledger = new MemoryLedger(() => new Date());
    hub = hubDeps(ledger);
    const patch = { spec: { trafficPolicy: { tls: { mode: 'DISABLE' } } } };
    const patched = await kubectl('PATCH', `${DR_PATH}/payments-api`, patch);
    const entry = entryOf({ verb: 'patch', by: 'bob@example.com', at: BOB_AT, insertId: '2a4c6e8f-0b1d-4f3a-8c5e-7a9b1c3d5e6f', request: patch, response: patched });
    expect((await deliver(agentServer.url, auditEvent(entry))).status).toBeLessThan(300);
    const change: ChangeRecord | undefined = await ledger.getChange('chg-gke-audit-2a4c6e8f-0b1d-4f3a-8c5e-7a9b1c3d5e6f');
    expect(change?.before).toBeUndefined();

    await incident(ledger);
    const [record] = await ledger.listOpenFindings({ provider: 'prometheus' });
    expect(record!.finding.remediation).toMatchObject({ mode: 'manual', reason: expect.stringContaining('the configuration before it is unknown') });
    expect(await ledger.findOpenApproval(record!.id)).toBeUndefined();
  });
});
