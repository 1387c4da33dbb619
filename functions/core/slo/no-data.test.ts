import type { FleetIndex } from '../model/fleet-index';
import { emptyModel } from '../model/types';
import type { RuleSettings } from '../policy/types';
import { sloLatencyBurn } from '../rules/slo-latency-burn';
import { sloNoData } from '../rules/slo-no-data';
import { windowsToMeasure } from './definition';
import { toSloIndicator } from './indicator';
import { parseSlos } from './parse-slos';
import type { SloReading } from './reading';

/** When an SLO measured nothing: the indicator says so, and slo-no-data reports it. */

const [CHECKOUT] = parseSlos([{ name: 'checkout-api-latency', service: 'checkout-api', mesh: 'istio', namespace: 'checkout', objective: 99.5, thresholdMs: 500, source: { prometheus: {} } }]);
const SELECTION = 'istio_request_duration_milliseconds_count{reporter="destination", destination_service_namespace="checkout", destination_service_name="checkout-api"}';
const HIGH = { severity: 'high' } as unknown as RuleSettings;

function reading(requests: Record<string, number>, windows = windowsToMeasure(CHECKOUT)): SloReading {
  return { slo: CHECKOUT, method: 'prometheus-histogram', burnRates: {}, requests, errorRatios: {}, windows, selection: SELECTION };
}

function findingsOf(r: SloReading) {
  return sloNoData.evaluate({ model: { ...emptyModel(), slos: [toSloIndicator(r)] }, settings: HIGH, index: {} as FleetIndex, now: new Date('2026-11-20T15:00:00Z') });
}

describe('slo-no-data', () => {
  it('fires when no window counted a request, over the longest window measured', () => {
    expect(toSloIndicator(reading({})).noData).toEqual({ slo: 'checkout-api-latency', window: '30d', selection: SELECTION });
    expect(findingsOf(reading({}))).toEqual([
      expect.objectContaining({
        rule: 'slo-no-data',
        severity: 'high',
        provider: 'prometheus',
        resource: { kind: 'Service', name: 'checkout-api', namespace: 'checkout' },
        detail: { slo: 'checkout-api-latency', window: '30d', selection: SELECTION, objective: 99.5, thresholdMs: 500, method: 'prometheus-histogram' },
      }),
    ]);
  });

  it('stays quiet when any window counted traffic, even only the SLO window (a service idle tonight)', () => {
    expect(toSloIndicator(reading({ '30d': 120_000 })).noData).toBeUndefined();
    expect(findingsOf(reading({ '30d': 120_000 }))).toEqual([]);
  });

  it('stays quiet when the reader measured no window, or does not count requests', () => {
    expect(toSloIndicator(reading({}, [])).noData).toBeUndefined();
    const { requests: _none, ...withoutCounts } = reading({});
    expect(toSloIndicator(withoutCounts).noData).toBeUndefined();
  });

  it('has an id of its own, apart from the burn finding of the same SLO', () => {
    const [noData] = findingsOf(reading({}));
    const burning = { ...reading({ '1h': 9_000, '5m': 800 }), burnRates: { '1h': 20, '5m': 20 } };
    const burnSettings = { severity: 'critical', pageSeverity: 'critical', ticketSeverity: 'medium' } as unknown as RuleSettings;
    const [burn] = sloLatencyBurn.evaluate({ model: { ...emptyModel(), slos: [toSloIndicator(burning)] }, settings: burnSettings, index: {} as FleetIndex, now: new Date('2026-11-20T15:00:00Z') });
    expect(burn.rule).toBe('slo-latency-burn');
    expect(noData.id).toMatch(/^[0-9a-f]{24}$/);
    expect(noData.id).not.toBe(burn.id);
  });
});
