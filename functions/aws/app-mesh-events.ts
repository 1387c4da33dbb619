import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventError } from './events/event-error';
import { parseEventBridgeBody, type EventBridgeEvent } from './events/parse-eventbridge';
import type { HubDeps } from './hub/hub-deps';
import { processEvent, type ProcessOutcome } from './hub/process-event';
import { wireHubDeps } from './hub/wire';

/**
 * The hub's event function: EventBridge rules (App Mesh CloudTrail calls, AWS Config items,
 * ACM expiry, the schedule) deliver into an SQS queue, and this function takes the batches.
 * A record that fails is reported back as a batch item failure, so SQS retries it and, after
 * the queue's maxReceiveCount, moves it to the dead-letter queue (which has an alarm): nothing
 * is lost. EventBridge delivers at least once, so each event id runs once (idempotency).
 */
export function createAppMeshEventsHandler(depsFactory: () => Promise<HubDeps>, options: { idempotencyTable: string; dynamoDbEndpoint?: string }) {
  const logger = new Logger({ serviceName: 'meshgov-hub' });
  const metrics = new Metrics({ namespace: 'meshgov', serviceName: 'meshgov-hub' });
  const processor = new BatchProcessor(EventType.SQS);
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.idempotencyTable,
    ...(options.dynamoDbEndpoint ? { clientConfig: { endpoint: options.dynamoDbEndpoint } } : {}),
  });
  const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 24 * 3600 });
  let deps: Promise<HubDeps> | undefined;

  const processOnce = makeIdempotent(
    async (event: EventBridgeEvent): Promise<ProcessOutcome> => processEvent(event, await (deps ??= depsFactory())),
    { persistenceStore, config: idempotency },
  );

  const recordHandler = async (record: SQSRecord): Promise<ProcessOutcome> => {
    let event: EventBridgeEvent;
    try {
      event = parseEventBridgeBody(record.body);
      logger.appendKeys({ eventId: event.id, detailType: event['detail-type'] });
      const outcome = await processOnce(event);
      metrics.addMetric(outcome.status === 'ignored' ? 'EventsIgnored' : 'EventsAudited', MetricUnit.Count, 1);
      if (outcome.status === 'audited') {
        metrics.addMetric('Findings', MetricUnit.Count, outcome.findings);
        metrics.addMetric('RemediationsApplied', MetricUnit.Count, outcome.result.changes.filter((c) => c.outcome === 'verified').length);
        metrics.addMetric('NotificationFailures', MetricUnit.Count, outcome.result.notificationFailures);
      }
      return outcome;
    } catch (err) {
      // A bad event is retried only to land in the dead-letter queue with this log line beside it.
      const fields = err instanceof EventError ? { field: err.field, eventId: err.eventId } : {};
      logger.error('event failed; SQS will retry it and then dead-letter it', { messageId: record.messageId, ...fields, error: err as Error });
      metrics.addMetric(err instanceof EventError ? 'EventsMalformed' : 'EventsFailed', MetricUnit.Count, 1);
      throw err;
    } finally {
      logger.removeKeys(['eventId', 'detailType']);
    }
  };

  return async (event: SQSEvent, context: Context) => {
    logger.addContext(context);
    idempotency.registerLambdaContext(context);
    try {
      return await processPartialResponse(event, recordHandler, processor, { context });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/** The Lambda entry point (cdk/lib/constructs/app-mesh-auditor.ts). */
export const handler = createAppMeshEventsHandler(() => wireHubDeps(), {
  idempotencyTable: process.env.MESHGOV_IDEMPOTENCY_TABLE ?? 'meshgov-idempotency',
});
