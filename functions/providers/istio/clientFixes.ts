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
  // Per rule, the records a list-replacing patch must fix together (portLevelSettings, subsets).
  const listFixes = new Map<string, ClientRecord[]>();
  for (const record of records) {
    const rule = record.decision.rule;
    if (!rule) continue;
    push(groups, changeKey(rule, record.decision.subset, record.decision.scope === 'port' ? record.port : undefined), record);
    if ((record.decision.subset || record.decision.scope === 'port') && needsIstioMutual(record)) push(listFixes, listKey(rule, record.decision.subset !== undefined), record);
  }

  for (const record of records) {
    if (record.policy.fix || !needsIstioMutual(record)) continue;
    const rule = record.decision.rule;
    if (!rule) {
      record.policy.fix = createIstioMutual(record);
      continue;
    }
    const subset = record.decision.subset;
    const portLevel = !subset && record.decision.scope === 'port';
    // The ports, or the subsets, of a rule are patched by one change each: a patch carries the
    // whole list, so one per entry would put back what the one before it set.
    const fixedPorts = portLevel ? new Set(listFixes.get(listKey(rule, false))!.map((r) => r.port!)) : undefined;
    const altered = subset
      ? listFixes.get(listKey(rule, true))!
      : fixedPorts
        ? [...fixedPorts].flatMap((p) => groups.get(changeKey(rule, undefined, p))!.filter((r) => r.policy.sends !== 'MTLS'))
        : groups.get(changeKey(rule, undefined, undefined))!.filter((r) => r.policy.sends !== 'MTLS');
    const blockers = new Set<string>();
    for (const r of altered) {
      addServerBlockers(r, blockers);
      if (r.decision.tls?.mode === 'SIMPLE') addOwnTlsBlockers(r, rule, blockers);
      if (r.destination.meshExternal) blockers.add(`the rule also governs MESH_EXTERNAL host ${r.destination.host}, which cannot take Istio mTLS`);
    }
    const fix: ProviderFix = {
      action: SET_ISTIO_MUTUAL_ACTION,
      change: subset ? subsetsChange(rule, altered) : fixedPorts ? portLevelChange(rule, fixedPorts) : topLevelChange(rule),
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
  // Auto mTLS to a headless Service that sends plaintext to every pod, STRICT ones included.
  if (record.decision.passthrough) return record.policy.sends === 'PLAINTEXT' && record.servers.some((s) => s.endpoint.inMesh && s.endpoint.mode === 'STRICT');
  return record.policy.sends === 'AUTO' && record.servers.some((s) => s.endpoint.mode === 'STRICT' && s.endpoint.autoMtls?.sends === 'PLAINTEXT');
}

/** Destination workloads that could not take mTLS. */
function addServerBlockers(record: ClientRecord, blockers: Set<string>): void {
  for (const server of record.servers) {
    if (!server.endpoint.inMesh) blockers.add(`${server.workload.key} has no sidecar`);
    else if (server.endpoint.mode === 'DISABLED') blockers.add(`${server.workload.key} accepts only plaintext`);
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

/** JSON merge patch of `spec.trafficPolicy.tls`; fields ISTIO_MUTUAL does not use (sni, credentialName, …) are cleared with null. */
function topLevelChange(rule: DestinationRulePolicy): Record<string, unknown> {
  const tls: Record<string, unknown> = {};
  for (const key of Object.keys(rule.trafficPolicy?.tls?.raw ?? {})) tls[key] = null;
  tls['mode'] = 'ISTIO_MUTUAL';
  return mergePatch(rule, { spec: { trafficPolicy: { tls } } });
}

/** A merge patch replaces lists whole, so the patch carries every portLevelSettings entry, those of `ports` set to ISTIO_MUTUAL. */
function portLevelChange(rule: DestinationRulePolicy, ports: ReadonlySet<number>): Record<string, unknown> {
  const list = (rule.trafficPolicy?.rawPortLevelSettings ?? []).map((entry) => {
    const e = entry as Record<string, any>;
    return ports.has(Number(e?.['port']?.number)) ? { ...e, tls: { mode: 'ISTIO_MUTUAL' } } : e;
  });
  return mergePatch(rule, { spec: { trafficPolicy: { portLevelSettings: list } } });
}

/**
 * The `tls` of each subset (or of its portLevelSettings entry) that the records name, set to
 * ISTIO_MUTUAL. A merge patch replaces lists whole, so the patch carries every subset as written
 * with only those changed (the first of a name: Istio ignores later duplicates). Inside a
 * replaced list a null would be stored, not clear a field, so the new `tls` is written whole.
 */
function subsetsChange(rule: DestinationRulePolicy, records: readonly ClientRecord[]): Record<string, unknown> {
  const portsOf = new Map<string, Set<number | undefined>>();
  for (const r of records) {
    const name = r.decision.subset!.name;
    let ports = portsOf.get(name);
    if (!ports) portsOf.set(name, (ports = new Set()));
    ports.add(r.decision.scope === 'port' ? r.port : undefined);
  }
  const seen = new Set<string>();
  const list = (rule.rawSubsets ?? []).map((entry) => {
    const e = entry as Record<string, any>;
    const ports = portsOf.get(e?.['name']);
    if (!ports || seen.has(e['name'])) return e;
    seen.add(e['name']);
    let policy = (e['trafficPolicy'] ?? {}) as Record<string, any>;
    if (ports.has(undefined)) policy = { ...policy, tls: { mode: 'ISTIO_MUTUAL' } };
    const settings = policy['portLevelSettings'] as Array<Record<string, any>> | undefined;
    if (settings) policy = { ...policy, portLevelSettings: settings.map((p) => (ports.has(Number(p?.['port']?.number)) ? { ...p, tls: { mode: 'ISTIO_MUTUAL' } } : p)) };
    return { ...e, trafficPolicy: policy };
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
