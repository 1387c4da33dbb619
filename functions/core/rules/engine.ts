import { RULE_IDS, type Finding, type RemediationMode } from '../findings';
import { FleetIndex } from '../model/fleet-index';
import type { FleetModel, ProviderFix, Severity } from '../model/types';
import { isExcluded } from '../policy/exclusions';
import type { Exclusion } from '../policy/schema';
import type { Policy } from '../policy/types';
import { ACCEPTING_RULES, AcceptedSides } from '../remediation/accepted-sides';
import { fixFor, planRemediation } from '../remediation/plan';
import { UnmeshedCallers } from '../remediation/unmeshed-callers';
import type { SuppressedFinding } from './apply-suppressions';
import { RULES } from './index';
import { describeResource, type RuleFinding } from './rule';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/**
 * The evaluate and plan stages: runs every enabled rule over the model, drops excluded
 * resources, attaches each fix with the gate's verdict, and returns the findings in a stable
 * order (severity, rule, resource).
 */
export function evaluateModel(model: FleetModel, policy: Policy, now: Date): Finding[] {
  const evaluated = evaluateRules(model, policy, now);
  evaluated.plan(evaluated.findings);
  return evaluated.findings;
}

export interface EvaluatedRules {
  /** Every finding of the enabled rules on resources not excluded, in report order, not yet planned (`remediation: null`). */
  findings: Finding[];
  /**
   * The plan stage: joins the fixes that travel as one change among those of `reported` (the
   * findings to be reported, as suppressions leave them), then attaches each fix with the gate's
   * verdict to those findings and to `others` (suppressed ones, shown with their plan alone).
   */
  plan(reported: readonly Finding[], others?: readonly SuppressedFinding[]): void;
}

/** The evaluate stage alone, with the plan stage to run once the findings reported are known. */
export function evaluateRules(model: FleetModel, policy: Policy, now: Date): EvaluatedRules {
  const index = new FleetIndex(model);
  // Each finding's rule output, its rule's settings and its provider fix (the object joining edits, then planned).
  const evaluated = new Map<string, { rf: RuleFinding; settings: Policy['rules'][keyof Policy['rules']]; fix: ProviderFix | undefined }>();
  const findings: Finding[] = [];
  // Excluded findings are not reported, but a change they share with a reported one still gets
  // their rule's caution: accepting a finding by `exclude` must not loosen another's verdict,
  // as accepting it by annotation (a suppressed finding, planned alongside) does not.
  const excluded: Finding[] = [];
  // Sides excluded as they are ("a metrics port left plaintext on purpose"): no change tightens them on its own.
  const acceptedByRules: Array<{ rf: RuleFinding; exclusion: Exclusion }> = [];
  for (const id of RULE_IDS) {
    const settings = policy.rules[id];
    if (!settings.enabled) continue;
    for (const rf of RULES[id].evaluate({ model, index, settings, now })) {
      if (evaluated.has(rf.id)) continue;
      const exclusion = isExcluded(rf.resource, settings.exclude);
      if (exclusion) {
        if (ACCEPTING_RULES.has(rf.rule)) acceptedByRules.push({ rf, exclusion });
        const fix = fixFor(rf, index);
        if (fix) {
          evaluated.set(rf.id, { rf, settings, fix });
          excluded.push(toFinding(rf, null));
        }
        continue;
      }
      evaluated.set(rf.id, { rf, settings, fix: fixFor(rf, index) });
      findings.push(toFinding(rf, null));
    }
  }
  findings.sort(compareFindings);
  return {
    findings,
    plan(reported, others = []) {
      const joined = new Set<ProviderFix>();
      for (const f of reported) {
        const fix = evaluated.get(f.id)?.fix;
        if (fix) joined.add(fix);
      }
      for (const join of model.fixJoiners ?? []) join(joined);
      const unmeshed = new UnmeshedCallers(model);
      const accepted = new AcceptedSides();
      for (const { rf, exclusion } of acceptedByRules) accepted.addExcluded(rf, exclusion);
      for (const f of others) {
        const rf = evaluated.get(f.id)?.rf;
        if (rf && ACCEPTING_RULES.has(rf.rule)) accepted.addSuppressed(rf, f.suppression);
      }
      const byFix = new Map<ProviderFix, Finding[]>();
      for (const f of [...reported, ...others, ...excluded]) {
        const entry = evaluated.get(f.id);
        if (!entry) continue;
        f.remediation = planRemediation(entry.rf, index, entry.settings, unmeshed, accepted);
        const fix = f.remediation ? entry.fix : undefined;
        if (!fix) continue;
        const list = byFix.get(fix);
        if (list) list.push(f);
        else byFix.set(fix, [f]);
      }
      for (const sharing of sameChangeGroups(byFix)) if (sharing.length > 1) alignVerdicts(sharing);
    },
  };
}

