import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AgentReport } from '../core/link';
import type { GovernResult } from '../core/pipeline/govern';
import { acceptAgentReport, agentReportResponse, governAgentReport, type AgentReportAnswer, type AgentReportDeps } from './hub/receive-agent-report';
import { linkSecretLoader } from './hub/link-secret';
import { requiredEnv, wireHubDeps } from './hub/wire';
import { DynamoDbNonceStore } from './slack/dynamodb-nonce-store';
import { idempotencyStore, type IdempotencyTableOptions } from './idempotency-store';

/**
 * What makes two reports the same: the agent (project, cluster) and the trigger it ran for. A
 * redelivered Pub/Sub message, or two agent instances running for one message, give the same key.
 */
export const AGENT_REPORT_KEY = '[agent.project, agent.cluster, scopedReport.trigger.source, scopedReport.trigger.eventId]';

/** Long enough for Pub/Sub's redeliveries of one message (backoff up to 10 minutes); a later run of the trigger governs again. */
export const AGENT_REPORT_EXPIRY_SECONDS = 3600;

/** Seconds the agent waits before asking again while another instance governs the same trigger. */
const IN_PROGRESS_RETRY_AFTER = '5';

export type AgentFindingsOptions = IdempotencyTableOptions;

/** Keys one request's log lines carry. */
const REQUEST_KEYS = ['correlation_id', 'agentProject', 'triggerEventId'];

/**
 * API Gateway HTTP API POST /agent/findings: the GCP agent's signed ScopedReports. Each trigger
 * is governed once (Powertools idempotency on AGENT_REPORT_KEY): a second post for it gets the
 * first answer without a second govern run. While the first still runs, the second gets a 503
 * with Retry-After, which the agent retries.
 */
export function createAgentFindingsHandler(depsFactory: () => Promise<AgentReportDeps>, options: AgentFindingsOptions) {
  const logger = new Logger({ serviceName: 'meshgov-agent-findings' });
  const metrics = new Metrics({ namespace: 'meshgov', serviceName: 'meshgov-agent-findings' });
  const loadDeps = cachedDeps(depsFactory, logger);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: AGENT_REPORT_KEY,
    expiresAfterSeconds: AGENT_REPORT_EXPIRY_SECONDS,
    // Called only when the answer comes from the record: the report was a repeat.
    responseHook: (answer) => {
      logger.info('report for this trigger already governed; answering as before');
      metrics.addMetric('AgentReportsRepeated', MetricUnit.Count, 1);
      return answer;
    },
  });
  const persistenceStore = idempotencyStore(options);
  // The key comes from the report (argument 0); the dependencies ride along unhashed.
  const governOnce = makeIdempotent((report: AgentReport, deps: AgentReportDeps): Promise<AgentReportAnswer> => governAgentReport(report, deps), {
    persistenceStore,
    config,
    keyPrefix: 'meshgov-agent-report',
    dataIndexArgument: 0,
  });

  const handle = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const deps = await loadDeps();
    const accepted = await acceptAgentReport(event, deps);
    if (!accepted.ok) {
      metrics.addMetric(accepted.outcome === 'refused' ? 'AgentReportsRefused' : 'AgentReportsMalformed', MetricUnit.Count, 1);
      return accepted.response;
    }
    const { agent, scopedReport } = accepted.report;
    logger.appendKeys({ agentProject: agent.project, triggerEventId: scopedReport.trigger.eventId });
    // Told only when this post governs: a repeat answered from the record runs nothing, so counts nothing twice.
    const answer = await governOnce(accepted.report, { ...deps, onGoverned: (result) => countGoverned(metrics, result) });
    metrics.addMetric('AgentReportsAnswered', MetricUnit.Count, 1);
    return agentReportResponse(answer);
  };

  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    if (context) {
      logger.addContext(context);
      // An IN_PROGRESS record of a run killed by a timeout then lapses with the invocation.
      config.registerLambdaContext(context);
    }
    if (event.requestContext?.requestId) logger.setCorrelationId(event.requestContext.requestId);
    try {
      return await handle(event);
    } catch (err) {
      return failure(err, logger, metrics);
    } finally {
      logger.removeKeys(REQUEST_KEYS);
      metrics.publishStoredMetrics();
    }
  };
}

/** What the alarms watch of a govern run: expired requests whose buttons Slack would not take away. */
function countGoverned(metrics: Metrics, result: GovernResult): void {
  metrics.addMetric('ExpiryRedrawsAbandoned', MetricUnit.Count, result.expiryRedrawsAbandoned.length);
}

/** Every failure here may pass on a later try, so every answer is one the agent retries (5xx). */
function failure(err: unknown, logger: Logger, metrics: Metrics): APIGatewayProxyStructuredResultV2 {
  if (err instanceof IdempotencyAlreadyInProgressError) {
    logger.warn('another request is governing this trigger; the agent is asked to retry', { error: err });
    metrics.addMetric('AgentReportsInProgress', MetricUnit.Count, 1);
    return answer(503, { error: 'in-progress' }, { 'retry-after': IN_PROGRESS_RETRY_AFTER });
  }
  logger.error('agent report failed; the agent will retry', { error: err as Error });
  metrics.addMetric('AgentReportsFailed', MetricUnit.Count, 1);
  return answer(500, { error: 'hub-failure' });
}

function answer(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * The dependencies, built on first use and kept for the container's life. Only a failed build is
 * forgotten: a failed report (the ledger throttled) says nothing about the SDK clients, and
 * rebuilding them would read the secrets again on every failure.
 */
function cachedDeps(depsFactory: () => Promise<AgentReportDeps>, logger: Logger): () => Promise<AgentReportDeps> {
  let deps: Promise<AgentReportDeps> | undefined;
  return () => {
    deps ??= depsFactory().then((d) => ({ ...d, log: (level, message, fields) => logger[level](message, fields ?? {}) }));
    deps.catch(() => (deps = undefined));
    return deps;
  };
}

async function wire(): Promise<AgentReportDeps> {
  const hub = await wireHubDeps();
  return {
    ...hub,
    linkSecret: linkSecretLoader(process.env),
    // Replays are refused across every container: the nonce is remembered in the ledger table.
    nonceStore: new DynamoDbNonceStore(new DynamoDBClient({ region: process.env.AWS_REGION }), requiredEnv(process.env, 'MESHGOV_LEDGER_TABLE')),
  };
}

let deployed: ReturnType<typeof createAgentFindingsHandler> | undefined;

/** The Lambda entry point (cdk/lib/constructs/slack-and-agent-endpoints.ts); built on the first request, from the environment then. */
export const handler = (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  deployed ??= createAgentFindingsHandler(wire, { idempotencyTable: requiredEnv(process.env, 'MESHGOV_IDEMPOTENCY_TABLE') });
  return deployed(event, context);
};
