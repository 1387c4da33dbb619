import type { CauseRef, ClientPolicy } from '../../core/model/types';
import type { Destination } from './destinations';
import { loadBalancerPassthrough, type DestinationRulePolicy, type DestinationSubset, type TrafficPolicy } from './destinationRule';
import { decidingRule, type ClientScope, type ConsolidatedDestinationRule, type DestinationRuleIndex } from './destinationRuleIndex';
import { effectiveClientTls, subsetClientTls, type ClientTlsDecision } from './effectiveClientTls';
import { HostTable } from './hostMatch';
import { routingLabelsOf, selectorMatches, type Labels } from './labels';
import type { CallerControlPlanes } from './controlPlanes';
import type { MeshSettings } from './meshConfig';
import { inferredServiceMode, serverOnPort, type DestinationNeeds, type ServerRecord, type ServerTable } from './servers';
import { targetPortOn, type KubeService } from './services';
import type { Workload } from './workloads';

/**
 * A ClientPolicy with the callers that reach it. The core's ClientPolicy has no field for the
 * calling side, so the Istio provider adds it here (optional for every other reader).
 */
export interface IstioClientPolicy extends ClientPolicy {
  /** Namespaces whose workloads make this decision (those a workload-selector rule does not pick). */
  clientNamespaces: string[];
  /** Workloads (`ns/Kind/name`) a DestinationRule's workloadSelector picks, when their decision differs from their namespace's. */
  clientWorkloads?: string[];
}

/** A client policy with the inputs that produced it, for fixes. */
export interface ClientRecord {
  policy: IstioClientPolicy;
  decision: ClientTlsDecision;
  destination: Destination;
  /** The service port of a portLevelSettings decision. */
  port?: number;
  servers: ServerRecord[];
}

export interface ClientInputs {
  index: DestinationRuleIndex;
  mesh: MeshSettings;
  destinations: Destination[];
  /** Namespaces that hold workloads or DestinationRules: the callers that matter. */
  clientNamespaces: string[];
  workloadsByNamespace: ReadonlyMap<string, Workload[]>;
  servers: ServerTable;
  /**
   * The MeshConfig of the control plane serving each caller (a namespace's `istio.io/rev`, or a
   * pod template's), where revisions disagree on auto mTLS; without it every caller uses `mesh`.
   */
  planes?: CallerControlPlanes;
}

/** A namespace name Kubernetes cannot have: "a caller with no rules of its own and not named in any exportTo". */
const ANY_OTHER_NAMESPACE = '\u0000any';

interface SelectorGroup {
  labels: Labels;
  workloads: string[];
}

/**
 * Computes, for every destination, which DestinationRule each calling namespace uses and what
 * it sends, and emits each distinct decision once with the callers that reach it.
 *
 * Most namespaces behave alike (no rules of their own, not named in any exportTo), so the
 * decision is computed once for "any other namespace"; only namespaces whose own rules match
 * the host, or that a matching rule names in exportTo, are looked up separately.
 */
