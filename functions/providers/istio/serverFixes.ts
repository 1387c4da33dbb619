import type { ProviderFix } from '../../core/model/types';
import { effectiveServerMode } from './effectiveServerMode';
import { firstFreeName } from './freeNames';
import { captureInboundPortFix } from './inboundCapture';
import type { GmpScrapes } from './podMonitorings';
import type { ApplicablePeerAuthentications, PeerAuthenticationIndex, PeerAuthenticationPolicy } from './peerAuthentication';
import { NamespaceRun } from './namespaceRun';
import { autoMtlsMismatch, type ServerRecord } from './servers';
import { outsideEntry } from './services';

export const SET_STRICT_ACTION = 'istio.peerauthentication.set-strict';
export const CREATE_STRICT_ACTION = 'istio.peerauthentication.create-strict';

/** One change to PeerAuthentications, and how it would alter the policies a server sees. */
interface StrictChange {
  action: string;
  change: Record<string, unknown>;
  blockers: string[];
  /** The policies a server would see after the change. */
  apply(applicable: ApplicablePeerAuthentications): ApplicablePeerAuthentications;
  /** Whether the change can reach a server. */
  reaches(record: ServerRecord): boolean;
  /** The servers worth trying, in model order: all that the change could reach, and maybe more. */
  candidates(servers: ServerGroups): readonly ServerRecord[];
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
export function attachServerFixes(records: ServerRecord[], index: PeerAuthenticationIndex, prometheusMerge = true, gmpScrapes?: GmpScrapes): void {
  const changes = new ChangeGroups();
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (!record.endpoint.inMesh || record.endpoint.mode === 'STRICT') continue;
    // No PeerAuthentication reaches a port the sidecar does not capture: the pod template must change first.
    if (record.uncaptured) {
      record.endpoint.fix = captureInboundPortFix(record.workload, record.port!, record.uncaptured);
      continue;
    }
    changes.add(strictChangeTarget(record, index), record, index);
  }
  if (changes.isEmpty) return;

  const servers = new ServerGroups(records);
  for (const { change, records: owners } of changes.inOrder) {
    const candidates = change.candidates(servers);
    const affects: string[] = [];
    const unmeshed = new Set<string>();
    let plaintextByAuto: Set<string> | undefined;
    // Plaintext callers from outside the mesh: a Prometheus scraper, the kubelet's probes.
    let outsideCallers: Set<string> | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!;
      if (!change.reaches(candidate) || candidate.endpoint.mode === 'STRICT' || candidate.uncaptured) continue;
      const applied = change.apply(candidate.applicable);
      const after = effectiveServerMode(applied, candidate.port);
      if (after.mode !== 'STRICT') continue;
      if (candidate.endpoint.inMesh) affects.push(candidate.endpoint.id);
      else unmeshed.add(candidate.workload.key);
      // Auto mTLS would still send plaintext: it reads the namespace and mesh policies, not the one this change writes.
      const auto = candidate.endpoint.inMesh && candidate.endpoint.hosts.length > 0 ? autoMtlsMismatch(applied, after) : undefined;
      if (auto) (plaintextByAuto ??= new Set()).add(`callers of ${candidate.workload.key} that use auto mTLS would keep sending plaintext (${auto.reason}); give its Service a DestinationRule with ISTIO_MUTUAL first`);
      const scrape = candidate.port !== undefined ? scrapedPort(candidate, candidate.port, prometheusMerge) : undefined;
      if (scrape) (outsideCallers ??= new Set()).add(scrape);
      const gmp = candidate.port !== undefined && gmpScrapes ? gmpScrapes.blockerFor(candidate.workload, candidate.port) : undefined;
      if (gmp) (outsideCallers ??= new Set()).add(gmp);
      const probes = candidate.endpoint.inMesh ? unrewrittenProbes(candidate) : undefined;
      if (probes) (outsideCallers ??= new Set()).add(probes);
      const exposed = candidate.endpoint.inMesh ? outsideService(candidate) : undefined;
      if (exposed) (outsideCallers ??= new Set()).add(exposed);
      const routed = candidate.endpoint.inMesh ? outsideRoute(candidate) : undefined;
      if (routed) (outsideCallers ??= new Set()).add(routed);
    }
    const blockers = [...change.blockers];
    for (const key of unmeshed) blockers.push(`workload ${key} has no sidecar`);
    if (plaintextByAuto) blockers.push(...plaintextByAuto);
    if (outsideCallers) blockers.push(...outsideCallers);
    const fix: ProviderFix = {
      action: change.action,
      change: change.change,
      affectsServers: affects,
      blockers,
    };
    for (const owner of owners) owner.endpoint.fix = fix;
  }
}

