import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluateSlos } from '../../../functions/core/slo/evaluate';
import { slosOfPolicy } from '../../../functions/core/slo/definition';
import { emptyModel } from '../../../functions/core/model/types';
import { PolicyError } from '../../../functions/core/policy/errors';
import { loadPolicy } from '../../../functions/core/policy/load';
import { evaluateModel } from '../../../functions/core/rules/engine';
import { alertPolicyFor } from '../../../functions/gcp/monitoring/alert-policies';
import { instantQuery } from '../../../functions/providers/metrics/prometheus/http-api';
import { prometheusSloSource } from '../../../functions/providers/metrics/prometheus/source';
import { istioLatencyOpenMetrics, sampleTimes, startPrometheus, type PrometheusServer } from '../../support/prometheus';
import { EVALUATED_AT, HOUR, SCENARIOS, slosYaml } from './istio-scenarios';

/**
 * Istio latency SLOs against a real Prometheus (Debian's package), backfilled by promtool with
 * 80 hours of istio_request_duration_milliseconds for one service per scenario, and queried at
 * a fixed instant.
 */

let prometheus: PrometheusServer;
let rulesDir: string;
const at = new Date(EVALUATED_AT * 1000);

beforeAll(async () => {
  const times = sampleTimes(EVALUATED_AT, 80 * HOUR, 7 * HOUR, 60, 600);
  prometheus = await startPrometheus({ openMetrics: istioLatencyOpenMetrics({ times, services: Object.values(SCENARIOS) }) });
  rulesDir = mkdtempSync(path.join(tmpdir(), 'meshgov-slo-rules-'));
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
});

async function audit(yaml: string) {
  writeFileSync(path.join(rulesDir, 'slos.yaml'), yaml);
  const policy = loadPolicy(rulesDir);
  const evaluation = await evaluateSlos(slosOfPolicy(policy), { prometheus: prometheusSloSource() }, at);
  const model = emptyModel();
  model.slos.push(...evaluation.indicators);
  const findings = evaluateModel(model, policy, at).filter((f) => f.rule === 'slo-latency-burn');
  return { evaluation, findings };
}

describe('Istio SLOs on a real Prometheus', () => {
  let result: Awaited<ReturnType<typeof audit>>;
  beforeAll(async () => {
    result = await audit(slosYaml(prometheus.url));
  });
  const findingFor = (service: string) => result.findings.find((f) => f.resource.name === service);
  const indicatorFor = (service: string) => result.evaluation.indicators.find((i) => i.resource.name === service)!;

  it('measures every SLO in one batched query, without problems', () => {
    expect(result.evaluation.problems).toEqual([]);
    expect(result.evaluation.indicators).toHaveLength(Object.keys(SCENARIOS).length);
    expect(result.evaluation.queries).toBe(1);
  });

  it('a steady service within its SLO: no finding, budget mostly left', () => {
    expect(findingFor('ledger-api')).toBeUndefined();
    const indicator = indicatorFor('ledger-api');
    for (const w of indicator.windows) {
      expect(w.burnLong).toBeCloseTo(0.2, 1);
      expect(w.burnShort).toBeCloseTo(0.2, 1);
    }
    expect(indicator.budgetRemaining).toBeCloseTo(0.8, 1);
  });

  it('a fast burn pages (critical), with the burn rates, windows, budget and method', () => {
    const finding = findingFor('payments-api');
    expect(finding).toBeDefined();
    expect(finding!.severity).toBe('critical');
    expect(finding!.provider).toBe('prometheus');
    expect(finding!.resource).toEqual({ kind: 'Service', name: 'payments-api', namespace: 'payments' });
    expect(finding!.detail).toMatchObject({ level: 'page', method: 'prometheus-histogram', objective: 99, thresholdMs: 250 });
    const windows = finding!.detail.windows as Array<{ long: string; short: string; burnLong: number; burnShort: number; kind: string }>;
    const fast = windows.find((w) => w.long === '1h')!;
    expect(fast.burnLong).toBeGreaterThan(20);
    expect(fast.burnLong).toBeLessThan(30);
    expect(fast.burnShort).toBeGreaterThan(20);
    expect(finding!.detail.budgetRemaining).toBeLessThan(1);
    expect(finding!.message).toContain('over 1h');
  });

  it('handles le written as a float ("250.0") exactly like "250"', () => {
    const float = indicatorFor('checkout-api');
    const integer = indicatorFor('payments-api');
    expect(float.windows.map((w) => [w.burnLong, w.burnShort])).toEqual(integer.windows.map((w) => [w.burnLong, w.burnShort]));
    expect(findingFor('checkout-api')?.severity).toBe('critical');
  });

  it('a slow burn opens a ticket (medium), not a page', () => {
    const finding = findingFor('orders-api');
    expect(finding?.severity).toBe('medium');
    expect(finding?.detail.level).toBe('ticket');
    const ticket = (finding!.detail.windows as Array<{ kind: string; burnLong: number; burnShort: number }>).find((w) => w.kind === 'ticket')!;
    expect(ticket.burnLong).toBeCloseTo(2, 1);
    expect(ticket.burnShort).toBeCloseTo(2, 1);
  });

  it('a short spike that is only in the 5m window does not page', () => {
    expect(findingFor('cart-api')).toBeUndefined();
    const page = indicatorFor('cart-api').windows.find((w) => w.long === '1h')!;
    expect(page.burnShort).toBeGreaterThan(14.4);
    expect(page.burnLong).toBeLessThan(14.4);
  });
});