export function buildClients(input: ClientInputs): ClientRecord[] {
  const { index, destinations, clientNamespaces } = input;
  const clientSet = new Set(clientNamespaces);

  // Which calling namespaces have a rule of their own for a host.
  const ownersOfHost = new Map<string, string[]>();
  const ownersOfWildcard = new Map<string, string[]>();
  const wildcardOwners = new HostTable<string[]>();
  const groupsByNamespace = new Map<string, SelectorGroup[]>();
  for (const ns of clientNamespaces) {
    const hosts = index.localHosts(ns);
    for (const h of hosts.specific) push(ownersOfHost, h, ns);
    for (const h of hosts.wildcard) push(ownersOfWildcard, h, ns);
    const groups = selectorGroups(index, ns, input.workloadsByNamespace.get(ns) ?? []);
    if (groups.length > 0) groupsByNamespace.set(ns, groups);
  }
  for (const [host, owners] of ownersOfWildcard) wildcardOwners.set(host, owners);
  const named = [...index.namedInExportTo].filter((ns) => clientSet.has(ns));
  const callersWithOwnView = (destination: Destination): Set<string> | undefined => {
    let out: Set<string> | undefined;
    const owners = ownersOfHost.get(destination.host);
    if (owners) out = new Set(owners);
    if (wildcardOwners.size > 0) {
      for (const list of coveringWildcardOwners(wildcardOwners, destination.host)) for (const ns of list) (out ??= new Set()).add(ns);
    }
    if (named.length > 0) {
      for (const owning of [destination.namespace, index.rootNamespace]) {
        if (owning === undefined) continue;
        for (const entry of index.exportedMatch(owning, destination.host) ?? []) {
          for (const ns of named) if (entry.exportTo.has(ns)) (out ??= new Set()).add(ns);
        }
      }
    }
    return out;
  };
  // Callers minus the namespaces that decide otherwise, shared between destinations with the same exceptions.
  const callersExcept = new Map<string, string[]>();

  const records: ClientRecord[] = [];
  for (const destination of destinations) {
    if (!index.mayMatch(destination.host)) {
      // No rule for the host anywhere: every caller goes without one.
      if (clientNamespaces.length > 0) records.push(...emitPerControlPlane(input, destination, undefined, clientNamespaces, NO_WORKLOADS));
      continue;
    }
    const generic = index.destinationRuleFor(ANY_OTHER_CALLER, destination.host, destination.namespace);
    const candidates = callersWithOwnView(destination);
    if (!candidates || candidates.size === 0) {
      // The common case: every caller sees the same rule (or none), so one outcome covers them all.
      if (clientNamespaces.length > 0) records.push(...emitPerControlPlane(input, destination, generic, clientNamespaces, NO_WORKLOADS));
      continue;
    }

    const outcomes = new OutcomesByRule();
    const genericOutcome = outcomes.of(generic);
    const genericRule = generic && decidingRule(generic);
    const overriders = new Set<string>();
    const moved = new Set<string>();
    for (const ns of candidates) {
      const own = index.destinationRuleFor({ namespace: ns }, destination.host, destination.namespace);
      const ownRule = own && decidingRule(own);
      if (ownRule !== genericRule) {
        overriders.add(ns);
        outcomes.of(own).namespaces.push(ns);
      }
      for (const group of groupsByNamespace.get(ns) ?? []) {
        const picked = index.destinationRuleFor({ namespace: ns, labels: group.labels }, destination.host, destination.namespace);
        if ((picked && decidingRule(picked)) === ownRule) continue;
        outcomes.of(picked).workloads.push(...group.workloads);
        for (const w of group.workloads) moved.add(w);
      }
    }
    // Shared array when nobody overrides: a mesh-wide rule reaches every namespace for every host.
    if (overriders.size === 0) genericOutcome.namespaces = clientNamespaces;
    else {
      const key = [...overriders].sort().join('\u0000');
      let rest = callersExcept.get(key);
      if (!rest) callersExcept.set(key, (rest = clientNamespaces.filter((ns) => !overriders.has(ns))));
      genericOutcome.namespaces = rest;
    }

    for (const o of outcomes.all()) {
      if (o.namespaces.length === 0 && o.workloads.length === 0) continue;
      records.push(...emitPerControlPlane(input, destination, o.entry, o.namespaces, o.workloads, moved));
    }
  }
  return records;
}

/**
 * Which Services need a destination at all. Callers of a host no rule can match use auto mTLS,
 * and `emit` writes no record for that unless auto mTLS is off and a MeshConfig says so, or
 * auto mTLS fails at one of the Service's workloads (`buildServers` marks those with `add`):
 * with auto mTLS on, most Services of a fleet need nothing, and building their destinations
 * would be wasted work.
 */
