/**
 * The hub's receive function and the optional `observedChange` of an agent report: recorded
 * before the findings are governed; a report without one (an older agent) is accepted as
 * before; a malformed one is skipped and logged, never a reason to refuse the findings.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { receiveAgentReport, type AgentReportDeps } from '../../../functions/aws/hub/receive-agent-report';
import { signRequest, type AgentReport } from '../../../functions/core/link';
import { MemoryLedger } from '../../../functions/core/ledger/memory-ledger';
import { shippedPolicy } from '../../support/model';
import { bobsPeerAuthenticationPatch as observed } from '../../support/observed-istio-change';
import { agentFindingsEvent, hubReportDeps } from '../../support/agent-findings-event';

const SECRET = 'meshgov-test-link-secret-0123456789abcdef';
const NOW = new Date('2026-11-20T14:47:20Z');


function report(extra: Partial<AgentReport> = {}): AgentReport {
  return {
    agent: { project: 'meshgov-demo', cluster: 'prod-gke', location: 'us-central1' },
    scopedReport: {
      trigger: { source: 'gke-audit', eventId: '13268925375184921', eventTime: '2026-11-20T14:47:12.483917Z', actor: 'bob@example.com', summary: 'patch PeerAuthentication payments/default by bob@example.com' },
      scope: { kind: 'istio-namespace', namespace: 'payments' },
      report: { version: 1, generatedAt: NOW.toISOString(), findings: [], summary: { resources: 0, findings: 0, bySeverity: {} } } as never,
      auditedResources: ['istio|Deployment|payments||payments-api'],
    },
    ...extra,
  };
}

function signed(body: unknown): APIGatewayProxyEventV2 {
  const raw = JSON.stringify(body);
  return agentFindingsEvent(raw, { 'content-type': 'application/json', ...signRequest(raw, SECRET, NOW) });
}

function deps(ledger: MemoryLedger, logs: Array<[string, string, Record<string, unknown> | undefined]>): AgentReportDeps {
  return hubReportDeps(NOW, SECRET, { ledger, policy: shippedPolicy(), log: (level, message, fields) => void logs.push([level, message, fields]) });
}

test('an observed change is recorded once; the answer says so', async () => {
  const ledger = new MemoryLedger(() => NOW);
  const d = deps(ledger, []);
  const first = await receiveAgentReport(signed(report({ observedChange: observed() })), d);
  expect(first.statusCode).toBe(200);
  expect(JSON.parse(first.body as string)).toMatchObject({ observedChange: 'recorded' });
  expect(await ledger.getChange(observed().id)).toMatchObject({ action: 'istio.peerauthentication.patch', service: 'istio:payments/default', target: { services: ['istio:payments/ledger', 'istio:payments/payments-api'] } });

  const again = await receiveAgentReport(signed(report({ observedChange: observed() })), d);
  expect(JSON.parse(again.body as string)).toMatchObject({ observedChange: 'already-recorded' });
  expect(await ledger.listChanges('2026-11-01T00:00:00Z')).toHaveLength(1);
});

test('a report without one (an older agent) is governed as before', async () => {
  const ledger = new MemoryLedger(() => NOW);
  const answer = await receiveAgentReport(signed(report()), deps(ledger, []));
  expect(answer.statusCode).toBe(200);
  expect(JSON.parse(answer.body as string).observedChange).toBeUndefined();
  expect(await ledger.listChanges('2026-11-01T00:00:00Z')).toEqual([]);
});

test('a malformed one is skipped and logged with its field; the findings still go through', async () => {
  const ledger = new MemoryLedger(() => NOW);
  const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const answer = await receiveAgentReport(signed(report({ observedChange: { ...observed(), verb: 'watch' as never } })), deps(ledger, logs));
  expect(answer.statusCode).toBe(200);
  expect(JSON.parse(answer.body as string)).toMatchObject({ observedChange: 'not recorded: observedChange.verb must be create, update, patch or delete' });
  expect(logs).toContainEqual(['warn', 'observed change not recorded: malformed', expect.objectContaining({ field: 'observedChange.verb' })]);
  expect(await ledger.listChanges('2026-11-01T00:00:00Z')).toEqual([]);
});
