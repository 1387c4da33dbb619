import type { ProviderFix } from '../../core/model/types';
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
 */
export function attachClientFixes(records: ClientRecord[]): void {
  const groups = new Map<string, ClientRecord[]>();
  for (const record of records) {
    const rule = record.decision.rule;
    if (!rule) continue;
    const key = changeKey(rule, record.decision.subset, record.decision.scope === 'port' ? record.port : undefined);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(record);
  }

  for (const record of records) {
    if (record.policy.fix || !needsIstioMutual(record)) continue;
    const rule = record.decision.rule;
    if (!rule) {
      record.policy.fix = createIstioMutual(record);
      continue;
    }
    const port = record.decision.scope === 'port' ? record.port : undefined;
    const subset = record.decision.subset;
    const group = groups.get(changeKey(rule, subset, port))!;
    const altered = group.filter((r) => r.policy.sends !== 'MTLS');
    const blockers = new Set<string>();
    for (const r of altered) {
      addServerBlockers(r, blockers);
      if (r.destination.meshExternal) blockers.add(`the rule also governs MESH_EXTERNAL host ${r.destination.host}, which cannot take Istio mTLS`);
    }
    const fix: ProviderFix = {
      action: SET_ISTIO_MUTUAL_ACTION,
      change: subset ? subsetChange(rule, subset, port) : port === undefined ? topLevelChange(rule) : portLevelChange(rule, port),
      affectsServers: [],
      affectsClients: altered.map((r) => r.policy.id),
      blockers: [...blockers],
    };
    for (const r of altered) if (needsIstioMutual(r)) r.policy.fix = fix;
  }
}

/**
 * DISABLE or SIMPLE toward an in-mesh host, or auto mTLS that sends plaintext to a STRICT
 * workload (its namespace or the mesh DISABLEs mTLS, and Istio ignores the workload's policy).
 */
function needsIstioMutual(record: ClientRecord): boolean {
  const mode = record.decision.tls?.mode;
  if (mode === 'DISABLE' || mode === 'SIMPLE') return record.destination.inMesh === true;
  return record.policy.sends === 'AUTO' && record.servers.some((s) => s.endpoint.mode === 'STRICT' && s.endpoint.autoMtls?.sends === 'PLAINTEXT');
}

/** Destination workloads that could not take mTLS. */
function addServerBlockers(record: ClientRecord, blockers: Set<string>): void {
  for (const server of record.servers) {
    if (!server.endpoint.inMesh) blockers.add(`${server.workload.key} has no sidecar`);
    else if (server.endpoint.mode === 'DISABLED') blockers.add(`${server.workload.key} accepts only plaintext`);
  }
}

/** A DestinationRule in the Service's namespace that pins ISTIO_MUTUAL, for callers no rule governs. */
function createIstioMutual(record: ClientRecord): ProviderFix {
  const svc = record.destination.service!;
  const object = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: `${svc.name}-istio-mutual`, namespace: svc.namespace },
    spec: { host: record.destination.host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  };
  const blockers = new Set<string>();
  addServerBlockers(record, blockers);
  return { action: CREATE_ISTIO_MUTUAL_ACTION, change: { operation: 'create', object }, affectsServers: [], affectsClients: [record.policy.id], blockers: [...blockers] };
}

function changeKey(rule: DestinationRulePolicy, subset: DestinationSubset | undefined, port: number | undefined): string {
  return `${rule.namespace}/${rule.name}:${port ?? '*'}${subset ? `#${subset.name}` : ''}`;
}

/** JSON merge patch of `spec.trafficPolicy.tls`; fields ISTIO_MUTUAL does not use (sni, credentialName, …) are cleared with null. */
function topLevelChange(rule: DestinationRulePolicy): Record<string, unknown> {
  const tls: Record<string, unknown> = {};
  for (const key of Object.keys(rule.trafficPolicy?.tls?.raw ?? {})) tls[key] = null;
  tls['mode'] = 'ISTIO_MUTUAL';
  return mergePatch(rule, { spec: { trafficPolicy: { tls } } });
}

/** A merge patch replaces lists whole, so the patch carries every portLevelSettings entry. */
function portLevelChange(rule: DestinationRulePolicy, port: number): Record<string, unknown> {
  const list = (rule.trafficPolicy?.rawPortLevelSettings ?? []).map((entry) => {
    const e = entry as Record<string, any>;
    return Number(e?.['port']?.number) === port ? { ...e, tls: { mode: 'ISTIO_MUTUAL' } } : e;
  });
  return mergePatch(rule, { spec: { trafficPolicy: { portLevelSettings: list } } });
}

/**
 * A subset's `tls`, or its portLevelSettings entry's, set to ISTIO_MUTUAL. A merge patch replaces
 * lists whole, so the patch carries every subset as written with only that one changed (the
 * first of the name: Istio ignores later duplicates). Inside a replaced list a null would be
 * stored, not clear a field, so the new `tls` is written whole instead.
 */
function subsetChange(rule: DestinationRulePolicy, subset: DestinationSubset, port: number | undefined): Record<string, unknown> {
  let done = false;
  const list = (rule.rawSubsets ?? []).map((entry) => {
    const e = entry as Record<string, any>;
    if (done || e?.['name'] !== subset.name) return e;
    done = true;
    const policy = (e['trafficPolicy'] ?? {}) as Record<string, any>;
    if (port === undefined) return { ...e, trafficPolicy: { ...policy, tls: { mode: 'ISTIO_MUTUAL' } } };
    const settings = (policy['portLevelSettings'] ?? []) as Array<Record<string, any>>;
    const portLevelSettings = settings.map((p) => (Number(p?.['port']?.number) === port ? { ...p, tls: { mode: 'ISTIO_MUTUAL' } } : p));
    return { ...e, trafficPolicy: { ...policy, portLevelSettings } };
  });
  return mergePatch(rule, { spec: { subsets: list } });
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