export function serviceNeedsDestination(index: DestinationRuleIndex, ...meshes: MeshSettings[]): DestinationNeeds {
  const marked = new Set<KubeService>();
  const all = meshes.some((mesh) => !mesh.enableAutoMtls && mesh.configMap !== undefined);
  // Headless Services always: whether auto mTLS works for them depends on every pod behind them at once.
  const needs = ((svc: KubeService) => all || svc.headless || index.mayMatchService(svc.namespace, svc.name) || (marked.size > 0 && marked.has(svc))) as DestinationNeeds;
  needs.add = (svc) => void marked.add(svc);
  return needs;
}

/** "A caller with no rules of its own and not named in any exportTo", looked up once per destination. */
const ANY_OTHER_CALLER: ClientScope = { namespace: ANY_OTHER_NAMESPACE };
const NO_WORKLOADS: string[] = [];

interface Outcome {
  entry?: ConsolidatedDestinationRule;
  namespaces: string[];
  workloads: string[];
}

/** The callers of one destination, keyed by the deciding rule: decisions depend only on the rule whose settings apply. */
class OutcomesByRule {
  private readonly byRule = new Map<DestinationRulePolicy | undefined, Outcome>();

  of(entry: ConsolidatedDestinationRule | undefined): Outcome {
    const key = entry && decidingRule(entry);
    let o = this.byRule.get(key);
    if (!o) this.byRule.set(key, (o = entry ? { entry, namespaces: [], workloads: [] } : { namespaces: [], workloads: [] }));
    return o;
  }

  all(): Iterable<Outcome> {
    return this.byRule.values();
  }
}

/**
 * `emit` once per control plane among the callers: the sidecars of a namespace labelled
 * `istio.io/rev: canary`, or of a pod template so labelled in a namespace without injection
 * labels, follow istiod-canary's MeshConfig (`istio-canary`), and with auto mTLS on in one
 * revision and off in another the same rule sends differently. A workload whose control plane
 * is not its namespace's calls as itself, unless `moved` (a workload-selector rule's callers)
 * says another outcome has it. Callers of the fleet's own revision keep their record ids; the
 * others' are suffixed with their ConfigMap.
 */
function emitPerControlPlane(
  input: ClientInputs,
  destination: Destination,
  entry: ConsolidatedDestinationRule | undefined,
  namespaces: string[],
  workloads: string[],
  moved?: ReadonlySet<string>,
): ClientRecord[] {
  const planes = input.planes;
  if (!planes) return emit(input, destination, entry, namespaces, workloads);
  const groups = callersByControlPlane(planes, namespaces, workloads, moved);
  const out: ClientRecord[] = [];
  for (const [mesh, group] of groups) {
    if (group.namespaces.length === 0 && group.workloads.length === 0) continue;
    if (mesh === input.mesh) {
      out.push(...emit(input, destination, entry, group.namespaces, group.workloads));
      continue;
    }
    for (const record of emit({ ...input, mesh }, destination, entry, group.namespaces, group.workloads)) {
      const via = mesh.configMap ? `${mesh.configMap.namespace}/${mesh.configMap.name}` : 'its revision';
      record.policy.id += `@${via}`;
      record.policy.findingKey = record.policy.findingKey === undefined ? `MeshConfig ${via}` : `${record.policy.findingKey}, MeshConfig ${via}`;
      // A rule without TLS settings leaves the choice to the MeshConfig; say which one (a ConfigMap client names itself).
      if (!record.decision.tls && record.decision.rule) record.policy.reason += ` (MeshConfig ${via}, which serves the callers' istio.io/rev)`;
      out.push(record);
    }
  }
  return out;
}

interface Callers {
  namespaces: string[];
  workloads: string[];
}

