/** Istio latency SLOs from the Prometheus HTTP API (Prometheus, Google Managed Service for Prometheus). */
export { instantQuery, PrometheusQueryError, queryEndpoint, type FetchLike, type InstantQueryOptions, type InstantSample } from './http-api';
export { batchedLatencyQuery, errorRatioQuery, goodRequests, totalRequests, type ServiceSelection } from './promql';
export { prometheusSloSource, type PrometheusSloSourceOptions } from './source';
