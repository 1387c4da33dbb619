/**
 * The live Istio reader: an InventorySource that reads a cluster through the Kubernetes API
 * into the same inventory the file reader produces, so the Istio and x509 providers audit a
 * live cluster exactly as they audit files. Every object's `source.file` is its API path
 * (`/apis/security.istio.io/v1/namespaces/payments/peerauthentications/default`), line 1.
 *
 * What a scope reads:
 * - `all` (the providers include `istio` or `x509`): cluster-wide, paged lists of Namespaces,
 *   Services, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods, PeerAuthentications,
 *   DestinationRules, ServiceEntries, cert-manager Certificates and `istio-ca-root-cert`
 *   ConfigMaps; the MeshConfig ConfigMaps (`istio`, `istio-<revision>`) and the CA Secrets
 *   (`cacerts`, `istio-ca-secret`) of the control-plane namespace (and of the configured root
 *   namespace, when it differs); `kubernetes.io/tls` Secrets only when `tlsSecrets` asks.
 *   For the remediation gate, which holds a STRICT fix for approval on what they show: Sidecars,
 *   Ingresses and IngressClasses, Gateway API Gateways, GatewayClasses, HTTPRoutes, GRPCRoutes,
 *   TCPRoutes and TLSRoutes, Google Managed Prometheus PodMonitorings and ClusterPodMonitorings,
 *   AWS Load Balancer Controller TargetGroupBindings, GKE MultiClusterIngresses and
 *   MultiClusterServices, and the MutatingWebhookConfigurations of revision tags (label
 *   `istio.io/tag`). For
 *   certificates: trust-manager Bundles and the ConfigMaps they write (label
 *   `trust.cert-manager.io/bundle`), and the Secrets they write only where `tlsSecrets` lets
 *   Secrets be listed. With `namespaces`, the same as a namespace scope of each of them. A run
 *   for `x509` alone reads only the certificate sources.
 * - `istio-namespace` N: the Namespace N and its Services, workloads, Pods, PeerAuthentications,
 *   cert-manager Certificates and `istio-ca-root-cert`; the root namespace's PeerAuthentications
 *   (mesh-wide policy); the MeshConfig and CA Secrets; every DestinationRule that N's findings
 *   depend on — N's own, the root namespace's, those of other namespaces exported to N
 *   (exportTo, MeshConfig `defaultDestinationRuleExportTo`) or whose host can be one of N's
 *   services — and the ServiceEntries exported to N (namespace-dependencies.ts). Those two
 *   kinds are listed cluster-wide and filtered here: the API cannot select on exportTo.
 *   No gate evidence: the read is partial anyway, so nothing it plans is `auto`. No
 *   trust-manager objects either: a Bundle's certificate is one finding on the Bundle or on
 *   the source it copies, which only the copies of every namespace and the Bundle's sources
 *   show; N's copy alone would put it on a copy nobody fixes, unlike the full read.
 * - any other scope (App Mesh, ACM): nothing.
 *
 * A namespace read marks the inventory partial: callers in other namespaces are not read, so
 * no fix planned on it is `auto`.
 *
 * Istio kinds are read in the newest version the cluster serves (v1, else v1beta1, …); a
 * cluster without Istio, cert-manager, the Gateway API, Google Managed Prometheus,
 * trust-manager, AWS Load Balancer Controller or Multi Cluster Ingress CRDs reads as having none
 * of their objects. A Secret, Certificate or
 * trust-manager object the service account may not read becomes a `config-invalid` problem
 * naming the path, and puts `x509` in the inventory's `unreadProviders`: the certificates it
 * holds were not looked at, so a run must not resolve their findings. A list of gate evidence
 * it may not read becomes a problem too, and marks the inventory partial, saying what is
 * unknown without it, so that no fix is `auto` on a picture missing what would hold it for approval. Any other failure fails the collect, so that a partial read
 * never passes for a clean cluster.
 */