/** The callers of one outcome, split by the control plane serving each. */
function callersByControlPlane(planes: CallerControlPlanes, namespaces: readonly string[], workloads: readonly string[], moved: ReadonlySet<string> | undefined): Map<MeshSettings, Callers> {
  const groups = new Map<MeshSettings, Callers>();
  const groupOf = (mesh: MeshSettings): Callers => {
    let group = groups.get(mesh);
    if (!group) groups.set(mesh, (group = { namespaces: [], workloads: [] }));
    return group;
  };
  for (const ns of namespaces) {
    // A namespace whose workloads all call through another control plane stands for no caller of its own.
    if (!planes.wholeNamespaces.has(ns)) groupOf(planes.ofNamespace(ns)).namespaces.push(ns);
    for (const w of planes.workloadsOf.get(ns) ?? NO_WORKLOADS) if (!moved?.has(w)) groupOf(planes.ofWorkload.get(w)!).workloads.push(w);
  }
  for (const w of workloads) groupOf(planes.ofWorkload.get(w) ?? planes.ofNamespace(w.slice(0, w.indexOf('/')))).workloads.push(w);
  return groups;
}

function emit(
  input: ClientInputs,
  destination: Destination,
  entry: ConsolidatedDestinationRule | undefined,
  namespaces: string[],
  workloads: string[],
): ClientRecord[] {
  const { mesh } = input;
  if (!entry) {
    // Without a rule the sidecar uses auto mTLS: worth a record only where it fails, or with auto mTLS off.
    if (mesh.enableAutoMtls) return autoMtlsRecords(input, destination, namespaces, workloads);
    if (destination.kind !== 'Service' || !mesh.configMap) return [];
    const callers = { clientNamespaces: namespaces, ...(workloads.length > 0 ? { clientWorkloads: workloads } : {}) };
    const decision = effectiveClientTls(undefined, undefined, mesh, destination);
    const cm = mesh.configMap;
    const servers = serversBehind(input.servers, destination, destination.ports);
    return [
      {
        decision,
        destination,
        servers,
        policy: {
          id: `istio:${cm.namespace}/ConfigMap/${cm.name}->${destination.host}:*`,
          provider: 'istio',
          resource: { kind: 'ConfigMap', name: cm.name, namespace: cm.namespace, ...cm.source },
          sends: decision.sends,
          reason: decision.reason,
          cause: { kind: 'ConfigMap', name: cm.name, namespace: cm.namespace, scope: 'mesh', path: 'data.mesh.enableAutoMtls', source: cm.source },
          destination: { hosts: [destination.host], serverIds: serverIdsOf(servers) },
          ...(destination.inMesh !== undefined ? { inMeshDestination: destination.inMesh } : {}),
          ...callers,
        },
      },
    ];
  }

  const rule = decidingRule(entry);
  const portLevelPorts = distinctPortLevelPorts(rule.trafficPolicy);
  const known = destination.ports;
  const topLevelPorts = portLevelPorts.length === 0 ? known : known.filter((p) => !portLevelPorts.includes(p));
  const buckets: Array<number | undefined> = [];
  if (known.length === 0 || topLevelPorts.length > 0) buckets.push(undefined);
  for (const p of portLevelPorts) if (known.length === 0 || known.includes(p)) buckets.push(p);

  const records: ClientRecord[] = [];
  for (let i = 0; i < buckets.length; i++) {
    const port = buckets[i];
    const servers = serversBehind(input.servers, destination, port === undefined ? topLevelPorts : [port]);
    let decision = effectiveClientTls(entry, port, mesh, destination);
    // Passthrough by resolution (headless) or by the rule's load balancer. Istio infers the mode
    // from the top-level one only (BestEffortInferServiceMTLSMode(destinationRule.GetTrafficPolicy())),
    // while the port's merged one makes the cluster ORIGINAL_DST (cluster_builder.go applyDestinationRule).
    const headless = destination.service?.headless === true;
    const how = headless ? HEADLESS : { infersFromEndpoints: rule.trafficPolicy?.passthrough === true, originalDst: loadBalancerPassthrough(rule.trafficPolicy, port) };
    if (how.infersFromEndpoints || how.originalDst) decision = passthroughDecision(decision, servers, servers, how);
    pushRuleRecords(records, destination, rule, undefined, port, decision, servers, namespaces, workloads);
  }
  // Only rules that declare subsets pay for them: most have none, and this runs per destination.
  const members = entry.members;
  for (let m = 0; m < members.length; m++) {
    if (members[m]!.subsets === undefined) continue;
    addSubsetRecords(input, destination, entry, topLevelPorts, portLevelPorts, namespaces, workloads, records);
    break;
  }
  return records;
}

