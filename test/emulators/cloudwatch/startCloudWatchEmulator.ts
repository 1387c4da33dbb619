import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { MetricStore, type MetricSeed } from './metric-store';
import { UnsupportedStatistic } from './statistics';
import { closeServer, listenOnLoopback } from '../../support/loopback-server';

/**
 * A CloudWatch stand-in for GetMetricData, speaking what `@aws-sdk/client-cloudwatch` 3.x sends
 * today: the awsJson1_0 protocol in its query-compatible form (the client's runtime config
 * names `AwsJson1_0Protocol` with `awsQueryCompatible: true` and service target
 * `GraniteServiceVersion20100801`). So a request is `POST /` with
 * `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData` and a JSON body whose times are
 * epoch seconds; errors carry `__type` and the `x-amzn-query-error: Code;Sender` header that
 * query-compatible clients read the old error code from.
 *
 * Limits and paging as the GetMetricData API Reference states them: at most 500
 * MetricDataQuery per call; MaxDatapoints (default 100,800) bounds the data points of one
 * answer, and the rest comes with a NextToken, the cut query marked `PartialData`.
 */

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;

export interface CloudWatchEmulatorOptions {
  region?: string;
  /** Data points per answer when the request sets no MaxDatapoints (tests force paging with a small one). */
  defaultMaxDatapoints?: number;
}

export interface RecordedGetMetricData {
  queries: number;
  startTime: number;
  endTime: number;
  nextToken?: string;
  status: number;
  errorCode?: string;
}

export interface CloudWatchEmulator {
  readonly url: string;
  readonly region: string;
  /** Publishes data points (distributions: values with counts) for one metric. */
  seedMetric(seed: MetricSeed): void;
  /** GetMetricData requests received, pages included. */
  calls(): number;
  requests(): RecordedGetMetricData[];
  /** The next `count` GetMetricData calls fail with this error code (e.g. Throttling, InternalServiceError). */
  failNext(code: 'Throttling' | 'InternalServiceError' | 'InvalidParameterValue', count?: number): void;
  resetCalls(): void;
  reset(): void;
  stop(): Promise<void>;
}

class CloudWatchError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** The awsJson shape name, when it differs from the query-protocol code. */
    readonly shape = code,
  ) {
    super(message);
  }
}

const ERRORS: Record<string, { status: number; shape: string }> = {
  InvalidParameterValue: { status: 400, shape: 'InvalidParameterValueException' },
  InvalidNextToken: { status: 400, shape: 'InvalidNextToken' },
  Throttling: { status: 400, shape: 'Throttling' },
  InternalServiceError: { status: 500, shape: 'InternalServiceFault' },
  InvalidAction: { status: 400, shape: 'InvalidAction' },
  MissingAuthenticationToken: { status: 403, shape: 'MissingAuthenticationToken' },
};

function fail(code: keyof typeof ERRORS, message: string): never {
  throw new CloudWatchError(code, ERRORS[code].status, message, ERRORS[code].shape);
}

interface QueryInput {
  Id?: string;
  Label?: string;
  ReturnData?: boolean;
  Expression?: string;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Array<{ Name?: string; Value?: string }> };
    Period?: number;
    Stat?: string;
  };
}

interface Result {
  Id: string;
  Label: string;
  Timestamps: number[];
  Values: number[];
  StatusCode: 'Complete' | 'PartialData';
}

/**
 * Starts the stand-in on a free loopback port.
 *
 * @example
 *   const cw = await startCloudWatchEmulator();
 *   cw.seedMetric({ namespace: 'ContainerInsights/Prometheus', metricName: 'envoy_appmesh_TargetResponseTime',
 *     dimensions: { Mesh: 'prod-mesh', VirtualNode: 'orders-api' }, points: [{ timestamp: Date.now(), values: [80, 400], counts: [99, 1] }] });
 *   const client = new CloudWatchClient({ endpoint: cw.url, region: cw.region, credentials });
 */
