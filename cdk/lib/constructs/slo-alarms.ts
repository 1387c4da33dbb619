import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SloDefinition } from '../../../functions/core/slo/definition';
import { cloudWatchAlarmSpecs, type CloudWatchAlarmSpec, type WindowAlarmSpec } from '../../../functions/providers/metrics/cloudwatch/alarm-specs';
import { GOVERNING_SERVICES } from './app-mesh-auditor';
import { grantLedgerData, IDEMPOTENCY_DATA_ACTIONS } from './ledger-tables';
import { MeshGovFunction } from './meshgov-function';

/**
 * An App Mesh SLO whose metrics are in another region than the stack's. A CloudWatch alarm
 * watches the metrics of its own region only, and its state changes go to that region's
 * EventBridge, so the alarms and the latency function (one CloudWatch client, the function's
 * region) would watch nothing and the SLO would never be evaluated.
 */
export class SloRegionError extends Error {
  constructor(slos: Array<{ name: string; region: string }>, stackRegion: string) {
    super(
      `${readsElsewhere(slos)}, but this stack deploys to ${stackRegion}: a CloudWatch alarm watches only its own region's metrics and sends its state changes to that region's EventBridge, so the hub cannot evaluate it. ` +
        `Deploy a hub in the SLO's region (each hub governs its own region), or remove source.cloudwatch.region (or set it to ${stackRegion}) in the rules the hub ships.`,
    );
    this.name = 'SloRegionError';
  }
}

/** `SLO a reads CloudWatch in us-east-1; SLO b …`: the SLOs named by region, for the error and the warning alike. */
function readsElsewhere(slos: Array<{ name: string; region: string }>): string {
  return slos.map((s) => `SLO ${s.name} reads CloudWatch in ${s.region}`).join('; ');
}

/**
 * Refuses the App Mesh SLOs whose `source.cloudwatch.region` is not the stack's region (see
 * SloRegionError). The schema accepts any region (the CloudWatch reader can query several);
 * the deployed alarms cannot. With no region at synth (an environment-agnostic stack) it warns instead.
 */
export function checkSloRegions(scope: Construct, slos: SloDefinition[]): void {
  const regional = slos.flatMap((s) => (s.mesh === 'appmesh' && s.source.cloudwatch?.region ? [{ name: s.name, region: s.source.cloudwatch.region }] : []));
  if (regional.length === 0) return;
  const stackRegion = Stack.of(scope).region;
  if (Token.isUnresolved(stackRegion)) {
    Annotations.of(scope).addWarningV2(
      'meshgov:slo-region-unknown',
      `${readsElsewhere(regional)}, and this synth has no region to check it against: deploy the stack to that region, or its alarms watch nothing`,
    );
    return;
  }
  const elsewhere = regional.filter((s) => s.region !== stackRegion);
  if (elsewhere.length > 0) throw new SloRegionError(elsewhere, stackRegion);
}

/** Every alarm this construct makes is named with it; the EventBridge rule matches on it. */
export const SLO_ALARM_PREFIX = 'meshgov-slo-';

export interface SloAlarmsProps {
  /** The SLOs of rules/ (slosOfPolicy); only App Mesh ones get alarms. */
  slos: SloDefinition[];
  ledger: dynamodb.ITable;
  /** Powertools' idempotency records: each alarm state change (EventBridge `id`) runs once. */
  idempotency?: dynamodb.ITable;
  /** The hub's environment (ledger, dry run, Slack and link secrets). */
  environment: Record<string, string>;
  /** Lets the latency function read App Mesh and revert meshgov's own changes (an approved rollback runs in the approval worker). */
  grantAppMesh?: (role: iam.IRole) => void;
  /** When the latency function also reads every App Mesh SLO (the sweep), as an EventBridge schedule expression. */
  sweepSchedule?: string;
}

/**
 * CloudWatch alarms for the App Mesh SLOs of rules/ and the alarm-triggered run behind them.
 *
 * Per SLO and window pair (SRE workbook multiwindow alerts): one metric-math alarm per window,
 * each with a single period (the window) and one evaluation period, so its evaluation range is
 * the window, joined by a composite alarm `ALARM(long) AND ALARM(short)` named
 * `meshgov-slo-<slo>-<kind>-<long>-<short>`. One metric-math alarm over both windows would need
 * MetricStats of different periods in one alarm, whose evaluation range (one Period ×
 * EvaluationPeriods) would then mean nothing; two alarms and a composite need nothing unusual.
 *
 * CloudWatch's limits (PutMetricAlarm: Period × EvaluationPeriods ≤ 1 day under an hour, ≤ 7 days
 * from an hour up; ≤ 10 metrics; one returned expression) hold for every alarm made here: the
 * defaults need at most 3 days (the ticket pair's 3d window, a 259,200 s period), and a window
 * pair that cannot be watched (a window over 7d) makes cloudWatchAlarmSpecs throw
 * CloudWatchAlarmLimitError, so `cdk synth` stops with the SLO and window named. So does an SLO
 * whose `source.cloudwatch.region` is not the stack's (SloRegionError).
 *
 * Every `meshgov-slo-*` state change goes by EventBridge to the latency function
 * (functions/aws/latency-alarm.ts), which ignores the window alarms and runs on the composite's;
 * delivery failures and failed invocations land in a dead-letter queue with an alarm. A schedule
 * (`sweepSchedule`) also starts it, to read every App Mesh SLO: an alarm speaks only when its
 * state changes, and an SLO that measures nothing never changes state. With no App Mesh SLO in
 * rules/ the construct creates nothing.
 */