/**
 * One record per subset and port bucket where the subset's own settings send something other
 * than the rule's top level (Istio builds a cluster per subset, `MergeTrafficPolicy`). Subsets
 * come from every merged rule, unique by name, the first one winning (`mergeDestinationRule`).
 * Its servers are the workloads behind the Service whose pod labels the subset selects.
 */
function addSubsetRecords(
  input: ClientInputs,
  destination: Destination,
  entry: ConsolidatedDestinationRule,
  topLevelPorts: readonly number[],
  portLevelPorts: readonly number[],
  namespaces: string[],
  workloads: string[],
  out: ClientRecord[],
): void {
  const { mesh } = input;
  const known = destination.ports;
  const seen = new Set<string>();
  for (const owner of entry.members) {
    for (const subset of owner.subsets ?? []) {
      if (seen.has(subset.name)) continue;
      seen.add(subset.name);
      if (!subset.trafficPolicy) continue;
      const ownPorts = distinctPortLevelPorts(subset.trafficPolicy);
      // The subset's buckets: the top level's, with its own port-level ports split out of "any other port".
      const rest = ownPorts.length === 0 ? topLevelPorts : topLevelPorts.filter((p) => !ownPorts.includes(p));
      const buckets: Array<number | undefined> = [];
      if (known.length === 0 || rest.length > 0) buckets.push(undefined);
      for (const p of portLevelPorts) if (known.length === 0 || known.includes(p)) buckets.push(p);
      for (const p of ownPorts) if (!buckets.includes(p) && (known.length === 0 || known.includes(p))) buckets.push(p);

      for (const port of buckets) {
        let decision = subsetClientTls(owner, subset, port, mesh, destination, entry.selector !== undefined);
        if (!decision) continue; // the subset inherits the top level for this port
        const top = effectiveClientTls(entry, port, mesh, destination);
        if (decision.sends === top.sends && decision.tls?.mode === top.tls?.mode) continue;
        const all = serversBehind(input.servers, destination, port === undefined ? rest : [port]);
        const servers = all.filter((s) => selectorMatches(subset.labels, s.workload.podLabels));
        // No server the subset selects, among known ones: its cluster has no endpoints. The core
        // reads an empty serverIds as "match by host" and would pair it with every workload.
        if (servers.length === 0 && all.length > 0) continue;
        // A subset cluster infers from every endpoint of the Service port, not the subset's (ServiceEndpointsByPort without labels).
        if (destination.service?.headless) decision = passthroughDecision(decision, all, servers, HEADLESS);
        pushRuleRecords(out, destination, owner, subset, port, decision, servers, namespaces, workloads);
      }
    }
  }
}

/**
 * The records of one DestinationRule decision for a Service port: one, unless a named targetPort
 * resolves to different container ports on the workloads behind it. CONTRACT.md keys an Istio
 * finding's `port` by the workload port (as portLevelMtls does), while the rule's own key, the
 * Service port, stays in `destination.port`; one record per workload port keeps both exact.
 */
