import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { checkObservedChange, verifyRequest, type AgentReport, type NonceStore } from '../../core/link';
import type { ScopedReport } from '../../core/pipeline/audit-scope';
import { govern, type GovernResult } from '../../core/pipeline/govern';
import { PRECONDITIONS_UNKNOWN } from '../../core/remediation/plan';
import { recordObservedIstioChange } from '../../providers/istio/live/record-observed-change';
import { governSloBurn, isSloRun, type GovernListener } from '../slo/govern-slo-burn';
import { governDepsOf, type HubDeps } from './hub-deps';

export interface AgentReportDeps extends Pick<HubDeps, 'ledger' | 'policy' | 'notifier' | 'executors' | 'clock' | 'dryRun' | 'newId' | 'log'>, GovernListener {
  linkSecret: () => Promise<string>;
  nonceStore: NonceStore;
}

/** The hub's answer to a governed report: small, so Powertools can keep it as the idempotency record. */
export interface AgentReportAnswer {
  observed: GovernResult['observed'];
  resolved: number;
  approvalsRequested: number;
  changes: number;
  observedChange?: string;
}

/**
 * A request checked before any governing: accepted (signed, well formed), refused (signature,
 * timestamp, replay: 401, which the agent's redelivery passes once the key is fixed), or
 * malformed (signed, but not a report the hub can read: 400, so the agent fails the delivery
 * and Pub/Sub's dead-letter topic keeps it once its attempts are spent; nothing is lost).
 */
export type AcceptedAgentReport =
  | { ok: true; report: AgentReport }
  | { ok: false; outcome: 'refused' | 'malformed'; response: APIGatewayProxyStructuredResultV2 };

/**
 * The hub's findings endpoint for the GCP agent (API Gateway HTTP API, POST /agent/findings):
 * verifies the agent's signature over the raw body, then records, notifies and remediates
 * the agent's ScopedReport exactly as the hub does its own. The agent (functions/gcp/hub-client.ts)
 * retries 408, 425, 429 and 5xx itself and fails on any other non-2xx, so Pub/Sub redelivers:
 * a transient failure must answer 5xx. A malformed report, which no redelivery mends, answers
 * 400 and is logged as an error naming the field: the agent fails the delivery, and after its
 * attempts Pub/Sub moves the message to the agent's dead-letter topic, where it can be read.
 * A report about a person's Istio change carries it (`observedChange`, optional: older agents
 * send none); it is recorded in the ledger first, once per audit entry, so that the findings and
 * any later latency burn can name it. A malformed one is logged and skipped, never a reason to
 * refuse the findings with it.
 */
export async function receiveAgentReport(event: APIGatewayProxyEventV2, deps: AgentReportDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const accepted = await acceptAgentReport(event, deps);
  if (!accepted.ok) return accepted.response;
  return agentReportResponse(await governAgentReport(accepted.report, deps));
}

/** Verifies the signature, then reads and checks the report; nothing is recorded. */
export async function acceptAgentReport(event: APIGatewayProxyEventV2, deps: AgentReportDeps): Promise<AcceptedAgentReport> {
  const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const verdict = await verifyRequest(event.headers, raw, await deps.linkSecret(), deps.clock(), deps.nonceStore);
  if (!verdict.ok) {
    deps.log('warn', 'agent report refused', { reason: verdict.reason, message: verdict.message, sourceIp: event.requestContext?.http?.sourceIp });
    return { ok: false, outcome: 'refused', response: json(401, { error: verdict.reason, message: verdict.message }) };
  }
  let report: AgentReport;
  try {
    report = JSON.parse(raw) as AgentReport;
  } catch (err) {
    return malformed(deps, raw, { field: '(body)', message: `not JSON: ${(err as Error).message}` });
  }
  const problem = checkReport(report);
  if (problem) return malformed(deps, raw, problem, report);
  return { ok: true, report };
}

