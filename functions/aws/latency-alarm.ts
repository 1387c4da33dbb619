import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import type { GovernResult } from '../core/pipeline/govern';
import type { Trigger } from '../core/pipeline/trigger';
import { runSloAlarm } from '../core/slo/alarm-run';
import { slosOfPolicy } from '../core/slo/definition';
import { readSloTopology, type MeshReader } from '../core/slo/read-topology';
import { describeReadProblems, type SloSource } from '../core/slo/reading';
import { buildAppMeshModel } from '../providers/appmesh';
import { appMeshSource } from '../providers/appmesh/live';
import { parseSloAlarmName } from '../providers/metrics/cloudwatch/alarm-specs';
import { cloudWatchSloSource } from '../providers/metrics/cloudwatch/source';
import { EventError } from './events/event-error';
import type { HubDeps } from './hub/hub-deps';
import { wireHubDeps } from './hub/wire';
import { parseAlarmStateChange } from './slo/alarm-event';
import { governSloBurn, type SloBurnDeps, type SloBurnResult } from './slo/govern-slo-burn';
import { sloOfAlarm } from './slo/slo-of-alarm';
import { FreshQueryError } from './slo/fresh-query-error';
import { isScheduledEvent, sweepAppMeshSlos, type SloSweepOutcome } from './slo/slo-sweep';
import { idempotencyStore, type IdempotencyTableOptions } from './idempotency-store';

/** Re-exported: the handler's callers tell a failed fresh query from a malformed event by it. */
export { FreshQueryError };

export interface LatencyAlarmDeps extends SloBurnDeps {
  /** Reads App Mesh SLOs afresh (CloudWatch GetMetricData). */
  cloudwatch: SloSource;
  /**
   * Reads the SLO's mesh, so the suspect search covers what its service calls (its backends'
   * virtual services, routers and nodes); without it only changes to the service itself are found.
   */
  mesh?: MeshReader;
}

export type LatencyAlarmOutcome =
  | { status: 'ignored'; reason: string }
  | { status: 'resolved'; sloName: string; resolved: string[] }
  /** OK, but the fresh numbers still fire a window pair (another condition of the composite): the finding stays open. */
  | { status: 'still-burning'; sloName: string; findings: string[] }
  | { status: 'confirmed'; sloName: string; findings: string[]; result: SloBurnResult }
  | { status: 'not-confirmed'; sloName: string; resolved: string[] }
  | SloSweepOutcome;

/**
 * One CloudWatch "Alarm State Change" for a `meshgov-slo-*` alarm: ALARM confirms the burn with a
 * fresh GetMetricData query, reads the SLO's mesh for what its service calls, names the suspected
 * change (the service's own, else a dependency's) and offers its rollback (governSloBurn);
 * OK resolves the finding unless the fresh numbers still burn. INSUFFICIENT_DATA says nothing
 * about latency and is ignored. The SLO sweep's "Scheduled Event" reads every App Mesh SLO
 * (slo-sweep.ts). A failed fresh query throws, so the asynchronous invocation is retried and
 * then lands in the DLQ.
 */
export async function runLatencyAlarm(value: unknown, deps: LatencyAlarmDeps): Promise<LatencyAlarmOutcome> {
  if (isScheduledEvent(value)) return sweepAppMeshSlos(value, deps);
  const alarm = parseAlarmStateChange(value);
  if (alarm.state === 'INSUFFICIENT_DATA') return { status: 'ignored', reason: 'INSUFFICIENT_DATA says nothing about the burn' };
  // A window alarm only feeds its pair's composite alarm, whose own state change starts the run.
  const window = parseSloAlarmName(alarm.alarmName)?.window;
  if (window) return { status: 'ignored', reason: `${alarm.alarmName} watches the ${window} window alone; its composite alarm starts the run` };
  const slo = sloOfAlarm(alarm, slosOfPolicy(deps.policy));
  if (!slo) {
    deps.log('warn', 'alarm matches no App Mesh SLO in rules/', { alarmName: alarm.alarmName, eventId: alarm.eventId });
    return { status: 'ignored', reason: `alarm ${alarm.alarmName} matches no App Mesh SLO in rules/` };
  }
  const trigger: Trigger = {
    source: 'cloudwatch-alarm',
    eventId: alarm.eventId,
    eventTime: alarm.time,
    summary: `CloudWatch alarm ${alarm.alarmName} ${alarm.previousState ?? '?'} → ${alarm.state}`,
  };
  const firing = alarm.state === 'ALARM';
  const mesh = deps.mesh;
  const readTopology = mesh ? () => readSloTopology(slo, mesh, deps.clock(), (message, fields) => deps.log('warn', message, fields)) : undefined;
  const run = await runSloAlarm(slo, firing ? 'firing' : 'resolved', trigger, { policy: deps.policy, sources: { cloudwatch: deps.cloudwatch }, at: deps.clock(), ...(readTopology ? { readTopology } : {}) });
  if (run.problems.length > 0) throw new FreshQueryError(describeReadProblems(run.problems), alarm.eventId);
  const result = await governSloBurn(run.scoped, deps);
  const findings = run.scoped.report.findings.map((f) => f.id);
  deps.log('info', 'SLO alarm handled', { alarmName: alarm.alarmName, state: alarm.state, slo: slo.name, findings, resolved: result.governed.resolved, approvals: result.proposals.map((p) => p.approval.id) });
  if (alarm.state === 'OK') {
    const burning = run.scoped.report.findings.filter((f) => f.rule === 'slo-latency-burn').map((f) => f.id);
    if (burning.length > 0) return { status: 'still-burning', sloName: slo.name, findings: burning };
    return { status: 'resolved', sloName: slo.name, resolved: result.governed.resolved };
  }
  if (findings.length === 0) return { status: 'not-confirmed', sloName: slo.name, resolved: result.governed.resolved };
  return { status: 'confirmed', sloName: slo.name, findings, result };
}

