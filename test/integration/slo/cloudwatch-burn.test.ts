import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { emptyModel } from '../../../functions/core/model/types';
import { loadPolicy } from '../../../functions/core/policy/load';
import { evaluateModel } from '../../../functions/core/rules/engine';
import { parseSlos } from '../../../functions/core/slo/parse-slos';
import { type SloDefinition } from '../../../functions/core/slo/definition';
import { evaluateSlos } from '../../../functions/core/slo/evaluate';
import { APPMESH_LATENCY_METRIC, APPMESH_REQUEST_COUNT_METRIC } from '../../../functions/providers/metrics/cloudwatch/appmesh-metrics';
import { cloudWatchSloSource } from '../../../functions/providers/metrics/cloudwatch/source';
import { cloudWatchClientFor, startCloudWatchEmulator, type CloudWatchEmulator } from '../../emulators/cloudwatch';

/**
 * App Mesh latency SLOs through the real @aws-sdk/client-cloudwatch against the GetMetricData
 * stand-in, seeded with per-minute latency distributions of envoy_appmesh_TargetResponseTime
 * (values 80 ms and 400 ms with their counts) and envoy_appmesh_RequestCount.
 */

const NAMESPACE = 'ContainerInsights/Prometheus';
const EVALUATED_AT = Date.parse('2026-11-20T15:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PER_MINUTE = 3000;

/** Share of requests over 250 ms per minute starting at `t`. */
type Profile = (t: number) => number;
const steady = (share: number): Profile => () => share;
const lastly = (ms: number, share: number): Profile => (t) => (t >= EVALUATED_AT - ms ? share : 0.002);

function seedNode(cw: CloudWatchEmulator, virtualNode: string, profile: Profile): void {
  const latency = [];
  const requests = [];
  for (let t = EVALUATED_AT - 80 * HOUR; t < EVALUATED_AT; t += MINUTE) {
    const slow = Math.round(PER_MINUTE * profile(t));
    latency.push({ timestamp: t, values: [80, 400], counts: [PER_MINUTE - slow, slow] });
    requests.push({ timestamp: t, values: [PER_MINUTE], counts: [1] });
  }
  const dimensions = { Mesh: 'prod-mesh', VirtualNode: virtualNode };
  cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_LATENCY_METRIC, dimensions, points: latency });
  cw.seedMetric({ namespace: NAMESPACE, metricName: APPMESH_REQUEST_COUNT_METRIC, dimensions, points: requests });
}

function slo(service: string, method?: 'percentile'): Record<string, unknown> {
  return {
    name: `${service}-latency`,
    service,
    mesh: 'appmesh',
    meshName: 'prod-mesh',
    objective: 99,
    thresholdMs: 250,
    source: { cloudwatch: { namespace: NAMESPACE, region: 'us-west-2', ...(method ? { method } : {}) } },
  };
}

let cw: CloudWatchEmulator;
let slos: SloDefinition[];

beforeAll(async () => {
  cw = await startCloudWatchEmulator();
  seedNode(cw, 'orders-api', steady(0.002));
  seedNode(cw, 'payments-api', lastly(2 * HOUR, 0.25));
  seedNode(cw, 'inventory-api', steady(0.02));
  seedNode(cw, 'catalog-api', lastly(2 * HOUR, 0.25));
  seedNode(cw, 'shipping-api', steady(0.002));
  slos = parseSlos([slo('orders-api'), slo('payments-api'), slo('inventory-api'), slo('catalog-api', 'percentile'), slo('shipping-api', 'percentile')]);
});

afterAll(async () => {
  await cw?.stop();
});

beforeEach(() => cw.resetCalls());

async function audit(options: Parameters<typeof cloudWatchSloSource>[0] = {}) {
  const client = cloudWatchClientFor(cw);
  const evaluation = await evaluateSlos(slos, { cloudwatch: cloudWatchSloSource({ client, ...options }) }, new Date(EVALUATED_AT));
  const model = emptyModel();
  model.slos.push(...evaluation.indicators);
  const findings = evaluateModel(model, loadPolicy(), new Date(EVALUATED_AT)).filter((f) => f.rule === 'slo-latency-burn');
  return { evaluation, findings, byNode: (name: string) => findings.find((f) => f.resource.name === name) };
}

describe('App Mesh SLOs whose names match no metric', () => {
  it('are slo-no-data with either method, naming the metric and dimensions counted; a node with traffic is not', async () => {
    // `refunds-api` publishes nothing; `orders-api` does.
    const idle = parseSlos([slo('refunds-api'), { ...slo('refunds-api', 'percentile'), name: 'refunds-api-p-latency' }, slo('orders-api')]);
    const evaluation = await evaluateSlos(idle, { cloudwatch: cloudWatchSloSource({ client: cloudWatchClientFor(cw) }) }, new Date(EVALUATED_AT));
    const model = emptyModel();
    model.slos.push(...evaluation.indicators);
    const findings = evaluateModel(model, loadPolicy(), new Date(EVALUATED_AT)).filter((f) => f.rule === 'slo-no-data');

    expect(evaluation.problems).toEqual([]);
    const dims = 'Mesh=prod-mesh, VirtualNode=refunds-api';
    const byMethod = [...findings].sort((a, b) => String(b.detail.method).localeCompare(String(a.detail.method)));
    expect(byMethod.map((f) => [f.resource, f.severity, f.detail.window, f.detail.selection])).toEqual([
      [{ kind: 'VirtualNode', name: 'refunds-api', mesh: 'prod-mesh' }, 'high', '30d', `${APPMESH_LATENCY_METRIC} SampleCount in ${NAMESPACE} with ${dims}`],
      // The percentile method measures the alerting windows only, the longest being the ticket pair's 3d.
      [{ kind: 'VirtualNode', name: 'refunds-api', mesh: 'prod-mesh' }, 'high', '3d', `${APPMESH_REQUEST_COUNT_METRIC} Sum in ${NAMESPACE} with ${dims}`],
    ]);
    expect(new Set(findings.map((f) => f.id)).size).toBe(2);
  });
});

