import type { ProviderFix } from '../../core/model/types';
import { describeResource } from '../../core/rules/rule';
import { FreeRuleNames } from './client-fix-names';
import type { DestinationRuleIndex } from './destinationRuleIndex';
import { addEdit, hiddenSubsetEdits, type SubsetEdits } from './client-fix-subsets';
import type { ClientRecord } from './clients';
import type { DestinationRulePolicy, DestinationSubset } from './destinationRule';

export const SET_ISTIO_MUTUAL_ACTION = 'istio.destinationrule.set-istio-mutual';
export const CREATE_ISTIO_MUTUAL_ACTION = 'istio.destinationrule.create-istio-mutual';

/**
 * Attaches a fix to every client that sends DISABLE or SIMPLE to an in-mesh host, or whose auto
 * mTLS sends plaintext to a STRICT workload: set the deciding DestinationRule's `tls` (top
 * level, or the port's `portLevelSettings` entry, or the same in the subset whose own settings
 * decide) to ISTIO_MUTUAL, or create one where no rule decides. One change serves every client
 * decided by the same rule, subset and level, so
 * `affectsClients` lists them all; `blockers` name destination workloads that could not take
 * mTLS (plaintext-only or without a sidecar) and external hosts the same rule also governs.
 * A change of a level also sets the subsets that repeat the mode it replaces: they decide as
 * the level does (so have no record), but their own `tls` would outlive it.
 */
export function attachClientFixes(records: ClientRecord[], rules: Pick<DestinationRuleIndex, 'ruleNamesIn'>): void {
  const groups = new Map<string, ClientRecord[]>();
  // Per rule, the records a list-replacing patch must fix together (portLevelSettings, subsets).
  const listFixes = new Map<string, ClientRecord[]>();
  for (const record of records) {
    const rule = record.decision.rule;
    if (!rule) continue;
    push(groups, changeKey(rule, record.decision.subset, record.decision.scope === 'port' ? record.port : undefined), record);
    if ((record.decision.subset || record.decision.scope === 'port') && needsIstioMutual(record)) push(listFixes, listKey(rule, record.decision.subset !== undefined), record);
  }

  const names = new FreeRuleNames(rules);
  const planned = new Set<DestinationRulePolicy>();
  for (const record of records) {
    if (record.policy.fix || !needsIstioMutual(record)) continue;
    const rule = record.decision.rule;
    if (!rule) {
      record.policy.fix = createIstioMutual(record, names);
      continue;
    }
    if (planned.has(rule)) continue;
    planned.add(rule);
    for (const fix of ruleFixes(rule, units(rule, groups, listFixes))) {
      for (const r of fix.altered) if (needsIstioMutual(r)) r.policy.fix = fix.fix;
    }
  }
}

/** Which part of a rule a change sets to ISTIO_MUTUAL, the records it alters, and the subset entries it must rewrite with it. */
interface Unit {
  part: 'top' | 'ports' | 'subsets';
  altered: ClientRecord[];
  /** The ports a `ports` unit sets. */
  ports?: ReadonlySet<number>;
  edits: SubsetEdits;
}

/**
 * The changes a rule needs: its top level, its portLevelSettings (one change for every port: a
 * patch carries the whole list, so one per entry would put back what the one before it set),
 * and its subsets (one change, for the same reason).
 */
function units(rule: DestinationRulePolicy, groups: Map<string, ClientRecord[]>, listFixes: Map<string, ClientRecord[]>): Unit[] {
  const out: Unit[] = [];
  const top = groups.get(changeKey(rule, undefined, undefined));
  if (top?.some(needsIstioMutual)) out.push({ part: 'top', altered: top.filter((r) => r.policy.sends !== 'MTLS'), edits: hiddenSubsetEdits(rule, undefined) });
  const portRecords = listFixes.get(listKey(rule, false));
  if (portRecords) {
    const ports = new Set(portRecords.map((r) => r.port!));
    const altered = [...ports].flatMap((p) => groups.get(changeKey(rule, undefined, p))!.filter((r) => r.policy.sends !== 'MTLS'));
    out.push({ part: 'ports', altered, ports, edits: hiddenSubsetEdits(rule, ports) });
  }
  const subsetRecords = listFixes.get(listKey(rule, true));
  if (subsetRecords) out.push({ part: 'subsets', altered: subsetRecords, edits: recordSubsetEdits(subsetRecords) });
  return out;
}

/**
 * One fix per unit, except that every unit that rewrites subsets joins one fix: a merge patch
 * replaces `subsets` whole, so two patches of it would each put back what the other set.
 */
function ruleFixes(rule: DestinationRulePolicy, all: Unit[]): Array<{ fix: ProviderFix; altered: ClientRecord[] }> {
  const withSubsets = all.filter((u) => u.edits.size > 0);
  const batches = all.filter((u) => u.edits.size === 0).map((u) => [u]);
  if (withSubsets.length > 0) batches.push(withSubsets);
  return batches.map((batch) => {
    const altered = batch.flatMap((u) => u.altered);
    return { fix: setIstioMutual(rule, batch, altered), altered };
  });
}

