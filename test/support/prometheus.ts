/**
 * A real Prometheus server for tests and benches (the Debian package `prometheus`, installed
 * by .ci/setup): data is backfilled with `promtool tsdb create-blocks-from openmetrics` into a
 * fresh TSDB before the server starts, the server scrapes nothing (an empty configuration),
 * listens on a free loopback port, and is stopped and deleted afterwards. Queries then pass a
 * fixed `time=`, so every answer is deterministic.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const PROMETHEUS_BIN = process.env.MESHGOV_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.MESHGOV_PROMTOOL_BIN ?? '/usr/bin/promtool';

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>`: the base for the HTTP API. */
  readonly url: string;
  readonly dataDir: string;
  /** How long promtool took to write the blocks, in ms. */
  readonly backfillMs: number;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** OpenMetrics text (ending in `# EOF`), backfilled before the server starts. */
  openMetrics?: string;
  /** Milliseconds to wait for `/-/ready`. */
  readyTimeoutMs?: number;
}

export function prometheusInstalled(): boolean {
  return existsSync(PROMETHEUS_BIN) && existsSync(PROMTOOL_BIN);
}

/** Backfills OpenMetrics text into a TSDB directory with promtool (blocks of promtool's default 2h range). */
export function backfillOpenMetrics(openMetrics: string, tsdbDir: string): void {
  const file = path.join(tsdbDir, '..', `backfill-${process.pid}-${Date.now()}.om`);
  writeFileSync(file, openMetrics);
  try {
    const result = spawnSync(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdbDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (exit ${result.status}): ${result.stderr || result.stdout}`);
  } finally {
    rmSync(file, { force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts Prometheus on a free loopback port over a fresh TSDB holding `openMetrics`.
 *
 * @example
 *   const prom = await startPrometheus({ openMetrics: text });
 *   await fetch(`${prom.url}/api/v1/query?query=up&time=1795186800`);
 *   await prom.stop();
 */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<PrometheusServer> {
  if (!prometheusInstalled()) {
    throw new Error(`Prometheus is not installed (${PROMETHEUS_BIN}, ${PROMTOOL_BIN}); run 'bash .ci/setup' as root, or apt-get install prometheus`);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'meshgov-prometheus-'));
  const dataDir = path.join(root, 'data');
  const config = path.join(root, 'prometheus.yml');
  // No scrape_configs: the server serves the backfilled blocks and nothing else.
  writeFileSync(config, '# meshgov test server: no scrape targets\n');
  const startedBackfill = Date.now();
  if (options.openMetrics) backfillOpenMetrics(options.openMetrics, dataDir);
  const backfillMs = Date.now() - startedBackfill;

  let lastError: unknown;
  // The free port can be taken between probing and binding; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Retention counts back from the newest block, and the test data is old on purpose.
        '--storage.tsdb.retention.time=100y',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, options.readyTimeoutMs ?? 30_000, () => stderr);
      return {
        url,
        dataDir,
        backfillMs,
        async stop() {
          await stopChild(child);
          rmSync(root, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
      await stopChild(child);
    }
  }
  rmSync(root, { recursive: true, force: true });
  throw lastError;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus at ${url} was not ready within ${timeoutMs} ms: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------
// OpenMetrics for Istio's request-duration histogram.

/** Traffic of one service during the step before a sample: requests per second, and the share slower than the threshold. */
export interface TrafficAt {
  perSecond: number;
  /** Share of the step's requests slower than the SLO threshold (0…1). */
  slowShare: number;
}

export interface IstioServiceSeries {
  namespace: string;
  service: string;
  /** How `le` is written: `250` (Envoy's own Prometheus stats) or `250.0` (float formatting). */
  leFormat?: 'integer' | 'float';
  /** Traffic during the step that ends at `t` (epoch seconds); steps may differ in length. */
  traffic: (t: number) => TrafficAt;
  /** Extra labels, e.g. `{ job: 'istio-mesh' }`. */
  labels?: Record<string, string>;
}

export interface IstioOpenMetricsOptions {
  /** Sample times in epoch seconds, ascending. */
  times: number[];
  services: IstioServiceSeries[];
  /** The boundary fast requests fall under and slow requests exceed; default 250. */
  thresholdMs?: number;
  /** Boundaries to write; default 100, threshold, 500, 1000 and +Inf. Requests are 80 ms (fast) or 400 ms (slow). */
  boundaries?: number[];
  /** Leave out `_sum` (smaller files for benches). */
  withoutSum?: boolean;
}

const FAST_MS = 80;
const SLOW_MS = 400;

/**
 * Cumulative Istio histogram counters (`istio_request_duration_milliseconds_bucket` per `le`,
 * `_count`, `_sum`) for each service at each time, as OpenMetrics text ending in `# EOF`,
 * with `reporter="destination"` and the destination labels Istio sets.
 */
export function istioLatencyOpenMetrics(options: IstioOpenMetricsOptions): string {
  const threshold = options.thresholdMs ?? 250;
  const boundaries = options.boundaries ?? [100, threshold, 500, 1000];
  if (boundaries.some((b) => b >= SLOW_MS && b < threshold) || threshold < FAST_MS || threshold >= SLOW_MS) {
    throw new RangeError(`the generator puts fast requests at ${FAST_MS} ms and slow ones at ${SLOW_MS} ms; a threshold of ${threshold} does not separate them`);
  }
  const lines: string[] = ['# HELP istio_request_duration_milliseconds Istio request duration', '# TYPE istio_request_duration_milliseconds histogram', '# UNIT istio_request_duration_milliseconds milliseconds'];
  for (const series of options.services) {
    const base = {
      reporter: 'destination',
      destination_service: `${series.service}.${series.namespace}.svc.cluster.local`,
      destination_service_name: series.service,
      destination_service_namespace: series.namespace,
      destination_workload: series.service,
      destination_workload_namespace: series.namespace,
      request_protocol: 'http',
      response_code: '200',
      ...series.labels,
    };
    const labelText = Object.entries(base)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',');
    const le = (b: number) => (series.leFormat === 'float' && Number.isInteger(b) ? b.toFixed(1) : String(b));
    let fast = 0;
    let slow = 0;
    let previous: number | undefined;
    for (const t of options.times) {
      const { perSecond, slowShare } = series.traffic(t);
      const requests = previous === undefined ? 0 : Math.round(perSecond * (t - previous));
      previous = t;
      const slowNow = Math.round(requests * slowShare);
      slow += slowNow;
      fast += requests - slowNow;
      for (const b of boundaries) {
        const under = (b >= FAST_MS ? fast : 0) + (b >= SLOW_MS ? slow : 0);
        lines.push(`istio_request_duration_milliseconds_bucket{${labelText},le="${le(b)}"} ${under} ${t}`);
      }
      lines.push(`istio_request_duration_milliseconds_bucket{${labelText},le="+Inf"} ${fast + slow} ${t}`);
      lines.push(`istio_request_duration_milliseconds_count{${labelText}} ${fast + slow} ${t}`);
      if (!options.withoutSum) lines.push(`istio_request_duration_milliseconds_sum{${labelText}} ${fast * FAST_MS + slow * SLOW_MS} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/**
 * Sample times ending at `end` (epoch seconds): every `fineStep` over the last `fineSpan`
 * seconds, every `coarseStep` before that back to `end - span`.
 */
export function sampleTimes(end: number, span: number, fineSpan: number, fineStep: number, coarseStep: number): number[] {
  const times = new Set<number>();
  for (let t = end; t >= end - fineSpan; t -= fineStep) times.add(t);
  for (let t = end - fineSpan; t >= end - span; t -= coarseStep) times.add(t);
  return [...times].sort((a, b) => a - b);
}

/**
 * Waits until the server has compacted the backfilled 2h blocks (its compaction loop first runs
 * a minute after start), so measurements see the blocks a long-running server would have and
 * no compaction competes with them: the first compaction cycle has run and the number of
 * loaded blocks has held still for `quietMs`. Returns the block count.
 */
export async function waitForCompaction(url: string, timeoutMs = 180_000, quietMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let blocks = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const triggered = read('prometheus_tsdb_compactions_triggered_total');
    const loaded = read('prometheus_tsdb_blocks_loaded');
    if (loaded !== blocks) {
      blocks = loaded;
      stableSince = Date.now();
    }
    if (triggered >= 1 && Date.now() - stableSince >= quietMs) return blocks;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`prometheus at ${url} did not finish compacting within ${timeoutMs} ms`);
}
