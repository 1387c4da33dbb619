import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventError } from './events/event-error';
import { parseEventBridgeBody, type EventBridgeEvent } from './events/parse-eventbridge';
import type { HubDeps } from './hub/hub-deps';
import { processEvent, type ProcessOutcome } from './hub/process-event';
import { wireHubDeps } from './hub/wire';
import { idempotencyStore, type IdempotencyTableOptions } from './idempotency-store';

/**
 * What the idempotency layer keeps per event id, and returns for a repeated delivery. Only
 * counts: the full GovernResult of a scheduled audit (every notified id, every change with its
 * specs) can pass DynamoDB's 400 KB item limit, and a result that cannot be saved leaves the
 * record IN_PROGRESS, so the event would neither be acknowledged nor run again in time.
 */
export type EventSummary =
  | { status: 'ignored'; eventId: string; reason: string }
  | { status: 'audited'; eventId: string; findings: number; applied: number; notificationFailures: number; approvalsExpired: number; expiryRedrawsAbandoned?: number };

export function summarise(outcome: ProcessOutcome): EventSummary {
  if (outcome.status === 'ignored') return outcome;
  return {
    status: 'audited',
    eventId: outcome.eventId,
    findings: outcome.findings,
    applied: outcome.result.changes.filter((c) => c.outcome === 'verified').length,
    notificationFailures: outcome.result.notificationFailures,
    approvalsExpired: outcome.result.approvalsExpired.length,
    // Only when there are any: records kept before this field existed lack it as well.
    ...(outcome.result.expiryRedrawsAbandoned.length > 0 ? { expiryRedrawsAbandoned: outcome.result.expiryRedrawsAbandoned.length } : {}),
  };
}

/** Keys one record's log lines carry: the event's stable id as the correlation id, and the SQS message. */
const RECORD_KEYS = ['correlation_id', 'messageId', 'detailType'];

/**
 * The hub's event function: EventBridge rules (App Mesh CloudTrail calls, AWS Config items,
 * ACM expiry, the schedule) deliver into an SQS queue, and this function takes the batches.
 * A record that fails is reported back as a batch item failure, so SQS retries it and, after
 * the queue's maxReceiveCount, moves it to the dead-letter queue (which has an alarm): nothing
 * is lost. EventBridge delivers at least once, so each event id runs once (idempotency).
 */
export function createAppMeshEventsHandler(depsFactory: () => Promise<HubDeps>, options: IdempotencyTableOptions) {
  const logger = new Logger({ serviceName: 'meshgov-hub' });
  const metrics = new Metrics({ namespace: 'meshgov', serviceName: 'meshgov-hub' });
  const processor = new BatchProcessor(EventType.SQS);
  const persistenceStore = idempotencyStore(options);
  // EventBridge `id` is the same on every delivery of one event (its retries to SQS get new messageIds).
  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds: 24 * 3600,
    // Called only when the summary comes from the record: the event was a redelivery, counted once already.
    responseHook: (summary) => {
      logger.info('event already processed; not run again');
      metrics.addMetric('EventsRepeated', MetricUnit.Count, 1);
      return summary;
    },
  });
  const loadDeps = cachedDeps(depsFactory, logger);

  // The outcome is counted where the event runs, so a redelivery answered from the record counts nothing twice.
  const processOnce = makeIdempotent(
    async (event: EventBridgeEvent): Promise<EventSummary> => {
      const summary = summarise(await processEvent(event, await loadDeps()));
      addOutcomeMetrics(metrics, summary);
      return summary;
    },
    { persistenceStore, config: idempotency },
  );

  const recordHandler = async (record: SQSRecord): Promise<EventSummary> => {
    logger.appendKeys({ messageId: record.messageId });
    try {
      const event = parseEventBridgeBody(record.body);
      logger.setCorrelationId(event.id);
      logger.appendKeys({ detailType: event['detail-type'] });
      return await processOnce(event);
    } catch (err) {
      // A bad event is retried only to land in the dead-letter queue with this log line beside it.
      const fields = err instanceof EventError ? { field: err.field, eventId: err.eventId } : {};
      logger.error('event failed; SQS will retry it and then dead-letter it', { ...fields, error: err as Error });
      metrics.addMetric(err instanceof EventError ? 'EventsMalformed' : 'EventsFailed', MetricUnit.Count, 1);
      throw err;
    } finally {
      logger.removeKeys(RECORD_KEYS);
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    idempotency.registerLambdaContext(context);
    try {
      // One record after the other: the logger's per-record keys stay with their record, and the
      // blast radius and App Mesh request budget are counted in order.
      return await processPartialResponse(event, recordHandler, processor, { context, processInParallel: false });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/**
 * The dependencies, built on first use and kept for the container's life; a failed build is
 * forgotten, so the next record tries again instead of failing until the container is recycled.
 * The hub's log lines go through the Powertools logger, so they carry the record's correlation id.
 */
function cachedDeps(depsFactory: () => Promise<HubDeps>, logger: Logger): () => Promise<HubDeps> {
  let deps: Promise<HubDeps> | undefined;
  return () => {
    deps ??= depsFactory().then((d) => ({ ...d, log: (level, message, fields) => logger[level](message, fields ?? {}) }));
    deps.catch(() => (deps = undefined));
    return deps;
  };
}

function addOutcomeMetrics(metrics: Metrics, summary: EventSummary): void {
  metrics.addMetric(summary.status === 'ignored' ? 'EventsIgnored' : 'EventsAudited', MetricUnit.Count, 1);
  if (summary.status !== 'audited') return;
  metrics.addMetric('Findings', MetricUnit.Count, summary.findings);
  metrics.addMetric('RemediationsApplied', MetricUnit.Count, summary.applied);
  metrics.addMetric('NotificationFailures', MetricUnit.Count, summary.notificationFailures);
  metrics.addMetric('ApprovalsExpired', MetricUnit.Count, summary.approvalsExpired);
  metrics.addMetric('ExpiryRedrawsAbandoned', MetricUnit.Count, summary.expiryRedrawsAbandoned ?? 0);
}

/** The Lambda entry point (cdk/lib/constructs/app-mesh-auditor.ts). */
export const handler = createAppMeshEventsHandler(() => wireHubDeps(), {
  idempotencyTable: process.env.MESHGOV_IDEMPOTENCY_TABLE ?? 'meshgov-idempotency',
});
