/** App Mesh latency SLOs from CloudWatch (GetMetricData), and the alarm specifications the CDK app renders. */
export { APPMESH_LATENCY_METRIC, APPMESH_REQUEST_COUNT_METRIC, percentileForBurn, sloDimensions, trimmedCountStat } from './appmesh-metrics';
export {
  cloudWatchAlarmSpecProblems,
  CloudWatchAlarmLimitError,
  cloudWatchAlarmSpecs,
  parseSloAlarmName,
  sloAlarmName,
  WINDOW_RESULT_ID,
  type AlarmMetric,
  type CloudWatchAlarmSpec,
  type SloAlarmLimitProblem,
  type WindowAlarmSpec,
} from './alarm-specs';
export { CLOUDWATCH_ALARM_LIMITS, compositeAlarmProblems, isAlarmPeriod, maxEvaluationRangeSeconds, metricMathAlarmProblems, type AlarmLimitProblem, type MetricMathAlarmShape } from './alarm-limits';
export { cloudWatchSloSource, MAX_QUERIES_PER_CALL, planCalls, type CloudWatchSloSourceOptions } from './source';
