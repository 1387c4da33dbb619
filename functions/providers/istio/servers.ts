import type { CauseRef, ConfigProblem, ServerEndpoint } from '../../core/model/types';
import { isIstioGateway } from './gateways';
import { effectiveServerMode, type EffectiveServerMode } from './effectiveServerMode';
import { uncapturedAutoMtlsReason, uncapturedCause, uncapturedInbound, type UncapturedPort } from './inboundCapture';
import type { ApplicablePeerAuthentications, PeerAuthenticationIndex } from './peerAuthentication';
import type { WorkloadMembership } from './membership';
import type { WorkloadTable } from './workloadTable';
import { NamespaceRun } from './namespaceRun';
import { PortLevelKeyCheck, type ServicePortTarget } from './portLevelKeys';
import { append } from './shortLists';
import { NO_SERVICES, takesOutsideClients, targetPortOn, type KubeService, type ServiceIndex } from './services';
import type { Workload } from './workloads';
import { outsideRouteTo, type OutsideRoute } from './outsideRoutes';

/** A server with the inputs that produced it, so fixes can re-run the same precedence. */
export interface ServerRecord {
  endpoint: ServerEndpoint;
  workload: Workload;
  port?: number;
  applicable: ApplicablePeerAuthentications;
  /** What the PeerAuthentications decide for the port (an uncaptured port ignores it). */
  effective: EffectiveServerMode;
  /** Set when the sidecar does not capture the port (inboundCapture.ts). */
  uncaptured?: UncapturedPort;
  /** The first selecting Service that brings clients from outside the mesh to this port (LoadBalancer, NodePort, externalIPs). */
  exposedBy?: KubeService;
  /** The first Ingress or Gateway API route of another class than Istio's that sends to this port. */
  routedFromOutside?: RoutedPort;
}

/** An outside route to one Service port, and so to a workload port behind it. */
export interface RoutedPort {
  route: OutsideRoute;
  service: KubeService;
  servicePort: number;
}

export interface ServerTable {
  records: ServerRecord[];
  workloads: WorkloadTable;
  /** Workloads each Service (by host) selects; only for the Services that get a client destination. */
  workloadsBehind: Map<string, Workload[]>;
}

export function serverId(workload: Workload, port?: number): string {
  return `istio:${workload.key}:${port ?? '*'}`;
}

/** The server for one port of a workload (ports compare as Map keys do, so even NaN finds itself). */
export function serverOnPort(servers: readonly ServerRecord[], port: number): ServerRecord | undefined {
  for (let i = 0; i < servers.length; i++) if (sameNumber(servers[i]!.port!, port)) return servers[i];
  return undefined;
}

/**
 * One server per workload port: the container ports, plus the ports Services send to (numeric
 * targetPorts, and named ones resolved through container port names). A workload without any
 * known port that a Service selects still gets one server, without a port; one no Service
 * selects gets none.
 *
 * This runs once per workload of the fleet, mostly before the JIT has warmed up, so it keeps to
 * indexed loops and small arrays: in cold code every for-of step, Map and sort allocates.
 */
