/**
 * Sidecar resources (networking.istio.io) that narrow what a workload's sidecar knows. A Sidecar
 * with `egress` gives its workloads outbound listeners and clusters only for the hosts its
 * `egress[].hosts` import (`namespace/dnsName`: `*` any namespace, `.` the workload's own, which
 * for a Sidecar outside the root namespace is the Sidecar's, `~` none). A call to any other host finds no listener: with outboundTrafficPolicy ALLOW_ANY (the
 * MeshConfig default; the Sidecar's own setting wins) it goes out through PassthroughCluster as
 * the application wrote it, plaintext for an HTTP client, and a STRICT server refuses it; with
 * REGISTRY_ONLY it goes to the BlackHoleCluster and reaches nobody.
 *
 * The Sidecar that applies to a workload: one in its namespace whose `workloadSelector.labels`
 * match its pods, else its namespace's Sidecar without a selector, else the root namespace's
 * (the oldest first wherever several would do, as Istio picks).
 */
import type { KubeObject, Located } from '../../core/model/inventory';
import { isLooseRecord } from '../../core/is-record';
import { sortByCreation } from './creationOrder';
import { isIstioGateway } from './gateways';
import { isEmptyLabels, readLabelMap, selectorMatches, type Labels } from './labels';
import { nameOf, namespaceOf } from './objectKey';
import { dialedPorts, serverName, type PlaintextCaller } from './plaintextCallers';
import type { ServerRecord } from './servers';
import type { WorkloadTable } from './workloadTable';
import type { Workload } from './workloads';

export type OutboundTrafficMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** One `egress` listener: the hosts it imports, on its port or on every port. */
interface EgressListener {
  port?: number;
  hosts: Array<{ namespace: string; dnsName: string }>;
}

export interface SidecarScope {
  name: string;
  namespace: string;
  selector?: Labels;
  /** Undefined without `egress`: the sidecar then imports every host it can see. */
  egress?: EgressListener[];
  /** The Sidecar's own `outboundTrafficPolicy.mode`, when it sets one. */
  outboundMode?: OutboundTrafficMode;
}

/** Reads the Sidecars, oldest first; one whose egress or selector cannot be read is left out (Istio's validation refuses it). */
export function readSidecars(objects: readonly Located<KubeObject>[]): SidecarScope[] {
  const out: SidecarScope[] = [];
  for (const { doc } of sortByCreation([...objects])) {
    const sidecar = readSidecar(doc);
    if (sidecar) out.push(sidecar);
  }
  return out;
}

function readSidecar(doc: KubeObject): SidecarScope | undefined {
  const spec = doc.spec;
  if (!isLooseRecord(spec)) return undefined;
  const sidecar: SidecarScope = { name: nameOf(doc), namespace: namespaceOf(doc) };
  const rawSelector = spec.workloadSelector?.labels;
  if (rawSelector !== undefined) {
    const labels = readLabelMap(rawSelector);
    if ('error' in labels) return undefined;
    if (!isEmptyLabels(labels as Labels)) sidecar.selector = labels as Labels;
  }
  if (Array.isArray(spec.egress)) {
    const egress: EgressListener[] = [];
    for (const entry of spec.egress) {
      if (!entry || !Array.isArray(entry.hosts)) return undefined;
      const listener: EgressListener = { hosts: [] };
      if (typeof entry.port?.number === 'number') listener.port = entry.port.number;
      for (const host of entry.hosts) {
        const slash = typeof host === 'string' ? host.indexOf('/') : -1;
        if (slash <= 0) return undefined;
        listener.hosts.push({ namespace: host.slice(0, slash), dnsName: host.slice(slash + 1) });
      }
      egress.push(listener);
    }
    sidecar.egress = egress;
  }
  const mode = spec.outboundTrafficPolicy?.mode;
  if (mode === 'ALLOW_ANY' || mode === 'REGISTRY_ONLY') sidecar.outboundMode = mode;
  return sidecar;
}

/**
 * One caller per Sidecar whose egress leaves hosts out while unknown hosts pass through, standing
 * for the workloads with a sidecar (not ambient, not gateways, which Sidecars do not configure)
 * it applies to.
 */
