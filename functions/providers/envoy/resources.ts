/**
 * The listeners, clusters and secrets of one Envoy input, wherever the input keeps them: a
 * bootstrap's `static_resources`, or the lists of an admin `/config_dump`. The model and the
 * inline-certificate reader both walk these, so both see the same entries at the same paths.
 */
import type { EnvoyInput } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { formatFieldPath } from '../files/field-path';
import { configDumpBootstrap, configDumpLists, dumpEntryResource, isEnvoyConfigDump } from './config-dump';
import { listenerPort } from './listeners';
import { DUMP_STATIC_MANUAL_REASON, dumpXdsManualReason } from './names';
import { isProtoObject, listField, portValue, readField, stringField } from './proto-fields';
import { staticSecretsOf, type StaticSecrets } from './static-secrets';

/** A listener, cluster or secret: its value, its dotted path in the document, and where it is written. */
export interface EnvoyEntry {
  value: unknown;
  path: string;
  source: SourceRef;
  /** Why a person must make its fix, when not the bootstrap's reason (a config dump's entries). */
  manualReason?: string;
}

export interface EnvoyResources {
  listeners: EnvoyEntry[];
  clusters: EnvoyEntry[];
  /** Secrets an SDS reference without `sds_config` loads: the bootstrap's, or a dump's `static_secrets`. */
  staticSecrets: EnvoyEntry[];
  /** What SDS delivered (a dump's `dynamic_active_secrets`): references with `sds_config` load these. */
  dynamicSecrets: EnvoyEntry[];
  /** The static secrets by name, as the listener and cluster readers resolve references. */
  secretsByName: StaticSecrets;
  /** Input Envoy refuses whole, so that nothing in it was read. */
  problems: ConfigProblem[];
  /** True for an admin config dump. */
  dump: boolean;
  /** For a dump of an Istio proxy: how istio-agent rotates its certificate, and whose sidecar it is. */
  istioProxy?: IstioProxy;
  /** Clusters that can take no connection: STATIC with no endpoints (Istio's BlackHoleCluster). */
  deadClusters: ReadonlySet<string>;
}

export interface IstioProxy {
  /** istio-agent renews the workload certificate when less than this part of its lifetime is left (SECRET_GRACE_PERIOD_RATIO). */
  graceRatio: number;
  /** For a sidecar (node id `sidecar~…`), the workload it fronts, from the node metadata. */
  workload?: IstioWorkload;
  /** Only the secrets' names say so, while the dump's node is another's (App Mesh's): its listeners are read as any Envoy's. */
  guessed?: true;
}

export interface IstioWorkload {
  namespace: string;
  /** WORKLOAD_NAME (the Deployment's name, as istiod gives it). */
  name: string;
  labels: Record<string, string>;
}

export function envoyResourcesOf(input: EnvoyInput): EnvoyResources {
  const out: EnvoyResources = { listeners: [], clusters: [], staticSecrets: [], dynamicSecrets: [], secretsByName: new Map(), problems: [], dump: false, deadClusters: new Set() };
  if (isEnvoyConfigDump(input.doc)) readConfigDump(input, out);
  else readBootstrap(input, out);
  out.secretsByName = staticSecretsOf({ secrets: out.staticSecrets.map((secret) => secret.value) });
  const dead = new Set(out.clusters.filter((c) => hasNoEndpoints(c.value)).map((c) => stringField(c.value, 'name') ?? ''));
  // A dump cut to its listeners (`?resource=dynamic_listeners`) lacks the clusters: Istio's
  // BlackHoleCluster is dead by definition, unless the dump shows it otherwise.
  if (out.dump && !out.clusters.some((c) => stringField(c.value, 'name') === ISTIO_BLACKHOLE)) dead.add(ISTIO_BLACKHOLE);
  out.deadClusters = dead;
  return out;
}

function readBootstrap(input: EnvoyInput, out: EnvoyResources): void {
  const staticResources = readField(input.doc, 'static_resources');
  if (!staticResources) return;
  // Envoy refuses a bootstrap whose lists are not lists; read as empty, its listeners would pass unaudited.
  if (typeof staticResources.value !== 'object' || Array.isArray(staticResources.value)) {
    out.problems.push({
      file: input.source.file,
      line: input.source.line,
      field: staticResources.key,
      message: `must be a mapping (StaticResources), not ${describeValue(staticResources.value)}: Envoy refuses the bootstrap, and nothing in it was audited`,
      provider: 'envoy',
    });
    return;
  }
  const base = staticResources.key;
  const entries = (name: string, lines: readonly number[] | undefined, withLines: boolean): EnvoyEntry[] => {
    const key = readField(staticResources.value, name)?.key ?? name;
    return listField(staticResources.value, name).map((value, i) => ({
      value,
      path: `${base}.${key}[${i}]`,
      source: withLines ? entrySource(input.source, lines, i) : input.source,
    }));
  };
  out.listeners = entries('listeners', input.entryLines?.listeners, true);
  out.clusters = entries('clusters', input.entryLines?.clusters, true);
  out.staticSecrets = entries('secrets', undefined, false);
}