export function buildServers(
  workloadTable: WorkloadTable,
  services: ServiceIndex,
  peerAuthentications: PeerAuthenticationIndex,
  needsDestination: DestinationNeeds,
  problems: ConfigProblem[] = [],
): ServerTable {
  const portKeys = new PortLevelKeyCheck(problems);
  const table: ServerTable = { records: [], workloads: workloadTable, workloadsBehind: new Map() };
  const workloads = workloadTable.workloads;
  // Workloads share their PeerAuthentication chain (one object per chain), so the port-independent
  // answer is worked out once per chain rather than once per port.
  const chainMode = new Map<ApplicablePeerAuthentications, EffectiveServerMode>();
  const causes = new CauseCache();
  const servicesOf = new NamespaceRun((namespace) => services.inNamespace(namespace));
  const policiesOf = new NamespaceRun((namespace) => peerAuthentications.inNamespace(namespace));
  let added: Set<KubeService> | undefined;
  for (let w = 0; w < workloads.length; w++) {
    const workload = workloads[w]!;
    // A gateway's listeners take their TLS from Gateway resources, not PeerAuthentication: it is
    // the mesh's edge, not one of its mTLS servers (its membership still counts).
    if (isIstioGateway(workload)) continue;
    const selecting = servicesOf.get(workload.namespace)?.matching(workload.podLabels) ?? NO_SERVICES;
    const hosts = selecting.map(hostOf);
    const targets = serviceTargetsOf(workload, selecting);
    const ports = workloadPorts(workload, targets);
    const applicable = policiesOf.get(workload.namespace).applicableTo(workload.podLabels);
    const workloadPolicy = applicable.workload;
    if (workloadPolicy && workloadPolicy.portLevelMtls.size > 0 && targets.length > 0) portKeys.check(workloadPolicy, workload, ports, servicePortTargets(targets));
    let chainEffective = chainMode.get(applicable);
    if (!chainEffective) chainMode.set(applicable, (chainEffective = effectiveServerMode(applicable)));
    const entry = workloadTable.entries[w]!;
    // No port of its own and no Service in front (a one-shot Job, a wget test Pod): nothing
    // listens, so there is no server; its membership still counts it as a caller.
    if (ports.length === 0 && selecting.length === 0) {
      entry.portServers = [];
      continue;
    }
    const membership = entry.membership;
    const withPort = new Array<ServerRecord>(ports.length);
    let autoMtlsFails = false;
    if (ports.length === 0) {
      const record = serverRecord(workload, undefined, applicable, chainEffective, causes.of(chainEffective, workload), membership, hosts, undefined);
      table.records.push(record);
      autoMtlsFails = record.endpoint.autoMtls !== undefined;
    }
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      // Only a portLevelMtls entry of the workload policy can make a port differ from its chain.
      const effective = applicable.workload?.portLevelMtls.has(port) ? effectiveServerMode(applicable, port) : chainEffective;
      const record = serverRecord(workload, port, applicable, effective, causes.of(effective, workload), membership, hosts, targetOf(targets, port));
      table.records.push(record);
      withPort[i] = record;
      if (record.endpoint.autoMtls) autoMtlsFails = true;
    }
    // A workload listed twice: clients reach its last copy's servers.
    entry.portServers = withPort;
    for (let i = 0; i < hosts.length; i++) {
      const svc = selecting[i]!;
      if (autoMtlsFails && !needsDestination(svc)) {
        // Its callers fail through auto mTLS alone, so the Service needs a client record even without a rule.
        needsDestination.add(svc);
        (added ??= new Set()).add(svc);
      }
      if (added?.has(svc) || !needsDestination(svc)) continue;
      const list = table.workloadsBehind.get(hosts[i]!);
      if (list) list.push(workload);
      else table.workloadsBehind.set(hosts[i]!, [workload]);
    }
  }
  if (added) addWorkloadsBehind(table, added, services);
  return table;
}

/** Every workload behind the Services marked late, in model order: rare, so a second pass over the fleet costs nothing in the common case. */
function addWorkloadsBehind(table: ServerTable, added: ReadonlySet<KubeService>, services: ServiceIndex): void {
  const namespaces = new Set<string>();
  for (const svc of added) namespaces.add(svc.namespace);
  const workloads = table.workloads.workloads;
  for (let w = 0; w < workloads.length; w++) {
    const workload = workloads[w]!;
    if (!namespaces.has(workload.namespace)) continue;
    const selecting = services.inNamespace(workload.namespace)?.matching(workload.podLabels) ?? NO_SERVICES;
    for (const svc of selecting) {
      if (!added.has(svc)) continue;
      const list = table.workloadsBehind.get(svc.host);
      if (list) list.push(workload);
      else table.workloadsBehind.set(svc.host, [workload]);
    }
  }
}

/** Which Services get a client destination: those a rule may match, and those `add` marks. */
export interface DestinationNeeds {
  (svc: KubeService): boolean;
  add(svc: KubeService): void;
}

/**
 * What Istio auto mTLS sends to a STRICT server whose Service it takes for plaintext-only, or
 * undefined. Istio decides in two steps: the cluster gets a TLS transport socket only when the
 * mode it infers for the Service from the namespace-wide or mesh-wide policy is not DISABLE
 * (pilot `BestEffortInferServiceMTLSMode`, `buildAutoMtlsSettings`); then each endpoint is
 * marked for mTLS by its own workload and port policies (EDS `checkMtlsEnabled`). So a workload
 * DISABLE under a STRICT namespace gets plaintext and works, while a workload STRICT under a
 * DISABLE namespace gets plaintext too, from a cluster without TLS, and refuses it.
 */
