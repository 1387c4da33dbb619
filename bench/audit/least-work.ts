/**
 * A yardstick, not an audit: the least model-and-rules work any audit of the bench fleet must
 * do once its documents are parsed. It gives each Istio workload port its mode (workload, then
 * namespace, then mesh-wide PeerAuthentication, with port-level modes), each App Mesh listener
 * its mode, each DestinationRule and App Mesh backend what it sends (backends resolved through
 * virtual services, routers and routes to nodes), matches clients to servers, and lists the
 * servers that are not STRICT and the clients that do not send mTLS. Services with a STRICT
 * workload under a DISABLE namespace or mesh get a client for their callers, as in the engine.
 *
 * It leaves out everything else the engine does: validation and problems with lines and fields,
 * exportTo and the DestinationRule lookup order, auto mTLS, ServiceEntries, sidecar evidence,
 * remediation plans and their fleet-wide preconditions, certificates, exclusions, finding ids
 * and messages, sorting. It reads only the shapes bench/fleet.ts writes. Its servers and
 * clients are counted so that the bench can show it reached as many as the engine's model did.
 */

import { readFileSync } from 'node:fs';
import { listFiles } from './list-files';
import { loadAllInPieces } from './load-in-pieces';

type Doc = Record<string, any>;

/** Parsed documents sorted by the least there is to tell them apart. */
export class LeastWorkInput {
  /** Kubernetes objects (Istio, core, apps and App Mesh CRDs), by kind. */
  readonly byKind = new Map<string, Doc[]>();
  /** `describe-*` objects: `{ virtualNode: {...} }` and the like. */
  readonly appMeshApi: Doc[] = [];

  /** Takes a parsed document: an object, a `kind: List`, or a JSON array of either. */
  add = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) this.add(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const doc = value as Doc;
    if (typeof doc.kind !== 'string') this.appMeshApi.push(doc);
    else if (doc.kind === 'List') this.add(doc.items);
    else push(this.byKind, doc.kind, doc);
  };
}

/** Every file under `dir` parsed as the kept floor parses it (JSON.parse, js-yaml in pieces), sorted for `leastWork`. */
export function readLeastWorkInput(dir: string): LeastWorkInput {
  const input = new LeastWorkInput();
  for (const file of listFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.json')) input.add(JSON.parse(text));
    else if (/\.ya?ml$/.test(file)) loadAllInPieces(text, input.add);
  }
  return input;
}

/** Ids as the engine's model writes them (functions/providers/istio/servers.ts, appmesh/ids.ts). */
export interface Server {
  id: string;
  mode: string;
  inMesh: boolean;
}

export interface Client {
  id: string;
  sends: string;
  servers: Server[];
}

export interface LeastWorkResult {
  servers: Server[];
  clients: Client[];
  /** Non-STRICT or sidecar-less servers, clients that do not send mTLS, and those clients' STRICT servers. */
  findings: number;
}

const ROOT_NAMESPACE = 'istio-system';

export function leastWork(input: LeastWorkInput): LeastWorkResult {
  const byHost = new Map<string, Server[]>();
  const servers: Server[] = [];
  const addServer = (server: Server, hosts: string[]): void => {
    servers.push(server);
    for (const host of hosts) push(byHost, host, server);
  };
  const autoMtlsFails = new Set<string>();
  istioServers(input.byKind, addServer, autoMtlsFails);
  const appMesh = new AppMeshLookups(input);
  appMesh.servers(addServer);
  const clients = [...istioClients(input.byKind, byHost, autoMtlsFails), ...appMesh.clients(servers)];

  let findings = 0;
  for (const s of servers) if (!s.inMesh || s.mode !== 'STRICT') findings++;
  for (const c of clients) {
    if (c.sends === 'MTLS' || c.sends === 'AUTO') continue;
    findings++;
    for (const s of c.servers) if (s.mode === 'STRICT') findings++;
  }
  return { servers, clients, findings };
}

/**
 * `autoMtlsFails` receives the hosts of Services with a STRICT workload port under a DISABLE
 * namespace or mesh: auto mTLS gives their cluster no TLS.
 */
