import type { SloDefinition } from './definition';

/**
 * How a reader measured an SLO; the finding carries it in `detail.method`.
 * - `prometheus-histogram`: good = the `le` bucket at the threshold, total = `_count` (exact).
 * - `cloudwatch-trimmed-count`: good = TC(:threshold), total = SampleCount of
 *   envoy_appmesh_TargetResponseTime (exact: CloudWatch counts values ≤ the bound).
 * - `cloudwatch-percentile`: percentiles compared with the threshold; a window's burn rate is
 *   the largest configured factor it provably exceeds (a lower bound), 0 when none.
 */
export type SloMethod = 'prometheus-histogram' | 'cloudwatch-trimmed-count' | 'cloudwatch-percentile';

/** What a reader measured for one SLO at one instant. */
export interface SloReading {
  slo: SloDefinition;
  method: SloMethod;
  /** Burn rate per window text (`5m`, `1h`, …, the SLO window). A window with no requests is absent. */
  burnRates: Record<string, number>;
  /** Requests seen per window, where the method counts them. */
  requests?: Record<string, number>;
  /** Error ratio per window, where the method counts requests. */
  errorRatios?: Record<string, number>;
  /** The windows the reader measured: with no requests in any of them, the SLO measures nothing. */
  windows?: string[];
  /** What the reader counted requests of, in the back end's own terms (a PromQL selector, a metric with its dimensions). */
  selection?: string;
}

/** An SLO a reader could not measure, and why (the query failed, the API refused, …). */
export interface SloReadProblem {
  slo: string;
  message: string;
}

/** The problems as one line for an error or a log: `<slo>: <message>; …`. */
export function describeReadProblems(problems: readonly SloReadProblem[]): string {
  return problems.map((p) => `${p.slo}: ${p.message}`).join('; ');
}

export interface SloReadResult {
  readings: SloReading[];
  problems: SloReadProblem[];
  /** Requests sent to the metrics API (a GetMetricData call with its pages, a PromQL query). */
  queries: number;
}

/** A metrics back end that can measure SLOs (Prometheus for Istio, CloudWatch for App Mesh). */
export interface SloSource {
  read(slos: SloDefinition[], at: Date): Promise<SloReadResult>;
}