export function passthroughCallers(sidecars: readonly SidecarScope[], table: WorkloadTable, rootNamespace: string, meshMode: OutboundTrafficMode): PlaintextCaller[] {
  if (sidecars.length === 0) return [];
  // Per Sidecar and calling namespace: `.` in the root namespace's Sidecar is each workload's own.
  const applied = new Map<SidecarScope, Map<string, Workload[]>>();
  for (let i = 0; i < table.workloads.length; i++) {
    const workload = table.workloads[i]!;
    const membership = table.entries[i]!.membership;
    if (!membership.inMesh || membership.ambient || isIstioGateway(workload)) continue;
    const sidecar = sidecarOf(workload, sidecars, rootNamespace);
    if (!sidecar?.egress || (sidecar.outboundMode ?? meshMode) !== 'ALLOW_ANY') continue;
    let byNamespace = applied.get(sidecar);
    if (!byNamespace) applied.set(sidecar, (byNamespace = new Map()));
    const list = byNamespace.get(workload.namespace);
    if (list) list.push(workload);
    else byNamespace.set(workload.namespace, [workload]);
  }
  const out: PlaintextCaller[] = [];
  for (const [sidecar, byNamespace] of applied) for (const [namespace, workloads] of byNamespace) out.push(passthroughCaller(sidecar, namespace, workloads));
  return out;
}

function sidecarOf(workload: Workload, sidecars: readonly SidecarScope[], rootNamespace: string): SidecarScope | undefined {
  let namespaceWide: SidecarScope | undefined;
  let rootWide: SidecarScope | undefined;
  for (const s of sidecars) {
    if (s.namespace === workload.namespace) {
      if (s.selector) {
        if (selectorMatches(s.selector, workload.podLabels)) return s;
      } else namespaceWide ??= s;
    } else if (s.namespace === rootNamespace && !s.selector) rootWide ??= s;
  }
  return namespaceWide ?? rootWide;
}

function passthroughCaller(sidecar: SidecarScope, callerNamespace: string, workloads: readonly Workload[]): PlaintextCaller {
  const name = `Sidecar ${sidecar.namespace}/${sidecar.name}`;
  const who = workloads.length === 1 ? workloads[0]!.key : `${workloads[0]!.key} and ${workloads.length - 1} more ${workloads.length === 2 ? 'workload' : 'workloads'}`;
  return {
    name,
    reasonToward(record) {
      const missing = unimportedHost(sidecar, callerNamespace, record);
      if (missing === undefined) return undefined;
      return `${name} does not import ${missing} in its egress hosts, and outbound traffic to unknown hosts is ALLOW_ANY: calls from ${who} to it go through PassthroughCluster in plaintext; they may reach ${serverName(record)}, which STRICT refuses`;
    },
  };
}

/**
 * A host of the server (`namespace/host`) that the Sidecar's egress does not import on a port
 * clients dial, or undefined. A server's hosts are those of the Services (and ServiceEntries)
 * that select it, all declared in its own namespace.
 */
function unimportedHost(sidecar: SidecarScope, callerNamespace: string, record: ServerRecord): string | undefined {
  const hosts = record.endpoint.hosts;
  if (hosts.length === 0) return undefined;
  const namespace = record.workload.namespace;
  const ports = dialedPorts(record);
  for (const host of hosts) {
    const imported = ports === undefined ? importedOn(sidecar, callerNamespace, namespace, host, undefined) : ports.every((p) => importedOn(sidecar, callerNamespace, namespace, host, p));
    if (!imported) return `${namespace}/${host}`;
  }
  return undefined;
}

function importedOn(sidecar: SidecarScope, callerNamespace: string, namespace: string, host: string, port: number | undefined): boolean {
  const egress = sidecar.egress ?? [];
  // A listener for the port owns it: the catch-all (port-less) listener serves only the ports none names.
  const owned = port !== undefined && egress.some((l) => l.port === port);
  for (const listener of egress) {
    if (owned ? listener.port !== port : listener.port !== undefined) continue;
    for (const h of listener.hosts) if (namespaceMatches(h.namespace, namespace, callerNamespace) && dnsMatches(h.dnsName, host)) return true;
  }
  return false;
}

function namespaceMatches(pattern: string, namespace: string, callerNamespace: string): boolean {
  if (pattern === '*') return true;
  if (pattern === '.') return namespace === callerNamespace;
  return pattern === namespace;
}

function dnsMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}
