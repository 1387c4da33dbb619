import type { ClientTlsMode, DestinationRulePolicy, DestinationSubset, TrafficPolicy } from './destinationRule';

/** Subset name → the `tls` entries to set: the subset's own (undefined), or its portLevelSettings entry for a port. */
export type SubsetEdits = Map<string, Set<number | undefined>>;

export function addEdit(edits: SubsetEdits, subset: string, port: number | undefined): void {
  let ports = edits.get(subset);
  if (!ports) edits.set(subset, (ports = new Set()));
  ports.add(port);
}

/**
 * The subset entries that repeat, for the ports a change rewrites, the non-mTLS mode it
 * replaces: the rule's top level (`ports` undefined: every port without a portLevelSettings
 * entry of the rule) or the rule's portLevelSettings entries for `ports`. Their clusters send
 * what the rule's level sends, so no record of their own shows them (`addSubsetRecords` skips
 * a subset that decides as the top level does), yet a subset's own `tls` outlives the change
 * (Istio `MergeTrafficPolicy`: the subset's port entry, else its `tls`, replaces the rule's), and
 * after it those subsets would still send plaintext. Only subsets of the patched rule: those
 * that a rule merged for the same host declares are not reached.
 */
export function hiddenSubsetEdits(rule: DestinationRulePolicy, ports: ReadonlySet<number> | undefined): SubsetEdits {
  const edits: SubsetEdits = new Map();
  if (!rule.subsets) return edits;
  const seen = new Set<string>();
  for (const subset of rule.subsets) {
    // Istio keeps the first subset of a name.
    if (seen.has(subset.name)) continue;
    seen.add(subset.name);
    const policy = subset.trafficPolicy;
    if (!policy) continue;
    if (ports) addPortEdits(edits, rule.trafficPolicy, subset, policy, ports);
    else addTopLevelEdits(edits, rule.trafficPolicy, subset, policy);
  }
  return edits;
}

/** The subset's `tls`, and its entries for ports the rule has no entry for, where they set the rule's top-level mode. */
function addTopLevelEdits(edits: SubsetEdits, rulePolicy: TrafficPolicy | undefined, subset: DestinationSubset, policy: TrafficPolicy): void {
  const mode = plaintextMode(rulePolicy?.tls?.mode);
  if (!mode) return;
  if (policy.tls?.mode === mode) addEdit(edits, subset.name, undefined);
  for (const entry of policy.portLevelSettings) {
    if (entry.tls?.mode !== mode || rulePolicy!.portLevelSettings.some((e) => e.port === entry.port)) continue;
    addEdit(edits, subset.name, entry.port);
  }
}

/** For each port: the subset's entry for it, else its `tls`, where that sets the mode of the rule's entry for the port. */
function addPortEdits(edits: SubsetEdits, rulePolicy: TrafficPolicy | undefined, subset: DestinationSubset, policy: TrafficPolicy, ports: ReadonlySet<number>): void {
  for (const port of ports) {
    const mode = plaintextMode(firstEntry(rulePolicy?.portLevelSettings ?? [], port)?.tls?.mode);
    if (!mode) continue;
    const own = firstEntry(policy.portLevelSettings, port);
    if (own) {
      if (own.tls?.mode === mode) addEdit(edits, subset.name, port);
    } else if (policy.tls?.mode === mode) addEdit(edits, subset.name, undefined);
  }
}

/** The modes a set-istio-mutual change replaces; undefined for the rest. */
function plaintextMode(mode: ClientTlsMode | undefined): ClientTlsMode | undefined {
  return mode === 'DISABLE' || mode === 'SIMPLE' ? mode : undefined;
}

/** Istio reads the first entry for a port. */
function firstEntry<T extends { port: number }>(entries: readonly T[], port: number): T | undefined {
  return entries.find((e) => e.port === port);
}