function readConfigDump(input: EnvoyInput, out: EnvoyResources): void {
  out.dump = true;
  // The proxy's identity: its bootstrap's node.
  const node = readField(configDumpBootstrap(input.doc), 'node')?.value;
  const istio = istioProxyOf(node);
  if (istio) out.istioProxy = { graceRatio: istio.graceRatio, ...(istio.workload ? { workload: istio.workload } : {}) };
  const xdsReason = dumpXdsManualReason(istio ? 'istio' : appMeshNode(node) ? 'appmesh' : undefined);
  const target = { listener: out.listeners, cluster: out.clusters, staticSecret: out.staticSecrets, dynamicSecret: out.dynamicSecrets };
  for (const list of configDumpLists(input.doc)) {
    const listPath = formatFieldPath(list.listPath);
    const lines = input.entryLines?.lists?.[listPath];
    list.entries.forEach((entry, j) => {
      const resource = dumpEntryResource(entry, list.member);
      if (!resource) return;
      const i = list.indices?.[j] ?? j;
      if (istio && list.kind === 'listener' && !list.dynamic && istio.agentPorts.has(listenerPort(resource.value) ?? -1)) return;
      const manualReason = list.dynamic ? xdsReason : DUMP_STATIC_MANUAL_REASON;
      target[list.kind].push({ value: resource.value, path: `${listPath}[${i}].${resource.path.join('.')}`, source: entrySource(input.source, lines, i), manualReason });
    });
  }
  // `istioctl proxy-config secret` prints the secrets alone, without the node: istio-agent's are
  // the SDS resources it names `default` (the workload certificate) and `ROOTCA`.
  const names = new Set(out.dynamicSecrets.map((s) => stringField(s.value, 'name')));
  if (!out.istioProxy && names.has('default') && names.has('ROOTCA')) out.istioProxy = { graceRatio: DEFAULT_GRACE_RATIO, ...(node !== undefined ? { guessed: true as const } : {}) };
}

/** The cluster istiod routes unwanted connections to: STATIC, with no endpoints. */
const ISTIO_BLACKHOLE = 'BlackHoleCluster';

/** istio-agent's SECRET_GRACE_PERIOD_RATIO when the node does not set it. */
const DEFAULT_GRACE_RATIO = 0.5;

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Where an entry is written: its own line when the collector found it, else the input's. */
function entrySource(source: SourceRef, lines: readonly number[] | undefined, index: number): SourceRef {
  const line = lines?.[index];
  return line === undefined ? source : { file: source.file, line };
}

/**
 * An Istio proxy's dump: its bootstrap's node metadata (the bootstrap template's `ISTIO_VERSION`,
 * `PROXY_CONFIG`, `ENVOY_*_PORT`). The bootstrap's own listeners serve Prometheus
 * (ENVOY_PROMETHEUS_PORT, 15090) and the kubelet's readiness probes (ENVOY_STATUS_PORT, 15021;
 * not PROXY_CONFIG `statusPort`, which is pilot-agent's own, 15020), in plaintext by design, to
 * scrapers and the kubelet rather than to the mesh: they are left out, as Istio's analyzers do.
 */
function istioProxyOf(node: unknown): (IstioProxy & { agentPorts: Set<number> }) | undefined {
  const metadata = readField(node, 'metadata')?.value;
  if (!isProtoObject(metadata) || typeof metadata.ISTIO_VERSION !== 'string') return undefined;
  const proxyConfig = isProtoObject(metadata.PROXY_CONFIG) ? metadata.PROXY_CONFIG : {};
  const proxyMetadata = isProtoObject(proxyConfig.proxyMetadata) ? proxyConfig.proxyMetadata : {};
  const ratio = Number(proxyMetadata.SECRET_GRACE_PERIOD_RATIO ?? DEFAULT_GRACE_RATIO);
  const port = (value: unknown, otherwise: number) => portValue(value) ?? otherwise;
  const workload = sidecarWorkload(stringField(node, 'id'), metadata);
  return {
    graceRatio: ratio > 0 && ratio < 1 ? ratio : DEFAULT_GRACE_RATIO,
    agentPorts: new Set([port(metadata.ENVOY_PROMETHEUS_PORT, 15090), port(metadata.ENVOY_STATUS_PORT, 15021)]),
    ...(workload ? { workload } : {}),
  };
}

/** A sidecar's workload (node id `sidecar~IP~POD.NAMESPACE~…`): NAMESPACE, WORKLOAD_NAME and LABELS of its node metadata. */
function sidecarWorkload(id: string | undefined, metadata: Record<string, unknown>): IstioWorkload | undefined {
  if (!id?.startsWith('sidecar~') || typeof metadata.NAMESPACE !== 'string') return undefined;
  const labels: Record<string, string> = {};
  if (isProtoObject(metadata.LABELS)) for (const [k, v] of Object.entries(metadata.LABELS)) if (typeof v === 'string') labels[k] = v;
  const name = typeof metadata.WORKLOAD_NAME === 'string' ? metadata.WORKLOAD_NAME : (labels['app'] ?? '');
  return name === '' ? undefined : { namespace: metadata.NAMESPACE, name, labels };
}

/**
 * A cluster that can take no connection: STATIC (the default type) with no endpoints in its
 * load_assignment, as Istio's BlackHoleCluster, which its sidecars route unwanted traffic to.
 */
function hasNoEndpoints(cluster: unknown): boolean {
  const type = readField(cluster, 'type')?.value ?? 'STATIC';
  if (type !== 'STATIC' && type !== 0) return false;
  if (readField(cluster, 'cluster_type') || readField(cluster, 'hosts')) return false;
  const endpoints = listField(readField(cluster, 'load_assignment')?.value, 'endpoints');
  return endpoints.every((locality) => listField(locality, 'lb_endpoints').length === 0);
}


/** An App Mesh Envoy: App Mesh names its node `mesh/MESH/virtualNode/NAME` (or `virtualGateway`). */
function appMeshNode(node: unknown): boolean {
  const id = stringField(node, 'id');
  return id !== undefined && /^mesh\/[^/]+\/(virtualNode|virtualGateway)\//.test(id);
}
