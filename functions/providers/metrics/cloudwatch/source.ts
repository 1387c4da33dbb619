import { CloudWatchClient, paginateGetMetricData, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { burnRate, errorRatioOf } from '../../../core/slo/burn-rate';
import { windowPairs, windowsToMeasure, type SloDefinition } from '../../../core/slo/definition';
import { windowSeconds } from '../../../core/slo/duration';
import type { SloReading, SloReadProblem, SloReadResult, SloSource } from '../../../core/slo/reading';
import {
  APPMESH_LATENCY_METRIC,
  APPMESH_REQUEST_COUNT_METRIC,
  methodOf,
  percentileForBurn,
  percentileStat,
  sloDimensions,
  trimmedCountStat,
} from './appmesh-metrics';

/** GetMetricData's limit (API Reference: "A single GetMetricData call can include up to 500 MetricDataQuery structures"). */
export const MAX_QUERIES_PER_CALL = 500;

export interface CloudWatchSloSourceOptions {
  /** The client for every SLO (or, with clientFor, for those that name no region). */
  client?: CloudWatchClient;
  /** A client per region named by an SLO's source.cloudwatch.region. Without client or clientFor: a new CloudWatchClient per region. */
  clientFor?: (region: string) => CloudWatchClient;
  /** At most this many MetricDataQuery per call (≤ 500). */
  maxQueriesPerCall?: number;
  /** Calls in flight at once. */
  concurrency?: number;
  /** GetMetricData MaxDatapoints (one answer's data points; the rest is paged with NextToken). */
  maxDatapoints?: number;
}

type Role = { kind: 'good' } | { kind: 'total' } | { kind: 'percentile'; factor: number } | { kind: 'requests' };

interface Need {
  slo: SloDefinition;
  window: string;
  role: Role;
  metricName: string;
  stat: string;
}

interface Call {
  region: string | undefined;
  window: string;
  needs: Need[];
}

/**
 * Reads App Mesh latency SLOs from CloudWatch GetMetricData. Each window is one period
 * (StartTime = now − window, Period = window), so every query returns one data point; all SLOs
 * sharing a window and a region go into the same calls, 500 queries each, pages followed by
 * the SDK's paginator.
 *
 * Method trimmed-count (default): requests at or under the threshold are TC(:threshold) of
 * envoy_appmesh_TargetResponseTime, all requests its SampleCount; exact. Method percentile:
 * for each window pair's factor f, p(100 − (100 − objective)·f) against the threshold, with
 * envoy_appmesh_RequestCount's Sum for the traffic; the burn rate is a lower bound.
 *
 * @example
 *   const source = cloudWatchSloSource({ client: new CloudWatchClient({ region: 'us-west-2' }) });
 *   const { readings, queries } = await source.read(appMeshSlos, new Date());
 */
export function cloudWatchSloSource(options: CloudWatchSloSourceOptions = {}): SloSource {
  const perCall = Math.min(options.maxQueriesPerCall ?? MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL);
  const clients = new Map<string, CloudWatchClient>();
  // One client reads every SLO unless clientFor is given to reach several regions.
  const clientOf = (region: string | undefined): CloudWatchClient => {
    if (region !== undefined && options.clientFor) return cached(region, () => options.clientFor!(region));
    if (options.client) return options.client;
    return cached(region ?? '', () => new CloudWatchClient(region === undefined ? {} : { region }));
  };
  const cached = (key: string, make: () => CloudWatchClient) => {
    const found = clients.get(key) ?? make();
    clients.set(key, found);
    return found;
  };

  return {
    async read(slos, at) {
      const end = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
      const calls = planCalls(slos, perCall);
      const values = new Map<Need, number[]>();
      const problems: SloReadProblem[] = [];
      const failed = new Set<SloDefinition>();
      let queries = 0;

      await runLimited(calls, options.concurrency ?? 4, async (call) => {
        const ids = new Map<string, Need>();
        const metricDataQueries: MetricDataQuery[] = call.needs.map((need, index) => {
          const id = `q${index}`;
          ids.set(id, need);
          return {
            Id: id,
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: need.slo.source.cloudwatch!.namespace,
                MetricName: need.metricName,
                Dimensions: Object.entries(sloDimensions(need.slo)).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: windowSeconds(call.window),
              Stat: need.stat,
            },
          };
        });
        const start = new Date(end.getTime() - windowSeconds(call.window) * 1000);
        try {
          const pages = paginateGetMetricData(
            { client: clientOf(call.region), ...(options.maxDatapoints ? { pageSize: options.maxDatapoints } : {}) },
            { MetricDataQueries: metricDataQueries, StartTime: start, EndTime: end, ScanBy: 'TimestampDescending' },
          );
          for await (const page of pages) {
            queries += 1;
            for (const result of page.MetricDataResults ?? []) {
              const need = result.Id ? ids.get(result.Id) : undefined;
              if (!need) continue;
              if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
                problems.push({ slo: need.slo.name, message: `CloudWatch answered ${result.StatusCode} for ${need.metricName} ${need.stat} over ${call.window}${result.Messages?.length ? `: ${result.Messages.map((m) => m.Value).join('; ')}` : ''}` });
                failed.add(need.slo);
                continue;
              }
              values.set(need, [...(values.get(need) ?? []), ...(result.Values ?? [])]);
            }
          }
        } catch (error) {
          queries += 1;
          const affected = new Set(call.needs.map((n) => n.slo));
          for (const slo of affected) {
            failed.add(slo);
            problems.push({ slo: slo.name, message: `CloudWatch GetMetricData failed for the ${call.window} window: ${(error as Error).name}: ${(error as Error).message}` });
          }
        }
      });

      const readings: SloReading[] = [];
      const needsBySlo = new Map<SloDefinition, Need[]>();
      for (const call of calls) for (const need of call.needs) needsBySlo.set(need.slo, [...(needsBySlo.get(need.slo) ?? []), need]);
      for (const slo of slos) {
        if (failed.has(slo)) continue;
        const needs = needsBySlo.get(slo) ?? [];
        const reading = methodOf(slo) === 'percentile' ? percentileReading(slo, needs, values) : trimmedCountReading(slo, needs, values);
        if ('problem' in reading) problems.push({ slo: slo.name, message: reading.problem });
        else readings.push(reading);
      }
      return { readings, problems, queries } satisfies SloReadResult;
    },
  };
}

