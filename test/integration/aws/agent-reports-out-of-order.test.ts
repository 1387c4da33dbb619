/**
 * Agent reports that reach the hub out of order, on loopback: the real istioConfigChanged
 * function in process (one per Cloud Function instance, each with its own clock), reading the
 * Kubernetes emulator with the live Istio reader and the real @kubernetes/client-node, reports
 * through the real hub client (signing, retrying a 503) into the hub's real receive function,
 * whose ledger is the DynamoDB ledger on dynalite.
 *
 * The audit log entries are bob's shared patch of PeerAuthentication payments/default
 * (14:47:12, PERMISSIVE) and entries made from it for the edits around it. An instance whose
 * first POST meets a 503 (the hub's Lambda throttled) retries after its backoff, and so
 * delivers a report that read the cluster before the one another instance delivered meanwhile.
 * The hub orders reports by when their audit read the cluster (report.generatedAt), not by when
 * they arrive: a late report never resolves what a later read saw, nor reopens what a later read
 * found fixed.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import { MemoryNonceStore } from '../../../functions/core/link';
import type { FindingRecord } from '../../../functions/core/ledger/types';
import { AGENT_BUILDERS, type AgentDeps } from '../../../functions/gcp/agent-deps';
import { istioConfigChanged } from '../../../functions/gcp/istio-config-changed';
import { jsonLogger } from '../../../functions/gcp/log';
import { istioSource } from '../../../functions/providers/istio/live';
import { createLedgerTable, DynamoDbLedger } from '../../../functions/providers/ledger';
import { findingKey } from '../../../functions/providers/ledger/items';
import type { KubernetesObject } from '../../emulators/kubernetes';
import { fetchIntoHub, hubReportDeps } from '../../support/agent-findings-event';
import { dynaliteClient, startDynalite, type DynaliteServer } from '../../support/dynalite';
import { shippedPolicy } from '../../support/model';
import { RecordingNotifier } from '../../support/recording-notifier';
import { auditEvent, auditLogEntry, type LogEntry } from '../gcp/cloud-events';
import { wholeCluster } from '../istio/cluster-fixture';
import { startLiveCluster, type LiveCluster } from '../istio/live-cluster';
import { agentDeps, LINK_SECRET } from '../slo-alarms/support/agent';

let dynalite: DynaliteServer;
let cluster: LiveCluster;
let tables = 0;

beforeAll(async () => {
  [dynalite, cluster] = await Promise.all([startDynalite(), startLiveCluster(strictCluster())]);
}, 60_000);

afterAll(async () => {
  await Promise.all([dynalite?.stop(), cluster?.emulator.stop()]);
});

beforeEach(() => {
  cluster.emulator.reset();
  cluster.emulator.seed(strictCluster());
});

/** The storyline's cluster as it was before bob's patch: payments/default STRICT. */
function strictCluster(): KubernetesObject[] {
  return wholeCluster().map((o) => (o.kind === 'PeerAuthentication' && o.metadata.namespace === 'payments' && o.metadata.name === 'default' ? withMode(o, 'STRICT') : o));
}

function withMode(o: KubernetesObject, mode: 'STRICT' | 'PERMISSIVE'): KubernetesObject {
  return { ...o, spec: { ...(o.spec as Record<string, unknown> | undefined), mtls: { mode } } };
}

/** Someone edits payments/default on the cluster (what the entry of the same edit records). */
function editPaymentsPolicy(mode: 'STRICT' | 'PERMISSIVE', labels?: Record<string, string>): void {
  cluster.emulator.bumpResourceVersion('peerauthentications', 'payments', 'default', (o) => {
    o.spec = { ...(o.spec as Record<string, unknown> | undefined), mtls: { mode } };
    if (labels) o.metadata.labels = { ...o.metadata.labels, ...labels };
  });
}

/**
 * The GKE audit entry of an edit of payments/default, made from bob's shared patch entry: when,
 * the mode it left, and what the request sent (the shared one's merge patch by default).
 */
function paymentsPolicyEntry(at: string, mode: 'STRICT' | 'PERMISSIVE', request?: Record<string, unknown>): LogEntry {
  const entry = auditLogEntry();
  entry.insertId = entry.operation.id = randomUUID();
  entry.timestamp = at;
  entry.receiveTimestamp = at;
  entry.protoPayload.request = request ?? { '@type': 'k8s.io/Patch', spec: { mtls: { mode } } };
  entry.protoPayload.response.spec.mtls.mode = mode;
  return entry;
}