/**
 * Why a port that Prometheus is told to scrape (`prometheus.io/scrape` on the pod template, with
 * `prometheus.io/port` naming the port, or no port at all: the usual `kubernetes-pods` job then
 * scrapes every port the pod declares) should not go STRICT unasked: a scraper outside the mesh
 * calls it in plaintext. With Istio's metrics merging (MeshConfig `enablePrometheusMerge`, on by
 * default, unless the pod sets `prometheus.istio.io/merge-metrics: "false"`) the injector points
 * the scrape at the sidecar's 15020 instead, and STRICT on the app's port changes nothing for it.
 */
function scrapedPort(record: ServerRecord, port: number, prometheusMerge: boolean): string | undefined {
  const annotations = record.workload.podAnnotations;
  if (annotations['prometheus.io/scrape'] !== 'true') return undefined;
  const named = annotations['prometheus.io/port'];
  if (named !== undefined && Number(named) !== port) return undefined;
  const merged = prometheusMerge && annotations['prometheus.istio.io/merge-metrics'] !== 'false';
  if (merged) return undefined;
  const why = named !== undefined ? 'prometheus.io/port' : 'prometheus.io/scrape without prometheus.io/port, so every declared port is scraped';
  return `port ${port} of ${record.workload.key} is a Prometheus scrape target (${why}) without Istio's metrics merging: a scraper outside the mesh calls it in plaintext`;
}

/**
 * Why a workload that opts out of probe rewriting should not go STRICT unasked. The injector
 * normally points HTTP and gRPC probes at the agent's port 15020 (istio.io, "Health Checking of
 * Istio Services"); with `sidecar.istio.io/rewriteAppHTTPProbers: "false"` the kubelet, which
 * holds no mesh certificate, probes the application's port through the sidecar in plaintext.
 * The model does not carry the probes, so the annotation alone holds the change for a person.
 */
function unrewrittenProbes(record: ServerRecord): string | undefined {
  if (record.workload.podAnnotations['sidecar.istio.io/rewriteAppHTTPProbers'] !== 'false') return undefined;
  return `${record.workload.key} sets sidecar.istio.io/rewriteAppHTTPProbers: "false": its kubelet HTTP and gRPC probes reach the sidecar in plaintext, which STRICT refuses (the pods would fail them)`;
}

/**
 * Why a port that a LoadBalancer or NodePort Service, or one with externalIPs, sends to should
 * not go STRICT unasked: the load balancer's or node port's clients are outside the mesh and send
 * plaintext. An Istio gateway, whose own Service is a LoadBalancer by design, has no server
 * records (servers.ts), so it never gets here.
 */
function outsideService(record: ServerRecord): string | undefined {
  const svc = record.exposedBy;
  if (!svc) return undefined;
  return `Service ${svc.namespace}/${svc.name} ${outsideEntry(svc)}: its clients outside the mesh send plaintext to port ${record.port} of ${record.workload.key}, which STRICT refuses`;
}

/**
 * Why a port that an Ingress or a Gateway API route of another class than Istio's sends to should
 * not go STRICT unasked: that load balancer or proxy (GKE's, with container-native load balancing
 * straight to the pod IPs) is outside the mesh and sends plaintext (outsideRoutes.ts).
 */
function outsideRoute(record: ServerRecord): string | undefined {
  const routed = record.routedFromOutside;
  if (!routed) return undefined;
  const svc = routed.service;
  return `${routed.route.what} sends to ${svc.kind ?? 'Service'} ${svc.namespace}/${svc.name} port ${routed.servicePort}: that load balancer is outside the mesh and sends plaintext to port ${record.port} of ${record.workload.key}, which STRICT refuses`;
}

/**
 * The servers grouped the ways changes reach them, each group in model order and built on first
 * use: most changes patch one workload policy, and trying only the servers it selects spares a
 * pass over the whole namespace per change.
 */
class ServerGroups {
  private byNamespace?: Map<string, ServerRecord[]>;
  private byWorkloadPolicy?: Map<PeerAuthenticationPolicy, ServerRecord[]>;

  constructor(readonly all: readonly ServerRecord[]) {}