/** Every query an SLO needs, grouped into calls by region and window, at most `perCall` per call. */
export function planCalls(slos: SloDefinition[], perCall: number): Call[] {
  const groups = new Map<string, Call>();
  for (const slo of slos) {
    for (const need of needsOf(slo)) {
      const region = slo.source.cloudwatch?.region;
      const key = `${region ?? ''}|${need.window}`;
      const group = groups.get(key) ?? { region, window: need.window, needs: [] };
      group.needs.push(need);
      groups.set(key, group);
    }
  }
  const calls: Call[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.needs.length; i += perCall) calls.push({ ...group, needs: group.needs.slice(i, i + perCall) });
  }
  return calls;
}

function needsOf(slo: SloDefinition): Need[] {
  const needs: Need[] = [];
  if (methodOf(slo) === 'trimmed-count') {
    for (const window of windowsToMeasure(slo)) {
      needs.push({ slo, window, role: { kind: 'good' }, metricName: APPMESH_LATENCY_METRIC, stat: trimmedCountStat(slo.thresholdMs) });
      needs.push({ slo, window, role: { kind: 'total' }, metricName: APPMESH_LATENCY_METRIC, stat: 'SampleCount' });
    }
    return needs;
  }
  const factorsByWindow = new Map<string, Set<number>>();
  for (const pair of windowPairs(slo)) {
    for (const window of [pair.long, pair.short]) factorsByWindow.set(window, (factorsByWindow.get(window) ?? new Set()).add(pair.factor));
  }
  for (const [window, factors] of factorsByWindow) {
    needs.push({ slo, window, role: { kind: 'requests' }, metricName: APPMESH_REQUEST_COUNT_METRIC, stat: 'Sum' });
    for (const factor of factors) {
      needs.push({ slo, window, role: { kind: 'percentile', factor }, metricName: APPMESH_LATENCY_METRIC, stat: percentileStat(percentileForBurn(slo.objective, factor)) });
    }
  }
  return needs;
}

const sum = (xs: number[] | undefined) => (xs && xs.length > 0 ? xs.reduce((a, b) => a + b, 0) : undefined);

/** A metric and statistic as the SLO's query names it, for a reading that counted no request. */
function selectionOf(slo: SloDefinition, metric: string, stat: string): string {
  const dimensions = Object.entries(sloDimensions(slo)).map(([name, value]) => `${name}=${value}`).join(', ');
  return `${metric} ${stat} in ${slo.source.cloudwatch?.namespace ?? '(no namespace)'} with ${dimensions}`;
}

function trimmedCountReading(slo: SloDefinition, needs: Need[], values: Map<Need, number[]>): SloReading | { problem: string } {
  const windows = windowsToMeasure(slo);
  const selection = selectionOf(slo, APPMESH_LATENCY_METRIC, 'SampleCount');
  const reading: SloReading = { slo, method: 'cloudwatch-trimmed-count', burnRates: {}, requests: {}, errorRatios: {}, windows, selection };
  for (const window of windows) {
    const good = sum(values.get(needs.find((n) => n.window === window && n.role.kind === 'good')!));
    const total = sum(values.get(needs.find((n) => n.window === window && n.role.kind === 'total')!));
    if (total === undefined || total <= 0) continue;
    if (good === undefined) {
      return { problem: `${APPMESH_LATENCY_METRIC} has a SampleCount but no ${trimmedCountStat(slo.thresholdMs)} over ${window}: its data points carry no distribution to count; set source.cloudwatch.method: percentile` };
    }
    const ratio = errorRatioOf(good, total)!;
    reading.requests![window] = Math.round(total);
    reading.errorRatios![window] = ratio;
    reading.burnRates[window] = burnRate(ratio, slo.objective);
  }
  return reading;
}

function percentileReading(slo: SloDefinition, needs: Need[], values: Map<Need, number[]>): SloReading {
  const windows = [...new Set(needs.map((n) => n.window))];
  const reading: SloReading = { slo, method: 'cloudwatch-percentile', burnRates: {}, requests: {}, windows, selection: selectionOf(slo, APPMESH_REQUEST_COUNT_METRIC, 'Sum') };
  for (const window of windows) {
    const requests = sum(values.get(needs.find((n) => n.window === window && n.role.kind === 'requests')!));
    if (requests === undefined || requests <= 0) continue;
    reading.requests![window] = Math.round(requests);
    let bound = 0;
    for (const need of needs) {
      if (need.window !== window || need.role.kind !== 'percentile') continue;
      const value = values.get(need)?.[0];
      if (value !== undefined && value > slo.thresholdMs) bound = Math.max(bound, need.role.factor);
    }
    reading.burnRates[window] = bound;
  }
  return reading;
}

async function runLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}
