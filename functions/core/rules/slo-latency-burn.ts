import { isFiring } from '../slo/burn-onset';
import { cappedSeverity, describeResource, makeFinding, type Rule, type RuleFinding } from './rule';

/**
 * slo-latency-burn: a latency SLO burns its error budget faster than a configured window
 * pair allows (SRE workbook multiwindow, multi-burn-rate alerts: both windows must burn).
 */
export const sloLatencyBurn: Rule = {
  id: 'slo-latency-burn',
  evaluate({ model, settings }) {
    const out: RuleFinding[] = [];
    for (const slo of model.slos) {
      const firing = slo.windows.filter(isFiring);
      if (firing.length === 0) continue;
      const page = firing.find((w) => w.kind === 'page');
      const top = page ?? firing[0];
      const severity = cappedSeverity(page ? settings.pageSeverity : settings.ticketSeverity, settings.severity);
      out.push(
        makeFinding(
          'slo-latency-burn',
          severity,
          slo.provider,
          slo.resource,
          `${describeResource(slo.resource)} burns its latency budget (${slo.objective}% under ${slo.thresholdMs} ms) at ${top.burnLong.toFixed(1)}× over ${top.long} and ${top.burnShort.toFixed(1)}× over ${top.short} (${top.kind} threshold ${top.factor}×).`,
          {
            level: page ? 'page' : 'ticket',
            burnRate: top.burnLong,
            windows: slo.windows,
            objective: slo.objective,
            thresholdMs: slo.thresholdMs,
            budgetRemaining: slo.budgetRemaining,
            method: slo.method,
          },
          slo.id,
        ),
      );
    }
    return out;
  },
};