/**
 * What the idempotency record keeps of a run, and what a redelivered event gets back: names and
 * counts only, since a whole SloBurnResult (changes with their specs) could pass DynamoDB's item limit.
 */
export type LatencyAlarmSummary =
  | { status: 'ignored'; reason: string }
  | { status: 'resolved' | 'not-confirmed'; sloName: string; resolved: number }
  | { status: 'still-burning'; sloName: string; findings: string[] }
  | { status: 'confirmed'; sloName: string; findings: string[]; approvals: string[] }
  | { status: 'swept'; slos: number; read: number; findings: string[]; resolved: number };

export function summariseAlarm(outcome: LatencyAlarmOutcome): LatencyAlarmSummary {
  if (outcome.status === 'ignored' || outcome.status === 'still-burning') return outcome;
  if (outcome.status === 'swept') return { ...outcome, resolved: outcome.resolved.length };
  if (outcome.status === 'confirmed') return { status: 'confirmed', sloName: outcome.sloName, findings: outcome.findings, approvals: outcome.result.proposals.map((p) => p.approval.id) };
  return { status: outcome.status, sloName: outcome.sloName, resolved: outcome.resolved.length };
}

/** Powertools' idempotency table is optional here: with it, each EventBridge event id runs once. */
export type LatencyAlarmOptions = Partial<IdempotencyTableOptions>;

/** EventBridge retries a target for up to 24 hours, and the function's async retries fit inside. */
export const ALARM_EVENT_EXPIRY_SECONDS = 24 * 3600;

type RunAlarm = (event: unknown) => Promise<LatencyAlarmOutcome | LatencyAlarmSummary>;

/**
 * Runs each event id once: EventBridge delivers at least once, and a redelivered ALARM would
 * otherwise offer the same rollback twice. A run that throws leaves no record, so Lambda's retry
 * runs it again; a repeat gets the first run's summary back.
 */
function runOncePerEvent(run: (event: unknown) => Promise<LatencyAlarmOutcome>, options: IdempotencyTableOptions, config: IdempotencyConfig): RunAlarm {
  const persistenceStore = idempotencyStore(options);
  // The sink (argument 1, not hashed) hands the first run's whole outcome to its caller.
  const once = makeIdempotent(
    async (event: unknown, sink: { outcome?: LatencyAlarmOutcome }): Promise<LatencyAlarmSummary> => {
      sink.outcome = await run(event);
      return summariseAlarm(sink.outcome);
    },
    { persistenceStore, config, keyPrefix: 'meshgov-slo-alarm', dataIndexArgument: 0 },
  );
  return async (event) => {
    const sink: { outcome?: LatencyAlarmOutcome } = {};
    const summary = await once(event, sink);
    return sink.outcome ?? summary;
  };
}

/**
 * The Lambda handler, invoked asynchronously by the EventBridge rule on the `meshgov-slo-*`
 * alarms. Whatever fails is logged with the event id as correlation id (and, for a malformed
 * event, the field at fault) and then thrown: the stack's `configureAsyncInvoke` retries it twice
 * and then sends it to the SLO dead-letter queue, so a malformed event is not retried forever and
 * a transient failure is not lost. With an idempotency table a redelivered event (same `id`)
 * answers with the first run's summary and runs nothing.
 */
