import type { ProviderFix } from '../../core/model/types';
import { effectiveServerMode } from './effectiveServerMode';
import type { ApplicablePeerAuthentications, PeerAuthenticationIndex, PeerAuthenticationPolicy } from './peerAuthentication';
import type { ServerRecord } from './servers';

export const SET_STRICT_ACTION = 'istio.peerauthentication.set-strict';
export const CREATE_STRICT_ACTION = 'istio.peerauthentication.create-strict';

/** One change to PeerAuthentications, and how it would alter the policies a server sees. */
interface StrictChange {
  key: string;
  action: string;
  change: Record<string, unknown>;
  /** The policies a server would see after the change. */
  apply(applicable: ApplicablePeerAuthentications): ApplicablePeerAuthentications;
  /** The servers the change can reach. */
  reaches(record: ServerRecord): boolean;
  blockers: string[];
}

/**
 * Attaches a fix to every in-mesh server that is not STRICT, chosen by what caused its mode:
 * a port-level setting is patched on its policy, a workload or namespace policy gets
 * `mtls.mode: STRICT`, and a mesh-wide or default mode gets a namespace-wide `default` policy
 * (or the namespace's existing namespace-wide policy is patched, since a second one would be
 * ignored). Each change is re-run through `effectiveServerMode` for every server it can reach,
 * so `affectsServers` lists exactly the servers it would move to STRICT and `blockers` the
 * workloads it would cover that have no sidecar.
 */
export function attachServerFixes(records: ServerRecord[], index: PeerAuthenticationIndex): void {
  const changes = new Map<string, { change: StrictChange; records: ServerRecord[] }>();
  for (const record of records) {
    if (!record.endpoint.inMesh || record.endpoint.mode === 'STRICT') continue;
    const target = strictChangeTarget(record, index);
    let group = changes.get(target.key);
    if (!group) changes.set(target.key, (group = { change: target.build(), records: [] }));
    group.records.push(record);
  }
  if (changes.size === 0) return;

  const byNamespace = new Map<string, ServerRecord[]>();
  for (const r of records) {
    let list = byNamespace.get(r.workload.namespace);
    if (!list) byNamespace.set(r.workload.namespace, (list = []));
    list.push(r);
  }

  for (const { change, records: owners } of changes.values()) {
    const candidates = change.reaches === reachesEverything ? records : (byNamespace.get(owners[0]!.workload.namespace) ?? []);
    const affects: string[] = [];
    const unmeshed = new Set<string>();
    for (const candidate of candidates) {
      if (!change.reaches(candidate) || candidate.endpoint.mode === 'STRICT') continue;
      const after = effectiveServerMode(change.apply(candidate.applicable), candidate.port).mode;
      if (after !== 'STRICT') continue;
      if (candidate.endpoint.inMesh) affects.push(candidate.endpoint.id);
      else unmeshed.add(candidate.workload.key);
    }
    const fix: ProviderFix = {
      action: change.action,
      change: change.change,
      affectsServers: affects,
      blockers: [...change.blockers, ...[...unmeshed].map((key) => `workload ${key} has no sidecar`)],
    };
    for (const owner of owners) owner.endpoint.fix = fix;
  }
}

/** What to change for a server, keyed so servers needing the same change share it (built once per key). */
function strictChangeTarget(record: ServerRecord, index: PeerAuthenticationIndex): { key: string; build: () => StrictChange } {
  const { effective } = record;
  const namespace = record.workload.namespace;
  const policy = effective.policy;
  if (effective.scope === 'port' && policy && record.port !== undefined) {
    const port = record.port;
    return { key: `patch:${policy.namespace}/${policy.name}:port:${port}`, build: () => patchPortLevel(policy, port, index) };
  }
  if ((effective.scope === 'workload' || effective.scope === 'namespace') && policy) {
    return { key: patchModeKey(policy), build: () => patchMode(policy, index) };
  }
  // Mesh-wide or default: make the workload's namespace STRICT. If it already has a
  // namespace-wide policy (UNSET), patch that one: Istio would ignore a second, newer one.
  const existing = index.namespaceWide(namespace);
  if (existing) return { key: patchModeKey(existing), build: () => patchMode(existing, index) };
  return { key: `create:${namespace}`, build: () => createNamespaceStrict(namespace, index) };
}

