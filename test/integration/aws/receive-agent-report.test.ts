import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signRequest, type AgentReport } from '../../../functions/core/link';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { buildReport } from '../../../functions/core/report/report';
import { receiveAgentReport, type AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import { RecordingNotifier } from '../../support/recording-notifier';
import { shippedPolicy } from '../../support/model';
import { sharedEvent } from '../../support/shared-events';
import { agentFindingsEvent, hubReportDeps } from '../../support/agent-findings-event';

const SECRET = 'link-test-secret-3f9a1c7e5b2d4f60';
const NOW = new Date('2026-11-20T14:47:20Z');

function report(): AgentReport {
  const entry = sharedEvent('gcp/k8s-audit-peerauthentication.logentry.json');
  return {
    agent: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
    scopedReport: {
      trigger: { source: 'gke-audit', eventId: '11447208903215981', eventTime: entry.timestamp, actor: entry.protoPayload.authenticationInfo.principalEmail, summary: 'patch PeerAuthentication payments/default by bob@example.com' },
      scope: { kind: 'istio-namespace', namespace: 'payments' },
      auditedResources: ['istio|Deployment|payments||payments-api'],
      report: buildReport(
        [
          {
            id: '9c1b2d3e4f5a6b7c8d9e0f1a',
            rule: 'mtls-not-strict',
            severity: 'high',
            provider: 'istio',
            resource: { kind: 'Deployment', name: 'payments-api', namespace: 'payments', port: 8080, file: '/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default', line: 1 },
            message: 'Deployment payments/payments-api port 8080 accepts plaintext as well as mTLS (PERMISSIVE)',
            detail: { mode: 'PERMISSIVE' },
            remediation: null,
          },
        ],
        12,
        NOW,
      ),
    },
  };
}

/** The API Gateway HTTP API (payload 2.0) event for a POST from the agent. */
function apiEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  return agentFindingsEvent(body, { 'content-type': 'application/json', 'user-agent': 'meshgov-agent', ...headers });
}

function deps(): AgentReportDeps & { ledger: MemoryLedger; notifier: RecordingNotifier } {
  const ledger = new MemoryLedger(() => NOW);
  const notifier = new RecordingNotifier();
  return { ...hubReportDeps(NOW, SECRET, { ledger, notifier, policy: shippedPolicy(), newId: (p) => `${p}-1` }), ledger, notifier };
}

describe("the hub's findings endpoint for the agent", () => {
  it('records and notifies a signed report', async () => {
    const d = deps();
    const body = JSON.stringify(report());
    const res = await receiveAgentReport(apiEvent(body, signRequest(body, SECRET, NOW) as unknown as Record<string, string>), d);
    expect(res.statusCode).toBe(200);
    expect(await d.ledger.getFinding('9c1b2d3e4f5a6b7c8d9e0f1a')).toMatchObject({ status: 'open', trigger: { source: 'gke-audit', actor: 'bob@example.com' } });
    expect(d.notifier.sent).toEqual([expect.objectContaining({ type: 'finding', kind: 'new' })]);
  });

  it('refuses a forged, replayed or stale report with 401 and records nothing', async () => {
    const d = deps();
    const body = JSON.stringify(report());
    const forged = await receiveAgentReport(apiEvent(body, signRequest(body, 'another-secret', NOW) as unknown as Record<string, string>), d);
    expect(forged.statusCode).toBe(401);
    const stale = await receiveAgentReport(apiEvent(body, signRequest(body, SECRET, new Date(NOW.getTime() - 6 * 60_000)) as unknown as Record<string, string>), d);
    expect(stale.statusCode).toBe(401);
    const headers = signRequest(body, SECRET, NOW) as unknown as Record<string, string>;
    expect((await receiveAgentReport(apiEvent(body, headers), d)).statusCode).toBe(200);
    expect((await receiveAgentReport(apiEvent(body, headers), d)).statusCode).toBe(401);
    expect(d.notifier.sent).toHaveLength(1);
  });

  it("refuses a signed but malformed report with 400 naming the field (the agent fails the delivery, and Pub/Sub dead-letters it after its attempts), and records nothing", async () => {
    const d = deps();
    const bad = report() as any;
    delete bad.scopedReport.auditedResources;
    const body = JSON.stringify(bad);
    const res = await receiveAgentReport(apiEvent(body, signRequest(body, SECRET, NOW) as unknown as Record<string, string>), d);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toMatchObject({ error: 'malformed-request', field: 'scopedReport.auditedResources' });
    expect(d.notifier.sent).toEqual([]);
    const notJson = '{"agent":';
    const res2 = await receiveAgentReport(apiEvent(notJson, signRequest(notJson, SECRET, NOW) as unknown as Record<string, string>), d);
    expect(res2.statusCode).toBe(400);
    expect(JSON.parse(res2.body as string)).toMatchObject({ error: 'malformed-request', field: '(body)' });
  });
});
