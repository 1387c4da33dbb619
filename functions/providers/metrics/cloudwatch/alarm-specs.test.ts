import { parseSlos } from '../../../core/slo/parse-slos';
import { maxEvaluationRangeSeconds } from './alarm-limits';
import { CloudWatchAlarmLimitError, cloudWatchAlarmSpecProblems, cloudWatchAlarmSpecs, parseSloAlarmName, sloAlarmName } from './alarm-specs';

const slos = parseSlos([
  {
    name: 'orders-api-latency',
    service: 'orders-api',
    mesh: 'appmesh',
    meshName: 'prod-mesh',
    objective: 99,
    thresholdMs: 250,
    source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } },
  },
  {
    name: 'catalog-api-latency',
    service: 'catalog',
    mesh: 'appmesh',
    meshName: 'prod-mesh',
    virtualNode: 'catalog-v2',
    objective: 99.9,
    thresholdMs: 500,
    source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus', method: 'percentile' } },
    alerting: { ticket: [] },
  },
  { name: 'payments-api-latency', service: 'payments-api', mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, source: { prometheus: {} } },
]);

describe('CloudWatch alarm specifications for App Mesh SLOs', () => {
  const specs = cloudWatchAlarmSpecs(slos);

  it('one alarm per App Mesh SLO and window pair; Istio SLOs are Cloud Monitoring’s', () => {
    expect(specs.map((s) => s.alarmName)).toEqual([
      'meshgov-slo-orders-api-latency-page-1h-5m',
      'meshgov-slo-orders-api-latency-page-6h-30m',
      'meshgov-slo-orders-api-latency-ticket-3d-6h',
      'meshgov-slo-catalog-api-latency-page-1h-5m',
      'meshgov-slo-catalog-api-latency-page-6h-30m',
    ]);
  });

  it('trimmed count: both windows must burn, each metric read over its own window', () => {
    const page = specs[0];
    expect(page.expression).toBe('IF(total_long > 0 AND burn_long >= 14.4 AND total_short > 0 AND burn_short >= 14.4, 1, 0)');
    expect(page.expressions).toEqual({ burn_long: '(1 - good_long / total_long) / 0.01', burn_short: '(1 - good_short / total_short) / 0.01' });
    const dimensions = { Mesh: 'prod-mesh', VirtualNode: 'orders-api' };
    expect(page.usingMetrics).toEqual({
      good_long: { namespace: 'ContainerInsights/Prometheus', metricName: 'envoy_appmesh_TargetResponseTime', dimensions, stat: 'TC(:250)', periodSeconds: 3600 },
      total_long: { namespace: 'ContainerInsights/Prometheus', metricName: 'envoy_appmesh_TargetResponseTime', dimensions, stat: 'SampleCount', periodSeconds: 3600 },
      good_short: { namespace: 'ContainerInsights/Prometheus', metricName: 'envoy_appmesh_TargetResponseTime', dimensions, stat: 'TC(:250)', periodSeconds: 300 },
      total_short: { namespace: 'ContainerInsights/Prometheus', metricName: 'envoy_appmesh_TargetResponseTime', dimensions, stat: 'SampleCount', periodSeconds: 300 },
    });
    expect(page).toMatchObject({ periodSeconds: 300, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching', method: 'trimmed-count' });
    expect(page.windows.long).toMatchObject({ alarmName: 'meshgov-slo-orders-api-latency-page-1h-5m-long', periodSeconds: 3600, expression: 'IF(total_long > 0 AND burn_long >= 14.4, 1, 0)' });
    expect(page.compositeRule).toBe('ALARM("meshgov-slo-orders-api-latency-page-1h-5m-long") AND ALARM("meshgov-slo-orders-api-latency-page-1h-5m-short")');
  });

  it('percentile: the percentile at which a burn of f shows, against the threshold', () => {
    const page = specs[3];
    // 99.9 % objective, 14.4×: 1.44 % slow ⇔ p98.56 above 500 ms.
    expect(page.usingMetrics.pct_long).toMatchObject({ stat: 'p98.56', periodSeconds: 3600, dimensions: { Mesh: 'prod-mesh', VirtualNode: 'catalog-v2' } });
    expect(page.expression).toBe('IF(pct_long > 500 AND pct_short > 500, 1, 0)');
    expect(page.method).toBe('percentile');
  });

  it('stays within PutMetricAlarm limits: ≤ 10 metrics, ≤ 10 expressions, ids CloudWatch accepts', () => {
    for (const spec of specs) {
      expect(Object.keys(spec.usingMetrics).length).toBeLessThanOrEqual(10);
      expect(Object.keys(spec.expressions).length + 1).toBeLessThanOrEqual(10);
      for (const id of [...Object.keys(spec.usingMetrics), ...Object.keys(spec.expressions)]) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
      expect(spec.alarmName.length).toBeLessThanOrEqual(255);
    }
  });

  it('alarm names map back to their SLO and window pair', () => {
    expect(parseSloAlarmName(sloAlarmName('payments-api-latency', 'page', '1h', '5m'))).toEqual({ sloName: 'payments-api-latency', kind: 'page', long: '1h', short: '5m' });
    expect(parseSloAlarmName('meshgov-slo-orders-api-latency-ticket-3d-6h-long')).toEqual({ sloName: 'orders-api-latency', kind: 'ticket', long: '3d', short: '6h', window: 'long' });
    expect(parseSloAlarmName('meshgov-slo-latency-payments-api')).toBeUndefined();
  });

  it('every window alarm of the default pairs fits CloudWatch: one period (the window), range ≤ the limit for that period', () => {
    for (const spec of specs) {
      expect(cloudWatchAlarmSpecProblems(spec)).toEqual([]);
      for (const window of [spec.windows.long, spec.windows.short]) {
        const periods = new Set(Object.values(window.usingMetrics).map((m) => m.periodSeconds));
        expect([...periods]).toEqual([window.periodSeconds]);
        expect(window.periodSeconds * window.evaluationPeriods).toBeLessThanOrEqual(maxEvaluationRangeSeconds(window.periodSeconds));
      }
    }
    // The ticket pair's 3d window is one 259,200 s period: over the 1-day limit of sub-hour periods, within the 7 days of longer ones.
    const ticketLong = specs.find((s) => s.kind === 'ticket')!.windows.long;
    expect(ticketLong).toMatchObject({ window: '3d', periodSeconds: 259_200, evaluationPeriods: 1, datapointsToAlarm: 1 });
  });
});

describe('window pairs CloudWatch cannot watch are refused when the specifications are made (cdk synth)', () => {
  const appMeshSlo = (alerting: unknown, name = 'orders-api-latency') => ({
    name,
    service: 'orders-api',
    mesh: 'appmesh',
    meshName: 'prod-mesh',
    objective: 99.9,
    thresholdMs: 250,
    window: '28d',
    source: { cloudwatch: { namespace: 'ContainerInsights/Prometheus' } },
    alerting,
  });

  it('a 14d long window: CloudWatchAlarmLimitError naming the SLO, the pair and the window', () => {
    const slos = parseSlos([appMeshSlo({ ticket: [{ long: '14d', short: '1d', factor: 1 }] })]);
    let error: unknown;
    try {
      cloudWatchAlarmSpecs(slos);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CloudWatchAlarmLimitError);
    const problems = (error as CloudWatchAlarmLimitError).problems;
    expect(problems).toEqual([
      expect.objectContaining({ sloName: 'orders-api-latency', kind: 'ticket', long: '14d', short: '1d', window: '14d', field: 'EvaluationPeriods', alarmName: 'meshgov-slo-orders-api-latency-ticket-14d-1d-long' }),
    ]);
    const message = (error as Error).message;
    expect(message).toContain('SLO orders-api-latency, ticket pair 14d/1d, window 14d');
    expect(message).toContain('evaluation range 1209600 s (period 1209600 s × 1) is over 604800 s');
    expect(message).toContain('shorten this window in rules/ (slos[].alerting.ticket)');
  });

  it('7d is the longest window that passes; every bad pair of every SLO is listed at once', () => {
    expect(cloudWatchAlarmSpecs(parseSlos([appMeshSlo({ ticket: [{ long: '7d', short: '12h', factor: 1 }] })])).map((s) => s.alarmName)).toContain('meshgov-slo-orders-api-latency-ticket-7d-12h');
    const slos = parseSlos([
      appMeshSlo({ ticket: [{ long: '8d', short: '12h', factor: 1 }] }),
      appMeshSlo({ page: [{ long: '1h', short: '5m', factor: 14.4 }], ticket: [{ long: '2w', short: '1d', factor: 1 }] }, 'catalog-api-latency'),
    ]);
    expect(() => cloudWatchAlarmSpecs(slos)).toThrow(CloudWatchAlarmLimitError);
    try {
      cloudWatchAlarmSpecs(slos);
    } catch (e) {
      expect((e as CloudWatchAlarmLimitError).problems.map((p) => `${p.sloName} ${p.window}`)).toEqual(['orders-api-latency 8d', 'catalog-api-latency 2w']);
    }
  });

  it('Istio SLOs are never checked against CloudWatch', () => {
    const istio = parseSlos([{ name: 'reviews-latency', service: 'reviews', mesh: 'istio', namespace: 'bookinfo', objective: 99, thresholdMs: 250, window: '28d', source: { prometheus: {} }, alerting: { ticket: [{ long: '14d', short: '1d', factor: 1 }] } }]);
    expect(cloudWatchAlarmSpecs(istio)).toEqual([]);
  });
});
