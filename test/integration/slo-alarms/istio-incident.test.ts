import { MemoryNonceStore } from '../../../functions/core/link';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { Policy } from '../../../functions/core/policy/types';
import type { AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import type { AgentDeps } from '../../../functions/gcp/agent-deps';
import { emptyInventory } from '../../../functions/core/model/inventory';
import { istioAlertFired } from '../../../functions/gcp/istio-alert-fired';
import { istioScheduledAudit } from '../../../functions/gcp/istio-scheduled-audit';
import { alertPolicyFor } from '../../../functions/gcp/monitoring/alert-policies';
import { slosOfPolicy } from '../../../functions/core/slo/definition';
import { jsonLogger } from '../../../functions/gcp/log';
import { RecordingNotifier } from '../../support/recording-notifier';
import { shippedPolicy } from '../../support/model';
import { istioLatencyOpenMetrics, sampleTimes, startPrometheus, type IstioServiceSeries, type PrometheusServer, type TrafficAt } from '../../support/prometheus';
import { sharedEvent } from '../../support/shared-events';
import { schedulerEvent } from '../gcp/cloud-events';
import { fetchIntoHub, hubReportDeps } from '../../support/agent-findings-event';
import { agentDeps, LINK_SECRET } from './support/agent';

/**
 * The Istio path: a Cloud Monitoring incident (notification 1.2, the shared Pub/Sub CloudEvents,
 * open and closed, with the state in several casings) into the agent function, which confirms
 * the burn with a fresh PromQL query against a real Prometheus (Debian's package, backfilled by
 * promtool with the 80 hours before the incident); its signed report goes through the hub
 * client into the hub's real receive function (the agent's fetch hands hub requests to it and
 * Prometheus requests to the server), where the suspected change is named and its rollback
 * offered, and a closed incident resolves the finding.
 */

// The incident started at 15:10:00Z (started_at 1795187400); the agent runs a minute later.
const NOW = new Date('2026-11-20T15:11:00Z');
const NOW_S = NOW.getTime() / 1000;
const HOUR = 3600;
/** bob's DestinationRule change to payments-api (CHANGE below). */
const CHANGE_AT_S = Date.parse('2026-11-20T14:45:00Z') / 1000;
/** When bob's change was reverted by hand and payments-api's latency came back to 0.2 %. */
const RECOVERED_AT_S = Date.parse('2026-11-20T15:30:00Z') / 1000;
/** The closed incident ended at 15:41:00Z (ended_at 1795189260); the agent runs a minute later. */
const CLOSED_RUN = new Date('2026-11-20T15:42:00Z');

/**
 * The traffic Prometheus holds, 50 requests per second each: payments-api has 40 % of its
 * requests over 250 ms since the change (0.2 % before), so at NOW it burns its 1 % budget at
 * 40× over 5m and about 17× over 1h (26 of the last 60 minutes): a page. From 15:30 it is back
 * at 0.2 %, so at CLOSED_RUN no window pair fires (6h: 45 slow minutes, about 5×, under 6×).
 * ledger-api stays at 0.2 % (0.2×) all along.
 */
const SERIES: IstioServiceSeries[] = [
  { namespace: 'payments', service: 'payments-api', traffic: (t): TrafficAt => ({ perSecond: 50, slowShare: t > CHANGE_AT_S && t <= RECOVERED_AT_S ? 0.4 : 0.002 }) },
  { namespace: 'payments', service: 'ledger-api', traffic: (): TrafficAt => ({ perSecond: 50, slowShare: 0.002 }) },
];

let prometheus: PrometheusServer;

beforeAll(async () => {
  const times = sampleTimes(CLOSED_RUN.getTime() / 1000, 80 * HOUR, 7 * HOUR, 60, 600);
  prometheus = await startPrometheus({ openMetrics: istioLatencyOpenMetrics({ times, services: SERIES }) });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
});

/** An SLO of rules/ reading the test's Prometheus (an SLO's own source.prometheus.url wins over MESHGOV_PROMETHEUS_URL). */
function slo(name: string, service: string, url = prometheus.url) {
  return { name, service, mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: { url } } };
}

