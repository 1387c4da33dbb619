import { describeResource, makeFinding, type Rule, type RuleFinding } from './rule';

/**
 * slo-no-data: an SLO whose reader found no request in any window it measured. Its burn rates
 * are all 0, so slo-latency-burn can never fire for it: a misspelt service or namespace, the
 * wrong mesh, Prometheus job or CloudWatch namespace would otherwise go unnoticed (Pyrra and
 * Sloth generate an "absent" alert for the same reason).
 */
export const sloNoData: Rule = {
  id: 'slo-no-data',
  evaluate({ model, settings }) {
    const out: RuleFinding[] = [];
    for (const slo of model.slos) {
      const none = slo.noData;
      if (!none) continue;
      const counted = none.selection ? ` (${none.selection})` : '';
      out.push(
        makeFinding(
          'slo-no-data',
          settings.severity,
          slo.provider,
          slo.resource,
          `SLO ${none.slo} measured no request to ${describeResource(slo.resource)} over ${none.window}${counted}: its names match no traffic, so it can never burn and would page no one. Check the SLO in rules/slos.yaml.`,
          { slo: none.slo, window: none.window, ...(none.selection ? { selection: none.selection } : {}), objective: slo.objective, thresholdMs: slo.thresholdMs, method: slo.method },
          slo.id,
        ),
      );
    }
    return out;
  },
};