/** Records, notifies and remediates one accepted report; throws on anything worth a retry. */
export async function governAgentReport(report: AgentReport, deps: AgentReportDeps): Promise<AgentReportAnswer> {
  const observed = await recordObservation(report, deps);
  const held = holdNamespaceScopedAuto(report.scopedReport);
  if (held > 0) deps.log('warn', 'agent report planned auto fixes on a namespace read: held for approval (is the agent older than the hub?)', { agent: report.agent, held, scope: report.scopedReport.scope });
  // An SLO run (an incident's, a scheduled sweep's) also names the suspected change and offers its rollback.
  const result: GovernResult = isSloRun(report.scopedReport) ? (await governSloBurn(report.scopedReport, deps)).governed : await governTelling(report.scopedReport, deps);
  deps.log('info', 'agent report recorded', {
    agent: report.agent,
    eventId: report.scopedReport.trigger.eventId,
    findings: report.scopedReport.report.findings.length,
    resolved: result.resolved.length,
    approvalsRequested: result.approvalsRequested.length,
    approvalsExpired: result.approvalsExpired.length,
    expiryRedrawsAbandoned: result.expiryRedrawsAbandoned.length,
    // Findings a later audit had already decided: this report arrived late (see govern).
    outdated: result.outdated.length,
    generatedAt: report.scopedReport.report.generatedAt,
  });
  return {
    observed: result.observed,
    resolved: result.resolved.length,
    approvalsRequested: result.approvalsRequested.length,
    changes: result.changes.length,
    ...(observed ? { observedChange: observed } : {}),
  };
}

/** govern, telling the listener its result as governSloBurn does. */
async function governTelling(scoped: ScopedReport, deps: AgentReportDeps): Promise<GovernResult> {
  const result = await govern(scoped, governDepsOf(deps));
  deps.onGoverned?.(result);
  return result;
}

export function agentReportResponse(answer: AgentReportAnswer): APIGatewayProxyStructuredResultV2 {
  return json(200, answer);
}

/**
 * A signed report the hub cannot read: 400, so that the delivery fails and the message ends in
 * the agent's dead-letter topic rather than nowhere. The error log line (the field at fault,
 * the size, never the body) tells the operator which field.
 */
function malformed(deps: AgentReportDeps, raw: string, problem: { field: string; message: string }, report?: AgentReport): AcceptedAgentReport {
  const agent = typeof report?.agent?.project === 'string' ? report.agent.project : undefined;
  deps.log('error', "agent report malformed: answered 400, so Pub/Sub keeps it in the agent's dead-letter topic once its attempts are spent", {
    ...problem,
    bytes: Buffer.byteLength(raw),
    ...(agent ? { agent } : {}),
  });
  return { ok: false, outcome: 'malformed', response: json(400, { error: 'malformed-request', ...problem }) };
}

/** Records the report's observed Istio change; what happened to it, for the answer and the log. */
async function recordObservation(report: AgentReport, deps: AgentReportDeps): Promise<string | undefined> {
  if (report.observedChange === undefined) return undefined;
  const problem = checkObservedChange(report.observedChange);
  if (problem) {
    deps.log('warn', 'observed change not recorded: malformed', { agent: report.agent, ...problem });
    return `not recorded: ${problem.field} ${problem.message}`;
  }
  const outcome = await recordObservedIstioChange(report.observedChange, report.scopedReport.trigger, deps.ledger, deps.clock());
  deps.log('info', outcome.status === 'recorded' ? 'observed change recorded' : 'observed change already on record', {
    agent: report.agent,
    changeId: outcome.change.id,
    action: outcome.change.action,
    detail: outcome.change.detail,
  });
  return outcome.status;
}

/**
 * What a GKE agent audits: its cluster's Istio policies, their certificates, and the SLOs of its
 * services (Cloud Monitoring). A signed report about anything else (an App Mesh finding, an
 * `appmesh.*` fix) is not the agent's to make, and would drive the hub's own writers on evidence
 * the hub never read: it is malformed.
 */
const AGENT_PROVIDERS: readonly string[] = ['istio', 'x509', 'prometheus'];
const AGENT_ACTION_PREFIX = 'istio.';