/** Where a test points the SLOs; the last test points them at a port where nothing listens. */
let prometheusUrl: () => string = () => prometheus.url;

/** What a test changes of rule slo-latency-burn, in the agent's rules/ and the hub's alike (reset after each test). */
let burnRule: Partial<Pick<Policy['rules']['slo-latency-burn'], 'remediation' | 'pageSeverity' | 'ticketSeverity'>> = {};
/** SLOs a test adds to rules/ beside the three below (reset after each test). */
let extraSlos: Array<ReturnType<typeof slo>> = [];
afterEach(() => {
  burnRule = {};
  extraSlos = [];
});

function policy(): Policy {
  const p = shippedPolicy();
  Object.assign(p.rules['slo-latency-burn'], burnRule);
  // refunds-api takes no traffic in this Prometheus: an SLO whose names match nothing.
  p.slos = [slo('payments-api-latency', 'payments-api', prometheusUrl()), slo('ledger-api-latency', 'ledger-api', prometheusUrl()), slo('refunds-api-latency', 'refunds-api', prometheusUrl()), ...extraSlos];
  return p;
}

/** A DestinationRule change to payments-api 25 minutes before the incident, made by bob. */
const CHANGE: ChangeRecord = {
  id: 'chg-3e5a7c9d',
  provider: 'istio',
  action: 'istio.destination-rule.tls-mode',
  target: { kind: 'DestinationRule', namespace: 'payments', name: 'payments-api' },
  before: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  after: { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { http: { http2MaxRequests: 10 } } } },
  reason: 'set connection pool limits',
  trigger: { source: 'slack', eventId: 'rmd-1f2e3d4c5b6a', eventTime: '2026-11-20T14:45:00Z', actor: 'slack:U07BOB0001', summary: 'approval rmd-1f2e3d4c5b6a by Slack user U07BOB0001' },
  approvedBy: 'U07BOB0001',
  at: '2026-11-20T14:45:00.000Z',
  outcome: 'verified',
  service: 'istio:payments/payments-api',
  expiresAt: Math.floor(NOW.getTime() / 1000) + 90 * 86_400,
};

function hubDeps(ledger: MemoryLedger, notifier: RecordingNotifier, clock: () => Date): AgentReportDeps {
  return hubReportDeps(NOW, LINK_SECRET, { ledger, notifier, policy: policy(), clock, nonceStore: new MemoryNonceStore({ clock }) });
}

/** A PromQL query the agent sent to Prometheus, as the HTTP API received it (POST form). */
interface SentQuery {
  query: string;
  time: number;
}

/** The agent's fetch: Prometheus requests go to the real server (and are recorded), the rest to the hub's receive function as API Gateway would call it. */
function agentFetch(hub: AgentReportDeps, queries: SentQuery[]): typeof fetch {
  const intoHub = fetchIntoHub(hub);
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const target = String(url);
    if (target.startsWith(prometheusUrl())) {
      const form = new URLSearchParams(String(init?.body ?? ''));
      queries.push({ query: form.get('query') ?? '', time: Number(form.get('time')) });
      return globalThis.fetch(target, init);
    }
    return intoHub(url, init);
  }) as typeof fetch;
}


function agent(hub: AgentReportDeps, queries: SentQuery[], at: Date): AgentDeps {
  return agentDeps(at, {
    // No cluster here: the run's topology read fails, is logged and skipped, and the service's own change is the suspect.
    source: { collect: async () => { throw new Error('this test gives the agent no Kubernetes API'); } } as unknown as AgentDeps['source'],
    builders: [],
    policy: policy(),
    fetch: agentFetch(hub, queries),
  });
}

function incidentEvent(file: 'open' | 'closed', edit: (incident: Record<string, any>) => void = () => {}) {
  const event = sharedEvent(`gcp/pubsub-cloudevent-monitoring-incident-${file}.json`);
  const notification = JSON.parse(Buffer.from(event.data.message.data, 'base64').toString('utf8'));
  edit(notification.incident);
  event.data.message.data = Buffer.from(JSON.stringify(notification), 'utf8').toString('base64');
  return event;
}

const quiet = jsonLogger(() => undefined);

