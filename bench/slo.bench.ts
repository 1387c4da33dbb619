/**
 * SLO benchmark (issue 6, point 6): the time to evaluate 1,000 latency SLOs in one scheduled
 * run, and the number of queries it needs, per back end:
 *   Istio     a real Prometheus (Debian's package) backfilled by promtool with 76 hours of
 *             istio_request_duration_milliseconds for every service, queried at a fixed time;
 *   App Mesh  the CloudWatch GetMetricData stand-in (test/emulators/cloudwatch), through the
 *             real SDK, seeded with latency distributions for every virtual node.
 * Each plan runs BENCH_REPEAT times (median). Batched plans are compared with the naive one
 * (one query per SLO and window); every plan must find the same pages and tickets as the
 * fleet holds, or the bench fails. Prometheus is measured once it has compacted the backfilled
 * blocks, as a long-running server would have. The CloudWatch stand-in serves in this process, so its
 * work is part of the App Mesh wall time.
 *
 * Environment: BENCH_SLOS (default 1000), BENCH_REPEAT (default 3).
 */
import { performance } from 'node:perf_hooks';
import { emptyModel } from '../functions/core/model/types';
import { loadPolicy } from '../functions/core/policy/load';
import { evaluateModel } from '../functions/core/rules/engine';
import type { SloDefinition } from '../functions/core/slo/definition';
import { evaluateSlos, type SloSources } from '../functions/core/slo/evaluate';
import { APPMESH_LATENCY_METRIC } from '../functions/providers/metrics/cloudwatch/appmesh-metrics';
import { cloudWatchSloSource } from '../functions/providers/metrics/cloudwatch/source';
import type { FetchLike } from '../functions/providers/metrics/prometheus/http-api';
import { prometheusSloSource } from '../functions/providers/metrics/prometheus/source';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../test/emulators/cloudwatch';
import { istioLatencyOpenMetrics, startPrometheus, waitForCompaction, type PrometheusServer } from '../test/support/prometheus';
import { appMeshSlos, benchSampleTimes, EVALUATED_AT_SECONDS, istioFleet, istioSlos, slowShare, type FleetEntry } from './slo/slo-fleet';
import { median } from './lib/statistics';
import { fixed, formatTable } from './lib/table';

const COUNT = Number(process.env['BENCH_SLOS'] ?? 1000);
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);
const NAMESPACE = 'ContainerInsights/Prometheus';
const AT = new Date(EVALUATED_AT_SECONDS * 1000);
const PER_SECOND = 20;

interface Row {
  backend: string;
  plan: string;
  slos: number;
  queries: number;
  ms: number;
  pages: number;
  tickets: number;
}

function seedCloudWatch(cw: CloudWatchEmulator, fleet: FleetEntry[], times: number[]): void {
  for (const e of fleet) {
    const points = [];
    for (let i = 1; i < times.length; i++) {
      // The requests of the step (times[i-1], times[i]] as one data point at its start.
      const requests = PER_SECOND * (times[i] - times[i - 1]);
      const slow = Math.round(requests * slowShare(e.profile, times[i]));
      points.push({ timestamp: times[i - 1] * 1000, values: [80, 400], counts: [requests - slow, slow] });
    }
    cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_LATENCY_METRIC, dimensions: { Mesh: 'bench-mesh', VirtualNode: e.service }, points });
  }
}

async function measure(backend: string, plan: string, slos: SloDefinition[], sources: () => SloSources, calls: () => number): Promise<Row> {
  const policy = loadPolicy();
  const times: number[] = [];
  let last: { queries: number; pages: number; tickets: number } | undefined;
  for (let r = 0; r < REPEAT; r++) {
    const before = calls();
    const start = performance.now();
    const evaluation = await evaluateSlos(slos, sources(), AT);
    const model = emptyModel();
    model.slos.push(...evaluation.indicators);
    const findings = evaluateModel(model, policy, AT).filter((f) => f.rule === 'slo-latency-burn');
    times.push(performance.now() - start);
    if (evaluation.problems.length > 0) throw new Error(`${backend} ${plan}: ${evaluation.problems.length} problems, first: ${JSON.stringify(evaluation.problems[0])}`);
    if (calls() - before !== evaluation.queries) throw new Error(`${backend} ${plan}: the reader counted ${evaluation.queries} queries, the server saw ${calls() - before}`);
    last = { queries: evaluation.queries, pages: findings.filter((f) => f.detail.level === 'page').length, tickets: findings.filter((f) => f.detail.level === 'ticket').length };
  }
  return { backend, plan, slos: slos.length, ms: median(times), ...last! };
}

