import { loadPolicy } from '../policy/load';
import type { Policy } from '../policy/types';
import type { Severity } from '../model/types';
import type { Trigger } from '../pipeline/trigger';
import { runSloAlarm } from './alarm-run';
import { parseSlos } from './parse-slos';
import type { SloSource } from './reading';
import { sweepSlos } from './sweep';

/**
 * The windows of a burn finding (`detail.windows[].severity`) say what the finding says: graded by
 * rule slo-latency-burn's pageSeverity and ticketSeverity, held to its severity, on every path
 * that measures SLOs (the scheduled sweep and the alarm run, on AWS and on the GCP agent alike).
 */

const AT = new Date('2026-11-20T15:00:00Z');
const TRIGGER: Trigger = { source: 'schedule', eventId: 'evt-sweep', eventTime: AT.toISOString(), summary: 'scheduled SLO sweep' };
const [REVIEWS] = parseSlos([{ name: 'reviews-latency', service: 'reviews', mesh: 'istio', namespace: 'bookinfo', objective: 99, thresholdMs: 250, source: { prometheus: {} } }]);

/** Every pair of the SLO fires: 20× over 5m and 1h (page), 8× over 30m and 6h (page), 2× over 6h and 3d (ticket). */
const burning: SloSource = {
  read: async (slos) => ({
    queries: 1,
    problems: [],
    readings: slos.map((slo) => ({ slo, method: 'prometheus-histogram' as const, burnRates: { '5m': 20, '1h': 20, '30m': 8, '6h': 8, '3d': 2, '30d': 1 }, requests: { '5m': 100, '1h': 100 } })),
  }),
};

function policyWith(settings: { severity?: Severity; pageSeverity?: Severity; ticketSeverity?: Severity }): Policy {
  const policy = loadPolicy();
  Object.assign(policy.rules['slo-latency-burn'], settings);
  return policy;
}

function gradesOf(findings: Array<{ rule: string; severity: Severity; detail: Record<string, unknown> }>) {
  const burn = findings.find((f) => f.rule === 'slo-latency-burn')!;
  const windows = burn.detail.windows as Array<{ kind: string; long: string; short: string; severity: Severity }>;
  return { finding: burn.severity, windows: windows.map((w) => `${w.kind} ${w.long}/${w.short} ${w.severity}`) };
}

describe('the severity of a burn finding’s windows', () => {
  it('the sweep grades them by pageSeverity and ticketSeverity, as the finding is', async () => {
    const sweep = await sweepSlos([REVIEWS], TRIGGER, { policy: policyWith({ pageSeverity: 'high', ticketSeverity: 'low' }), sources: { prometheus: burning }, at: AT });
    expect(gradesOf(sweep.runs[0]!.scoped.report.findings)).toEqual({ finding: 'high', windows: ['page 1h/5m high', 'page 6h/30m high', 'ticket 3d/6h low'] });
  });

  it('the alarm run grades them the same way, firing or resolved', async () => {
    const policy = policyWith({ pageSeverity: 'high', ticketSeverity: 'low' });
    for (const state of ['firing', 'resolved'] as const) {
      const run = await runSloAlarm(REVIEWS, state, TRIGGER, { policy, sources: { prometheus: burning }, at: AT });
      expect(gradesOf(run.scoped.report.findings)).toEqual({ finding: 'high', windows: ['page 1h/5m high', 'page 6h/30m high', 'ticket 3d/6h low'] });
    }
  });

  it("holds them to the rule's own severity, as the finding is held", async () => {
    const sweep = await sweepSlos([REVIEWS], TRIGGER, { policy: policyWith({ severity: 'medium' }), sources: { prometheus: burning }, at: AT });
    expect(gradesOf(sweep.runs[0]!.scoped.report.findings)).toEqual({ finding: 'medium', windows: ['page 1h/5m medium', 'page 6h/30m medium', 'ticket 3d/6h medium'] });
  });

  it('keeps the shipped grades (critical pages, medium tickets) when rules/ leaves them', async () => {
    const sweep = await sweepSlos([REVIEWS], TRIGGER, { policy: loadPolicy(), sources: { prometheus: burning }, at: AT });
    expect(gradesOf(sweep.runs[0]!.scoped.report.findings)).toEqual({ finding: 'critical', windows: ['page 1h/5m critical', 'page 6h/30m critical', 'ticket 3d/6h medium'] });
  });
});
