/**
 * What CloudWatch accepts for a metric-math alarm, checked on the alarm specifications before
 * the CDK app renders them, so that a window CloudWatch cannot watch fails `cdk synth` with the
 * SLO and the window named, instead of failing PutMetricAlarm in the middle of a deployment
 * (CloudFormation and CDK pass a MetricDataQuery's period through unchecked).
 *
 * Sources, CloudWatch API Reference and User Guide:
 * - PutMetricAlarm `Period`: 10, 20, 30 or any multiple of 60 seconds. "An alarm's total current
 *   evaluation period can be no longer than seven days, so Period multiplied by
 *   EvaluationPeriods can't be more than 604,800 seconds. For alarms with a period of less than
 *   one hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400
 *   seconds)." A metric-math alarm gives the period on each MetricStat of `Metrics`.
 * - MetricDataQuery in PutMetricAlarm: at most 20 structures, of which at most 10 with a
 *   MetricStat and at most 10 with an Expression; exactly one has ReturnData true, and it must
 *   return a single time series. `Id`: letters, digits and underscores, a lowercase letter
 *   first, 1–255 characters.
 * - User Guide, "Limits that apply to alarms based on metric math expressions": at most 10
 *   metrics, a hard limit.
 * - PutMetricAlarm / PutCompositeAlarm `AlarmName`: 1–255 characters; `AlarmRule`: at most
 *   10,240 characters.
 *
 * One more rule is meshgov's own: every MetricStat of one alarm has the same period. The
 * evaluation range is Period × EvaluationPeriods, which only means something with one period
 * (the console and CDK's MathExpression also give an alarm one period).
 */

export const CLOUDWATCH_ALARM_LIMITS = {
  /** Period × EvaluationPeriods for a period of an hour or more: 7 days. */
  maxEvaluationRangeSeconds: 604_800,
  /** Period × EvaluationPeriods for a period under an hour: 1 day. */
  maxEvaluationRangeSubHourSeconds: 86_400,
  /** Periods at or above this get the 7-day range. */
  longPeriodSeconds: 3_600,
  /** Sub-minute periods (high-resolution metrics only); every other period is a multiple of 60. */
  highResolutionPeriods: [10, 20, 30] as readonly number[],
  maxMetricStats: 10,
  maxExpressions: 10,
  maxQueries: 20,
  maxIdLength: 255,
  maxAlarmNameLength: 255,
  maxAlarmRuleLength: 10_240,
} as const;

const QUERY_ID = /^[a-z][A-Za-z0-9_]*$/;

/** A metric-math alarm as the limits see it. */
export interface MetricMathAlarmShape {
  alarmName: string;
  /** The MetricStat queries, by id, with their periods. */
  metricStats: Record<string, { periodSeconds: number }>;
  /** The Expression queries, by id, the returned one included. */
  expressions: Record<string, string>;
  /** The ids with ReturnData true. */
  returnDataIds: string[];
  evaluationPeriods: number;
  datapointsToAlarm: number;
}

/** One broken limit: the alarm, the PutMetricAlarm field concerned, and a sentence a person can act on. */
export interface AlarmLimitProblem {
  alarmName: string;
  field: 'AlarmName' | 'AlarmRule' | 'Period' | 'EvaluationPeriods' | 'DatapointsToAlarm' | 'Metrics' | 'Metrics.Id' | 'Metrics.ReturnData';
  message: string;
}

/** The longest evaluation range (Period × EvaluationPeriods, seconds) CloudWatch allows for a period. */
export function maxEvaluationRangeSeconds(periodSeconds: number): number {
  return periodSeconds < CLOUDWATCH_ALARM_LIMITS.longPeriodSeconds ? CLOUDWATCH_ALARM_LIMITS.maxEvaluationRangeSubHourSeconds : CLOUDWATCH_ALARM_LIMITS.maxEvaluationRangeSeconds;
}

/** A period PutMetricAlarm accepts: 10, 20, 30 or a positive multiple of 60. */
export function isAlarmPeriod(periodSeconds: number): boolean {
  return Number.isInteger(periodSeconds) && periodSeconds > 0 && (periodSeconds % 60 === 0 || CLOUDWATCH_ALARM_LIMITS.highResolutionPeriods.includes(periodSeconds));
}

/**
 * Every limit the alarm breaks; an empty list when PutMetricAlarm would accept it.
 *
 * @example
 *   metricMathAlarmProblems({ alarmName: 'a', metricStats: { m: { periodSeconds: 300 } }, expressions: { e: 'm * 2' },
 *     returnDataIds: ['e'], evaluationPeriods: 400, datapointsToAlarm: 1 });
 *   // → [{ field: 'EvaluationPeriods', message: '… 120000 s … at most 86400 s …' }]
 */