export class SloAlarms extends Construct {
  readonly specs: CloudWatchAlarmSpec[];
  readonly compositeAlarms: cloudwatch.CfnCompositeAlarm[] = [];
  readonly windowAlarms: cloudwatch.CfnAlarm[] = [];
  readonly function?: MeshGovFunction;
  readonly deadLetterQueue?: sqs.Queue;
  readonly deadLetterAlarm?: cloudwatch.Alarm;
  readonly rule?: events.Rule;
  readonly sweepRule?: events.Rule;

  constructor(scope: Construct, id: string, props: SloAlarmsProps) {
    super(scope, id);
    checkSloRegions(this, props.slos);
    this.specs = cloudWatchAlarmSpecs(props.slos);
    if (this.specs.length === 0) return;

    for (const spec of this.specs) {
      const long = this.windowAlarm(spec, spec.windows.long);
      const short = this.windowAlarm(spec, spec.windows.short);
      const composite = new cloudwatch.CfnCompositeAlarm(this, spec.alarmName, {
        alarmName: spec.alarmName,
        alarmDescription: spec.description,
        alarmRule: spec.compositeRule,
      });
      composite.node.addDependency(long);
      composite.node.addDependency(short);
      this.compositeAlarms.push(composite);
    }

    const deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'meshgov: an SLO alarm state change could not be processed and is in the dead-letter queue',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const fn = new MeshGovFunction(this, 'LatencyAlarm', {
      entry: 'latency-alarm.ts',
      description: 'meshgov hub: confirms an SLO alarm, names the suspected change and offers its rollback',
      timeout: Duration.minutes(2),
      environment: { POWERTOOLS_SERVICE_NAME: GOVERNING_SERVICES.slo, ...props.environment },
    });
    // A failed run (the fresh query failed, the ledger was unreachable) is retried twice, then kept.
    fn.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new destinations.SqsDestination(deadLetterQueue) });
    grantLedgerData(props.ledger, fn.fn);
    if (props.idempotency) {
      props.idempotency.grant(fn.fn, ...IDEMPOTENCY_DATA_ACTIONS);
      fn.fn.addEnvironment('MESHGOV_IDEMPOTENCY_TABLE', props.idempotency.tableName);
    }
    fn.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSloMetrics',
        // GetMetricData supports no resource-level permissions.
        actions: ['cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    props.grantAppMesh?.(fn.fn.role!);

    this.rule = new events.Rule(this, 'AlarmStateChanges', {
      description: `meshgov: state changes of the ${SLO_ALARM_PREFIX}* SLO alarms`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: events.Match.prefix(SLO_ALARM_PREFIX) },
      },
      targets: [new targets.LambdaFunction(fn.fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
    if (props.sweepSchedule) {
      this.sweepRule = new events.Rule(this, 'SloSweep', {
        description: 'meshgov: scheduled read of every App Mesh SLO',
        schedule: events.Schedule.expression(props.sweepSchedule),
        targets: [new targets.LambdaFunction(fn.fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(1) })],
      });
    }
    this.function = fn;
    this.deadLetterQueue = deadLetterQueue;
    this.deadLetterAlarm = deadLetterAlarm;
  }

  private windowAlarm(spec: CloudWatchAlarmSpec, window: WindowAlarmSpec): cloudwatch.CfnAlarm {
    const metrics: cloudwatch.CfnAlarm.MetricDataQueryProperty[] = [
      ...Object.entries(window.usingMetrics).map(([id, m]) => ({
        id,
        returnData: false,
        metricStat: {
          metric: { namespace: m.namespace, metricName: m.metricName, dimensions: Object.entries(m.dimensions).map(([name, value]) => ({ name, value })) },
          period: m.periodSeconds,
          stat: m.stat,
        },
      })),
      ...Object.entries(window.expressions).map(([id, expression]) => ({ id, expression, returnData: false })),
      { id: window.resultId, expression: window.expression, label: `${spec.sloName} burns at ≥ ${spec.factor}x over ${window.window}`, returnData: true },
    ];
    const alarm = new cloudwatch.CfnAlarm(this, window.alarmName, {
      alarmName: window.alarmName,
      alarmDescription: `${spec.description} This alarm watches the ${window.window} window alone; ${spec.alarmName} joins both.`,
      metrics,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods: window.evaluationPeriods,
      datapointsToAlarm: window.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
    });
    this.windowAlarms.push(alarm);
    return alarm;
  }
}