function patchModeKey(policy: PeerAuthenticationPolicy): string {
  return `patch:${policy.namespace}/${policy.name}:mtls`;
}

function patchMode(policy: PeerAuthenticationPolicy, index: PeerAuthenticationIndex): StrictChange {
  const patched: PeerAuthenticationPolicy = { ...policy, mode: 'STRICT' };
  return {
    key: patchModeKey(policy),
    action: SET_STRICT_ACTION,
    change: mergePatch(policy, { spec: { mtls: { mode: 'STRICT' } } }),
    apply: (applicable) => replacePolicy(applicable, policy, patched),
    reaches: reachOf(policy, index),
    blockers: [],
  };
}

function patchPortLevel(policy: PeerAuthenticationPolicy, port: number, index: PeerAuthenticationIndex): StrictChange {
  const portLevelMtls = new Map(policy.portLevelMtls);
  portLevelMtls.set(port, 'STRICT');
  const patched: PeerAuthenticationPolicy = { ...policy, portLevelMtls };
  return {
    key: `patch:${policy.namespace}/${policy.name}:port:${port}`,
    action: SET_STRICT_ACTION,
    change: mergePatch(policy, { spec: { portLevelMtls: { [String(port)]: { mode: 'STRICT' } } } }),
    apply: (applicable) => replacePolicy(applicable, policy, patched),
    reaches: reachOf(policy, index),
    blockers: [],
  };
}

function createNamespaceStrict(namespace: string, index: PeerAuthenticationIndex): StrictChange {
  const object = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace },
    spec: { mtls: { mode: 'STRICT' } },
  };
  const created: PeerAuthenticationPolicy = {
    name: 'default',
    namespace,
    apiVersion: object.apiVersion,
    source: { file: '(new)', line: 0 },
    doc: object,
    mode: 'STRICT',
    portLevelMtls: new Map(),
  };
  const isRoot = namespace === index.rootNamespace;
  const taken = index.policiesIn(namespace).find((p) => p.name === 'default');
  return {
    key: `create:${namespace}`,
    action: CREATE_STRICT_ACTION,
    change: { operation: 'create', object },
    // In the root namespace a selector-less policy is the mesh-wide one.
    apply: (applicable) => (isRoot ? { ...applicable, mesh: created } : { ...applicable, namespace: created }),
    reaches: isRoot ? reachesEverything : (r) => r.workload.namespace === namespace,
    blockers: taken ? [`PeerAuthentication ${namespace}/default already exists (with a workload selector); choose another name`] : [],
  };
}

function mergePatch(policy: PeerAuthenticationPolicy, patch: Record<string, unknown>): Record<string, unknown> {
  return {
    operation: 'merge-patch',
    target: {
      apiVersion: policy.apiVersion,
      kind: 'PeerAuthentication',
      namespace: policy.namespace,
      name: policy.name,
      ...(policy.resourceVersion ? { resourceVersion: policy.resourceVersion } : {}),
    },
    patch,
  };
}

function replacePolicy(
  applicable: ApplicablePeerAuthentications,
  from: PeerAuthenticationPolicy,
  to: PeerAuthenticationPolicy,
): ApplicablePeerAuthentications {
  return {
    ...(applicable.mesh ? { mesh: applicable.mesh === from ? to : applicable.mesh } : {}),
    ...(applicable.namespace ? { namespace: applicable.namespace === from ? to : applicable.namespace } : {}),
    ...(applicable.workload ? { workload: applicable.workload === from ? to : applicable.workload } : {}),
  };
}

const reachesEverything = (): boolean => true;

/** A mesh-wide policy reaches every server; any other only servers that see it. */
function reachOf(policy: PeerAuthenticationPolicy, index: PeerAuthenticationIndex): (r: ServerRecord) => boolean {
  if (!policy.selector && policy.namespace === index.rootNamespace) return reachesEverything;
  return (r) => r.applicable.mesh === policy || r.applicable.namespace === policy || r.applicable.workload === policy;
}