export function metricMathAlarmProblems(alarm: MetricMathAlarmShape): AlarmLimitProblem[] {
  const L = CLOUDWATCH_ALARM_LIMITS;
  const problems: AlarmLimitProblem[] = [];
  const problem = (field: AlarmLimitProblem['field'], message: string) => problems.push({ alarmName: alarm.alarmName, field, message });

  problems.push(...alarmNameProblems(alarm.alarmName));

  const statIds = Object.keys(alarm.metricStats);
  const expressionIds = Object.keys(alarm.expressions);
  if (statIds.length > L.maxMetricStats) problem('Metrics', `${statIds.length} metrics; a metric-math alarm may reference at most ${L.maxMetricStats}`);
  if (expressionIds.length > L.maxExpressions) problem('Metrics', `${expressionIds.length} expressions; a metric-math alarm may hold at most ${L.maxExpressions}`);
  if (statIds.length + expressionIds.length > L.maxQueries) problem('Metrics', `${statIds.length + expressionIds.length} queries; a metric-math alarm may hold at most ${L.maxQueries}`);
  const ids = [...statIds, ...expressionIds];
  for (const id of ids) {
    if (!QUERY_ID.test(id) || id.length > L.maxIdLength) problem('Metrics.Id', `query id ${JSON.stringify(id)} is not letters, digits and _ starting with a lowercase letter (at most ${L.maxIdLength})`);
  }
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) problem('Metrics.Id', `query ids used twice: ${[...new Set(duplicates)].join(', ')}`);
  if (alarm.returnDataIds.length !== 1 || !expressionIds.includes(alarm.returnDataIds[0])) {
    problem('Metrics.ReturnData', `exactly one expression must have ReturnData true; found ${alarm.returnDataIds.length === 0 ? 'none' : alarm.returnDataIds.join(', ')}`);
  }

  const periods = [...new Set(Object.values(alarm.metricStats).map((m) => m.periodSeconds))];
  for (const period of periods) {
    if (!isAlarmPeriod(period)) problem('Period', `period ${period} s is not 10, 20, 30 or a multiple of 60`);
  }
  if (periods.length > 1) problem('Period', `its metrics have different periods (${periods.join(' s, ')} s); one alarm watches one period`);
  if (!Number.isInteger(alarm.evaluationPeriods) || alarm.evaluationPeriods < 1) problem('EvaluationPeriods', `EvaluationPeriods ${alarm.evaluationPeriods} is not a whole number of at least 1`);
  if (!Number.isInteger(alarm.datapointsToAlarm) || alarm.datapointsToAlarm < 1 || alarm.datapointsToAlarm > alarm.evaluationPeriods) {
    problem('DatapointsToAlarm', `DatapointsToAlarm ${alarm.datapointsToAlarm} is not between 1 and EvaluationPeriods (${alarm.evaluationPeriods})`);
  }
  if (periods.length === 1) {
    const range = periods[0] * alarm.evaluationPeriods;
    const max = maxEvaluationRangeSeconds(periods[0]);
    if (range > max) {
      problem(
        'EvaluationPeriods',
        `evaluation range ${range} s (period ${periods[0]} s × ${alarm.evaluationPeriods}) is over ${max} s, the most CloudWatch allows for a period ${periods[0] < L.longPeriodSeconds ? 'under an hour (1 day)' : 'of an hour or more (7 days)'}`,
      );
    }
  }
  return problems;
}

/** A composite alarm: its name and the length of its rule. */
export function compositeAlarmProblems(alarmName: string, alarmRule: string): AlarmLimitProblem[] {
  const problems = alarmNameProblems(alarmName);
  if (alarmRule.length > CLOUDWATCH_ALARM_LIMITS.maxAlarmRuleLength) {
    problems.push({ alarmName, field: 'AlarmRule', message: `alarm rule of ${alarmRule.length} characters; at most ${CLOUDWATCH_ALARM_LIMITS.maxAlarmRuleLength}` });
  }
  return problems;
}

function alarmNameProblems(alarmName: string): AlarmLimitProblem[] {
  if (alarmName.length >= 1 && alarmName.length <= CLOUDWATCH_ALARM_LIMITS.maxAlarmNameLength) return [];
  return [{ alarmName, field: 'AlarmName', message: `alarm name of ${alarmName.length} characters; CloudWatch takes 1 to ${CLOUDWATCH_ALARM_LIMITS.maxAlarmNameLength}` }];
}
