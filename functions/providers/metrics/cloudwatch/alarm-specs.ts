import { errorBudget, windowPairs, type AlertKind, type SloDefinition, type SloWindowPair } from '../../../core/slo/definition';
import { compositeAlarmProblems, metricMathAlarmProblems, type AlarmLimitProblem } from './alarm-limits';
import { APPMESH_LATENCY_METRIC, methodOf, percentileForBurn, percentileStat, sloDimensions, trimmedCountStat } from './appmesh-metrics';

/**
 * CloudWatch alarm specifications for App Mesh SLOs, one per SLO and window pair, as plain data
 * for the CDK app (no SDK or CDK import here). Each spec holds:
 *
 * - `windows.long` and `windows.short`: what the CDK app deploys. One metric-math alarm per
 *   window, `IF(total_x > 0 AND burn_x >= f, 1, 0)` with
 *   `burn_x = (1 - good_x / total_x) / (1 - objective)` over TC(:threshold) and SampleCount of
 *   envoy_appmesh_TargetResponseTime (percentile method: `IF(pct_x > T, 1, 0)`), each metric
 *   read with the window as its single period and one evaluation period, so the evaluation
 *   range is exactly the window; a composite alarm `ALARM(long) AND ALARM(short)`
 *   (`compositeRule`) joins them.
 * - `expression` over `expressions` and `usingMetrics`: the whole pair's condition in one
 *   expression whose metrics have different periods. It describes the condition (and suits a
 *   GetMetricData read); it is not an alarm, since an alarm's evaluation range is one Period ×
 *   EvaluationPeriods.
 *
 * Every window alarm and composite is checked against CloudWatch's limits (alarm-limits.ts):
 * a window pair CloudWatch cannot watch (a window over 7 days, the longest evaluation range
 * PutMetricAlarm allows) throws CloudWatchAlarmLimitError, naming the SLO and the window, when
 * the specifications are made, i.e. at `cdk synth`.
 */

export interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
}

export interface WindowAlarmSpec {
  alarmName: string;
  window: string;
  /** The window in seconds: the period of every metric of this alarm. */
  periodSeconds: number;
  /** One period: the evaluation range is the window itself. */
  evaluationPeriods: 1;
  datapointsToAlarm: 1;
  /** The id of the returned expression (ReturnData true). */
  resultId: typeof WINDOW_RESULT_ID;
  /** 1 while this window burns at ≥ factor, else 0. */
  expression: string;
  /** Intermediate expressions by id (`burn_long`), for nesting. */
  expressions: Record<string, string>;
  usingMetrics: Record<string, AlarmMetric>;
}

export interface CloudWatchAlarmSpec {
  alarmName: string;
  sloName: string;
  kind: AlertKind;
  long: string;
  short: string;
  factor: number;
  method: 'trimmed-count' | 'percentile';
  description: string;
  /** 1 while both windows burn at ≥ factor, else 0. */
  expression: string;
  /** Intermediate expressions by id: `burn_long`, `burn_short` (trimmed-count; none for percentile). */
  expressions: Record<string, string>;
  /** Metrics by id, each with its own period (its window). */
  usingMetrics: Record<string, AlarmMetric>;
  /** How often the alarm evaluates: the short window. */
  periodSeconds: number;
  threshold: 1;
  comparisonOperator: 'GreaterThanOrEqualToThreshold';
  evaluationPeriods: 1;
  datapointsToAlarm: 1;
  /** No data is no burn: no traffic pages nobody. */
  treatMissingData: 'notBreaching';
  windows: { long: WindowAlarmSpec; short: WindowAlarmSpec };
  /** The composite alarm rule over the two window alarms. */
  compositeRule: string;
}

const NAME_PREFIX = 'meshgov-slo-';

/** The id of each window alarm's returned expression. */
export const WINDOW_RESULT_ID = 'burning';

/** `meshgov-slo-payments-api-latency-page-1h-5m`. */
export function sloAlarmName(sloName: string, kind: AlertKind, long: string, short: string): string {
  return `${NAME_PREFIX}${sloName}-${kind}-${long}-${short}`;
}

/** The SLO and window pair an alarm name stands for (the alarm-triggered Lambda's lookup); undefined for other alarms. */
export function parseSloAlarmName(alarmName: string): { sloName: string; kind: AlertKind; long: string; short: string; window?: 'long' | 'short' } | undefined {
  const match = /^meshgov-slo-([a-z0-9][a-z0-9_-]*?)-(page|ticket)-(\d+[mhdw])-(\d+[mhdw])(?:-(long|short))?$/.exec(alarmName);
  if (!match) return undefined;
  return { sloName: match[1], kind: match[2] as AlertKind, long: match[3], short: match[4], ...(match[5] ? { window: match[5] as 'long' | 'short' } : {}) };
}

/**
 * @example
 *   for (const spec of cloudWatchAlarmSpecs(slosOfPolicy(policy))) {
 *     new cloudwatch.CfnAlarm(stack, spec.alarmName, { alarmName: spec.alarmName, metrics: toCfnMetrics(spec), … });
 *   }
 */
export function cloudWatchAlarmSpecs(slos: SloDefinition[]): CloudWatchAlarmSpec[] {
  const specs: CloudWatchAlarmSpec[] = [];
  for (const slo of slos) {
    if (slo.mesh !== 'appmesh' || !slo.source.cloudwatch) continue;
    for (const pair of windowPairs(slo)) specs.push(pairSpec(slo, pair));
  }
  const problems = specs.flatMap(cloudWatchAlarmSpecProblems);
  if (problems.length > 0) throw new CloudWatchAlarmLimitError(problems);
  return specs;
}

