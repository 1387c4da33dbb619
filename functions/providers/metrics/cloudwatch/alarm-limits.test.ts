import { compositeAlarmProblems, isAlarmPeriod, maxEvaluationRangeSeconds, metricMathAlarmProblems, type MetricMathAlarmShape } from './alarm-limits';

/** A window alarm as alarm-specs.ts makes them: good/total over one period, a burn expression, one returned result. */
function windowAlarm(periodSeconds: number, edit: Partial<MetricMathAlarmShape> = {}): MetricMathAlarmShape {
  return {
    alarmName: 'meshgov-slo-orders-api-latency-ticket-3d-6h-long',
    metricStats: { good_long: { periodSeconds }, total_long: { periodSeconds } },
    expressions: { burn_long: '(1 - good_long / total_long) / 0.01', burning: 'IF(total_long > 0 AND burn_long >= 1, 1, 0)' },
    returnDataIds: ['burning'],
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    ...edit,
  };
}

describe('PutMetricAlarm evaluation range: 1 day under an hour, 7 days from an hour up', () => {
  it.each([
    ['5m × 1', 300, 1],
    ['30m × 48 (one day exactly)', 1800, 48],
    ['1h × 1', 3600, 1],
    ['6h × 1', 21_600, 1],
    ['3d × 1 (the ticket pair’s long window)', 259_200, 1],
    ['1h × 168 (7 days exactly)', 3600, 168],
    ['7d × 1', 604_800, 1],
  ])('accepts %s', (_name, period, evaluationPeriods) => {
    expect(metricMathAlarmProblems(windowAlarm(period, { evaluationPeriods }))).toEqual([]);
  });

  it.each([
    ['5m × 289 (just over a day, sub-hour period)', 300, 289, 86_700, 86_400],
    ['59m × 25', 3540, 25, 88_500, 86_400],
    ['1h × 169', 3600, 169, 608_400, 604_800],
    ['14d × 1', 1_209_600, 1, 1_209_600, 604_800],
  ])('refuses %s', (_name, period, evaluationPeriods, range, max) => {
    const problems = metricMathAlarmProblems(windowAlarm(period, { evaluationPeriods, datapointsToAlarm: 1 }));
    expect(problems).toEqual([expect.objectContaining({ field: 'EvaluationPeriods', alarmName: 'meshgov-slo-orders-api-latency-ticket-3d-6h-long' })]);
    expect(problems[0].message).toContain(`evaluation range ${range} s`);
    expect(problems[0].message).toContain(`over ${max} s`);
  });

  it('the limit switches at one hour', () => {
    expect(maxEvaluationRangeSeconds(3540)).toBe(86_400);
    expect(maxEvaluationRangeSeconds(3600)).toBe(604_800);
  });
});

describe('periods, queries, ids and names', () => {
  it('periods are 10, 20, 30 or a multiple of 60', () => {
    expect([10, 20, 30, 60, 300, 259_200].every(isAlarmPeriod)).toBe(true);
    expect([0, 1, 45, 90, 301, 59.5].some(isAlarmPeriod)).toBe(false);
    expect(metricMathAlarmProblems(windowAlarm(90))).toEqual([expect.objectContaining({ field: 'Period', message: 'period 90 s is not 10, 20, 30 or a multiple of 60' })]);
  });

  it('one period per alarm', () => {
    const mixed = windowAlarm(3600, { metricStats: { good_long: { periodSeconds: 3600 }, total_long: { periodSeconds: 300 } } });
    expect(metricMathAlarmProblems(mixed)).toEqual([expect.objectContaining({ field: 'Period', message: expect.stringContaining('different periods (3600 s, 300 s)') })]);
  });

  it('at most 10 metrics, 10 expressions and 20 queries', () => {
    const metricStats = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, { periodSeconds: 300 }]));
    const expressions = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`e${i}`, `m${i} * 2`]));
    const problems = metricMathAlarmProblems(windowAlarm(300, { metricStats, expressions, returnDataIds: ['e0'] }));
    expect(problems.map((p) => p.message)).toEqual([
      '11 metrics; a metric-math alarm may reference at most 10',
      '11 expressions; a metric-math alarm may hold at most 10',
      '22 queries; a metric-math alarm may hold at most 20',
    ]);
  });

  it('exactly one returned expression, and ids CloudWatch accepts', () => {
    expect(metricMathAlarmProblems(windowAlarm(300, { returnDataIds: [] }))).toEqual([expect.objectContaining({ field: 'Metrics.ReturnData' })]);
    expect(metricMathAlarmProblems(windowAlarm(300, { returnDataIds: ['burning', 'burn_long'] }))).toEqual([expect.objectContaining({ field: 'Metrics.ReturnData' })]);
    // A MetricStat cannot be the returned value of these alarms: the result is an expression.
    expect(metricMathAlarmProblems(windowAlarm(300, { returnDataIds: ['good_long'] }))).toEqual([expect.objectContaining({ field: 'Metrics.ReturnData' })]);
    const badIds = metricMathAlarmProblems(windowAlarm(300, { metricStats: { Good: { periodSeconds: 300 }, '1total': { periodSeconds: 300 } } }));
    expect(badIds.filter((p) => p.field === 'Metrics.Id')).toHaveLength(2);
  });

  it('DatapointsToAlarm between 1 and EvaluationPeriods', () => {
    expect(metricMathAlarmProblems(windowAlarm(300, { evaluationPeriods: 2, datapointsToAlarm: 3 }))).toEqual([expect.objectContaining({ field: 'DatapointsToAlarm' })]);
  });

  it('alarm names of 1 to 255 characters, composite rules of at most 10,240', () => {
    expect(metricMathAlarmProblems(windowAlarm(300, { alarmName: 'a'.repeat(256) }))).toEqual([expect.objectContaining({ field: 'AlarmName' })]);
    expect(compositeAlarmProblems('meshgov-slo-x-page-1h-5m', 'ALARM("a") AND ALARM("b")')).toEqual([]);
    expect(compositeAlarmProblems('meshgov-slo-x-page-1h-5m', `ALARM("${'a'.repeat(10_240)}")`)).toEqual([expect.objectContaining({ field: 'AlarmRule' })]);
  });
});
