import { RULE_IDS, type Finding } from '../findings';
import { FleetIndex } from '../model/fleet-index';
import type { FleetModel, Severity } from '../model/types';
import { isExcluded } from '../policy/exclusions';
import type { Policy } from '../policy/types';
import { planRemediation } from '../remediation/plan';
import { RULES } from './index';
import type { RuleFinding } from './rule';

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
      byId.set(rf.id, toFinding(rf, planRemediation(rf, index, settings)));
    }
  }
  return [...byId.values()].sort(compareFindings);
}

/** The finding as reported: the rule's fields in the contract's order, without the plan stage's `fixSource`. */
function toFinding(rf: RuleFinding, remediation: Finding['remediation']): Finding {
  return { id: rf.id, rule: rf.rule, severity: rf.severity, provider: rf.provider, resource: rf.resource, message: rf.message, detail: rf.detail, remediation };
}

/**
 * The collation `localeCompare` uses, made once: `localeCompare` looks its collator up on every
 * call, which made sorting 5k findings cost as much as evaluating a rule.
 */
const collate = new Intl.Collator().compare;

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    collate(a.rule, b.rule) ||
    collate(a.resource.namespace ?? a.resource.mesh ?? '', b.resource.namespace ?? b.resource.mesh ?? '') ||
    collate(a.resource.name, b.resource.name) ||
    (a.resource.port ?? 0) - (b.resource.port ?? 0) ||
    collate(a.id, b.id)
  );
}
