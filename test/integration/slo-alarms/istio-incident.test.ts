import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MemoryNonceStore } from '../../../functions/core/link';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { Policy } from '../../../functions/core/policy/types';
import type { SloDefinition } from '../../../functions/core/slo/definition';
import type { SloSource } from '../../../functions/core/slo/reading';
import { receiveAgentReport, type AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import type { AgentDeps } from '../../../functions/gcp/agent-deps';
import { istioAlertFired } from '../../../functions/gcp/istio-alert-fired';
import { jsonLogger } from '../../../functions/gcp/log';
import { RecordingNotifier } from '../../support/recording-notifier';
import { shippedPolicy } from '../../support/model';
import { sharedEvent } from '../../support/shared-events';

/**
 * The Istio path: a Cloud Monitoring incident (notification 1.2, the shared Pub/Sub CloudEvents)
 * into the agent function, its signed report through the hub client into the hub's real receive
 * function (the agent's fetch hands the request to it), where the suspected change is named and
 * its rollback offered, and a closed incident resolves the finding.
 */

const SECRET = 'meshgov-test-link-secret-0123456789abcdef';
// The incident started at 15:10:00Z (started_at 1795187400); the agent runs a minute later.
const NOW = new Date('2026-11-20T15:11:00Z');

const SLO = {
  name: 'payments-api-latency',
  service: 'payments-api',
  mesh: 'istio',
  namespace: 'payments',
  objective: 99,
  thresholdMs: 250,
  source: { prometheus: {} },
};

/** What Prometheus would answer for payments-api burning since the change: 20× over 5m, 16× over 1h. */
function burningPrometheus(reads: SloDefinition[][]): SloSource {
  return {
    async read(slos) {
      reads.push(slos);
      return { readings: slos.map((slo) => ({ slo, method: 'prometheus-histogram', burnRates: { '5m': 20, '30m': 18, '1h': 16, '6h': 2.7, '3d': 0.3, '30d': 0.05 } })), problems: [], queries: 1 };
    },
  };
}

function policy(): Policy {
  const p = shippedPolicy();
  p.slos = [SLO];
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

function hubDeps(ledger: MemoryLedger, notifier: RecordingNotifier): AgentReportDeps {
  return {
    ledger,
    notifier,
    policy: policy(),
    executors: [],
    clock: () => NOW,
    dryRun: true,
    newId: (p) => `${p}-0001`,
    log: () => undefined,
    linkSecret: async () => SECRET,
    nonceStore: new MemoryNonceStore({ clock: () => NOW }),
  };
}

/** The agent's fetch, answered by the hub's receive function as API Gateway would call it. */
function fetchIntoHub(hub: AgentReportDeps): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const template = sharedEvent<APIGatewayProxyEventV2>('aws/apigw-http-slack-block-actions.json');
    const event: APIGatewayProxyEventV2 = {
      ...template,
      routeKey: 'POST /agent/findings',
      rawPath: '/agent/findings',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      requestContext: { ...template.requestContext, routeKey: 'POST /agent/findings', http: { ...template.requestContext.http, path: '/agent/findings' } },
      body: String(init?.body),
      isBase64Encoded: false,
    };
    const answer = await receiveAgentReport(event, hub);
    return new Response(answer.body ?? '', { status: answer.statusCode ?? 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

function agent(hub: AgentReportDeps): AgentDeps {
  return {
    config: {
      hubUrl: new URL('https://hub.example.com/agent/findings'),
      linkSecrets: [SECRET],
      identity: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
      ownPrincipals: [],
      rootNamespace: 'istio-system',
      dryRun: 'true',
      hubRetry: { attempts: 1, backoffMs: 1, timeoutMs: 5_000 },
    },
    source: { collect: async () => { throw new Error('an incident run reads no configuration'); } } as unknown as AgentDeps['source'],
    executors: [],
    builders: [],
    policy: policy(),
    dryRun: true,
    nonceStore: new MemoryNonceStore({ clock: () => NOW }),
    clock: () => NOW,
    fetch: fetchIntoHub(hub),
    sleep: async () => undefined,
  };
}

function incidentEvent(file: 'open' | 'closed', edit: (incident: Record<string, any>) => void = () => {}) {
  const event = sharedEvent(`gcp/pubsub-cloudevent-monitoring-incident-${file}.json`);
  const notification = JSON.parse(Buffer.from(event.data.message.data, 'base64').toString('utf8'));
  edit(notification.incident);
  event.data.message.data = Buffer.from(JSON.stringify(notification), 'utf8').toString('base64');
  return event;
}

const quiet = jsonLogger(() => undefined);

describe('istioAlertFired through the hub', () => {
  it('confirms an open incident with a fresh query; the hub names the suspected change and offers its rollback', async () => {
    const ledger = new MemoryLedger(() => NOW);
    await ledger.recordChange(CHANGE);
    const notifier = new RecordingNotifier();
    const hub = hubDeps(ledger, notifier);
    const reads: SloDefinition[][] = [];
    await istioAlertFired(async () => agent(hub), quiet, { prometheus: () => burningPrometheus(reads) })(incidentEvent('open'));

    expect(reads.map((slos) => slos.map((s) => s.name))).toEqual([['payments-api-latency']]);
    const open = await ledger.listOpenFindings();
    expect(open).toHaveLength(1);
    expect(open[0].finding).toMatchObject({ rule: 'slo-latency-burn', provider: 'prometheus', resource: { kind: 'Service', name: 'payments-api', namespace: 'payments' } });
    expect(open[0].finding.detail.suspect).toMatchObject({ changeId: CHANGE.id, relation: 'service', who: 'approved by U07BOB0001', byMeshgov: false });
    expect(open[0].finding.message).toContain(CHANGE.id);
    expect(open[0].trigger).toMatchObject({ source: 'cloud-monitoring', eventId: '0.nq1d6hfe1l3v:open' });
    const approval = await ledger.findOpenApproval(open[0].id);
    expect(approval).toMatchObject({ undoOf: CHANGE.id, remediation: { action: 'istio.destination-rule.tls-mode.undo', change: { changeId: CHANGE.id } } });
    expect(notifier.sent.map((s) => s.type).sort()).toEqual(['approval', 'finding']);
  });

  it('resolves the finding when the incident closes (state compared case-insensitively), with no query', async () => {
    const ledger = new MemoryLedger(() => NOW);
    await ledger.recordChange(CHANGE);
    const notifier = new RecordingNotifier();
    const hub = hubDeps(ledger, notifier);
    const reads: SloDefinition[][] = [];
    const fired = istioAlertFired(async () => agent(hub), quiet, { prometheus: () => burningPrometheus(reads) });
    await fired(incidentEvent('open'));
    const [finding] = await ledger.listOpenFindings();

    await fired(incidentEvent('closed', (incident) => (incident.state = 'CLOSED')));
    expect(reads).toHaveLength(1);
    expect((await ledger.getFinding(finding.id))?.status).toBe('resolved');
    expect(notifier.sent).toContainEqual(expect.objectContaining({ type: 'finding', id: finding.id, kind: 'resolved' }));
  });

  it('acknowledges an incident of a policy that names no SLO, and reports nothing', async () => {
    const ledger = new MemoryLedger(() => NOW);
    const hub = hubDeps(ledger, new RecordingNotifier());
    const reads: SloDefinition[][] = [];
    await istioAlertFired(async () => agent(hub), quiet, { prometheus: () => burningPrometheus(reads) })(incidentEvent('open', (incident) => (incident.policy_user_labels = { team: 'payments' })));
    expect(reads).toHaveLength(0);
    expect(await ledger.listOpenFindings()).toHaveLength(0);
  });
});