import { emptyInventory, type Inventory, type KubeObject, type Located } from '../../../core/model/inventory';
import type { ConfigProblem, Provider } from '../../../core/model/types';
import type { InventorySource } from '../../../core/pipeline/ports';
import type { AuditScope } from '../../../core/pipeline/trigger';
import { isMeshConfigMap, readMeshSettings, type MeshSettings } from '../meshConfig';
import { isKubeApiError } from './api-error';
import type { KubeConnection } from './kube-client';
import { DEFAULT_PAGING, listAll, type ListRequest, type PagingOptions } from './list-pages';
import { destinationRuleConcerns, serviceEntryConcerns } from './namespace-dependencies';
import {
  apiVersionOf,
  CERTIFICATES,
  CLUSTER_POD_MONITORINGS,
  CONFIG_MAPS,
  DAEMON_SETS,
  JOBS,
  CRON_JOBS,
  DEPLOYMENTS,
  DESTINATION_RULES,
  GATEWAY_CLASSES,
  GATEWAYS,
  GRPC_ROUTES,
  HTTP_ROUTES,
  INGRESS_CLASSES,
  INGRESSES,
  MULTI_CLUSTER_INGRESSES,
  MULTI_CLUSTER_SERVICES,
  MUTATING_WEBHOOK_CONFIGURATIONS,
  NAMESPACES,
  objectPath,
  PEER_AUTHENTICATIONS,
  POD_MONITORINGS,
  PODS,
  rbacResourceName,
  SECRETS,
  SERVICE_ENTRIES,
  SERVICES,
  SIDECARS,
  STATEFUL_SETS,
  TARGET_GROUP_BINDINGS,
  TCP_ROUTES,
  TLS_ROUTES,
  TRUST_BUNDLES,
  type ResourceType,
} from './resource-types';
import { KubeRestClient, type RestClientOptions } from './rest-client';
import { runLimited } from './run-limited';
import { ServedVersions } from './served-versions';
import { slimObject } from './slim-object';

/** Istio's CA Secrets: a plugged-in CA (`cacerts`) or istiod's self-signed one (`istio-ca-secret`). */
const CA_SECRET_NAMES = ['cacerts', 'istio-ca-secret'];
const ROOT_CERT_CONFIG_MAP = 'istio-ca-root-cert';
const TLS_SECRET_TYPE = 'kubernetes.io/tls';
/** The labels of revision tags' injector webhooks (`istioctl tag set`) and of the copies trust-manager writes. */
const REVISION_TAG_LABEL = 'istio.io/tag';
const TRUST_BUNDLE_LABEL = 'trust.cert-manager.io/bundle';

/**
 * Gate evidence: objects that hold a STRICT fix for approval (istioInputs.ts), with what stays
 * unknown when they cannot be listed. Missing, they would let the gate say `auto`.
 */
const GATE_EVIDENCE = new Map<ResourceType, string>([
  [SIDECARS, 'callers whose Sidecar leaves the server out of its egress, and so send around mTLS, are unknown'],
  [INGRESSES, 'callers from outside the mesh through Ingresses are unknown'],
  [INGRESS_CLASSES, "which Ingresses go through Istio's ingress gateway is unknown"],
  [GATEWAYS, 'callers from outside the mesh through Gateway API gateways are unknown'],
  [GATEWAY_CLASSES, "which Gateway API gateways are Istio's is unknown"],
  [HTTP_ROUTES, 'callers from outside the mesh through HTTPRoutes are unknown'],
  [GRPC_ROUTES, 'callers from outside the mesh through GRPCRoutes are unknown'],
  [TCP_ROUTES, 'callers from outside the mesh through TCPRoutes are unknown'],
  [TLS_ROUTES, 'callers from outside the mesh through TLSRoutes are unknown'],
  [POD_MONITORINGS, 'Google Managed Prometheus scrapes, which are plaintext, are unknown'],
  [CLUSTER_POD_MONITORINGS, 'Google Managed Prometheus scrapes, which are plaintext, are unknown'],
  [TARGET_GROUP_BINDINGS, 'callers from outside the mesh through AWS load balancers bound to Services by TargetGroupBindings are unknown'],
  [MULTI_CLUSTER_INGRESSES, 'callers from outside the mesh through GKE MultiClusterIngresses are unknown'],
  [MULTI_CLUSTER_SERVICES, 'which pods GKE MultiClusterIngresses send to is unknown'],
  [MUTATING_WEBHOOK_CONFIGURATIONS, 'the revision each revision tag injects, and so the MeshConfig of its callers, is unknown'],
]);

