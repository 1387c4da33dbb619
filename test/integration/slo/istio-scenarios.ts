import type { IstioServiceSeries, TrafficAt } from '../../support/prometheus';

/**
 * The Istio SLO scenarios the integration tests load into a real Prometheus: each service's
 * traffic over the 80 hours before EVALUATED_AT, at 50 requests per second, with a share of
 * requests slower than 250 ms. Objective 99 % ⇒ a slow share of 1 % burns at 1×.
 */

/** 2026-11-20T15:00:00Z, the instant every query is evaluated at. */
export const EVALUATED_AT = 1_795_186_800;
export const HOUR = 3600;

const steady = (slowShare: number) => (): TrafficAt => ({ perSecond: 50, slowShare });
/** `slowShare` during the last `seconds` before EVALUATED_AT, 0.2 % before. */
const lastly = (seconds: number, slowShare: number) => (t: number): TrafficAt => ({ perSecond: 50, slowShare: t > EVALUATED_AT - seconds ? slowShare : 0.002 });

export const SCENARIOS = {
  /** 0.2 % slow all along: 0.2×, within the SLO. */
  steady: { namespace: 'payments', service: 'ledger-api', traffic: steady(0.002) },
  /** 25 % slow for the last 2 hours: 25× over 1h and 5m ⇒ page. */
  fastBurn: { namespace: 'payments', service: 'payments-api', traffic: lastly(2 * HOUR, 0.25) },
  /** 2 % slow all along: 2× everywhere ⇒ ticket (1× over 3d and 6h), never page. */
  slowBurn: { namespace: 'orders', service: 'orders-api', traffic: steady(0.02) },
  /** 50 % slow in the last 5 minutes only: ~50× over 5m, ~4× over 1h ⇒ no page. */
  spike: { namespace: 'orders', service: 'cart-api', traffic: lastly(5 * 60, 0.5) },
  /** Like fastBurn, but the exporter writes `le="250.0"`. */
  fastBurnFloatLe: { namespace: 'checkout', service: 'checkout-api', traffic: lastly(2 * HOUR, 0.25), leFormat: 'float' },
} satisfies Record<string, IstioServiceSeries>;

/** The rules file that declares one 99 %-under-250 ms SLO per scenario. */
export function slosYaml(prometheusUrl: string, extra = ''): string {
  const entries = Object.entries(SCENARIOS).map(
    ([key, s]) => `  - name: ${s.service}-latency   # scenario ${key}
    service: ${s.service}
    mesh: istio
    namespace: ${s.namespace}
    objective: 99
    thresholdMs: 250
    source:
      prometheus:
        url: ${prometheusUrl}
`,
  );
  return `slos:\n${entries.join('')}${extra}`;
}