/**
 * The findings of each distinct change. A fix object shared by findings is one change; fix
 * objects built apart can make the same change too (a namespace's PeerAuthentication fix, built
 * once per workload in it), and govern applies or asks for that change once (its key is the
 * change's JSON), so they must agree as well. Only fixes alike in the change's top-level values
 * are compared whole: JSON of every change would cost as much as a rule.
 */
function sameChangeGroups(byFix: Map<ProviderFix, Finding[]>): Finding[][] {
  const buckets = new Map<string, Array<[ProviderFix, Finding[]]>>();
  for (const entry of byFix) {
    const key = shallowKey(entry[0]);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(entry);
    else buckets.set(key, [entry]);
  }
  const groups: Finding[][] = [];
  for (const bucket of buckets.values()) {
    if (bucket.length === 1) {
      groups.push(bucket[0]![1]);
      continue;
    }
    const byChange = new Map<string, Finding[]>();
    for (const [fix, findings] of bucket) {
      const json = JSON.stringify(fix.change);
      const group = byChange.get(json);
      if (group) group.push(...findings);
      else byChange.set(json, [...findings]);
    }
    groups.push(...byChange.values());
  }
  return groups;
}

/**
 * The primitive values of the change and of its `target`: equal for equal changes. Not the
 * action: an App Mesh object's one change comes with the listener's and the client's actions.
 */
function shallowKey(fix: ProviderFix): string {
  let key = '';
  const change = fix.change;
  for (const k in change) {
    const v = change[k];
    if (v !== null && typeof v === 'object') continue;
    key += `\u0000${k}=${String(v)}`;
  }
  const target = change.target;
  if (target !== null && typeof target === 'object') {
    for (const [k, v] of Object.entries(target)) if (v === null || typeof v !== 'object') key += `\u0000target.${k}=${String(v)}`;
  }
  return key;
}

const CAUTION: Record<RemediationMode, number> = { auto: 0, approval: 1, manual: 2 };

/**
 * One change fixing several findings (a DestinationRule set to ISTIO_MUTUAL fixes both its
 * mtls-client-not-enforced and its mtls-conflict) gets the most cautious verdict among them:
 * otherwise the gate would apply on one finding what another finding's rule keeps for a person.
 */
function alignVerdicts(sharing: Finding[]): void {
  let strictest = sharing[0]!;
  for (const f of sharing) if (CAUTION[f.remediation!.mode] > CAUTION[strictest.remediation!.mode]) strictest = f;
  const held = strictest.remediation!;
  for (const f of sharing) {
    const own = f.remediation!;
    if (CAUTION[own.mode] >= CAUTION[held.mode]) continue;
    const { blockers: _own, ...rest } = own;
    f.remediation = { ...rest, mode: held.mode, reason: `the same change also fixes ${strictest.rule} on ${describeResource(strictest.resource)}, where ${held.reason}`, ...(held.blockers ? { blockers: held.blockers } : {}) };
  }
}

/** The finding as reported: the rule's fields in the contract's order, without the plan stage's `fixSource`. */
function toFinding(rf: RuleFinding, remediation: Finding['remediation']): Finding {
  return { id: rf.id, rule: rf.rule, severity: rf.severity, provider: rf.provider, resource: rf.resource, message: rf.message, detail: rf.detail, remediation };
}

/**
 * One fixed collation, made once: the machine's locale would reorder reports between a laptop
 * and CI (in da-DK `aa-payments` sorts after `zz-orders`), and `localeCompare` looks its
 * collator up on every call, which made sorting 5k findings cost as much as evaluating a rule.
 */
const collate = new Intl.Collator('en-US').compare;

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