/** What a 403 on a read means: the collect fails, or the read goes on with a problem (and, for gate evidence, a partial inventory). */
type OnForbidden = 'fail' | 'problem' | 'partial';

export interface IstioSourceOptions extends KubeConnection, RestClientOptions {
  /** Where istiod runs, with its MeshConfig ConfigMap and CA Secrets. Default `istio-system`. */
  controlPlaneNamespace?: string;
  /**
   * Istio's root namespace when the MeshConfig does not name one (MeshConfig `rootNamespace`
   * wins). Its MeshConfig ConfigMaps and CA Secrets are read too. Default: the control-plane namespace.
   */
  rootNamespace?: string;
  /** `kubernetes.io/tls` Secrets to read: none (default), every namespace in scope (`true`), or these namespaces. */
  tlsSecrets?: boolean | string[];
  /** Items per list page (default 500). */
  pageSize?: number;
  /** Times one list may start over after 410 Expired (default 3). */
  maxRelists?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
}

/** What the last collect cost. */
export interface ReadStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Objects in the inventory. */
  objects: number;
  /** Kinds the read wanted that the cluster serves in no version (`PeerAuthentication`: no Istio), sorted; absent when none. */
  unserved?: string[];
}

export interface IstioSource extends InventorySource {
  /** The cost of the most recent collect. */
  lastRead(): ReadStats;
}

/** Which part of the fleet a scope asks this source for; undefined when none. */
interface Wanted {
  istio: boolean;
  certificates: boolean;
  /** Undefined: the whole cluster. */
  namespaces?: string[];
}

function wantedBy(scope: AuditScope): Wanted | undefined {
  if (scope.kind === 'istio-namespace') return { istio: true, certificates: true, namespaces: [scope.namespace] };
  if (scope.kind !== 'all') return undefined;
  const istio = scope.providers.includes('istio');
  const certificates = scope.providers.includes('x509');
  if (!istio && !certificates) return undefined;
  return { istio, certificates, ...(scope.namespaces && scope.namespaces.length > 0 ? { namespaces: [...new Set(scope.namespaces)] } : {}) };
}

/**
 * @example
 *   const source = istioSource({ kubeConfig: kubeConfigFromFile('prod-gke') });
 *   const inventory = await source.collect({ kind: 'istio-namespace', namespace: 'payments' });
 *   const report = auditWithBuilders(inventory, { policy, now, builders: [buildIstioModel, buildCertificateModel] });
 */
export function istioSource(options: IstioSourceOptions): IstioSource {
  let stats: ReadStats = { requests: 0, retries: 0, objects: 0 };
  return {
    lastRead: () => ({ ...stats }),
    async collect(scope) {
      const wanted = wantedBy(scope);
      if (wanted === undefined) return emptyInventory();
      const rest = new KubeRestClient(options, options);
      const read = new ClusterRead(rest, options, wanted);
      let inventory: Inventory | undefined;
      try {
        inventory = await read.run();
        return inventory;
      } finally {
        stats = { requests: rest.requestCount, retries: rest.retryCount, objects: inventory?.kubernetes.length ?? 0 };
        if (read.unserved.size > 0) stats.unserved = [...read.unserved].sort();
      }
    },
  };
}