export function autoMtlsMismatch(applicable: ApplicablePeerAuthentications, effective: EffectiveServerMode): ServerEndpoint['autoMtls'] {
  if (effective.mode !== 'STRICT' || (effective.scope !== 'workload' && effective.scope !== 'port')) return undefined;
  const inferred = inferredServiceMode(applicable);
  if (inferred.mode !== 'DISABLED') return undefined;
  return { sends: 'PLAINTEXT', reason: `Istio infers DISABLE for the Service from ${describeInference(inferred)}, so its cluster has no TLS, whatever the workload's own policy says` };
}

/** The mode auto mTLS assumes for a destination: its namespace-wide policy, else the mesh-wide one. */
export function inferredServiceMode(applicable: ApplicablePeerAuthentications): EffectiveServerMode {
  return effectiveServerMode({ mesh: applicable.mesh, namespace: applicable.namespace });
}

function describeInference(inferred: EffectiveServerMode): string {
  const p = inferred.policy;
  if (!p) return 'no namespace-wide or mesh-wide PeerAuthentication';
  return `${inferred.scope === 'mesh' ? 'mesh-wide' : 'namespace-wide'} PeerAuthentication ${p.namespace}/${p.name}`;
}

function serverRecord(
  workload: Workload,
  port: number | undefined,
  applicable: ApplicablePeerAuthentications,
  effective: EffectiveServerMode,
  cause: CauseRef,
  membership: WorkloadMembership,
  hosts: string[],
  target: ServiceTarget | undefined,
): ServerRecord {
  const uncaptured = membership.inMesh && !membership.ambient && port !== undefined ? uncapturedInbound(workload.podAnnotations, port) : undefined;
  // Properties are added in the order the model has always listed them, so its JSON does not change.
  const resource: ServerEndpoint['resource'] = { kind: workload.kind, name: workload.name, namespace: workload.namespace };
  if (port !== undefined) resource.port = port;
  // An uncaptured port is set by the workload's own annotation, not by the policy.
  Object.assign(resource, uncaptured ? workload.source : (effective.policy?.source ?? workload.source));
  const endpoint: ServerEndpoint = {
    id: serverId(workload, port),
    provider: 'istio',
    resource,
    mode: effective.mode,
    inMesh: membership.inMesh,
    cause,
    hosts,
  };
  if (target) endpoint.servicePorts = target.servicePorts;
  endpoint.labels = workload.labels;
  if (membership.ambient) {
    // ztunnel has no DISABLE (PeerAuthentication reference, ambient mode): it takes plaintext and mTLS alike.
    if (effective.mode === 'DISABLED') {
      endpoint.mode = 'PERMISSIVE';
      endpoint.cause = { ...cause, field: 'mode DISABLE, which ambient mode does not support: ztunnel takes plaintext and mTLS' };
    }
  } else if (uncaptured && port !== undefined) {
    // The application answers the port itself: plaintext only, whatever the policies say.
    endpoint.mode = 'DISABLED';
    endpoint.cause = uncapturedCause(workload, uncaptured);
    // Auto mTLS still sends mTLS, unless Istio marks the endpoint or the Service plaintext from the policies.
    if (effective.mode !== 'DISABLED' && inferredServiceMode(applicable).mode !== 'DISABLED') {
      endpoint.autoMtls = { sends: 'MTLS', reason: uncapturedAutoMtlsReason(workload, port, uncaptured) };
    }
  } else if (membership.inMesh) {
    const auto = autoMtlsMismatch(applicable, effective);
    if (auto) endpoint.autoMtls = auto;
  }
  const record: ServerRecord = { endpoint, workload, applicable, effective };
  if (port !== undefined) record.port = port;
  if (uncaptured) record.uncaptured = uncaptured;
  if (target?.exposedBy) record.exposedBy = target.exposedBy;
  if (target?.routedBy) record.routedFromOutside = target.routedBy;
  return record;
}

/** A workload port and the Service ports that send to it (clients address Service ports). */
interface ServiceTarget {
  port: number;
  servicePorts: number[];
  /** The first of those Services that takes clients from outside the mesh. */
  exposedBy?: KubeService;
  /** The first outside route to one of those Service ports. */
  routedBy?: RoutedPort;
}

const NO_TARGETS: readonly ServiceTarget[] = Object.freeze([]);