function pushRuleRecords(
  out: ClientRecord[],
  destination: Destination,
  owner: DestinationRulePolicy,
  subset: DestinationSubset | undefined,
  port: number | undefined,
  decision: ClientTlsDecision,
  servers: ServerRecord[],
  namespaces: string[],
  workloads: string[],
): void {
  if (port === undefined) {
    out.push(ruleRecord(destination, owner, subset, undefined, undefined, decision, servers, namespaces, workloads, false));
    return;
  }
  if (servers.length === 0) {
    out.push(ruleRecord(destination, owner, subset, port, declaredTargetPort(destination, port), decision, servers, namespaces, workloads, false));
    return;
  }
  const first = servers[0]!.port;
  let uniform = true;
  for (let i = 1; i < servers.length && uniform; i++) uniform = servers[i]!.port === first;
  if (uniform) {
    out.push(ruleRecord(destination, owner, subset, port, first, decision, servers, namespaces, workloads, false));
    return;
  }
  // Rare: group by workload port, in the order the ports are first met.
  const groups = new Map<number | undefined, ServerRecord[]>();
  for (const s of servers) {
    const group = groups.get(s.port);
    if (group) group.push(s);
    else groups.set(s.port, [s]);
  }
  for (const [workloadPort, group] of groups) out.push(ruleRecord(destination, owner, subset, port, workloadPort, decision, group, namespaces, workloads, true));
}

/**
 * The workload port a Service port sends to when no workload behind it is known: the numeric
 * targetPort, or the port itself without one; undefined for a name only a pod template resolves.
 */
function declaredTargetPort(destination: Destination, port: number): number | undefined {
  const ports = destination.service?.ports;
  if (!ports) return port;
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i]!;
    if (sp.port !== port) continue;
    if (sp.targetPort === undefined) return sp.port;
    return typeof sp.targetPort === 'number' ? sp.targetPort : undefined;
  }
  return port;
}

/** The record of one DestinationRule decision: the rule's top level (no subset) or one subset, for a port or for "any other port". */
function ruleRecord(
  destination: Destination,
  owner: DestinationRulePolicy,
  subset: DestinationSubset | undefined,
  port: number | undefined,
  workloadPort: number | undefined,
  decision: ClientTlsDecision,
  servers: ServerRecord[],
  namespaces: string[],
  workloads: string[],
  split: boolean,
): ClientRecord {
  const resource: IstioClientPolicy['resource'] = { kind: 'DestinationRule', name: owner.name, namespace: owner.namespace };
  const target: IstioClientPolicy['destination'] = { hosts: [destination.host] };
  if (workloadPort !== undefined) resource.port = workloadPort;
  if (port !== undefined) target.port = port;
  resource.file = owner.source.file;
  resource.line = owner.source.line;
  target.serverIds = serverIdsOf(servers);
  const policy: IstioClientPolicy = {
    id: `istio:${owner.namespace}/DestinationRule/${owner.name}->${destination.host}:${port ?? '*'}${split ? `>${workloadPort ?? '?'}` : ''}${subset ? `#${subset.name}` : ''}`,
    provider: 'istio',
    resource,
    sends: decision.sends,
    reason: decision.reason,
    cause: ruleCause(owner, decision),
    destination: target,
    clientNamespaces: namespaces,
  };
  if (subset) policy.findingKey = `subset ${subset.name}`;
  const labels = routingLabelsOf(owner.doc.metadata?.labels);
  if (labels) policy.labels = labels;
  if (destination.inMesh !== undefined) policy.inMeshDestination = destination.inMesh;
  if (decision.tls?.mode === 'ISTIO_MUTUAL' || (decision.passthrough && decision.sends === 'MTLS')) policy.meshIdentity = true;
  if (workloads.length > 0) policy.clientWorkloads = workloads;
  const record: ClientRecord = { policy, decision, destination, servers };
  if (decision.scope === 'port') record.port = port;
  return record;
}

/** The rule as the cause, with the path of the `tls` that decided when this rule wrote it. */
function ruleCause(owner: DestinationRulePolicy, decision: ClientTlsDecision): CauseRef {
  const cause: CauseRef = { kind: 'DestinationRule', name: owner.name, namespace: owner.namespace, scope: decision.scope === 'port' ? 'port' : 'namespace', source: owner.source };
  const tls = decision.tls;
  if (tls?.path !== undefined && decision.rule === owner) cause.path = tls.raw['mode'] === undefined ? tls.path : `${tls.path}.mode`;
  return cause;
}

/**
 * The callers of a Service that no rule governs, where auto mTLS fails at one of its workloads
 * (a workload policy that departs from the namespace's, see `autoMtlsMismatch`). No object
 * makes their choice, so the Service they call stands for them.
 */