/**
 * One incident run against a fresh hub and ledger (holding CHANGE), with what it queried. The
 * agent and the hub run at NOW until `runAt` moves them (a closed incident comes later).
 */
async function setUp() {
  let at = NOW;
  const clock = () => at;
  const ledger = new MemoryLedger(clock);
  await ledger.recordChange(CHANGE);
  const notifier = new RecordingNotifier();
  const hub = hubDeps(ledger, notifier, clock);
  const queries: SentQuery[] = [];
  const fired = istioAlertFired(async () => agent(hub, queries, at), quiet);
  const runAt = (when: Date) => {
    at = when;
  };
  return { ledger, notifier, queries, fired, runAt };
}

type Windows = Array<{ kind: string; long: string; short: string; factor: number; burnLong: number; burnShort: number }>;

describe('istioAlertFired through the hub, confirming with real Prometheus', () => {
  it.each(['open', 'OPEN', 'Open'])('an incident in state %j: a fresh PromQL query at the run time confirms the page; the hub names the suspected change and offers its rollback', async (state) => {
    const { ledger, notifier, queries, fired } = await setUp();
    await fired(incidentEvent('open', (incident) => (incident.state = state)));

    // One batched query for every window of the SLO, evaluated now, not at the incident's start.
    expect(queries).toHaveLength(1);
    expect(queries[0].time).toBe(NOW_S);
    expect(queries[0].query).toContain('istio_request_duration_milliseconds_bucket');
    expect(queries[0].query).toContain('reporter="destination"');
    expect(queries[0].query).toContain('payments-api');
    expect(queries[0].query).not.toContain('ledger-api');

    const open = await ledger.listOpenFindings();
    expect(open).toHaveLength(1);
    const finding = open[0].finding;
    expect(finding).toMatchObject({ rule: 'slo-latency-burn', severity: 'critical', provider: 'prometheus', resource: { kind: 'Service', name: 'payments-api', namespace: 'payments' } });
    expect(finding.detail).toMatchObject({ level: 'page', method: 'prometheus-histogram', objective: 99, thresholdMs: 250 });
    // The burn rates are Prometheus's answer over the backfilled series: 40× over 5m, ~17× over 1h; 6h (~3×) does not reach 6×.
    const windows = finding.detail.windows as Windows;
    const fast = windows.find((w) => w.long === '1h' && w.short === '5m')!;
    expect(fast.burnShort).toBeCloseTo(40, 0);
    expect(fast.burnLong).toBeGreaterThan(16);
    expect(fast.burnLong).toBeLessThan(19);
    const slow = windows.find((w) => w.long === '6h' && w.short === '30m')!;
    expect(slow.burnLong).toBeGreaterThan(2);
    expect(slow.burnLong).toBeLessThan(6);

    expect(finding.detail.suspect).toMatchObject({ changeId: CHANGE.id, relation: 'service', who: 'approved by U07BOB0001', byMeshgov: false });
    expect(finding.message).toContain(CHANGE.id);
    expect(open[0].trigger).toMatchObject({ source: 'cloud-monitoring', eventId: '0.nq1d6hfe1l3v:open' });
    const approval = await ledger.findOpenApproval(open[0].id);
    expect(approval).toMatchObject({ undoOf: CHANGE.id, remediation: { action: 'istio.destination-rule.tls-mode.undo', change: { changeId: CHANGE.id } } });
    expect(notifier.sent.map((s) => s.type).sort()).toEqual(['approval', 'finding']);
  });

  it.each(['closed', 'CLOSED', 'Closed'])('a closed incident in state %j resolves the finding once the fresh numbers have stopped burning', async (state) => {
    const { ledger, notifier, queries, fired, runAt } = await setUp();
    await fired(incidentEvent('open'));
    const [finding] = await ledger.listOpenFindings();
    expect(finding).toBeDefined();

    runAt(CLOSED_RUN);
    await fired(incidentEvent('closed', (incident) => (incident.state = state)));
    expect(queries).toHaveLength(2);
    expect(queries[1].time).toBe(CLOSED_RUN.getTime() / 1000);
    expect((await ledger.getFinding(finding.id))?.status).toBe('resolved');
    expect(notifier.sent).toContainEqual(expect.objectContaining({ type: 'finding', id: finding.id, kind: 'resolved' }));
  });

  it('a closed incident of one condition keeps the finding open while the fresh numbers still burn (the policy\'s other condition is open)', async () => {
    const { ledger, notifier, queries, fired, runAt } = await setUp();
    await fired(incidentEvent('open'));
    const [finding] = await ledger.listOpenFindings();

    // The fast condition's incident closes at 15:20, while payments-api is still 40 % slow.
    const closedAt = new Date('2026-11-20T15:20:00Z');
    runAt(new Date(closedAt.getTime() + 60_000));
    await fired(
      incidentEvent('closed', (incident) => {
        incident.ended_at = closedAt.getTime() / 1000;
        incident.condition_name = 'payments-api 5m burn rate under 14.4x';
      }),
    );
    expect(queries).toHaveLength(2);
    const record = await ledger.getFinding(finding.id);
    expect(record?.status).toBe('open');
    expect(record?.finding.rule).toBe('slo-latency-burn');
    const fast = (record?.finding.detail.windows as Windows).find((w) => w.long === '1h' && w.short === '5m')!;
    expect(fast.burnShort).toBeCloseTo(40, 0);
    expect(notifier.sent.filter((s) => s.type === 'finding' && s.kind === 'resolved')).toEqual([]);
  });

  it("another SLO's closed incident on the same service leaves this SLO's burn open", async () => {
    // A second SLO on payments-api: 99 % under 500 ms. The slow requests take 400 ms, so it does not burn at all.
    extraSlos = [{ ...slo('payments-api-p99-500ms', 'payments-api'), thresholdMs: 500 }];
    const { ledger, notifier, queries, fired, runAt } = await setUp();
    await fired(incidentEvent('open'));
    const [finding] = await ledger.listOpenFindings();
    expect(finding?.finding.rule).toBe('slo-latency-burn');

    const closedAt = new Date('2026-11-20T15:20:00Z');
    runAt(new Date(closedAt.getTime() + 60_000));
    await fired(
      incidentEvent('closed', (incident) => {
        incident.incident_id = '0.p99x500kd1ra';
        incident.ended_at = closedAt.getTime() / 1000;
        incident.policy_user_labels = { 'meshgov-slo': 'payments-api-p99-500ms', team: 'payments' };
        incident.policy_name = 'meshgov payments-api p99 latency under 500 ms';
        incident.condition_name = 'payments-api p99 latency above 500 ms';
        incident.summary = 'p99 request latency for payments-api in payments (prod-gke) returned to normal with a value of 401.3.';
      }),
    );
    expect(queries).toHaveLength(2);
    expect((await ledger.getFinding(finding!.id))?.status).toBe('open');
    expect(notifier.sent.filter((s) => s.type === 'finding' && s.kind === 'resolved')).toEqual([]);
  });

  it('an open incident the fresh numbers do not confirm (ledger-api burns at 0.2×) raises nothing', async () => {
    const { ledger, notifier, queries, fired } = await setUp();
    await fired(
      incidentEvent('open', (incident) => {
        incident.policy_user_labels = { 'meshgov-slo': 'ledger-api-latency', team: 'payments' };
        incident.summary = 'p99 request latency for ledger-api in payments (prod-gke) is above the 250 ms threshold with a value of 268.1.';
      }),
    );
    expect(queries).toHaveLength(1);
    expect(queries[0].query).toContain('ledger-api');
    expect(await ledger.listOpenFindings()).toHaveLength(0);
    expect(notifier.sent).toEqual([]);
  });

  it('the first closed state of an SLO whose names match no traffic raises slo-no-data, and no burn', async () => {
    const { ledger, notifier, fired } = await setUp();
    await fired(incidentEvent('closed', (incident) => (incident.policy_user_labels = { 'meshgov-slo': 'refunds-api-latency', team: 'payments' })));
    const open = await ledger.listOpenFindings();
    expect(open.map((r) => [r.finding.rule, r.finding.resource])).toEqual([['slo-no-data', { kind: 'Service', name: 'refunds-api', namespace: 'payments' }]]);
    expect(open[0].finding.message).toMatch(/^SLO refunds-api-latency measured no request to Service payments\/refunds-api over 30d/);
    expect(notifier.sent).toContainEqual(expect.objectContaining({ type: 'finding', kind: 'new' }));
  });

  it('a closed incident whose fresh read fails fails the run (Pub/Sub redelivers) and leaves the finding open; once Prometheus answers, it resolves', async () => {
    const { ledger, notifier, fired, runAt } = await setUp();
    await fired(incidentEvent('open'));
    const [finding] = await ledger.listOpenFindings();
    runAt(CLOSED_RUN);
    prometheusUrl = () => 'http://127.0.0.1:1';
    try {
      await expect(fired(incidentEvent('closed'))).rejects.toThrow();
      expect((await ledger.getFinding(finding.id))?.status).toBe('open');
      expect(notifier.sent.filter((s) => s.type === 'finding' && s.kind === 'resolved')).toEqual([]);
    } finally {
      prometheusUrl = () => prometheus.url;
    }
    await fired(incidentEvent('closed'));
    expect((await ledger.getFinding(finding.id))?.status).toBe('resolved');
  });

  it("grades the finding's windows by the rules' pageSeverity and ticketSeverity, as the finding is", async () => {
    burnRule = { pageSeverity: 'high', ticketSeverity: 'low' };
    const { ledger, fired } = await setUp();
    await fired(incidentEvent('open'));
    const [record] = await ledger.listOpenFindings();
    expect(record.finding.severity).toBe('high');
    expect((record.finding.detail.windows as Array<Windows[number] & { severity: string }>).map((w) => `${w.kind} ${w.long}/${w.short} ${w.severity}`)).toEqual([
      'page 1h/5m high',
      'page 6h/30m high',
      'ticket 3d/6h low',
    ]);
  });

  it("with the rule's remediation manual, the hub names the suspected change and its Undo but asks for no approval", async () => {
    burnRule = { remediation: 'manual' };
    const { ledger, notifier, fired } = await setUp();
    await fired(incidentEvent('open'));
    const [record] = await ledger.listOpenFindings();
    expect(record.finding.detail.suspect).toMatchObject({ changeId: CHANGE.id });
    expect(record.finding.remediation).toMatchObject({ action: 'istio.destination-rule.tls-mode.undo', mode: 'manual', change: { changeId: CHANGE.id } });
    expect(record.finding.remediation!.reason).toContain('rule slo-latency-burn allows only manual remediation');
    expect(await ledger.findOpenApproval(record.id)).toBeUndefined();
    expect(notifier.sent.map((s) => s.type)).toEqual(['finding']);
  });

  it('acknowledges an incident of a policy that names no SLO, and reports nothing', async () => {
    const { ledger, queries, fired } = await setUp();
    await fired(incidentEvent('open', (incident) => (incident.policy_user_labels = { team: 'payments' })));
    expect(queries).toHaveLength(0);
    expect(await ledger.listOpenFindings()).toHaveLength(0);
  });

  it('fails the run when Prometheus cannot be reached, so Pub/Sub delivers the incident again', async () => {
    // Port 1 (tcpmux) is privileged and unused on a test machine: the connection is refused.
    prometheusUrl = () => 'http://127.0.0.1:1';
    try {
      const { ledger, queries, fired } = await setUp();
      await expect(fired(incidentEvent('open'))).rejects.toThrow(/payments-api-latency/);
      expect(queries).toHaveLength(1);
      expect(await ledger.listOpenFindings()).toHaveLength(0);
    } finally {
      prometheusUrl = () => prometheus.url;
    }
  });
});