export function createLatencyAlarmHandler(depsFactory: () => Promise<LatencyAlarmDeps>, options: LatencyAlarmOptions = {}) {
  const logger = new Logger({ serviceName: 'meshgov-slo' });
  const metrics = new Metrics({ namespace: 'meshgov', serviceName: 'meshgov-slo' });
  let deps: Promise<LatencyAlarmDeps> | undefined;
  const loadDeps = (): Promise<LatencyAlarmDeps> => {
    // The run's own log lines go through the logger too, so they carry the correlation id.
    deps ??= depsFactory().then((d) => ({ ...d, log: (level, message, fields) => logger[level](message, fields ?? {}) }));
    deps.catch(() => (deps = undefined));
    return deps;
  };
  // Only a run that is not a repeat comes here, so a redelivered event counts nothing twice.
  const runFresh = async (event: unknown): Promise<LatencyAlarmOutcome> => {
    const redraws = redrawTally();
    try {
      return await runLatencyAlarm(event, { ...(await loadDeps()), onGoverned: redraws.add });
    } finally {
      redraws.publish(metrics);
    }
  };
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds: ALARM_EVENT_EXPIRY_SECONDS,
    responseHook: (summary) => {
      logger.info('alarm event already handled; not run again');
      metrics.addMetric('SloAlarmEventsRepeated', MetricUnit.Count, 1);
      return summary;
    },
  });
  const run: RunAlarm = options.idempotencyTable ? runOncePerEvent(runFresh, { ...options, idempotencyTable: options.idempotencyTable }, config) : runFresh;
  return async (event: unknown, context?: Context): Promise<LatencyAlarmOutcome | LatencyAlarmSummary> => {
    if (context) {
      logger.addContext(context);
      // An IN_PROGRESS record of a run killed by a timeout then lapses with the invocation.
      config.registerLambdaContext(context);
    }
    const eventId = idOf(event);
    if (eventId) logger.setCorrelationId(eventId);
    try {
      const outcome = await run(event);
      metrics.addMetric(OUTCOME_METRIC[outcome.status], MetricUnit.Count, 1);
      return outcome;
    } catch (err) {
      logFailure(logger, metrics, err);
      throw err;
    } finally {
      logger.removeKeys(['correlation_id']);
      metrics.publishStoredMetrics();
    }
  };
}

/**
 * The expiry redraws one run's govern runs gave up (a sweep governs once per SLO), as one count
 * when the run ends, failed or not: they are given up for good, so a retry does not count them
 * again. A run that governed nothing (ignored, malformed, failed before) counts none.
 */
function redrawTally(): { add: (result: GovernResult) => void; publish: (metrics: Metrics) => void } {
  let abandoned: number | undefined;
  return {
    add: (result) => void (abandoned = (abandoned ?? 0) + result.expiryRedrawsAbandoned.length),
    publish: (metrics) => {
      if (abandoned !== undefined) metrics.addMetric('ExpiryRedrawsAbandoned', MetricUnit.Count, abandoned);
    },
  };
}

const OUTCOME_METRIC: Record<LatencyAlarmOutcome['status'], string> = {
  ignored: 'SloAlarmsIgnored',
  resolved: 'SloAlarmsResolved',
  'still-burning': 'SloAlarmsStillBurning',
  swept: 'SloSweeps',
  confirmed: 'SloAlarmsConfirmed',
  'not-confirmed': 'SloAlarmsNotConfirmed',
};

function idOf(event: unknown): string | undefined {
  const id = (event as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function logFailure(logger: Logger, metrics: Metrics, err: unknown): void {
  if (err instanceof EventError) {
    logger.error(`malformed alarm event: ${err.field}; Lambda retries it, then the SLO dead-letter queue keeps it`, { field: err.field, eventId: err.eventId, error: err });
    metrics.addMetric('SloAlarmEventsMalformed', MetricUnit.Count, 1);
    return;
  }
  logger.error('SLO alarm run failed; Lambda retries it, then the SLO dead-letter queue keeps it', { error: err as Error });
  metrics.addMetric('SloAlarmRunsFailed', MetricUnit.Count, 1);
}

async function latencyAlarmDepsFromEnv(env: NodeJS.ProcessEnv): Promise<LatencyAlarmDeps> {
  const hub: HubDeps = await wireHubDeps(env);
  // Its own App Mesh reader: the hub's source also looks up ACM certificates, which the topology does not need.
  const mesh: MeshReader = { source: appMeshSource({ region: env.AWS_REGION }), builders: [buildAppMeshModel] };
  return { ...hub, mesh, cloudwatch: cloudWatchSloSource({ client: new CloudWatchClient(env.AWS_REGION ? { region: env.AWS_REGION } : {}) }) };
}

/** The Lambda entry point (cdk/lib/constructs/slo-alarms.ts). */
export const handler = createLatencyAlarmHandler(() => latencyAlarmDepsFromEnv(process.env), {
  idempotencyTable: process.env.MESHGOV_IDEMPOTENCY_TABLE ?? 'meshgov-idempotency',
});
