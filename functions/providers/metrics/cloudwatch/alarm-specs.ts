import { errorBudget, windowPairs, type AlertKind, type SloDefinition, type SloWindowPair } from '../../../core/slo/definition';
import { APPMESH_LATENCY_METRIC, methodOf, percentileForBurn, percentileStat, sloDimensions, trimmedCountStat } from './appmesh-metrics';

/**
 * CloudWatch alarm specifications for App Mesh SLOs, one per SLO and window pair, as plain data
 * for the CDK app (no SDK or CDK import here). Each spec holds:
 *
 * - `expression` over `expressions` and `usingMetrics`:
 *   `IF(total_long > 0 AND burn_long >= f AND total_short > 0 AND burn_short >= f, 1, 0)`, where
 *   `burn_x = (1 - good_x / total_x) / (1 - objective)` over TC(:threshold) and SampleCount of
 *   envoy_appmesh_TargetResponseTime, each metric fetched with its window as its period
 *   (`periodSeconds`); for the percentile method `IF(pct_long > T AND pct_short > T, 1, 0)`. The alarm fires at ≥ 1. Render it with `CfnAlarm` `metrics` (each
 *   MetricStat keeps its own Period), since a CDK `MathExpression` forces one period on all
 *   the metrics it uses.
 * - `windows.long` and `windows.short`: the same burn condition per window, each with a single
 *   period, for two alarms joined by a composite alarm rule `ALARM(long) AND ALARM(short)`
 *   (`compositeRule`), for use with `MathExpression` + `Alarm` + `CompositeAlarm`.
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
  periodSeconds: number;
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
  return specs;
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
    expression: `IF(${condition}, 1, 0)`,
    expressions,
    usingMetrics: metrics,
  };
  return { metrics, expressions, condition, alarm };
}

function formatNumber(n: number): string {
  return String(Number(n.toFixed(10)));
}
