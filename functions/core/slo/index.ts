/** Latency SLOs: definitions and their schema, window pairs, burn-rate maths, indicators. No cloud SDK here. */
export { boundariesAround, isBucketBoundary, ISTIO_DEFAULT_BUCKETS_MS, leLabelPattern } from './buckets';
export { budgetRemaining, burnRate, errorRatioOf } from './burn-rate';
export { parseSlos, SloDefinitionError } from './parse-slos';
export {
  errorBudget,
  resolveSlo,
  slosOfPolicy,
  windowPairs,
  windowsToMeasure,
  type AlertKind,
  type SloDefinition,
  type SloWindowPair,
} from './definition';
export { DEPENDENCY_HOPS, sloTopology, type SloTopology } from './dependencies';
export { durationSeconds, formatWindow, windowSeconds } from './duration';
export { evaluateSlos, type SloEvaluation, type SloSources } from './evaluate';
export { sloIndicatorId, sloResource, toSloIndicator, type IndicatorSeverities } from './indicator';
export { sweepSlos, type SloSweep, type SloSweepDeps } from './sweep';
export { readSloTopology, topologyScope, type MeshReader } from './read-topology';
export type { SloMethod, SloReading, SloReadProblem, SloReadResult, SloSource } from './reading';
export { DEFAULT_ALERTING, sloSchema, slosSchema, windowPairSchema, type SloSpec, type WindowPair } from './schema';