function setIstioMutual(rule: DestinationRulePolicy, batch: Unit[], altered: ClientRecord[]): ProviderFix {
  const blockers = new Set<string>();
  for (const r of altered) {
    addServerBlockers(r, blockers);
    if (r.decision.tls?.mode === 'SIMPLE') addOwnTlsBlockers(r, rule, blockers);
    if (r.destination.meshExternal) blockers.add(`the rule also governs MESH_EXTERNAL host ${r.destination.host}, which cannot take Istio mTLS`);
  }
  return {
    action: SET_ISTIO_MUTUAL_ACTION,
    change: ruleChange(rule, batch),
    affectsServers: [],
    affectsClients: altered.map((r) => r.policy.id),
    blockers: [...blockers],
  };
}

/**
 * DISABLE or SIMPLE toward an in-mesh host, or auto mTLS that sends plaintext to a STRICT
 * workload (its namespace or the mesh DISABLEs mTLS, and Istio ignores the workload's policy).
 */
function needsIstioMutual(record: ClientRecord): boolean {
  const mode = record.decision.tls?.mode;
  if (mode === 'DISABLE' || mode === 'SIMPLE') return record.destination.inMesh === true;
  // Auto mTLS to a headless Service that sends plaintext to every pod, STRICT ones included.
  if (record.decision.passthrough) return record.policy.sends === 'PLAINTEXT' && record.servers.some((s) => s.endpoint.inMesh && s.endpoint.mode === 'STRICT');
  return record.policy.sends === 'AUTO' && record.servers.some((s) => s.endpoint.mode === 'STRICT' && s.endpoint.autoMtls?.sends === 'PLAINTEXT');
}

/** Destination workloads that could not take mTLS, worded as the plan's own check of them words it, so each is named once. */
function addServerBlockers(record: ClientRecord, blockers: Set<string>): void {
  for (const server of record.servers) {
    if (!server.endpoint.inMesh) blockers.add(`${describeResource(server.endpoint.resource)} has no sidecar to accept mTLS`);
    else if (server.endpoint.mode === 'DISABLED') blockers.add(`${describeResource(server.endpoint.resource)} accepts only plaintext`);
  }
}

/**
 * SIMPLE makes the client's sidecar originate TLS without the mesh identity. A PERMISSIVE sidecar
 * passes such TLS through untouched, so those calls work only when the application terminates
 * TLS itself; under ISTIO_MUTUAL the sidecar would terminate the mTLS and hand it plaintext. A
 * STRICT server refuses SIMPLE already, so the change cannot make it worse there.
 */
function addOwnTlsBlockers(record: ClientRecord, rule: DestinationRulePolicy, blockers: Set<string>): void {
  const portsOf = new Map<string, number[]>();
  for (const server of record.servers) {
    if (!server.endpoint.inMesh || server.endpoint.mode !== 'PERMISSIVE') continue;
    const ports = portsOf.get(server.workload.key) ?? [];
    if (server.port !== undefined) ports.push(server.port);
    portsOf.set(server.workload.key, ports);
  }
  for (const [workload, ports] of portsOf) {
    const what = ports.length === 0 ? 'it serves' : ports.length === 1 ? `port ${ports[0]} serves` : `ports ${ports.join(', ')} serve`;
    blockers.add(
      `${workload} takes the TLS that DestinationRule ${rule.namespace}/${rule.name} originates (SIMPLE) only if its application serves TLS itself, and under ISTIO_MUTUAL its sidecar would hand that application plaintext: confirm ${what} plaintext`,
    );
  }
}

/**
 * A DestinationRule in the Service's namespace that pins ISTIO_MUTUAL, for callers no rule
 * governs, under a name no rule of the namespace takes. `exportTo: ["*"]`: a rule without
 * exportTo takes MeshConfig `defaultDestinationRuleExportTo`, and where that is `.` only the
 * Service's namespace would see it while every other caller kept auto mTLS. The STRICT server
 * refuses plaintext from any namespace, so every caller needs the rule, those that appear later
 * included, which a list of today's callers would miss; `*` is also what Istio gives a rule
 * when the MeshConfig says nothing, so the rule acts the same whatever the MeshConfig. A
 * namespace with a rule of its own for the host still uses its own (Istio looks there first).
 */
function createIstioMutual(record: ClientRecord, names: FreeRuleNames): ProviderFix {
  const svc = record.destination.service!;
  const object = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: names.nameFor(svc.namespace, record.destination.host, `${svc.name}-istio-mutual`), namespace: svc.namespace },
    spec: { host: record.destination.host, exportTo: ['*'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  };
  const blockers = new Set<string>();
  addServerBlockers(record, blockers);
  return { action: CREATE_ISTIO_MUTUAL_ACTION, change: { operation: 'create', object }, affectsServers: [], affectsClients: [record.policy.id], blockers: [...blockers] };
}

