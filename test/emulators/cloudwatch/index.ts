export { cloudWatchClientFor, TEST_CREDENTIALS } from './clients';
export { metricKey, MetricStore, type MetricIdentity, type MetricSeed, type SeedPoint } from './metric-store';
export { CLOUDWATCH_TARGET_PREFIX, startCloudWatchEmulator, type CloudWatchEmulator, type CloudWatchEmulatorOptions, type RecordedGetMetricData } from './startCloudWatchEmulator';
export { computeStatistic, mergeDistributions, type Distribution } from './statistics';