describe('an SLO whose names match no traffic', () => {
  it('is slo-no-data, naming the series it counted, and neither burns nor hides the others', async () => {
    // The steady ledger service, with its namespace misspelt: Prometheus answers, with no series for it.
    const ledger = SCENARIOS.steady;
    const extra = `  - name: payments-typo-latency
    service: ${ledger.service}
    mesh: istio
    namespace: paymnets
    objective: 99
    thresholdMs: 250
    source:
      prometheus:
        url: ${prometheus.url}
`;
    writeFileSync(path.join(rulesDir, 'slos.yaml'), slosYaml(prometheus.url, extra));
    const policy = loadPolicy(rulesDir);
    const evaluation = await evaluateSlos(slosOfPolicy(policy), { prometheus: prometheusSloSource() }, at);
    const model = emptyModel();
    model.slos.push(...evaluation.indicators);
    const findings = evaluateModel(model, policy, at);

    expect(evaluation.problems).toEqual([]);
    const noData = findings.filter((f) => f.rule === 'slo-no-data');
    expect(noData).toEqual([
      expect.objectContaining({
        severity: 'high',
        provider: 'prometheus',
        resource: { kind: 'Service', name: ledger.service, namespace: 'paymnets' },
        message: `SLO payments-typo-latency measured no request to Service paymnets/${ledger.service} over 30d (istio_request_duration_milliseconds_count{reporter="destination", destination_service_namespace="paymnets", destination_service_name="${ledger.service}"}): its names match no traffic, so it can never burn and would page no one. Check the SLO in rules/slos.yaml.`,
        detail: expect.objectContaining({ slo: 'payments-typo-latency', window: '30d', method: 'prometheus-histogram' }),
      }),
    ]);
    // Every correctly named SLO measured traffic.
    expect(evaluation.indicators.filter((i) => i.noData).map((i) => i.id)).toEqual(['slo:payments-typo-latency']);
  });
});

