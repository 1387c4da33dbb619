import type { AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import type { ChangeRecord } from '../../../functions/core/ledger/types';
import type { Policy } from '../../../functions/core/policy/types';
import type { SloSource } from '../../../functions/core/slo/reading';
import { AGENT_BUILDERS, type AgentDeps } from '../../../functions/gcp/agent-deps';
import { istioAlertFired } from '../../../functions/gcp/istio-alert-fired';
import { jsonLogger } from '../../../functions/gcp/log';
import { istioSource } from '../../../functions/providers/istio/live';
import { RecordingNotifier } from '../../support/recording-notifier';
import { shippedPolicy } from '../../support/model';
import { sharedEvent } from '../../support/shared-events';
import { startLiveCluster, type LiveCluster } from '../istio/live-cluster';
import { fetchIntoHub, hubReportDeps } from '../../support/agent-findings-event';
import { agentDeps, LINK_SECRET } from './support/agent';

/**
 * Dependencies on the Istio path: the agent reads the SLO service's namespace from the cluster
 * (the live Istio reader over the Kubernetes emulator, real @kubernetes/client-node), derives
 * what payments-api calls from the Istio model (its namespace's DestinationRule `ledger` toward
 * ledger.payments.svc.cluster.local, the ledger StatefulSet behind it, and the rules exported
 * to payments), and sends that with the finding; the hub's real receive function finds the only
 * recent change, meshgov's approved change to ledger, and names it as a dependency's.
 * (The fresh burn query itself is tested against a real Prometheus in istio-incident.test.ts;
 * here the SLO source answers with a page-level burn.)
 */

const NOW = new Date('2026-11-20T15:11:00Z');

let cluster: LiveCluster;

beforeAll(async () => {
  cluster = await startLiveCluster();
});

afterAll(async () => {
  await cluster?.emulator.stop();
});

function policy(): Policy {
  const p = shippedPolicy();
  p.slos = [{ name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: {} } }];
  return p;
}

/** payments-api burning at 40× over 5m and 17× over 1h since 14:45. */
const burning: SloSource = {
  async read(slos) {
    return { readings: slos.map((slo) => ({ slo, method: 'prometheus-histogram', burnRates: { '5m': 40, '30m': 30, '1h': 17, '6h': 3, '3d': 0.3, '30d': 0.05 } })), problems: [], queries: 1 };
  },
};

/** meshgov's approved change to ledger's PeerAuthentication (STRICT), 20 minutes before the incident: the only recent change. */
const LEDGER_CHANGE: ChangeRecord = {
  id: 'chg-4f6b8d0e',
  findingId: 'mtls-not-strict:istio:payments/ledger:7070',
  approvalId: 'rmd-2a4c6e8f0b1d',
  provider: 'istio',
  action: 'istio.peerauthentication.set-strict',
  target: { kind: 'PeerAuthentication', namespace: 'payments', name: 'ledger' },
  before: { selector: { matchLabels: { app: 'ledger' } }, mtls: { mode: 'PERMISSIVE' } },
  after: { selector: { matchLabels: { app: 'ledger' } }, mtls: { mode: 'STRICT' } },
  reason: 'ledger accepts plaintext on 7070; every known client sends mTLS',
  trigger: { source: 'slack', eventId: 'rmd-2a4c6e8f0b1d', eventTime: '2026-11-20T14:50:00Z', actor: 'slack:U05JX7RB2LM', summary: 'approval rmd-2a4c6e8f0b1d by Slack user U05JX7RB2LM' },
  approvedBy: 'U05JX7RB2LM',
  at: '2026-11-20T14:50:00.000Z',
  outcome: 'verified',
  service: 'istio:payments/ledger',
  expiresAt: Math.floor(NOW.getTime() / 1000) + 90 * 86_400,
};

function hubDeps(ledger: MemoryLedger): AgentReportDeps {
  return hubReportDeps(NOW, LINK_SECRET, { ledger, policy: policy() });
}


function agent(hub: AgentReportDeps, source: AgentDeps['source']): AgentDeps {
  return agentDeps(NOW, { source, builders: AGENT_BUILDERS, policy: policy(), fetch: fetchIntoHub(hub) });
}

function openIncident() {
  return sharedEvent('gcp/pubsub-cloudevent-monitoring-incident-open.json');
}

const quiet = jsonLogger(() => undefined);

describe('istioAlertFired with what payments-api calls', () => {
  it("reads the namespace on the agent, and the hub names a change to ledger as a dependency's", async () => {
    const ledger = new MemoryLedger(() => NOW);
    await ledger.recordChange(LEDGER_CHANGE);
    const hub = hubDeps(ledger);
    const source = istioSource({ kubeConfig: cluster.kubeConfig, client: cluster.k8s, sleep: cluster.sleep });
    await istioAlertFired(async () => agent(hub, source), quiet, { prometheus: () => burning })(openIncident());

    const [open] = await ledger.listOpenFindings();
    expect(open.finding.detail.topology).toMatchObject({ dependencies: expect.arrayContaining(['istio:payments/ledger']) });
    expect(open.finding.detail.suspect).toMatchObject({ changeId: LEDGER_CHANGE.id, relation: 'dependency', service: 'istio:payments/ledger', who: 'approved by U05JX7RB2LM' });
    expect(open.finding.message).toContain('Suspected change to a dependency of this service (istio:payments/ledger, which it calls)');
    expect(await ledger.findOpenApproval(open.id)).toMatchObject({ undoOf: LEDGER_CHANGE.id, remediation: { action: 'istio.peerauthentication.set-strict.undo', mode: 'approval' } });
    const notifier = hub.notifier as RecordingNotifier;
    expect(notifier.sent.map((s) => s.type).sort()).toEqual(['approval', 'finding']);
  });

  it('without the namespace read (the cluster is unreachable), the same change is not blamed, and the burn is still reported', async () => {
    const ledger = new MemoryLedger(() => NOW);
    await ledger.recordChange(LEDGER_CHANGE);
    const hub = hubDeps(ledger);
    const unreachable: AgentDeps['source'] = { collect: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443')) };
    await istioAlertFired(async () => agent(hub, unreachable), quiet, { prometheus: () => burning })(openIncident());
    const [open] = await ledger.listOpenFindings();
    expect(open.finding.rule).toBe('slo-latency-burn');
    expect(open.finding.detail.suspect).toBeUndefined();
    expect(open.finding.detail.topology).toBeUndefined();
  });
});
