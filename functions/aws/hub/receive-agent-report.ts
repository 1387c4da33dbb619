import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { verifyRequest, type AgentReport, type NonceStore } from '../../core/link';
import { govern, type GovernResult } from '../../core/pipeline/govern';
import { governSloBurn, isSloAlarmRun } from '../slo/govern-slo-burn';
import { governDepsOf, type HubDeps } from './hub-deps';

export interface AgentReportDeps extends Pick<HubDeps, 'ledger' | 'policy' | 'notifier' | 'executors' | 'clock' | 'dryRun' | 'newId' | 'log'> {
  linkSecret: () => Promise<string>;
  nonceStore: NonceStore;
}

/**
 * The hub's findings endpoint for the GCP agent (API Gateway HTTP API, POST /agent/findings):
 * verifies the agent's signature over the raw body, then records, notifies and remediates
 * the agent's ScopedReport exactly as the hub does its own. A non-2xx answer makes the agent
 * fail, so Pub/Sub delivers the message again and nothing is lost.
 */
export async function receiveAgentReport(event: APIGatewayProxyEventV2, deps: AgentReportDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const verdict = await verifyRequest(event.headers, raw, await deps.linkSecret(), deps.clock(), deps.nonceStore);
  if (!verdict.ok) {
    deps.log('warn', 'agent report refused', { reason: verdict.reason, message: verdict.message, sourceIp: event.requestContext?.http?.sourceIp });
    return json(401, { error: verdict.reason, message: verdict.message });
  }
  let report: AgentReport;
  try {
    report = JSON.parse(raw) as AgentReport;
  } catch (err) {
    return json(400, { error: 'malformed-request', field: '(body)', message: `not JSON: ${(err as Error).message}` });
  }
  const problem = checkReport(report);
  if (problem) return json(400, { error: 'malformed-request', ...problem });
  // An incident-triggered SLO run also names the suspected change and offers its rollback.
  const result: GovernResult = isSloAlarmRun(report.scopedReport) ? (await governSloBurn(report.scopedReport, deps)).governed : await govern(report.scopedReport, governDepsOf(deps));
  deps.log('info', 'agent report recorded', {
    agent: report.agent,
    eventId: report.scopedReport.trigger.eventId,
    findings: report.scopedReport.report.findings.length,
    resolved: result.resolved.length,
    approvalsRequested: result.approvalsRequested.length,
  });
  return json(200, { observed: result.observed, resolved: result.resolved.length, approvalsRequested: result.approvalsRequested.length, changes: result.changes.length });
}

function checkReport(report: AgentReport): { field: string; message: string } | undefined {
  const s = report?.scopedReport;
  if (!report?.agent || typeof report.agent.project !== 'string') return { field: 'agent.project', message: 'missing' };
  if (!s) return { field: 'scopedReport', message: 'missing' };
  if (!s.trigger || typeof s.trigger.eventId !== 'string') return { field: 'scopedReport.trigger.eventId', message: 'missing' };
  if (!s.scope || typeof s.scope.kind !== 'string') return { field: 'scopedReport.scope.kind', message: 'missing' };
  if (!s.report || !Array.isArray(s.report.findings)) return { field: 'scopedReport.report.findings', message: 'not a list' };
  if (!Array.isArray(s.auditedResources)) return { field: 'scopedReport.auditedResources', message: 'not a list' };
  return undefined;
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
