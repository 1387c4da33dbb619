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

  describe('a report carries only what an agent audits and changes', () => {
    const refused = async (mutate: (r: any) => void) => {
      const d = deps();
      const bad = report() as any;
      mutate(bad);
      const body = JSON.stringify(bad);
      const res = await receiveAgentReport(apiEvent(body, signRequest(body, SECRET, NOW) as unknown as Record<string, string>), d);
      expect(d.notifier.sent).toEqual([]);
      expect(await d.ledger.getFinding(bad.scopedReport.report.findings[0].id)).toBeUndefined();
      return { status: res.statusCode, body: JSON.parse(res.body as string) };
    };

    it('refuses an App Mesh finding: it would drive the hub\'s own App Mesh writer on evidence the hub never read', async () => {
      const answer = await refused((r) => {
        Object.assign(r.scopedReport.report.findings[0], {
          provider: 'appmesh',
          resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh', port: 8080, file: 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api', line: 1 },
        });
      });
      expect(answer).toEqual({ status: 400, body: expect.objectContaining({ error: 'malformed-request', field: 'scopedReport.report.findings[0].provider' }) });
    });

    it('refuses a fix that is not an Istio change, and a resource of another provider to resolve', async () => {
      const action = await refused((r) => {
        r.scopedReport.report.findings[0].remediation = { action: 'appmesh.listener.set-strict', mode: 'auto', reason: 'preconditions hold', change: { operation: 'merge-patch' } };
      });
      expect(action.body).toMatchObject({ field: 'scopedReport.report.findings[0].remediation.action' });
      const audited = await refused((r) => r.scopedReport.auditedResources.push('appmesh|VirtualNode||prod-mesh|payments-api'));
      expect(audited.body).toMatchObject({ field: 'scopedReport.auditedResources[1]' });
    });

    it('refuses SLO names that are not a list of names: they decide which SLO findings resolve', async () => {
      const notList = await refused((r) => (r.scopedReport.auditedSlos = 'payments-api-latency'));
      expect(notList).toEqual({ status: 400, body: expect.objectContaining({ error: 'malformed-request', field: 'scopedReport.auditedSlos' }) });
      const empty = await refused((r) => (r.scopedReport.auditedSlos = ['payments-api-latency', '']));
      expect(empty.body).toMatchObject({ field: 'scopedReport.auditedSlos[1]' });
    });

    it("refuses a scope that would resolve the hub's own findings: App Mesh or ACM providers, meshes, an App Mesh resource", async () => {
      const providers = await refused((r) => (r.scopedReport.scope = { kind: 'all', providers: ['appmesh', 'acm'] }));
      expect(providers.body).toMatchObject({ field: 'scopedReport.scope.providers' });
      const meshes = await refused((r) => (r.scopedReport.scope = { kind: 'all', providers: ['istio'], meshes: ['prod-mesh'] }));
      expect(meshes.body).toMatchObject({ field: 'scopedReport.scope.meshes' });
      const deleted = await refused((r) => (r.scopedReport.scope = { kind: 'appmesh-resource', mesh: 'prod-mesh', resourceType: 'mesh', name: 'prod-mesh', deleted: true }));
      expect(deleted).toEqual({ status: 400, body: expect.objectContaining({ field: 'scopedReport.scope.kind' }) });
    });
  });

  it("holds for approval an auto fix that an agent planned on a namespace read (an agent older than the hub): callers in other namespaces were not read", async () => {
    // Out of dry-run, where approvals are asked for (a dry run asks nobody); no executor, so nothing is applied either way.
    const d = { ...deps(), dryRun: false };
    const older = report();
    older.scopedReport.report.findings[0]!.remediation = {
      action: 'istio.peerauthentication.set-strict',
      mode: 'auto',
      reason: 'preconditions hold: every known client sends mTLS to the 2 affected server port(s), and all have sidecars',
      change: { operation: 'merge-patch', target: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'payments', name: 'default', resourceVersion: '48213' }, patch: { spec: { mtls: { mode: 'STRICT' } } } },
    };
    const body = JSON.stringify(older);
    const res = await receiveAgentReport(apiEvent(body, signRequest(body, SECRET, NOW) as unknown as Record<string, string>), d);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ approvalsRequested: 1, changes: 0 });
    const asked = d.notifier.sent.find((m: any) => m.type === 'approval') as { id: string };
    expect((await d.ledger.getApproval(asked.id))!.remediation).toMatchObject({
      mode: 'approval',
      reason: "the preconditions across the fleet are unknown: the agent's audit read only namespace payments, so callers from other namespaces are unknown",
    });
  });
});