/** A CloudWatch limit one window pair of one SLO breaks. */
export interface SloAlarmLimitProblem extends AlarmLimitProblem {
  sloName: string;
  kind: AlertKind;
  long: string;
  short: string;
  /** The window whose alarm breaks it (`14d`), or the pair for the composite. */
  window: string;
}

/** Every CloudWatch limit the alarms of one window pair break; empty when all of them can be deployed. */
export function cloudWatchAlarmSpecProblems(spec: CloudWatchAlarmSpec): SloAlarmLimitProblem[] {
  const at = { sloName: spec.sloName, kind: spec.kind, long: spec.long, short: spec.short };
  const problems: SloAlarmLimitProblem[] = [];
  for (const window of [spec.windows.long, spec.windows.short]) {
    const found = metricMathAlarmProblems({
      alarmName: window.alarmName,
      metricStats: window.usingMetrics,
      expressions: { ...window.expressions, [window.resultId]: window.expression },
      returnDataIds: [window.resultId],
      evaluationPeriods: window.evaluationPeriods,
      datapointsToAlarm: window.datapointsToAlarm,
    });
    problems.push(...found.map((p) => ({ ...at, window: window.window, ...p })));
  }
  problems.push(...compositeAlarmProblems(spec.alarmName, spec.compositeRule).map((p) => ({ ...at, window: `${spec.long}/${spec.short}`, ...p })));
  return problems;
}

/** Thrown when rules/ asks for an App Mesh alarm CloudWatch cannot hold; `problems` names each SLO, window and limit. */
export class CloudWatchAlarmLimitError extends Error {
  constructor(readonly problems: SloAlarmLimitProblem[]) {
    super(
      [
        `${problems.length === 1 ? 'one App Mesh SLO alarm breaks' : `${problems.length} App Mesh SLO alarms break`} a CloudWatch limit:`,
        ...problems.map(
          (p) =>
            `- SLO ${p.sloName}, ${p.kind} pair ${p.long}/${p.short}, window ${p.window} (${p.alarmName}): ${p.field}: ${p.message}` +
            (p.field === 'EvaluationPeriods' ? `; CloudWatch can watch windows of at most 7d, so shorten this window in rules/ (slos[].alerting.${p.kind})` : ''),
        ),
      ].join('\n'),
    );
    this.name = 'CloudWatchAlarmLimitError';
  }
}

function pairSpec(slo: SloDefinition, pair: SloWindowPair): CloudWatchAlarmSpec {
  const method = methodOf(slo);
  const alarmName = sloAlarmName(slo.name, pair.kind, pair.long, pair.short);
  const long = windowSpec(slo, pair, 'long');
  const short = windowSpec(slo, pair, 'short');
  return {
    alarmName,
    sloName: slo.name,
    kind: pair.kind,
    long: pair.long,
    short: pair.short,
    factor: pair.factor,
    method,
    description: `meshgov SLO ${slo.name}: ${slo.objective}% of ${slo.meshName}/${slo.virtualNode ?? slo.service} requests under ${slo.thresholdMs} ms over ${slo.window}; ${pair.kind} when the error budget burns at ${pair.factor}x or faster over both ${pair.long} and ${pair.short} (${method === 'trimmed-count' ? `TC(:${slo.thresholdMs}) / SampleCount` : 'percentiles against the threshold'}).`,
    expression: `IF(${long.condition} AND ${short.condition}, 1, 0)`,
    expressions: { ...long.expressions, ...short.expressions },
    usingMetrics: { ...long.metrics, ...short.metrics },
    periodSeconds: pair.shortSeconds,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    windows: { long: long.alarm, short: short.alarm },
    compositeRule: `ALARM("${long.alarm.alarmName}") AND ALARM("${short.alarm.alarmName}")`,
  };
}

/** One window's burn condition, the expressions and metrics it reads, and its own single-period alarm. */
function windowSpec(slo: SloDefinition, pair: SloWindowPair, side: 'long' | 'short') {
  const window = side === 'long' ? pair.long : pair.short;
  const periodSeconds = side === 'long' ? pair.longSeconds : pair.shortSeconds;
  const base = { namespace: slo.source.cloudwatch!.namespace, metricName: APPMESH_LATENCY_METRIC, dimensions: sloDimensions(slo), periodSeconds };
  let metrics: Record<string, AlarmMetric>;
  let expressions: Record<string, string> = {};
  let condition: string;
  if (methodOf(slo) === 'trimmed-count') {
    metrics = { [`good_${side}`]: { ...base, stat: trimmedCountStat(slo.thresholdMs) }, [`total_${side}`]: { ...base, stat: 'SampleCount' } };
    // burn = (1 − good/total) / (1 − objective) (SRE workbook); no traffic is no burn.
    expressions = { [`burn_${side}`]: `(1 - good_${side} / total_${side}) / ${formatNumber(errorBudget(slo))}` };
    condition = `total_${side} > 0 AND burn_${side} >= ${pair.factor}`;
  } else {
    // p(100 − budget% × factor) above the threshold ⇔ more than factor × budget of requests are slow.
    metrics = { [`pct_${side}`]: { ...base, stat: percentileStat(percentileForBurn(slo.objective, pair.factor)) } };
    condition = `pct_${side} > ${slo.thresholdMs}`;
  }
  const alarm: WindowAlarmSpec = {
    alarmName: `${sloAlarmName(slo.name, pair.kind, pair.long, pair.short)}-${side}`,
    window,
    periodSeconds,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    resultId: WINDOW_RESULT_ID,
    expression: `IF(${condition}, 1, 0)`,
    expressions,
    usingMetrics: metrics,
  };
  return { metrics, expressions, condition, alarm };
}

function formatNumber(n: number): string {
  return String(Number(n.toFixed(10)));
}