export async function startCloudWatchEmulator(options: CloudWatchEmulatorOptions = {}): Promise<CloudWatchEmulator> {
  const region = options.region ?? 'us-west-2';
  const store = new MetricStore();
  let log: RecordedGetMetricData[] = [];
  let scripted: Array<keyof typeof ERRORS> = [];

  function getMetricData(input: Record<string, unknown>, call: RecordedGetMetricData): Record<string, unknown> {
    const queries = input.MetricDataQueries as QueryInput[] | undefined;
    if (!Array.isArray(queries) || queries.length === 0) fail('InvalidParameterValue', 'The parameter MetricDataQueries is required.');
    call.queries = queries.length;
    if (queries.length > MAX_QUERIES) fail('InvalidParameterValue', `The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
    const start = Number(input.StartTime) * 1000;
    const end = Number(input.EndTime) * 1000;
    call.startTime = start / 1000;
    call.endTime = end / 1000;
    if (!Number.isFinite(start) || !Number.isFinite(end)) fail('InvalidParameterValue', 'StartTime and EndTime are required.');
    if (start >= end) fail('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
    const ids = new Set<string>();
    for (const q of queries) {
      if (typeof q.Id !== 'string' || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) fail('InvalidParameterValue', `Invalid metric data query Id ${JSON.stringify(q.Id)}: it must start with a lowercase letter and hold only letters, digits and _.`);
      if (ids.has(q.Id)) fail('InvalidParameterValue', `The metric data query Id ${q.Id} is used more than once.`);
      ids.add(q.Id);
      if (q.Expression !== undefined) fail('InvalidParameterValue', 'metric math expressions are not emulated by this stand-in');
      const stat = q.MetricStat;
      if (!stat?.Metric?.Namespace || !stat.Metric.MetricName || !stat.Stat) fail('InvalidParameterValue', `The query ${q.Id} needs MetricStat with Metric.Namespace, Metric.MetricName and Stat.`);
      if (!Number.isInteger(stat.Period) || stat.Period! <= 0 || (stat.Period! % 60 !== 0 && ![1, 5, 10, 20, 30].includes(stat.Period!))) {
        fail('InvalidParameterValue', `The parameter Period of query ${q.Id} must be 1, 5, 10, 20, 30 or a multiple of 60.`);
      }
    }
    const maxDatapoints = Number(input.MaxDatapoints ?? options.defaultMaxDatapoints ?? DEFAULT_MAX_DATAPOINTS);
    const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';

    // Every query's full answer, then the page the token points at.
    const full = queries.map((q) => {
      const stat = q.MetricStat!;
      const dimensions = Object.fromEntries((stat.Metric!.Dimensions ?? []).map((d) => [String(d.Name), String(d.Value)]));
      let points: Array<{ timestamp: number; value: number }>;
      try {
        points = store.query({ namespace: stat.Metric!.Namespace!, metricName: stat.Metric!.MetricName!, dimensions }, stat.Stat!, start, end, stat.Period! * 1000);
      } catch (error) {
        if (error instanceof UnsupportedStatistic) fail('InvalidParameterValue', error.message);
        throw error;
      }
      if (descending) points.reverse();
      return { id: q.Id!, label: q.Label ?? stat.Metric!.MetricName!, returnData: q.ReturnData !== false, points };
    });
    const fingerprint = createHash('sha256').update(JSON.stringify([queries, input.StartTime, input.EndTime, input.ScanBy ?? null])).digest('hex').slice(0, 16);
    let cursor = { query: 0, point: 0 };
    if (typeof input.NextToken === 'string') {
      call.nextToken = input.NextToken;
      try {
        const decoded = JSON.parse(Buffer.from(input.NextToken, 'base64url').toString('utf8')) as { f: string; q: number; p: number };
        if (decoded.f !== fingerprint) throw new Error('token of another request');
        cursor = { query: decoded.q, point: decoded.p };
      } catch {
        fail('InvalidNextToken', 'The service returned an invalid NextToken.');
      }
    }
    const results: Result[] = [];
    let budget = maxDatapoints;
    let next: { query: number; point: number } | undefined;
    for (let qi = cursor.query; qi < full.length; qi++) {
      const q = full[qi];
      if (!q.returnData) continue;
      const from = qi === cursor.query ? cursor.point : 0;
      const take = Math.min(budget, q.points.length - from);
      const slice = q.points.slice(from, from + Math.max(0, take));
      const cut = from + slice.length < q.points.length;
      results.push({ Id: q.id, Label: q.label, Timestamps: slice.map((p) => p.timestamp / 1000), Values: slice.map((p) => p.value), StatusCode: cut ? 'PartialData' : 'Complete' });
      budget -= slice.length;
      if (cut) {
        next = { query: qi, point: from + slice.length };
        break;
      }
      if (budget === 0 && qi + 1 < full.length) {
        next = { query: qi + 1, point: 0 };
        break;
      }
    }
    const output: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
    if (next) output.NextToken = Buffer.from(JSON.stringify({ f: fingerprint, q: next.query, p: next.point })).toString('base64url');
    return output;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: RecordedGetMetricData = { queries: 0, startTime: 0, endTime: 0, status: 200 };
    try {
      if (req.method !== 'POST' || !/Credential=[^,]+\/aws4_request/.test(String(req.headers.authorization ?? ''))) {
        fail('MissingAuthenticationToken', 'Request is missing Authentication Token');
      }
      if (target !== `${CLOUDWATCH_TARGET_PREFIX}GetMetricData`) fail('InvalidAction', `The action ${target.replace(CLOUDWATCH_TARGET_PREFIX, '') || '(none)'} is not valid for this web service.`);
      log.push(call);
      const code = scripted.shift();
      if (code) fail(code, `scripted ${code}`);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      send(res, 200, JSON.stringify(getMetricData(input, call)));
    } catch (error) {
      const e = error instanceof CloudWatchError ? error : new CloudWatchError('InternalServiceError', 500, (error as Error).message, 'InternalServiceFault');
      call.status = e.status;
      call.errorCode = e.code;
      const sender = e.status >= 500 ? 'Receiver' : 'Sender';
      send(res, e.status, JSON.stringify({ __type: `com.amazonaws.cloudwatch#${e.shape}`, message: e.message }), { 'x-amzn-query-error': `${e.code};${sender}` });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ __type: 'com.amazonaws.cloudwatch#InternalServiceFault', message: String(error) }));
    });
  });
  server.keepAliveTimeout = 1000;
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    seedMetric: (seed) => store.seed(seed),
    calls: () => log.length,
    requests: () => log.map((c) => ({ ...c })),
    failNext(code, count = 1) {
      for (let i = 0; i < count; i++) scripted.push(code);
    },
    resetCalls() {
      log = [];
    },
    reset() {
      store.clear();
      log = [];
      scripted = [];
    },
    stop: () => closeServer(server),
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(body);
}