function autoMtlsRecords(input: ClientInputs, destination: Destination, namespaces: string[], workloads: string[]): ClientRecord[] {
  const svc = destination.service;
  if (destination.kind !== 'Service' || !svc) return [];
  const servers = serversBehind(input.servers, destination, destination.ports);
  if (!svc.headless && !servers.some((s) => s.endpoint.autoMtls !== undefined)) return [];
  let decision = effectiveClientTls(undefined, undefined, input.mesh, destination);
  decision.reason = `no DestinationRule for ${destination.host}: auto mTLS`;
  if (svc.headless) {
    decision = passthroughDecision(decision, servers, servers, HEADLESS);
    if (!decision.passthrough && !servers.some((s) => s.endpoint.autoMtls !== undefined)) return [];
  }
  const policy: IstioClientPolicy = {
    id: `istio:auto-mtls->${destination.host}:*`,
    provider: 'istio',
    resource: { kind: 'Service', name: svc.name, namespace: svc.namespace, ...svc.source },
    sends: decision.sends,
    reason: decision.reason,
    cause: { kind: 'Service', name: svc.name, namespace: svc.namespace, scope: 'default', source: svc.source },
    destination: { hosts: [destination.host], serverIds: serverIdsOf(servers) },
    clientNamespaces: namespaces,
  };
  if (decision.sends === 'MTLS') policy.meshIdentity = true;
  if (destination.inMesh !== undefined) policy.inMeshDestination = destination.inMesh;
  if (workloads.length > 0) policy.clientWorkloads = workloads;
  return [{ decision, destination, servers, policy }];
}

/**
 * How a passthrough cluster decides: `infersFromEndpoints` when Istio infers the mode from every
 * endpoint (headless, or a top-level PASSTHROUGH load balancer), `originalDst` when the cluster
 * is ORIGINAL_DST (headless, or the port's merged load balancer is PASSTHROUGH).
 */
interface Passthrough {
  infersFromEndpoints: boolean;
  originalDst: boolean;
}

const HEADLESS: Passthrough = Object.freeze({ infersFromEndpoints: true, originalDst: true });

/**
 * What auto mTLS sends a passthrough destination, where that departs from AUTO ("mTLS to
 * sidecars, plaintext otherwise"); else the decision as it is. Istio infers DISABLE, and builds
 * no TLS, when any endpoint has no sidecar, else follows the namespace-wide or mesh-wide mode
 * (push_context.go BestEffortInferServiceMTLSMode). An ORIGINAL_DST cluster (a headless Service
 * with PILOT_ENABLE_EDS_FOR_HEADLESS_SERVICES off, the default, or a PASSTHROUGH load balancer)
 * has no endpoints to carry a tlsMode, so the TLS Istio picks goes to every pod (cluster_tls.go
 * applyUpstreamTLSSettings). `endpoints` are all the Service port's servers, `reached` those
 * this cluster sends to.
 */