describe('App Mesh SLOs through CloudWatch GetMetricData', () => {
  it('pages a fast burn, tickets a slow one, leaves a steady node alone, and records the method', async () => {
    const { evaluation, byNode } = await audit();
    expect(evaluation.problems).toEqual([]);
    expect(byNode('orders-api')).toBeUndefined();
    expect(byNode('shipping-api')).toBeUndefined();

    const page = byNode('payments-api')!;
    expect(page).toMatchObject({ severity: 'critical', provider: 'cloudwatch', resource: { kind: 'VirtualNode', name: 'payments-api', mesh: 'prod-mesh' } });
    expect(page.detail).toMatchObject({ level: 'page', method: 'cloudwatch-trimmed-count' });
    const fast = (page.detail.windows as Array<{ long: string; burnLong: number; burnShort: number }>).find((w) => w.long === '1h')!;
    expect(fast.burnLong).toBeCloseTo(25, 5);
    expect(fast.burnShort).toBeCloseTo(25, 5);

    const ticket = byNode('inventory-api')!;
    expect(ticket.severity).toBe('medium');
    expect(ticket.detail).toMatchObject({ level: 'ticket', method: 'cloudwatch-trimmed-count' });
    expect(ticket.detail.budgetRemaining).toBeLessThan(0);

    const percentile = byNode('catalog-api')!;
    expect(percentile.severity).toBe('critical');
    expect(percentile.detail).toMatchObject({ level: 'page', method: 'cloudwatch-percentile', budgetRemaining: undefined });
    const bound = (percentile.detail.windows as Array<{ long: string; burnLong: number }>).find((w) => w.long === '1h')!;
    expect(bound.burnLong).toBe(14.4);
  });

  it('the steady node burns at 0.2× with 80% of its budget left (exact counts, not percentiles)', async () => {
    const { evaluation } = await audit();
    const steadyNode = evaluation.indicators.find((i) => i.resource.name === 'orders-api')!;
    expect(steadyNode.windows.every((w) => w.burnLong === 0.2 && w.burnShort === 0.2)).toBe(true);
    expect(steadyNode.budgetRemaining).toBeCloseTo(0.8, 4);
  });

  it('batches: one call per window for all SLOs, never more than 500 queries in a call', async () => {
    const { evaluation } = await audit();
    // 5m, 30m, 1h, 6h, 3d, 30d
    expect(cw.calls()).toBe(6);
    expect(evaluation.queries).toBe(6);
    expect(cw.requests().every((r) => r.queries <= 500)).toBe(true);
    const perWindow = cw.requests().map((r) => r.endTime - r.startTime).sort((a, b) => a - b);
    expect(perWindow).toEqual([300, 1800, 3600, 21600, 259200, 2592000]);
  });

  it('splits calls at maxQueriesPerCall and follows NextToken pages with the paginator', async () => {
    const { evaluation, byNode } = await audit({ maxQueriesPerCall: 4, maxDatapoints: 1 });
    expect(evaluation.problems).toEqual([]);
    expect(cw.requests().every((r) => r.queries <= 4)).toBe(true);
    expect(cw.requests().some((r) => r.nextToken !== undefined)).toBe(true);
    expect(evaluation.queries).toBe(cw.calls());
    expect(byNode('payments-api')?.severity).toBe('critical');
    expect(byNode('inventory-api')?.severity).toBe('medium');
  });

  it('retries a throttled call, and reports a refused one as a problem for its SLOs only', async () => {
    cw.failNext('Throttling');
    const retried = await audit();
    expect(retried.evaluation.problems).toEqual([]);
    expect(cw.requests()[0].errorCode).toBe('Throttling');

    cw.resetCalls();
    cw.failNext('InvalidParameterValue');
    const refused = await audit({ concurrency: 1 });
    expect(refused.evaluation.problems.length).toBeGreaterThan(0);
    expect(refused.evaluation.problems[0].message).toMatch(/GetMetricData failed for the 5m window: InvalidParameterValueException/);
    expect(refused.evaluation.indicators).toEqual([]);
  });

  it('the stand-in refuses more than 500 queries, as CloudWatch does', async () => {
    const client = cloudWatchClientFor(cw);
    const queries = Array.from({ length: 501 }, (_, i) => ({
      Id: `q${i}`,
      MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: APPMESH_LATENCY_METRIC, Dimensions: [{ Name: 'Mesh', Value: 'prod-mesh' }] }, Period: 300, Stat: 'SampleCount' },
    }));
    await expect(client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(EVALUATED_AT - HOUR), EndTime: new Date(EVALUATED_AT) }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });
});