type Purpose = 'istio' | 'certificates';

/** One collect: the reads a scope needs, and the inventory they make. */
class ClusterRead {
  private readonly versions: ServedVersions;
  private readonly paging: PagingOptions;
  private readonly problems: ConfigProblem[] = [];
  /** What forbidden lists of gate evidence leave unknown, in the order they failed. */
  private readonly gaps: string[] = [];
  /** Providers a source of was refused (403): their findings were not all looked at. */
  private readonly unreadProviders = new Set<Provider>();
  private readonly controlPlane: string;
  readonly unserved = new Set<string>();

  constructor(
    private readonly rest: KubeRestClient,
    private readonly options: IstioSourceOptions,
    private readonly wanted: Wanted,
  ) {
    this.versions = new ServedVersions(rest);
    this.paging = { pageSize: options.pageSize ?? DEFAULT_PAGING.pageSize, maxRelists: options.maxRelists ?? DEFAULT_PAGING.maxRelists };
    this.controlPlane = options.controlPlaneNamespace ?? 'istio-system';
  }

  async run(): Promise<Inventory> {
    // The MeshConfig first: it names the root namespace and the default exportTo that plan the rest.
    const configNamespaces = unique([this.controlPlane, this.options.rootNamespace]);
    const meshConfigMaps = this.wanted.istio
      ? (await runLimited(configNamespaces.map((ns) => () => this.list(CONFIG_MAPS, { namespace: ns, keep: isMeshConfigMap }, 'istio')), this.concurrency)).flat()
      : [];
    const mesh = readMeshSettings(meshConfigMaps).settings;
    // The model takes the root namespace from the MeshConfig (default istio-system); reading the
    // configured and control-plane namespaces as well costs a few small lists and never misses it.
    const roots = unique([mesh.rootNamespace, this.options.rootNamespace, this.controlPlane]);

    const tasks = this.wanted.namespaces === undefined ? this.clusterWideReads() : this.namespaceReads(this.wanted.namespaces, roots, mesh);
    for (const ns of configNamespaces) {
      for (const name of CA_SECRET_NAMES) tasks.push(this.whenWanted('certificates', () => this.get(SECRETS, ns, name, 'certificates')));
    }
    const parts = await runLimited(tasks, this.concurrency);

    const inventory = emptyInventory();
    const seen = new Set<string>();
    for (const object of [...meshConfigMaps, ...parts.flat()]) {
      if (seen.has(object.source.file)) continue;
      seen.add(object.source.file);
      inventory.kubernetes.push(object);
    }
    inventory.problems.push(...this.problems);
    const scoped = this.wanted.namespaces;
    const gaps = [...(scoped !== undefined && this.wanted.istio ? [namespaceScopeGap(scoped)] : []), ...this.gaps];
    if (gaps.length > 0) inventory.partial = gaps;
    if (this.unreadProviders.size > 0) inventory.unreadProviders = [...this.unreadProviders];
    return inventory;
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 4);
  }

  private whenWanted(purpose: Purpose, read: () => Promise<Located<KubeObject>[]>): () => Promise<Located<KubeObject>[]> {
    const wanted = purpose === 'istio' ? this.wanted.istio : this.wanted.certificates;
    return wanted ? read : async () => [];
  }

  private clusterWideReads(): (() => Promise<Located<KubeObject>[]>)[] {
    const istio = [NAMESPACES, PEER_AUTHENTICATIONS, DESTINATION_RULES, SERVICE_ENTRIES, SERVICES, DEPLOYMENTS, STATEFUL_SETS, DAEMON_SETS, JOBS, CRON_JOBS, PODS];
    const tasks = istio.map((type) => this.whenWanted('istio', () => this.list(type, {}, 'istio')));
    for (const type of GATE_EVIDENCE.keys()) {
      const request = type === MUTATING_WEBHOOK_CONFIGURATIONS ? { labelSelector: REVISION_TAG_LABEL } : {};
      tasks.push(this.whenWanted('istio', () => this.list(type, request, 'istio', 'partial')));
    }
    tasks.push(this.whenWanted('certificates', () => this.list(CERTIFICATES, {}, 'certificates')));
    tasks.push(this.whenWanted('certificates', () => this.list(CONFIG_MAPS, { fieldSelector: `metadata.name=${ROOT_CERT_CONFIG_MAP}` }, 'certificates')));
    tasks.push(this.whenWanted('certificates', () => this.list(TRUST_BUNDLES, {}, 'certificates', 'problem')));
    tasks.push(this.whenWanted('certificates', () => this.list(CONFIG_MAPS, { labelSelector: TRUST_BUNDLE_LABEL }, 'certificates', 'problem')));
    // Secrets are listed only where tlsSecrets grants it: trust-manager's copies ride on that grant.
    const tls = this.options.tlsSecrets;
    const secretLists = tls === true ? [undefined] : Array.isArray(tls) ? unique(tls) : [];
    for (const ns of secretLists) {
      const where = ns === undefined ? {} : { namespace: ns };
      tasks.push(this.whenWanted('certificates', () => this.list(SECRETS, { ...where, fieldSelector: `type=${TLS_SECRET_TYPE}` }, 'certificates')));
      tasks.push(this.whenWanted('certificates', () => this.list(SECRETS, { ...where, labelSelector: TRUST_BUNDLE_LABEL }, 'certificates')));
    }
    return tasks;
  }

  private namespaceReads(namespaces: string[], roots: string[], mesh: MeshSettings): (() => Promise<Located<KubeObject>[]>)[] {
    const tasks: (() => Promise<Located<KubeObject>[]>)[] = [];
    const inScope = new Set(namespaces);
    const tls = this.options.tlsSecrets;
    for (const ns of namespaces) {
      tasks.push(this.whenWanted('istio', () => this.get(NAMESPACES, undefined, ns, 'istio')));
      for (const type of [PEER_AUTHENTICATIONS, SERVICES, DEPLOYMENTS, STATEFUL_SETS, DAEMON_SETS, JOBS, CRON_JOBS, PODS]) {
        tasks.push(this.whenWanted('istio', () => this.list(type, { namespace: ns }, 'istio')));
      }
      tasks.push(this.whenWanted('certificates', () => this.list(CERTIFICATES, { namespace: ns }, 'certificates')));
      tasks.push(this.whenWanted('certificates', () => this.get(CONFIG_MAPS, ns, ROOT_CERT_CONFIG_MAP, 'certificates')));
      if (tls === true || (Array.isArray(tls) && tls.includes(ns))) {
        tasks.push(this.whenWanted('certificates', () => this.list(SECRETS, { namespace: ns, fieldSelector: `type=${TLS_SECRET_TYPE}` }, 'certificates')));
      }
    }
    // Mesh-wide policy: the root namespace's PeerAuthentications and DestinationRules.
    for (const root of roots) {
      if (!inScope.has(root)) tasks.push(this.whenWanted('istio', () => this.list(PEER_AUTHENTICATIONS, { namespace: root }, 'istio')));
    }
    const concernsScope = (keep: (object: KubeObject, ns: string) => boolean) => (object: KubeObject) =>
      roots.includes(object.metadata?.namespace ?? '') || namespaces.some((ns) => keep(object, ns));
    tasks.push(
      this.whenWanted('istio', () =>
        this.list(DESTINATION_RULES, { keep: concernsScope((o, ns) => destinationRuleConcerns(o, ns, mesh.defaultDestinationRuleExportTo)) }, 'istio'),
      ),
    );
    tasks.push(this.whenWanted('istio', () => this.list(SERVICE_ENTRIES, { keep: concernsScope(serviceEntryConcerns) }, 'istio')));
    return tasks;
  }

  /** A paged list; an absent CRD group is an empty list. */
  private async list(type: ResourceType, request: Omit<ListRequest, 'type' | 'version'>, purpose: Purpose, forbidden = forbiddenMeans(type)): Promise<Located<KubeObject>[]> {
    const version = await this.servedVersion(type);
    if (version === undefined) return [];
    try {
      return await listAll(this.rest, { ...request, type, version }, this.paging);
    } catch (error) {
      return this.tolerate(error, type, version, request.namespace, undefined, purpose, forbidden);
    }
  }

  /** One named object; absent is empty. */
  private async get(type: ResourceType, namespace: string | undefined, name: string, purpose: Purpose): Promise<Located<KubeObject>[]> {
    const version = await this.servedVersion(type);
    if (version === undefined) return [];
    const path = objectPath(type, version, namespace, name);
    try {
      const object = await this.rest.request<Record<string, unknown>>('GET', path);
      return [{ doc: slimObject(object, apiVersionOf(type.group, version), type.kind), source: { file: path, line: 1 } }];
    } catch (error) {
      if (isKubeApiError(error, 404)) return [];
      return this.tolerate(error, type, version, namespace, name, purpose, forbiddenMeans(type));
    }
  }

  /** The version to read `type` in; undefined (and remembered) when the cluster does not serve it. */
  private async servedVersion(type: ResourceType): Promise<string | undefined> {
    const version = await this.versions.versionFor(type);
    if (version === undefined) this.unserved.add(type.kind);
    return version;
  }

  /**
   * A 403 (RBAC does not grant the read) on optional evidence — Secrets, cert-manager
   * Certificates, trust-manager objects, gate evidence — is reported as a problem and the audit
   * goes on; on gate evidence the inventory is partial too. Anything else is fatal.
   */
  private tolerate(
    error: unknown,
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string | undefined,
    purpose: Purpose,
    forbidden: OnForbidden,
  ): Located<KubeObject>[] {
    if (forbidden === 'fail' || !isKubeApiError(error, 403)) throw error;
    const provider: Provider = purpose === 'certificates' ? 'x509' : 'istio';
    // A refused certificate source says nothing about its certificates: their open findings must stay open.
    if (purpose === 'certificates') this.unreadProviders.add(provider);
    const what = name !== undefined ? `read ${type.kind} ${namespace ?? ''}/${name}` : `list ${rbacResourceName(type.group, type.plural)}${namespace ? ` in namespace ${namespace}` : ''}`;
    this.problems.push({
      file: name === undefined ? error.path : objectPath(type, version, namespace, name),
      line: 1,
      message: `cannot ${what}: ${error.message}`,
      kind: type.kind,
      ...(name ? { name } : {}),
      provider,
    });
    const unknown = GATE_EVIDENCE.get(type);
    if (forbidden === 'partial' && unknown !== undefined) {
      const gap = `meshgov may not list ${rbacResourceName(type.group, type.plural)}${namespace ? ` in namespace ${namespace}` : ''}, so ${unknown}`;
      if (!this.gaps.includes(gap)) this.gaps.push(gap);
    }
    return [];
  }
}

/** Secrets and cert-manager Certificates are optional wherever they are read; any other kind is optional where its read says so. */
function forbiddenMeans(type: ResourceType): OnForbidden {
  return type === SECRETS || type === CERTIFICATES ? 'problem' : 'fail';
}

/**
 * What a namespace read leaves unknown. The gate asks who may call a server in plaintext, and a
 * caller can be any workload of the cluster: one without a sidecar, or one whose capture
 * annotations or Sidecar send around its proxy. Those were not read, so a fix planned here is
 * held for approval; the full read of the scheduled audit decides `auto`.
 */
function namespaceScopeGap(namespaces: string[]): string {
  const named = namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${namespaces.join(', ')}`;
  return `this audit read only ${named}, so callers from other namespaces are unknown`;
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}