function istioServers(byKind: Map<string, Doc[]>, addServer: (server: Server, hosts: string[]) => void, autoMtlsFails: Set<string>): void {
  const injected = new Map<string, boolean>();
  for (const ns of byKind.get('Namespace') ?? []) {
    const labels = ns.metadata.labels ?? {};
    injected.set(ns.metadata.name, labels['istio-injection'] === 'enabled' || Boolean(labels['istio.io/rev']));
  }
  let meshWide: Doc | undefined;
  const namespaceWide = new Map<string, Doc>();
  const workloadPolicies = new Map<string, Doc[]>();
  for (const pa of byKind.get('PeerAuthentication') ?? []) {
    const ns = pa.metadata.namespace;
    const selector = pa.spec?.selector?.matchLabels;
    if (ns === ROOT_NAMESPACE) meshWide ??= selector ? undefined : pa;
    else if (selector) push(workloadPolicies, ns, pa);
    else if (!namespaceWide.has(ns)) namespaceWide.set(ns, pa);
  }
  const services = new Map<string, Doc[]>();
  for (const svc of byKind.get('Service') ?? []) push(services, svc.metadata.namespace, svc);

  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
    for (const w of byKind.get(kind) ?? []) {
      const ns = w.metadata.namespace;
      const labels = w.spec?.template?.metadata?.labels ?? {};
      const inMesh = (injected.get(ns) ?? true) && labels['sidecar.istio.io/inject'] !== 'false';
      const own = (workloadPolicies.get(ns) ?? []).find((pa) => selects(pa.spec.selector.matchLabels, labels));
      const inherited = modeOf(namespaceWide.get(ns)) ?? modeOf(meshWide) ?? 'PERMISSIVE';
      const workloadMode = modeOf(own) ?? inherited;
      const hosts: string[] = [];
      for (const svc of services.get(ns) ?? []) {
        if (svc.spec?.selector && selects(svc.spec.selector, labels)) hosts.push(`${svc.metadata.name}.${ns}.svc.cluster.local`);
      }
      for (const container of w.spec?.template?.spec?.containers ?? []) {
        for (const port of container.ports ?? []) {
          const portMode = own?.spec?.portLevelMtls?.[port.containerPort]?.mode;
          const mode = portMode && portMode !== 'UNSET' ? portMode : workloadMode;
          if (inMesh && mode === 'STRICT' && inherited === 'DISABLE') for (const h of hosts) autoMtlsFails.add(h);
          addServer({ id: `istio:${ns}/${kind}/${w.metadata.name}:${port.containerPort}`, mode: mode === 'DISABLE' ? 'DISABLED' : mode, inMesh }, hosts);
        }
      }
    }
  }
}

/** A client per DestinationRule decision, and one for the auto-mTLS callers of each Service in `autoMtlsFails` no rule governs. */
function istioClients(byKind: Map<string, Doc[]>, byHost: Map<string, Server[]>, autoMtlsFails: Set<string>): Client[] {
  const clients: Client[] = [];
  const governed = new Set<string>();
  for (const dr of byKind.get('DestinationRule') ?? []) {
    const ns = dr.metadata.namespace;
    const host: string = dr.spec?.host?.includes('.') ? dr.spec.host : `${dr.spec?.host}.${ns}.svc.cluster.local`;
    governed.add(host);
    const servers = byHost.get(host) ?? [];
    clients.push({ id: `istio:${ns}/DestinationRule/${dr.metadata.name}`, sends: sendsOf(dr.spec?.trafficPolicy?.tls?.mode), servers });
    for (const setting of dr.spec?.trafficPolicy?.portLevelSettings ?? []) {
      clients.push({ id: `istio:${ns}/DestinationRule/${dr.metadata.name}:${setting.port?.number}`, sends: sendsOf(setting.tls?.mode), servers });
    }
  }
  for (const host of autoMtlsFails) if (!governed.has(host)) clients.push({ id: `istio:auto-mtls->${host}`, sends: 'AUTO', servers: byHost.get(host) ?? [] });
  return clients;
}

/** Virtual nodes, services and routes of both shapes, by the names references use. */
class AppMeshLookups {
  private readonly crdNodes = new Map<string, Doc>();
  private readonly crdServices = new Map<string, Doc>();
  private readonly crdRouters = new Map<string, Doc>();
  private readonly apiNodes = new Map<string, Doc>();
  private readonly apiServices = new Map<string, Doc>();
  private readonly apiRoutes = new Map<string, Doc[]>();

  constructor(input: LeastWorkInput) {
    for (const vn of input.byKind.get('VirtualNode') ?? []) this.crdNodes.set(`${vn.metadata.namespace}/${vn.metadata.name}`, vn);
    for (const vs of input.byKind.get('VirtualService') ?? []) this.crdServices.set(vs.spec?.awsName ?? `${vs.metadata.name}.${vs.metadata.namespace}`, vs);
    for (const vr of input.byKind.get('VirtualRouter') ?? []) this.crdRouters.set(`${vr.metadata.namespace}/${vr.metadata.name}`, vr);
    for (const wrapped of input.appMeshApi) {
      if (wrapped.virtualNode) this.apiNodes.set(wrapped.virtualNode.virtualNodeName, wrapped.virtualNode);
      else if (wrapped.virtualService) this.apiServices.set(wrapped.virtualService.virtualServiceName, wrapped.virtualService);
      else if (wrapped.route) push(this.apiRoutes, wrapped.route.virtualRouterName, wrapped.route);
    }
  }

