import { RULE_IDS, type Finding } from '../findings';
import { FleetIndex } from '../model/fleet-index';
import type { FleetModel, Severity } from '../model/types';
import { isExcluded } from '../policy/exclusions';
import type { Policy } from '../policy/types';
import { planRemediation } from '../remediation/plan';
import { RULES } from './index';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/**
 * The evaluate and plan stages: runs every enabled rule over the model, drops excluded
 * resources, attaches each fix with the gate's verdict, and returns the findings in a stable
 * order (severity, rule, resource).
 */
export function evaluateModel(model: FleetModel, policy: Policy, now: Date): Finding[] {
  const index = new FleetIndex(model);
  const byId = new Map<string, Finding>();
  for (const id of RULE_IDS) {
    const settings = policy.rules[id];
    if (!settings.enabled) continue;
    for (const rf of RULES[id].evaluate({ model, index, settings, now })) {
      if (byId.has(rf.id) || isExcluded(rf.resource, settings.exclude)) continue;
      const { fixSource: _ignored, ...finding } = rf;
      byId.set(rf.id, { ...finding, remediation: planRemediation(rf, index, settings) });
    }
  }
  return [...byId.values()].sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.rule.localeCompare(b.rule) ||
    (a.resource.namespace ?? a.resource.mesh ?? '').localeCompare(b.resource.namespace ?? b.resource.mesh ?? '') ||
    a.resource.name.localeCompare(b.resource.name) ||
    (a.resource.port ?? 0) - (b.resource.port ?? 0) ||
    a.id.localeCompare(b.id)
  );
}
