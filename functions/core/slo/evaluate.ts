import type { SloIndicator } from '../model/types';
import type { SloDefinition } from './definition';
import { toSloIndicator, type IndicatorSeverities } from './indicator';
import type { SloReadProblem, SloSource } from './reading';

export interface SloSources {
  /** Reads the Istio SLOs (the Prometheus HTTP API, or Google Managed Service for Prometheus). */
  prometheus?: SloSource;
  /** Reads the App Mesh SLOs (CloudWatch GetMetricData). */
  cloudwatch?: SloSource;
}

export interface SloEvaluation {
  indicators: SloIndicator[];
  problems: SloReadProblem[];
  queries: number;
}

/**
 * One scheduled (or alarm-triggered) measurement of every SLO: each mesh's SLOs go to their
 * back end in one batch, both back ends at once. The indicators go into the model, where the
 * `slo-latency-burn` rule turns the burning ones into findings. `severities` grade the windows
 * (`windows[].severity`): pass the policy's (burnSeverities, alarm-run.ts), so they say what the
 * finding says; without them a page is critical and a ticket medium.
 *
 * @example
 *   const { indicators } = await evaluateSlos(slosOfPolicy(policy), {
 *     prometheus: prometheusSloSource({ url: 'http://127.0.0.1:9090' }),
 *     cloudwatch: cloudWatchSloSource({ client: new CloudWatchClient({}) }),
 *   }, new Date(), burnSeverities(policy));
 *   model.slos.push(...indicators);
 */
export async function evaluateSlos(slos: SloDefinition[], sources: SloSources, at: Date, severities?: IndicatorSeverities): Promise<SloEvaluation> {
  const istio = slos.filter((s) => s.mesh === 'istio');
  const appmesh = slos.filter((s) => s.mesh === 'appmesh');
  const problems: SloReadProblem[] = [];
  const missing = (list: SloDefinition[], what: string) => list.forEach((s) => problems.push({ slo: s.name, message: `no ${what} source is configured to read this SLO` }));
  if (!sources.prometheus) missing(istio, 'Prometheus');
  if (!sources.cloudwatch) missing(appmesh, 'CloudWatch');
  const results = await Promise.all([
    sources.prometheus && istio.length > 0 ? sources.prometheus.read(istio, at) : undefined,
    sources.cloudwatch && appmesh.length > 0 ? sources.cloudwatch.read(appmesh, at) : undefined,
  ]);
  const indicators: SloIndicator[] = [];
  let queries = 0;
  for (const result of results) {
    if (!result) continue;
    queries += result.queries;
    problems.push(...result.problems);
    for (const reading of result.readings) indicators.push(toSloIndicator(reading, severities));
  }
  return { indicators, problems, queries };
}