describe('istioScheduledAudit sweeps the Istio SLOs after the full audit', () => {
  /** The scheduled function against the same hub and Prometheus; the cluster holds nothing, so the full audit reports no finding. */
  async function scheduledSetUp() {
    const setup = await setUp();
    let at = NOW;
    const moveTo = (when: Date) => {
      at = when;
      setup.runAt(when);
    };
    const hub = hubDeps(setup.ledger, setup.notifier, () => at);
    const fired = istioScheduledAudit(async () => ({ ...agent(hub, setup.queries, at), source: { collect: async () => emptyInventory() } }), quiet);
    return { ...setup, fired, moveTo };
  }

  it('reports each SLO on its own: the burn as an incident would (suspect named, rollback offered), the SLO without traffic as slo-no-data', async () => {
    const { ledger, queries, fired } = await scheduledSetUp();
    await fired(schedulerEvent());
    // One batched PromQL query for the three SLOs.
    expect(queries).toHaveLength(1);
    for (const service of ['payments-api', 'ledger-api', 'refunds-api']) expect(queries[0].query).toContain(service);
    const open = await ledger.listOpenFindings();
    expect(open.map((r) => [r.finding.rule, r.finding.resource.name]).sort()).toEqual([
      ['slo-latency-burn', 'payments-api'],
      ['slo-no-data', 'refunds-api'],
    ]);
    const burn = open.find((r) => r.finding.rule === 'slo-latency-burn')!;
    expect(burn.trigger).toMatchObject({ source: 'cloud-scheduler', summary: 'scheduled SLO sweep (payments-api-latency)', eventId: expect.stringMatching(/:slo:payments-api-latency$/) });
    expect(burn.finding.detail.suspect).toMatchObject({ changeId: CHANGE.id });
    expect(await ledger.findOpenApproval(burn.id)).toMatchObject({ undoOf: CHANGE.id });
  });

  it("grades the swept burn's windows by the rules' pageSeverity and ticketSeverity", async () => {
    burnRule = { pageSeverity: 'high', ticketSeverity: 'low' };
    const { ledger, fired } = await scheduledSetUp();
    await fired(schedulerEvent());
    const burn = (await ledger.listOpenFindings()).find((r) => r.finding.rule === 'slo-latency-burn')!;
    expect(burn.trigger).toMatchObject({ source: 'cloud-scheduler' });
    expect(burn.finding.severity).toBe('high');
    expect((burn.finding.detail.windows as Array<{ kind: string; severity: string }>).map((w) => `${w.kind} ${w.severity}`)).toEqual(['page high', 'page high', 'ticket low']);
  });

  it('a sweep that cannot read the SLOs fails (Pub/Sub redelivers) and leaves their findings open; the next one resolves the burn that has stopped', async () => {
    const { ledger, fired, moveTo } = await scheduledSetUp();
    await fired(schedulerEvent());
    const [burn] = (await ledger.listOpenFindings()).filter((r) => r.finding.rule === 'slo-latency-burn');

    moveTo(CLOSED_RUN);
    prometheusUrl = () => 'http://127.0.0.1:1';
    try {
      await expect(fired(schedulerEvent())).rejects.toThrow(/payments-api-latency/);
      expect((await ledger.getFinding(burn.id))?.status).toBe('open');
    } finally {
      prometheusUrl = () => prometheus.url;
    }
    await fired(schedulerEvent());
    expect((await ledger.getFinding(burn.id))?.status).toBe('resolved');
  });
});