  inNamespace(namespace: string): readonly ServerRecord[] {
    if (!this.byNamespace) {
      const groups = (this.byNamespace = new Map());
      const listOf = new NamespaceRun((ns) => {
        let list = groups.get(ns);
        if (!list) groups.set(ns, (list = []));
        return list;
      });
      for (let i = 0; i < this.all.length; i++) listOf.get(this.all[i]!.workload.namespace).push(this.all[i]!);
    }
    return this.byNamespace.get(namespace) ?? [];
  }

  /** The servers whose chain holds this workload policy (it applies in its own namespace only). */
  selectedBy(policy: PeerAuthenticationPolicy): readonly ServerRecord[] {
    if (!this.byWorkloadPolicy) {
      const groups = (this.byWorkloadPolicy = new Map());
      for (let i = 0; i < this.all.length; i++) {
        const workloadPolicy = this.all[i]!.applicable.workload;
        if (!workloadPolicy) continue;
        const list = groups.get(workloadPolicy);
        if (list) list.push(this.all[i]!);
        else groups.set(workloadPolicy, [this.all[i]!]);
      }
    }
    return this.byWorkloadPolicy.get(policy) ?? [];
  }
}

/** What to change for a server: servers needing the same change share it. */
type StrictTarget =
  | { kind: 'patch-port'; policy: PeerAuthenticationPolicy; port: number }
  | { kind: 'patch-mode'; policy: PeerAuthenticationPolicy }
  | { kind: 'create'; namespace: string };

function strictChangeTarget(record: ServerRecord, index: PeerAuthenticationIndex): StrictTarget {
  const { effective } = record;
  const policy = effective.policy;
  if (effective.scope === 'port' && policy && record.port !== undefined) return { kind: 'patch-port', policy, port: record.port };
  if ((effective.scope === 'workload' || effective.scope === 'namespace') && policy) return { kind: 'patch-mode', policy };
  // Mesh-wide or default: make the workload's namespace STRICT. If it already has a
  // namespace-wide policy (UNSET), patch that one: Istio would ignore a second, newer one.
  const namespace = record.workload.namespace;
  const existing = index.namespaceWide(namespace);
  if (existing) return { kind: 'patch-mode', policy: existing };
  return { kind: 'create', namespace };
}

interface ChangeGroup {
  change: StrictChange;
  records: ServerRecord[];
}

/**
 * Servers grouped by the change they need, in the order each change is first needed. A change
 * is known by its policy's namespace and name (and port): nested maps on those strings, each
 * already hashed, rather than one `namespace/name:port` key string built and hashed per server.
 */
class ChangeGroups {
  readonly inOrder: ChangeGroup[] = [];
  private readonly modePatches = new Map<string, Map<string, ChangeGroup>>();
  private readonly portPatches = new Map<string, Map<string, Map<number, ChangeGroup>>>();
  private readonly creations = new Map<string, ChangeGroup>();

  get isEmpty(): boolean {
    return this.inOrder.length === 0;
  }

  add(target: StrictTarget, record: ServerRecord, index: PeerAuthenticationIndex): void {
    let groups: Map<string | number, ChangeGroup>;
    let key: string | number;
    switch (target.kind) {
      case 'patch-port':
        groups = within(within(this.portPatches, target.policy.namespace), target.policy.name);
        key = target.port;
        break;
      case 'patch-mode':
        groups = within(this.modePatches, target.policy.namespace);
        key = target.policy.name;
        break;
      case 'create':
        groups = this.creations;
        key = target.namespace;
        break;
    }
    let group = groups.get(key);
    if (!group) {
      groups.set(key, (group = { change: buildChange(target, index), records: [] }));
      this.inOrder.push(group);
    }
    group.records.push(record);
  }
}

function within<K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

/** Built once per key. */
function buildChange(target: StrictTarget, index: PeerAuthenticationIndex): StrictChange {
  switch (target.kind) {
    case 'patch-port': {
      const portLevelMtls = new Map(target.policy.portLevelMtls);
      portLevelMtls.set(target.port, 'STRICT');
      const patch = { spec: { portLevelMtls: { [String(target.port)]: { mode: 'STRICT' } } } };
      return new PolicyPatch(target.policy, { ...target.policy, portLevelMtls }, patch, index);
    }
    case 'patch-mode':
      return new PolicyPatch(target.policy, { ...target.policy, mode: 'STRICT' }, { spec: { mtls: { mode: 'STRICT' } } }, index);
    case 'create':
      return new NamespacePolicyCreation(target.namespace, index);
  }
}