function checkReport(report: AgentReport): { field: string; message: string } | undefined {
  const s = report?.scopedReport;
  if (!report?.agent || typeof report.agent.project !== 'string') return { field: 'agent.project', message: 'missing' };
  if (!s) return { field: 'scopedReport', message: 'missing' };
  if (!s.trigger || typeof s.trigger.eventId !== 'string') return { field: 'scopedReport.trigger.eventId', message: 'missing' };
  if (!s.scope || typeof s.scope.kind !== 'string') return { field: 'scopedReport.scope.kind', message: 'missing' };
  if (!s.report || !Array.isArray(s.report.findings)) return { field: 'scopedReport.report.findings', message: 'not a list' };
  if (!Array.isArray(s.auditedResources)) return { field: 'scopedReport.auditedResources', message: 'not a list' };
  const providers = AGENT_PROVIDERS.join(', ');
  // The scope decides what govern resolves: only what an agent reads may be named there.
  if (s.scope.kind === 'all') {
    const foreign = (s.scope.providers ?? []).find((p) => !AGENT_PROVIDERS.includes(p));
    if (foreign !== undefined) return { field: 'scopedReport.scope.providers', message: `must be among ${providers}, what an agent audits (got ${JSON.stringify(foreign)})` };
    if (s.scope.meshes !== undefined || s.scope.unreadMeshes !== undefined) return { field: `scopedReport.scope.${s.scope.meshes !== undefined ? 'meshes' : 'unreadMeshes'}`, message: 'App Mesh meshes are not an agent\'s to audit' };
  } else if (s.scope.kind !== 'istio-namespace') {
    return { field: 'scopedReport.scope.kind', message: `must be all or istio-namespace, the scopes an agent audits (got ${JSON.stringify(s.scope.kind)})` };
  }
  for (let i = 0; i < s.report.findings.length; i++) {
    const f = s.report.findings[i];
    if (!AGENT_PROVIDERS.includes(f?.provider)) return { field: `scopedReport.report.findings[${i}].provider`, message: `must be one of ${providers}, what an agent audits (got ${JSON.stringify(f?.provider)})` };
    const action = f.remediation?.action;
    if (action !== undefined && (typeof action !== 'string' || !action.startsWith(AGENT_ACTION_PREFIX))) {
      return { field: `scopedReport.report.findings[${i}].remediation.action`, message: `must be an ${AGENT_ACTION_PREFIX}* action, a change the agent makes (got ${JSON.stringify(action)})` };
    }
  }
  for (let i = 0; i < s.auditedResources.length; i++) {
    const key = s.auditedResources[i];
    if (typeof key !== 'string' || !AGENT_PROVIDERS.some((p) => key.startsWith(`${p}|`))) {
      return { field: `scopedReport.auditedResources[${i}]`, message: `must be a resource of ${providers} (got ${JSON.stringify(key)}): findings of other providers are not the agent's to resolve` };
    }
  }
  if (s.auditedSlos !== undefined) {
    if (!Array.isArray(s.auditedSlos)) return { field: 'scopedReport.auditedSlos', message: 'not a list' };
    const bad = s.auditedSlos.findIndex((name) => typeof name !== 'string' || name === '');
    if (bad >= 0) return { field: `scopedReport.auditedSlos[${bad}]`, message: `must be an SLO's name (got ${JSON.stringify(s.auditedSlos[bad])})` };
  }
  return undefined;
}

/**
 * An agent's audit of some namespaces cannot see callers in the others, so none of its fixes may
 * run on their own; an agent from before it marked such reads partial says `auto` anyway. The
 * hub holds those for approval itself, the way the agent now plans them.
 */
export function holdNamespaceScopedAuto(scoped: ScopedReport): number {
  const scope = scoped.scope;
  const namespaces = scope.kind === 'istio-namespace' ? [scope.namespace] : scope.kind === 'all' ? (scope.namespaces ?? []) : [];
  if (namespaces.length === 0) return 0;
  const named = namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${namespaces.join(', ')}`;
  let held = 0;
  for (const f of scoped.report.findings) {
    if (f.remediation?.mode !== 'auto') continue;
    f.remediation = { ...f.remediation, mode: 'approval', reason: `${PRECONDITIONS_UNKNOWN}the agent's audit read only ${named}, so callers from other namespaces are unknown` };
    held++;
  }
  return held;
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