/** The workload ports the selecting Services send to, in the order first seen. */
function serviceTargetsOf(workload: Workload, selecting: readonly KubeService[]): readonly ServiceTarget[] {
  if (selecting.length === 0) return NO_TARGETS;
  let targets: ServiceTarget[] | undefined;
  for (let s = 0; s < selecting.length; s++) {
    const svc = selecting[s]!;
    const ports = svc.ports;
    const outside = takesOutsideClients(svc);
    for (let i = 0; i < ports.length; i++) {
      const sp = ports[i]!;
      const target = targetPortOn(sp, workload);
      if (target === undefined) continue;
      let known: ServiceTarget | undefined;
      if (targets) for (let t = 0; t < targets.length && !known; t++) if (sameNumber(targets[t]!.port, target)) known = targets[t];
      if (!known) targets = append(targets, (known = { port: target, servicePorts: [sp.port] }));
      else if (!known.servicePorts.includes(sp.port)) known.servicePorts.push(sp.port);
      if (outside && !known.exposedBy) known.exposedBy = svc;
      if (svc.outsideRoutes && !known.routedBy) {
        const route = outsideRouteTo(svc, sp);
        if (route) known.routedBy = { route, service: svc, servicePort: sp.port };
      }
    }
  }
  return targets ?? NO_TARGETS;
}

function servicePortTargets(targets: readonly ServiceTarget[]): ServicePortTarget[] {
  const out: ServicePortTarget[] = [];
  for (const t of targets) for (const servicePort of t.servicePorts) out.push({ servicePort, workloadPort: t.port });
  return out;
}

function hostOf(service: KubeService): string {
  return service.host;
}

function targetOf(targets: readonly ServiceTarget[], port: number): ServiceTarget | undefined {
  for (let i = 0; i < targets.length; i++) if (sameNumber(targets[i]!.port, port)) return targets[i];
  return undefined;
}

/** The container ports and the ports Services send to, each once, in ascending order. */
function workloadPorts(workload: Workload, targets: readonly ServiceTarget[]): number[] {
  let ports: number[] | undefined;
  const declared = workload.containerPorts;
  for (let i = 0; i < declared.length; i++) if (!ports?.includes(declared[i]!.port)) ports = append(ports, declared[i]!.port);
  for (let i = 0; i < targets.length; i++) if (!ports?.includes(targets[i]!.port)) ports = append(ports, targets[i]!.port);
  if (!ports) return [];
  // Ports are usually declared in order already; sorting even two numbers allocates a work array.
  if (!isAscending(ports)) ports.sort((a, b) => a - b);
  return ports;
}

function isAscending(ports: readonly number[]): boolean {
  for (let i = 1; i < ports.length; i++) if (!(ports[i]! - ports[i - 1]! > 0)) return false;
  return true;
}

/** Map-key equality (SameValueZero): what the Map and Set this replaces used. */
function sameNumber(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * The cause of each server's mode. Servers whose mode one PeerAuthentication decides share one
 * (read-only) object; without a policy the workload's own document is the cause.
 */
class CauseCache {
  private readonly byPolicyDecision = new Map<EffectiveServerMode, CauseRef>();
  private lastWorkload?: Workload;
  private lastDefault?: CauseRef;

  of(effective: EffectiveServerMode, workload: Workload): CauseRef {
    const p = effective.policy;
    if (!p) {
      // No PeerAuthentication applies: Istio's built-in PERMISSIVE. The workload's own document is the coordinate.
      if (this.lastWorkload !== workload) {
        this.lastWorkload = workload;
        this.lastDefault = { kind: 'PeerAuthentication', name: '(none)', namespace: workload.namespace, scope: 'default', source: workload.source };
      }
      return this.lastDefault!;
    }
    let cause = this.byPolicyDecision.get(effective);
    if (!cause) {
      cause = { kind: 'PeerAuthentication', name: p.name, namespace: p.namespace, scope: effective.scope, source: p.source };
      // A mode that inherits (UNSET) is written nowhere: the policy's document stands for it.
      if (effective.port !== undefined) cause.path = `spec.portLevelMtls.${effective.port}.mode`;
      else if (p.mode !== 'UNSET') cause.path = 'spec.mtls.mode';
      this.byPolicyDecision.set(effective, cause);
    }
    return cause;
  }
}
