import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ExecutionOutcome } from '../core/approvals/execute-approval';
import { runApprovalBatch, type ApprovalBatchHooks, type ApprovalWorkerDeps } from './slack/run-approval-batch';
import { approvalWorkerDepsFromEnv } from './slack/wire-slack';

/** The worker's Powertools log functions, for the dependencies the factory builds (a test may log elsewhere). */
export type WorkerLogging = Required<Pick<ApprovalWorkerDeps, 'log' | 'logError'>>;

/** Keys one record's log lines carry: the approval id as the correlation id, and the SQS message. */
const RECORD_KEYS = ['correlation_id', 'messageId'];

/** The count each outcome adds to: what operators watch is how many approved changes ran, were refused or had to wait. */
export function outcomeMetric(outcome: ExecutionOutcome): string {
  if (outcome.status === 'deferred') return 'ApprovalsDeferred';
  if (outcome.status === 'ignored') return 'ApprovalsIgnored';
  if (outcome.status === 'shown') return 'ApprovalsRedrawn';
  if (outcome.state === 'SUCCEEDED') return 'ApprovalsExecuted';
  if (outcome.state === 'ROLLED_BACK') return 'ApprovalsRolledBack';
  // FAILED (refused on fresh state, or the change failed) and EXPIRED.
  return 'ApprovalsRefused';
}

/**
 * The approval worker: takes approvals from the SQS queue the interactivity endpoint writes to,
 * runs each approved change (or Undo) exactly once with every check repeated on fresh state,
 * records the change, and redraws the Slack message with the outcome (see
 * functions/core/approvals/execute-approval.ts). Partial batch responses: the event source
 * mapping needs `ReportBatchItemFailures`. Logs through Powertools, each record's lines with
 * its approval id as correlation id; counts outcomes as CloudWatch metrics.
 */
export function createApprovalWorkerHandler(depsFactory: (logging: WorkerLogging) => Promise<ApprovalWorkerDeps>) {
  const logger = new Logger({ serviceName: 'meshgov-approval-worker' });
  const metrics = new Metrics({ namespace: 'meshgov', serviceName: 'meshgov-approval-worker' });
  const logging: WorkerLogging = { log: (message, fields) => logger.info(message, fields ?? {}), logError: (message, fields) => logger.error(message, fields ?? {}) };
  let deps: Promise<ApprovalWorkerDeps> | undefined;
  const loadDeps = (): Promise<ApprovalWorkerDeps> => {
    deps ??= depsFactory(logging);
    deps.catch(() => (deps = undefined));
    return deps;
  };
  const hooks: ApprovalBatchHooks = {
    recordStarted: (messageId, approvalId) => {
      logger.appendKeys({ messageId });
      if (approvalId) logger.setCorrelationId(approvalId);
    },
    recordEnded: (result) => {
      metrics.addMetric('outcome' in result ? outcomeMetric(result.outcome) : result.failure === 'malformed' ? 'ApprovalMessagesMalformed' : 'ApprovalsFailed', MetricUnit.Count, 1);
      logger.removeKeys(RECORD_KEYS);
    },
  };
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) logger.addContext(context);
    try {
      const { batchItemFailures } = await runApprovalBatch(event, await loadDeps(), hooks);
      return { batchItemFailures };
    } catch (err) {
      logger.error('approval batch failed before its records ran; SQS will deliver them again', { error: err as Error });
      throw err;
    } finally {
      logger.removeKeys(RECORD_KEYS);
      metrics.publishStoredMetrics();
    }
  };
}

export const handler = createApprovalWorkerHandler(async (logging) => ({ ...(await approvalWorkerDepsFromEnv(process.env)), ...logging }));