describe('the alert policy meshgov generates for the SLO, evaluated by the same Prometheus', () => {
  /** The series a PromQL condition returns at `at` (Cloud Monitoring opens an incident while it returns any). */
  async function evaluate(query: string, at: Date): Promise<unknown[]> {
    const res = await fetch(`${prometheus.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: String(at.getTime() / 1000) }) });
    const body = (await res.json()) as { status: string; data: { result: unknown[] }; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus refused the condition: ${body.error}`);
    return body.data.result;
  }

  it('fires its fast-burn condition exactly when the confirming query sees the page, and none once the burn has stopped', async () => {
    const slo = slosOfPolicy(policy()).find((s) => s.name === 'payments-api-latency')!;
    const conditions = alertPolicyFor(slo).conditions.map((c) => ({ name: c.displayName, query: c.conditionPrometheusQueryLanguage.query }));
    const firingAt = async (at: Date) => {
      const out: string[] = [];
      for (const c of conditions) if ((await evaluate(c.query, at)).length > 0) out.push(c.name);
      return out;
    };
    // At NOW the confirming query reads 40x over 5m and ~17x over 1h, ~3x over 6h (the first test above).
    expect(await firingAt(NOW)).toEqual(['payments-api-latency page: 14.4x burn over 1h and 5m']);
    expect(await firingAt(CLOSED_RUN)).toEqual([]);
  });
});