describe('the Prometheus reader', () => {
  it('gives the same numbers batched and one query per SLO and window', async () => {
    writeFileSync(path.join(rulesDir, 'slos.yaml'), slosYaml(prometheus.url));
    const slos = slosOfPolicy(loadPolicy(rulesDir));
    const batched = await prometheusSloSource().read(slos, at);
    const naive = await prometheusSloSource({ strategy: 'per-slo-window' }).read(slos, at);
    expect(naive.queries).toBe(slos.length * 6);
    expect(batched.queries).toBe(1);
    const burns = (r: typeof batched) => r.readings.map((x) => [x.slo.name, x.burnRates, x.requests]);
    expect(burns(naive)).toEqual(burns(batched));
  });

  it('reports an unreachable Prometheus as a problem per SLO, never as a burn', async () => {
    writeFileSync(path.join(rulesDir, 'slos.yaml'), slosYaml('http://127.0.0.1:9'));
    const slos = slosOfPolicy(loadPolicy(rulesDir));
    const result = await prometheusSloSource({ timeoutMs: 2000 }).read(slos, at);
    expect(result.readings).toEqual([]);
    expect(result.problems.map((p) => p.slo).sort()).toEqual(slos.map((s) => s.name).sort());
    expect(result.problems[0].message).toMatch(/^Prometheus query to http:\/\/127\.0\.0\.1:9 failed/);
  });

  it('reports a query Prometheus refuses with its own reason', async () => {
    await expect(instantQuery(prometheus.url, 'sum(rate(x[5m]', at)).rejects.toThrow(/Prometheus refused the query \(bad_data\)/);
  });
});

describe('the generated Cloud Monitoring conditions, run on the same Prometheus', () => {
  // Which conditions of each SLO's alert policy hold at the evaluation instant.
  async function firing(service: string): Promise<string[]> {
    writeFileSync(path.join(rulesDir, 'slos.yaml'), slosYaml(prometheus.url));
    const slo = slosOfPolicy(loadPolicy(rulesDir)).find((s) => s.service === service)!;
    const out: string[] = [];
    for (const condition of alertPolicyFor(slo).conditions) {
      const samples = await instantQuery(prometheus.url, condition.conditionPrometheusQueryLanguage.query, at);
      if (samples.length > 0) out.push(condition.displayName.replace(`${slo.name} `, ''));
    }
    return out;
  }

  it('fire exactly where the evaluation found a burn', async () => {
    expect(await firing('ledger-api')).toEqual([]);
    expect(await firing('payments-api')).toEqual(['page: 14.4x burn over 1h and 5m', 'page: 6x burn over 6h and 30m']);
    expect(await firing('checkout-api')).toEqual(['page: 14.4x burn over 1h and 5m', 'page: 6x burn over 6h and 30m']);
    expect(await firing('orders-api')).toEqual(['ticket: 1x burn over 3d and 6h']);
    expect(await firing('cart-api')).toEqual([]);
  });
});

describe('thresholds that are not bucket boundaries', () => {
  it('the loader refuses them, naming the file, line and field', () => {
    const yaml = `slos:
  - name: payments-api-latency
    service: payments-api
    mesh: istio
    namespace: payments
    objective: 99
    thresholdMs: 300
    source:
      prometheus: {}
`;
    writeFileSync(path.join(rulesDir, 'slos.yaml'), yaml);
    let error: unknown;
    try {
      loadPolicy(rulesDir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([
      {
        file: path.join(rulesDir, 'slos.yaml'),
        line: 7,
        field: 'slos[0].thresholdMs',
        message: 'thresholdMs 300 is not a bucket boundary of the histogram (…, 250, 500, …); choose one of them',
      },
    ]);
  });

  it('a boundary the rules claim but the data lacks is a problem, not a page', async () => {
    const extra = `  - name: payments-api-300
    service: payments-api
    mesh: istio
    namespace: payments
    objective: 99
    thresholdMs: 300
    buckets: [100, 250, 300, 500]
    source:
      prometheus:
        url: ${prometheus.url}
`;
    const { evaluation, findings } = await audit(slosYaml(prometheus.url, extra));
    expect(evaluation.problems).toEqual([{ slo: 'payments-api-300', message: expect.stringContaining('no le="300" bucket series') }]);
    expect(evaluation.indicators.find((i) => i.id === 'slo:payments-api-300')).toBeUndefined();
    expect(findings.filter((f) => f.detail.thresholdMs === 300)).toEqual([]);
  });
});
