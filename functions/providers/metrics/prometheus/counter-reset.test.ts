import { parseSlos } from '../../../core/slo/parse-slos';
import { toSloIndicator } from '../../../core/slo/indicator';
import { prometheusInstalled, startPrometheus, type PrometheusServer } from '../../../../test/support/prometheus';
import { prometheusSloSource } from './source';

/**
 * Counter resets and idle services against a real Prometheus: `increase()` must carry a
 * restarted Envoy's counters across the drop to 0, and a service without requests in a window
 * burns nothing there.
 */

const AT = 1_795_186_800; // 2026-11-20T15:00:00Z
const HOUR = 3600;
const STEP = 60;

interface Series {
  service: string;
  /** Requests and slow requests in the step ending at t. */
  step: (t: number) => { requests: number; slow: number };
  /** Epoch seconds at which the counters start again from 0 (an Envoy restart). */
  resetAt?: number;
}

/** Cumulative histogram counters every minute for 8 hours, le 250 and +Inf; fast requests under 250 ms, slow ones over. */
function openMetrics(series: Series[]): string {
  const lines = ['# TYPE istio_request_duration_milliseconds histogram'];
  for (const s of series) {
    const labels = `reporter="destination",destination_service_name="${s.service}",destination_service_namespace="payments"`;
    let total = 0;
    let slow = 0;
    for (let t = AT - 8 * HOUR; t <= AT; t += STEP) {
      if (s.resetAt !== undefined && t === s.resetAt) [total, slow] = [0, 0];
      const now = s.step(t);
      total += now.requests;
      slow += now.slow;
      lines.push(`istio_request_duration_milliseconds_bucket{${labels},le="250"} ${total - slow} ${t}`);
      lines.push(`istio_request_duration_milliseconds_bucket{${labels},le="+Inf"} ${total} ${t}`);
      lines.push(`istio_request_duration_milliseconds_count{${labels}} ${total} ${t}`);
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

const onePercentSlow = () => ({ requests: 3000, slow: 30 });

const maybe = prometheusInstalled() ? describe : describe.skip;

maybe('Prometheus readings across counter resets and idle windows', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    prometheus = await startPrometheus({
      openMetrics: openMetrics([
        { service: 'steady-api', step: onePercentSlow },
        { service: 'restarted-api', step: onePercentSlow, resetAt: AT - 30 * 60 },
        { service: 'idle-api', step: (t) => (t <= AT - 7 * HOUR ? onePercentSlow() : { requests: 0, slow: 0 }) },
      ]),
    });
  }, 120_000);
  afterAll(async () => prometheus?.stop());

  async function read() {
    const slos = parseSlos(
      ['steady-api', 'restarted-api', 'idle-api'].map((service) => ({ name: service, service, mesh: 'istio', namespace: 'payments', objective: 99, thresholdMs: 250, window: '7d', alerting: { ticket: [] }, source: { prometheus: {} } })),
    );
    const result = await prometheusSloSource({ url: prometheus.url }).read(slos, new Date(AT * 1000));
    expect(result.problems).toEqual([]);
    return new Map(result.readings.map((r) => [r.slo.service, r]));
  }

  it('a reset inside the 1h and 6h windows changes no burn rate: 1% slow at 99% burns 1×', async () => {
    const readings = await read();
    for (const service of ['steady-api', 'restarted-api']) {
      const burns = readings.get(service)!.burnRates;
      for (const window of ['5m', '30m', '1h', '6h']) expect(burns[window]).toBeCloseTo(1, 2);
    }
  });

  it('an idle window is absent from the reading, burns 0 in the indicator, and pages nobody', async () => {
    const idle = (await read()).get('idle-api')!;
    expect(Object.keys(idle.burnRates)).toEqual(['7d']);
    const indicator = toSloIndicator(idle);
    expect(indicator.windows.map((w) => [w.burnLong, w.burnShort])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // The one hour of traffic it had was 1% slow: all of the 7d reading, so the budget is spent at 1×.
    expect(indicator.budgetRemaining).toBeCloseTo(0, 2);
  });
});