function listKey(rule: DestinationRulePolicy, subsets: boolean): string {
  return `${rule.namespace}/${rule.name}:${subsets ? 'subsets' : 'ports'}`;
}

function push(map: Map<string, ClientRecord[]>, key: string, record: ClientRecord): void {
  const list = map.get(key);
  if (list) list.push(record);
  else map.set(key, [record]);
}

function changeKey(rule: DestinationRulePolicy, subset: DestinationSubset | undefined, port: number | undefined): string {
  return `${rule.namespace}/${rule.name}:${port ?? '*'}${subset ? `#${subset.name}` : ''}`;
}

/**
 * One JSON merge patch for the batch's parts: `trafficPolicy.tls`, `trafficPolicy.portLevelSettings`
 * and `subsets`, each only when a unit sets it.
 */
function ruleChange(rule: DestinationRulePolicy, batch: readonly Unit[]): Record<string, unknown> {
  const trafficPolicy: Record<string, unknown> = {};
  const edits: SubsetEdits = new Map();
  for (const unit of batch) {
    if (unit.part === 'top') trafficPolicy['tls'] = topLevelTls(rule);
    if (unit.part === 'ports') trafficPolicy['portLevelSettings'] = portLevelList(rule, unit.ports!);
    for (const [name, ports] of unit.edits) for (const p of ports) addEdit(edits, name, p);
  }
  const spec: Record<string, unknown> = {};
  if (Object.keys(trafficPolicy).length > 0) spec['trafficPolicy'] = trafficPolicy;
  if (edits.size > 0) spec['subsets'] = subsetsList(rule, edits);
  return mergePatch(rule, { spec });
}

/** `spec.trafficPolicy.tls` set to ISTIO_MUTUAL; fields ISTIO_MUTUAL does not use (sni, credentialName, …) are cleared with null. */
function topLevelTls(rule: DestinationRulePolicy): Record<string, unknown> {
  const tls: Record<string, unknown> = {};
  for (const key of Object.keys(rule.trafficPolicy?.tls?.raw ?? {})) tls[key] = null;
  tls['mode'] = 'ISTIO_MUTUAL';
  return tls;
}

/** A merge patch replaces lists whole, so this is every portLevelSettings entry, those of `ports` set to ISTIO_MUTUAL. */
function portLevelList(rule: DestinationRulePolicy, ports: ReadonlySet<number>): unknown[] {
  return (rule.trafficPolicy?.rawPortLevelSettings ?? []).map((entry) => {
    const e = entry as Record<string, any>;
    return ports.has(Number(e?.['port']?.number)) ? { ...e, tls: { mode: 'ISTIO_MUTUAL' } } : e;
  });
}

/** The subset `tls` entries the subset records name: the subset's own (undefined), or its portLevelSettings entry for the port. */
function recordSubsetEdits(records: readonly ClientRecord[]): SubsetEdits {
  const edits: SubsetEdits = new Map();
  for (const r of records) addEdit(edits, r.decision.subset!.name, r.decision.scope === 'port' ? r.port : undefined);
  return edits;
}

/**
 * The `tls` of each subset (or of its portLevelSettings entry) that `edits` name, set to
 * ISTIO_MUTUAL. A merge patch replaces lists whole, so this carries every subset as written
 * with only those changed (the first of a name: Istio ignores later duplicates). Inside a
 * replaced list a null would be stored, not clear a field, so the new `tls` is written whole.
 */
function subsetsList(rule: DestinationRulePolicy, edits: SubsetEdits): unknown[] {
  const seen = new Set<string>();
  return (rule.rawSubsets ?? []).map((entry) => {
    const e = entry as Record<string, any>;
    const ports = edits.get(e?.['name']);
    if (!ports || seen.has(e['name'])) return e;
    seen.add(e['name']);
    let policy = (e['trafficPolicy'] ?? {}) as Record<string, any>;
    if (ports.has(undefined)) policy = { ...policy, tls: { mode: 'ISTIO_MUTUAL' } };
    const settings = policy['portLevelSettings'] as Array<Record<string, any>> | undefined;
    if (settings) policy = { ...policy, portLevelSettings: settings.map((p) => (ports.has(Number(p?.['port']?.number)) ? { ...p, tls: { mode: 'ISTIO_MUTUAL' } } : p)) };
    return { ...e, trafficPolicy: policy };
  });
}

function mergePatch(rule: DestinationRulePolicy, patch: Record<string, unknown>): Record<string, unknown> {
  return {
    operation: 'merge-patch',
    target: {
      apiVersion: rule.apiVersion,
      kind: 'DestinationRule',
      namespace: rule.namespace,
      name: rule.name,
      ...(rule.resourceVersion ? { resourceVersion: rule.resourceVersion } : {}),
    },
    patch,
  };
}
