import { parseSlos } from '../../../core/slo/definition';
import { cloudWatchAlarmSpecs, parseSloAlarmName, sloAlarmName } from './alarm-specs';

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
});