/** Instants of the storyline, 2026-11-20. */
const t = (hms: string) => new Date(`2026-11-20T${hms}Z`);

interface Hub {
  deps: AgentReportDeps;
  table: string;
  ledger: DynamoDbLedger;
  notifier: RecordingNotifier;
  logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
  /** The hub's clock: when a report reaches it. */
  at(time: Date): void;
}

/** The hub's receive function over a fresh ledger table on dynalite, its clock set by the test. */
async function startHub(): Promise<Hub> {
  const table = `meshgov-ledger-order-${++tables}`;
  const client = dynaliteClient(dynalite.endpoint);
  await createLedgerTable(client, table);
  let now = t('14:46:00');
  const clock = () => now;
  const ledger = new DynamoDbLedger(client, table, { clock });
  const notifier = new RecordingNotifier();
  const logs: Hub['logs'] = [];
  const deps = hubReportDeps(now, LINK_SECRET, {
    ledger,
    notifier,
    policy: shippedPolicy(),
    clock,
    nonceStore: new MemoryNonceStore({ clock }),
    log: (level, message, fields) => void logs.push({ level, message, ...(fields ? { fields } : {}) }),
  });
  return { deps, table, ledger, notifier, logs, at: (time) => (now = time) };
}

/** One Cloud Function instance: its clock reads `readAt` while it audits, and it reports into `hub` (or as `reach` changes it). */
function instance(readAt: Date, hub: Hub, reach: (deps: AgentDeps) => AgentDeps = (deps) => deps) {
  const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep });
  const deps = reach(agentDeps(readAt, { source, builders: AGENT_BUILDERS, policy: shippedPolicy(), fetch: fetchIntoHub(hub.deps) }));
  return istioConfigChanged(async () => deps, jsonLogger(() => undefined));
}

/**
 * An instance whose first POST meets a 503 and whose retry waits until `release()`: its report
 * reaches the hub after whatever the test delivers in between. `firstAttempt` resolves once its
 * audit is done (the read is over) and the 503 is answered.
 */
