import type { DestinationRulePolicy } from './destinationRule';
import type { Labels } from './labels';

/**
 * The DestinationRules Istio merges into one entry for one host in one lookup pool
 * (pilot/pkg/model/destination_rule.go `mergeDestinationRule`, `ConsolidatedDestRule`). The
 * entry keeps its first rule's selector and exportTo; the first member (in selector-first,
 * oldest-first order) that has a `trafficPolicy` supplies it, and subsets add up by name.
 */
export interface ConsolidatedDestinationRule {
  host: string;
  selector?: Labels;
  /** The rules merged here, in merge order. */
  members: DestinationRulePolicy[];
  /** The first rule's exportTo as written (`.` stays `.`), `{.}` for a selector rule. */
  exportTo: ReadonlySet<string>;
}

/** The rule whose settings take effect for the entry: the first member with a trafficPolicy, else the first member. */
export function decidingRule(entry: ConsolidatedDestinationRule): DestinationRulePolicy {
  const members = entry.members;
  for (let i = 0; i < members.length; i++) if (members[i]!.trafficPolicy !== undefined) return members[i]!;
  return members[0]!;
}

/**
 * How rules for one host in one pool are merged. `enhanced` is Istio 1.24+ (istiod's
 * `ENABLE_ENHANCED_DESTINATIONRULE_MERGE`, default true since istio/istio#52636): rules whose
 * exportTo sets differ stay apart. `legacy` is Istio ≤1.23, and 1.24+ with that variable set
 * to false (the 1.23 compatibility profile).
 */
export type DestinationRuleMerge = 'enhanced' | 'legacy';

/** Merges `rule` into the entries already held for its host, or appends it as a new entry. */
export function mergeRule(list: ConsolidatedDestinationRule[], rule: DestinationRulePolicy, exportTo: ReadonlySet<string>, how: DestinationRuleMerge): void {
  if (how === 'enhanced') mergeEnhanced(list, rule, exportTo);
  else mergeLegacy(list, rule, exportTo);
}

export function consolidated(rule: DestinationRulePolicy, exportTo: ReadonlySet<string>): ConsolidatedDestinationRule {
  const entry: ConsolidatedDestinationRule = { host: rule.host, members: [rule], exportTo };
  if (rule.workloadSelector) entry.selector = rule.workloadSelector;
  return entry;
}

/**
 * Istio 1.24+ `mergeDestinationRule`, step for step, against each existing entry in turn:
 * - exportTo sets equal (compared as written: `.` is not the namespace's name, no exportTo is
 *   not `*`, the MeshConfig default plays no part): merged into the entry, unless both have
 *   selectors that differ (then kept apart);
 * - the rule's set a strict superset of the entry's non-empty one: the same, but also kept on
 *   its own when only one of the two has a selector;
 * - otherwise: kept apart.
 * Only the last entry met decides whether the rule is also kept on its own. Upstream quirk kept
 * (istio/istio#58322, open): a catch-all with exportTo exactly ["."] meets a selector rule's
 * entry (also `{.}`) as equal and merges into it, and if that entry is the last one met it is
 * not kept on its own: it then applies to no other workload.
 */
function mergeEnhanced(list: ConsolidatedDestinationRule[], rule: DestinationRulePolicy, exportTo: ReadonlySet<string>): void {
  let appendSeparately = true;
  for (const entry of list) {
    if (sameSet(exportTo, entry.exportTo)) appendSeparately = false;
    else if (entry.exportTo.size > 0 && containsAll(exportTo, entry.exportTo)) appendSeparately = true;
    else {
      appendSeparately = true;
      continue;
    }
    const bothWith = rule.workloadSelector !== undefined && entry.selector !== undefined;
    const selectorsMatch = sameLabels(entry.selector, rule.workloadSelector);
    if (bothWith && !selectorsMatch) {
      appendSeparately = true;
      continue;
    }
    if (bothWithout(entry, rule) || bothWith) appendSeparately = false;
    entry.members.push(rule);
  }
  if (appendSeparately) list.push(consolidated(rule, exportTo));
}

/**
 * Istio ≤1.23 `mergeDestinationRule`: exportTo plays no part. A rule merges into every entry
 * whose selector does not differ from its own (so a selector rule also takes the catch-all's
 * settings), is not appended once it met an entry without a selector on both sides or with
 * its very selector, and an entry without exportTo takes the first one a merged rule brings.
 */
function mergeLegacy(list: ConsolidatedDestinationRule[], rule: DestinationRulePolicy, exportTo: ReadonlySet<string>): void {
  let addAsNewEntry = true;
  for (const entry of list) {
    const bothWith = rule.workloadSelector !== undefined && entry.selector !== undefined;
    const selectorsMatch = sameLabels(entry.selector, rule.workloadSelector);
    if (bothWith && !selectorsMatch) continue;
    if (bothWithout(entry, rule) || (rule.workloadSelector !== undefined && selectorsMatch)) addAsNewEntry = false;
    entry.members.push(rule);
    if (entry.exportTo.size === 0 && exportTo.size > 0) entry.exportTo = exportTo;
  }
  if (addAsNewEntry) list.push(consolidated(rule, exportTo));
}

function bothWithout(entry: ConsolidatedDestinationRule, rule: DestinationRulePolicy): boolean {
  return entry.selector === undefined && rule.workloadSelector === undefined;
}

/** Go's `labels.Instance.Equals` on the two matchLabels: no selector compares as no labels. */
function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  const ka = a ? Object.keys(a) : [];
  if (ka.length !== (b ? Object.keys(b).length : 0)) return false;
  return ka.every((k) => b![k] === a![k]);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && containsAll(a, b);
}

function containsAll(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const e of b) if (!a.has(e)) return false;
  return true;
}