function passthroughDecision(decision: ClientTlsDecision, endpoints: readonly ServerRecord[], reached: readonly ServerRecord[], how: Passthrough): ClientTlsDecision {
  if (decision.sends !== 'AUTO' || endpoints.length === 0) return decision;
  let bare: ServerRecord | undefined;
  for (let i = 0; i < endpoints.length && !bare; i++) if (!endpoints[i]!.endpoint.inMesh) bare = endpoints[i];
  if (bare && how.infersFromEndpoints) {
    // Plaintext to every pod departs from AUTO only at pods with a sidecar.
    if (!reached.some(hasSidecar)) return decision;
    const where = how === HEADLESS ? 'behind the headless Service has no sidecar' : "has no sidecar and the rule's top-level loadBalancer is PASSTHROUGH";
    const reason = `${decision.reason}, but ${bare.workload.key} ${where}, so Istio infers DISABLE and sends plaintext to every pod`;
    return { ...decision, sends: 'PLAINTEXT', reason, passthrough: true };
  }
  // Per-endpoint transport sockets: auto mTLS as for any Service.
  if (!how.originalDst) return decision;
  // A DISABLE namespace or mesh gives a cluster without TLS, as for any Service: the servers' `autoMtls` says where that fails.
  if (inferredServiceMode(endpoints[0]!.applicable).mode === 'DISABLED') return decision;
  // Only a pod the inference did not look at can lack a sidecar here.
  if (!reached.some((s) => refusesMtls(s) || !hasSidecar(s))) return decision;
  const reason =
    how === HEADLESS
      ? `${decision.reason}, but the headless Service's ORIGINAL_DST cluster sends ISTIO_MUTUAL to every pod, whatever the pod's own PeerAuthentication`
      : `${decision.reason}, but the PASSTHROUGH loadBalancer makes an ORIGINAL_DST cluster, which sends ISTIO_MUTUAL to every pod, whatever the pod's own PeerAuthentication or sidecar`;
  return { ...decision, sends: 'MTLS', reason, passthrough: true };
}

function hasSidecar(server: ServerRecord): boolean {
  return server.endpoint.inMesh;
}

function refusesMtls(server: ServerRecord): boolean {
  return server.endpoint.inMesh && server.endpoint.mode === 'DISABLED';
}

const NO_PORTS: readonly number[] = Object.freeze([]);

/** The ports a traffic policy's portLevelSettings name, each once, in order. */
function distinctPortLevelPorts(policy: TrafficPolicy | undefined): readonly number[] {
  const settings = policy?.portLevelSettings;
  if (!settings || settings.length === 0) return NO_PORTS;
  const ports: number[] = [];
  for (const p of settings) if (!ports.includes(p.port)) ports.push(p.port);
  return ports;
}

function serverIdsOf(servers: readonly ServerRecord[]): string[] {
  return servers.map(serverIdOf);
}

function serverIdOf(server: ServerRecord): string {
  return server.endpoint.id;
}

/** Servers behind a Service for some of its ports: service port → targetPort → the workload's port. */
function serversBehind(table: ServerTable, destination: Destination, servicePorts: readonly number[]): ServerRecord[] {
  const svc = destination.service;
  if (!svc) return [];
  const out: ServerRecord[] = [];
  const workloads = table.workloadsBehind.get(svc.host);
  if (!workloads) return out;
  for (let w = 0; w < workloads.length; w++) {
    const workload = workloads[w]!;
    const byPort = table.workloads.portServersOf(workload);
    for (let i = 0; i < svc.ports.length; i++) {
      const sp = svc.ports[i]!;
      if (!servicePorts.includes(sp.port)) continue;
      const target = targetPortOn(sp, workload);
      const record = target === undefined || !byPort ? undefined : serverOnPort(byPort, target);
      // Two service ports may send to one workload port.
      if (record && !out.includes(record)) out.push(record);
    }
  }
  return out;
}

/** Workloads of a namespace grouped by the selector rules that pick them. */
function selectorGroups(index: DestinationRuleIndex, namespace: string, workloads: Workload[]): SelectorGroup[] {
  const rules = index.selectorRulesFor(namespace);
  if (rules.length === 0) return [];
  const groups = new Map<string, SelectorGroup>();
  for (const w of workloads) {
    const picked = rules.filter((r) => Object.entries(r.workloadSelector!).every(([k, v]) => w.podLabels[k] === v));
    if (picked.length === 0) continue;
    const key = picked.map((r) => r.name).sort().join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels: w.podLabels, workloads: [] }));
    group.workloads.push(w.key);
  }
  return [...groups.values()];
}

/**
 * Namespaces owning a wildcard rule that matches the host. Every matching wildcard counts, not
 * only the most specific one: each namespace's own pool picks its own.
 */
function coveringWildcardOwners(table: HostTable<string[]>, host: string): string[][] {
  return table.allWildcardMatches(host);
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
}
