import type { SloSource } from '../core/slo/reading';
import type { FetchLike } from '../providers/metrics/prometheus/http-api';
import { prometheusSloSource } from '../providers/metrics/prometheus/source';
import type { AgentDeps } from './agent-deps';
import { googleAuthorizedFetch } from './google-authorized-fetch';

export interface AgentPrometheusOptions {
  /** Reads Istio SLOs afresh; default: the Prometheus HTTP API at MESHGOV_PROMETHEUS_URL (an SLO's own source.prometheus.url wins). */
  prometheus?: (agent: AgentDeps) => SloSource;
}

/** Where the agent reads Istio SLOs: the option's source, else Prometheus (or Google Managed Service for Prometheus). */
export function agentPrometheus(agent: AgentDeps, options: AgentPrometheusOptions): SloSource {
  return (
    options.prometheus?.(agent) ??
    prometheusSloSource({
      ...(process.env.MESHGOV_PROMETHEUS_URL ? { url: process.env.MESHGOV_PROMETHEUS_URL } : {}),
      // Managed Prometheus is a Google API: its queries carry the service account's token.
      fetch: googleAuthorizedFetch(agent.fetch as unknown as FetchLike),
    })
  );
}