  servers(addServer: (server: Server, hosts: string[]) => void): void {
    const add = (path: string, spec: Doc | undefined): void => {
      const host = spec?.serviceDiscovery?.dns?.hostname;
      for (const listener of spec?.listeners ?? []) {
        addServer({ id: `${path}:${listener.portMapping?.port}`, mode: listenerMode(listener.tls), inMesh: true }, host ? [host] : []);
      }
    };
    for (const [key, vn] of this.crdNodes) add(nodePath(vn.spec?.meshRef?.name, key), vn.spec);
    for (const [name, vn] of this.apiNodes) add(nodePath(vn.meshName, name), vn.spec);
  }

  clients(servers: Server[]): Client[] {
    const byId = new Map(servers.map((s) => [s.id, s]));
    const clients: Client[] = [];
    const add = (path: string, mesh: string, spec: Doc | undefined, namespace?: string): void => {
      const defaults = spec?.backendDefaults?.clientPolicy?.tls;
      for (const backend of spec?.backends ?? []) {
        const vs = backend.virtualService;
        const target: string = vs?.virtualServiceRef?.name ?? vs?.virtualServiceName;
        const tls = vs?.clientPolicy?.tls ?? defaults;
        const reached: Server[] = [];
        for (const node of this.nodesBehind(target, namespace)) reached.push(...this.listenersOf(mesh, node, byId));
        clients.push({ id: `${path}->${target}`, sends: !tls || tls.enforce === false ? 'PLAINTEXT' : tls.certificate ? 'MTLS' : 'TLS', servers: reached });
      }
    };
    for (const [key, vn] of this.crdNodes) add(nodePath(vn.spec?.meshRef?.name, key), vn.spec?.meshRef?.name, vn.spec, vn.metadata.namespace);
    for (const [name, vn] of this.apiNodes) add(nodePath(vn.meshName, name), vn.meshName, vn.spec);
    return clients;
  }

  /** The nodes a virtual service sends to: its node, or its router's weighted targets. */
  private nodesBehind(serviceName: string, namespace?: string): string[] {
    const crd = this.crdServices.get(serviceName) ?? (namespace ? this.crdServices.get(`${serviceName}.${namespace}`) : undefined);
    if (crd) {
      const ns = crd.metadata.namespace;
      const provider = crd.spec?.provider;
      if (provider?.virtualNode) return [`${ns}/${provider.virtualNode.virtualNodeRef?.name}`];
      const router = this.crdRouters.get(`${ns}/${provider?.virtualRouter?.virtualRouterRef?.name}`);
      return (router?.spec?.routes ?? []).flatMap((r: Doc) => (r.httpRoute?.action?.weightedTargets ?? []).map((t: Doc) => `${ns}/${t.virtualNodeRef?.name}`));
    }
    const api = this.apiServices.get(serviceName);
    const provider = api?.spec?.provider;
    if (provider?.virtualNode) return [provider.virtualNode.virtualNodeName];
    const routes = this.apiRoutes.get(provider?.virtualRouter?.virtualRouterName) ?? [];
    return routes.flatMap((r) => (r.spec?.httpRoute?.action?.weightedTargets ?? []).map((t: Doc) => t.virtualNode));
  }

  private listenersOf(mesh: string, node: string, byId: Map<string, Server>): Server[] {
    const spec = (this.crdNodes.get(node) ?? this.apiNodes.get(node))?.spec;
    const out: Server[] = [];
    for (const listener of spec?.listeners ?? []) {
      const s = byId.get(`${nodePath(mesh, node)}:${listener.portMapping?.port}`);
      if (s) out.push(s);
    }
    return out;
  }
}

/** A CRD node is keyed `namespace/name`, an API node by its name. */
function nodePath(mesh: string, key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? `appmesh:${mesh}/VirtualNode/${key}` : `appmesh:${mesh}/${key.slice(0, slash)}/VirtualNode/${key.slice(slash + 1)}`;
}

function listenerMode(tls: Doc | undefined): string {
  if (!tls || tls.mode === 'DISABLED') return 'DISABLED';
  if (tls.mode === 'PERMISSIVE') return 'PERMISSIVE';
  return tls.validation?.trust ? 'STRICT' : 'TLS_NO_CLIENT_AUTH';
}

function modeOf(pa: Doc | undefined): string | undefined {
  const mode = pa?.spec?.mtls?.mode;
  return mode && mode !== 'UNSET' ? mode : undefined;
}

function sendsOf(mode: string | undefined): string {
  if (mode === 'ISTIO_MUTUAL' || mode === 'MUTUAL') return 'MTLS';
  if (mode === 'SIMPLE') return 'TLS';
  if (mode === 'DISABLE') return 'PLAINTEXT';
  return 'AUTO';
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