async function main(): Promise<void> {
  const fleet = istioFleet(COUNT);
  const expected = { pages: fleet.filter((e) => e.profile === 'fast').length, tickets: fleet.filter((e) => e.profile === 'slow').length };
  const times = benchSampleTimes(EVALUATED_AT_SECONDS);
  const rows: Row[] = [];

  process.stdout.write(`fleet: ${COUNT} SLOs per back end, ${expected.pages} burning fast (page), ${expected.tickets} slowly (ticket); ${times.length} sample times over 76 h\n`);
  const openMetrics = istioLatencyOpenMetrics({
    times,
    thresholdMs: 250,
    boundaries: [250],
    withoutSum: true,
    services: fleet.map((e) => ({ namespace: e.namespace, service: e.service, traffic: (t) => ({ perSecond: PER_SECOND, slowShare: slowShare(e.profile, t) }) })),
  });
  let prometheus: PrometheusServer | undefined;
  let cw: CloudWatchEmulator | undefined;
  try {
    const startedAt = performance.now();
    prometheus = await startPrometheus({ openMetrics, readyTimeoutMs: 120_000 });
    process.stdout.write(`prometheus: ${(openMetrics.length / 1e6).toFixed(1)} MB of OpenMetrics backfilled in ${fixed(prometheus.backfillMs / 1000, 1)} s, ready after ${fixed((performance.now() - startedAt) / 1000, 1)} s\n`);
    const blocks = await waitForCompaction(prometheus.url);
    process.stdout.write(`prometheus: compacted to ${blocks} blocks after ${fixed((performance.now() - startedAt) / 1000, 1)} s (measured after, so no compaction competes)\n`);
    const istio = istioSlos(fleet, prometheus.url);
    let promQueries = 0;
    const countingFetch: FetchLike = (url, init) => {
      promQueries += 1;
      return fetch(url, init);
    };
    const promCalls = () => promQueries;
    for (const maxSlosPerQuery of [...new Set([COUNT, 250, 50])]) {
      rows.push(await measure('Istio / Prometheus', `batched, ≤${maxSlosPerQuery} SLOs per query`, istio, () => ({ prometheus: prometheusSloSource({ fetch: countingFetch, maxSlosPerQuery }) }), promCalls));
    }
    rows.push(await measure('Istio / Prometheus', 'one query per SLO and window', istio, () => ({ prometheus: prometheusSloSource({ fetch: countingFetch, strategy: 'per-slo-window', concurrency: 4 }) }), promCalls));

    cw = await startCloudWatchEmulator();
    seedCloudWatch(cw, fleet, times);
    const appmesh = appMeshSlos(fleet, NAMESPACE);
    const client = cloudWatchClientFor(cw);
    rows.push(await measure('App Mesh / CloudWatch', 'batched, 500 queries per call', appmesh, () => ({ cloudwatch: cloudWatchSloSource({ client }) }), () => cw!.calls()));
    rows.push(await measure('App Mesh / CloudWatch', 'one call per SLO and window', appmesh, () => ({ cloudwatch: cloudWatchSloSource({ client, maxQueriesPerCall: 2 }) }), () => cw!.calls()));

    rows.push(
      await measure(
        'both, concurrently',
        'batched (defaults)',
        [...istio, ...appmesh],
        () => ({ prometheus: prometheusSloSource({ fetch: countingFetch }), cloudwatch: cloudWatchSloSource({ client }) }),
        () => promCalls() + cw!.calls(),
      ),
    );
  } finally {
    await prometheus?.stop();
    await cw?.stop();
  }

  process.stdout.write(`\n${formatTable(
    ['back end', 'plan', 'SLOs', 'queries', 'median ms', 'pages', 'tickets'],
    rows.map((r) => [r.backend, r.plan, String(r.slos), String(r.queries), fixed(r.ms), String(r.pages), String(r.tickets)]),
  )}\n`);
  const wrong = rows.filter((r) => {
    const factor = r.slos / COUNT;
    return r.pages !== expected.pages * factor || r.tickets !== expected.tickets * factor;
  });
  if (wrong.length > 0) {
    process.stdout.write(`\nFAIL: ${wrong.map((r) => `${r.backend} ${r.plan}`).join('; ')} found other pages/tickets than the fleet holds (${expected.pages}/${expected.tickets} per ${COUNT})\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