function throttledOnce(readAt: Date, hub: Hub) {
  let attempted!: () => void;
  let release!: () => void;
  const firstAttempt = new Promise<void>((resolve) => (attempted = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const intoHub = fetchIntoHub(hub.deps);
  let calls = 0;
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    if (++calls > 1) return intoHub(url, init);
    attempted();
    return new Response('{"message":"Service Unavailable"}', { status: 503, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  const run = instance(readAt, hub, (deps) => ({ ...deps, fetch, sleep: () => released, config: { ...deps.config, hubRetry: { attempts: 2, backoffMs: 1_000, timeoutMs: 5_000 } } }));
  return { run, firstAttempt, release };
}

/** payments-api's mtls-not-strict on port 8080, as the hub holds it. */
async function paymentsApiNotStrict(ledger: DynamoDbLedger, id?: string): Promise<FindingRecord | undefined> {
  if (id) return ledger.getFinding(id);
  const open = await ledger.listOpenFindings({ provider: 'istio', namespace: 'payments' });
  return open.find((r) => r.finding.rule === 'mtls-not-strict' && r.finding.resource.name === 'payments-api' && r.finding.resource.port === 8080);
}

const notificationsOf = (hub: Hub, id: string) => hub.notifier.sent.filter((s) => s.type === 'finding' && s.id === id).map((s) => s.kind);

describe('agent reports that reach the hub out of order', () => {
  it("a report of a read before bob's patch, delivered after the report that saw it, does not resolve payments-api's finding", async () => {
    const hub = await startHub();
    // 14:46:55 bob applies the repository's payments/default (STRICT); an instance audits it at 14:46:57, and the hub answers 503.
    const applied = throttledOnce(t('14:46:57'), hub);
    const late = applied.run(auditEvent(paymentsPolicyEntry('2026-11-20T14:46:55.102934Z', 'STRICT')));
    await applied.firstAttempt;

    // 14:47:12 he patches it to PERMISSIVE (the shared entry); another instance reads at 14:47:13 and its report lands at 14:47:14.
    editPaymentsPolicy('PERMISSIVE');
    hub.at(t('14:47:14'));
    await instance(t('14:47:13'), hub)(auditEvent(auditLogEntry()));
    const seen = await paymentsApiNotStrict(hub.ledger);
    expect(seen).toMatchObject({ status: 'open', finding: { detail: { mode: 'PERMISSIVE' } } });
    expect(notificationsOf(hub, seen!.id)).toEqual(['new']);

    // 14:47:16 the first instance retries: its report read the cluster at 14:46:57, before the patch.
    hub.at(t('14:47:16'));
    applied.release();
    await late;

    expect((await paymentsApiNotStrict(hub.ledger, seen!.id))?.status).toBe('open');
    expect(notificationsOf(hub, seen!.id)).toEqual(['new']);
    // The ledger keeps when the audit that decided it read the cluster: bob's instance, at 14:47:13.
    expect((await paymentsApiNotStrict(hub.ledger, seen!.id))?.auditReadAt).toBe('2026-11-20T14:47:13.000Z');
    const recorded = hub.logs.find((l) => l.message === 'agent report recorded' && l.fields?.generatedAt === '2026-11-20T14:46:57.000Z');
    // Resolved nothing; what both reports saw (the mesh CA's certificates, …) keeps the newer report's view too.
    expect(recorded?.fields).toMatchObject({ resolved: 0 });
    const outdated = hub.logs.find((l) => l.message.includes('before a later audit'));
    expect(outdated).toMatchObject({ level: 'info', fields: { readAt: '2026-11-20T14:46:57.000Z', findingIds: expect.arrayContaining([seen!.id]) } });
    expect(outdated?.fields?.outdated).toBe(recorded?.fields?.outdated);
  });

  it('an item written before auditReadAt was kept is resolved by a later read as before; a late report of an earlier read then does not reopen it', async () => {
    const hub = await startHub();
    editPaymentsPolicy('PERMISSIVE');
    hub.at(t('14:47:14'));
    await instance(t('14:47:13'), hub)(auditEvent(auditLogEntry()));
    const id = (await paymentsApiNotStrict(hub.ledger))!.id;
    // The item as the hub's code before this change wrote it: no auditReadAt.
    await DynamoDBDocumentClient.from(dynaliteClient(dynalite.endpoint)).send(
      new UpdateCommand({ TableName: hub.table, Key: findingKey(id), UpdateExpression: 'REMOVE auditReadAt' }),
    );
    expect((await hub.ledger.getFinding(id))?.auditReadAt).toBeUndefined();

    // 14:48:05 bob labels the policy (still PERMISSIVE); the instance reading at 14:48:06 meets a 503.
    editPaymentsPolicy('PERMISSIVE', { owner: 'payments' });
    const labelled = throttledOnce(t('14:48:06'), hub);
    const late = labelled.run(auditEvent(paymentsPolicyEntry('2026-11-20T14:48:05.377120Z', 'PERMISSIVE', { '@type': 'k8s.io/Patch', metadata: { labels: { owner: 'payments' } } })));
    await labelled.firstAttempt;

    // 14:48:10 bob puts STRICT back; read at 14:48:11, its report lands at 14:48:12 and resolves the finding.
    editPaymentsPolicy('STRICT');
    hub.at(t('14:48:12'));
    await instance(t('14:48:11'), hub)(auditEvent(paymentsPolicyEntry('2026-11-20T14:48:10.640211Z', 'STRICT')));
    expect((await hub.ledger.getFinding(id))?.status).toBe('resolved');
    expect(notificationsOf(hub, id)).toEqual(['new', 'resolved']);

    // 14:48:20 the labelling's report arrives: it saw PERMISSIVE at 14:48:06, before bob put STRICT back.
    hub.at(t('14:48:20'));
    labelled.release();
    await late;
    expect((await hub.ledger.getFinding(id))?.status).toBe('resolved');
    expect(notificationsOf(hub, id)).toEqual(['new', 'resolved']);
    // Resolving the older item stamped it with the read that resolved it (14:48:11), which orders it from then on.
    expect((await hub.ledger.getFinding(id))?.auditReadAt).toBe('2026-11-20T14:48:11.000Z');
    const recorded = hub.logs.find((l) => l.message === 'agent report recorded' && l.fields?.generatedAt === '2026-11-20T14:48:06.000Z');
    expect(recorded?.fields).toMatchObject({ outdated: expect.any(Number) });
    expect(recorded?.fields?.outdated).toBeGreaterThanOrEqual(1);
  });
});