/** Sets `mtls.mode`, or one `portLevelMtls` entry, of an existing policy to STRICT. */
class PolicyPatch implements StrictChange {
  readonly action = SET_STRICT_ACTION;
  readonly change: Record<string, unknown>;
  readonly blockers: string[] = [];
  /** A mesh-wide policy reaches every server; any other only servers that see it. */
  private readonly meshWide: boolean;

  constructor(
    private readonly policy: PeerAuthenticationPolicy,
    private readonly patched: PeerAuthenticationPolicy,
    patch: Record<string, unknown>,
    index: PeerAuthenticationIndex,
  ) {
    this.change = mergePatch(policy, patch);
    this.meshWide = !policy.selector && policy.namespace === index.rootNamespace;
    if (this.meshWide && !policy.portLevelMtls.size) this.blockers.push(meshWideBlocker(policy.namespace));
  }

  apply(applicable: ApplicablePeerAuthentications): ApplicablePeerAuthentications {
    return replacePolicy(applicable, this.policy, this.patched);
  }

  reaches(r: ServerRecord): boolean {
    const p = this.policy;
    return this.meshWide || r.applicable.mesh === p || r.applicable.namespace === p || r.applicable.workload === p;
  }

  candidates(servers: ServerGroups): readonly ServerRecord[] {
    if (this.meshWide) return servers.all;
    return this.policy.selector ? servers.selectedBy(this.policy) : servers.inNamespace(this.policy.namespace);
  }
}

/**
 * Creates a namespace-wide policy with `mtls.mode: STRICT`, named `default` as Istio's docs name
 * it. A namespace with no namespace-wide policy may still hold a workload policy called `default`
 * (with a selector): the create would then be refused as AlreadyExists, so it takes the first
 * free name instead (`default-2`). Istio goes by the missing selector, not by the name.
 */
class NamespacePolicyCreation implements StrictChange {
  readonly action = CREATE_STRICT_ACTION;
  readonly change: Record<string, unknown>;
  readonly blockers: string[] = [];
  private readonly created: PeerAuthenticationPolicy;
  /** In the root namespace a selector-less policy is the mesh-wide one. */
  private readonly isRoot: boolean;

  constructor(
    private readonly namespace: string,
    index: PeerAuthenticationIndex,
  ) {
    const name = firstFreeName('default', new Set(index.policiesIn(namespace).map(nameOfPolicy)));
    const object = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name, namespace },
      spec: { mtls: { mode: 'STRICT' } },
    };
    this.created = {
      name,
      namespace,
      apiVersion: object.apiVersion,
      source: { file: '(new)', line: 0 },
      doc: object,
      mode: 'STRICT',
      portLevelMtls: new Map(),
    };
    this.change = { operation: 'create', object };
    this.isRoot = namespace === index.rootNamespace;
    if (this.isRoot) this.blockers.push(meshWideBlocker(namespace));
  }

  apply(applicable: ApplicablePeerAuthentications): ApplicablePeerAuthentications {
    return this.isRoot ? { ...applicable, mesh: this.created } : { ...applicable, namespace: this.created };
  }

  reaches(r: ServerRecord): boolean {
    return this.isRoot || r.workload.namespace === this.namespace;
  }

  candidates(servers: ServerGroups): readonly ServerRecord[] {
    return this.isRoot ? servers.all : servers.inNamespace(this.namespace);
  }
}

/**
 * A mesh-wide policy is the default of every namespace of the mesh, those the audit did not read
 * as well (a repository holds a few teams' manifests, a scoped read some namespaces): the
 * preconditions checked here cannot cover them all, so a person decides.
 */
function meshWideBlocker(rootNamespace: string): string {
  return `the change is to the mesh-wide PeerAuthentication (root namespace ${rootNamespace}): it sets the default of every namespace of the mesh, also those this audit did not read`;
}

function nameOfPolicy(policy: PeerAuthenticationPolicy): string {
  return policy.name;
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
  const out: ApplicablePeerAuthentications = {};
  if (applicable.mesh) out.mesh = applicable.mesh === from ? to : applicable.mesh;
  if (applicable.namespace) out.namespace = applicable.namespace === from ? to : applicable.namespace;
  if (applicable.workload) out.workload = applicable.workload === from ? to : applicable.workload;
  return out;
}
