/** App Mesh latency SLOs from CloudWatch (GetMetricData), and the alarm specifications the CDK app renders. */
export { APPMESH_LATENCY_METRIC, APPMESH_REQUEST_COUNT_METRIC, percentileForBurn, sloDimensions, trimmedCountStat } from './appmesh-metrics';
export { cloudWatchAlarmSpecs, parseSloAlarmName, sloAlarmName, type AlarmMetric, type CloudWatchAlarmSpec, type WindowAlarmSpec } from './alarm-specs';
export { cloudWatchSloSource, MAX_QUERIES_PER_CALL, planCalls, type CloudWatchSloSourceOptions } from './source';
