import type { Inventory } from '../core/model/inventory';
import { acmCertificateSource, appMeshCertificateArns } from '../providers/acm';
import { AppMeshCallError, appMeshSource } from '../providers/appmesh/live';
import { ISTIO_READER_RULES, istioSource, KubeApiError, kubeConfigFromFile, LiveConfigError, type KubeConfig, type KubernetesClientModule } from '../providers/istio/live';
import { rbacResourceName } from '../providers/istio/live/resource-types';
import { KubeRestClient } from '../providers/istio/live/rest-client';

export interface LiveSourceOptions {
  appmeshRegion?: string;
  kubeContext?: string;
  /** Meshes to read (rules/ `sources.appmesh.meshes`); all when unset. */
  meshes?: string[];
  /**
   * rules/ `sources.istio`: the namespaces to read (with the root namespace; all when unset),
   * and the root namespace when the cluster's MeshConfig names none.
   */
  istio?: { namespaces?: string[]; rootNamespace?: string };
  /** Where notes about what was read go (a cluster without Istio, a region without meshes); standard error by default. */
  notice?: (line: string) => void;
  /** The loaded @kubernetes/client-node; required lazily when omitted (tests pass theirs). */
  kubeClient?: KubernetesClientModule;
  /** Bounds on waiting for an unresponsive endpoint; CLI_TIMEOUTS by default. */
  timeouts?: Partial<LiveTimeouts>;
}

export interface LiveTimeouts {
  /** How long the first request to the Kubernetes API server may go unanswered (it is sent twice). */
  kubeProbeMs: number;
  appmeshConnectMs: number;
  appmeshRequestMs: number;
}

/**
 * A person or CI job is waiting: an API server that does not answer is reported within about
 * twice kubeProbeMs, instead of after the reader's five 30-second attempts.
 */
export const CLI_TIMEOUTS: LiveTimeouts = { kubeProbeMs: 10_000, appmeshConnectMs: 5_000, appmeshRequestMs: 5_000 };

/** A live source that could not be read, said so a person can act on it. */
export class LiveSourceError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'LiveSourceError';
  }
}

/**
 * The live sources of `meshgov audit`: App Mesh through its API in a region (with the ACM
 * certificates and ACM-PCA CAs its listeners and client policies name), and Istio through a
 * kubeconfig context. Credentials come from the usual chains: the AWS SDK's and KUBECONFIG.
 */
export async function collectLive(options: LiveSourceOptions): Promise<Inventory[]> {
  const parts: Inventory[] = [];
  const notice = options.notice ?? ((line: string) => void process.stderr.write(`meshgov: ${line}\n`));
  const timeouts = { ...CLI_TIMEOUTS, ...options.timeouts };
  if (options.appmeshRegion !== undefined) {
    parts.push(await collectAppMesh(options.appmeshRegion, options.meshes, timeouts, notice));
  }
  if (options.kubeContext !== undefined) {
    parts.push(await collectKubernetes(options.kubeContext, options.kubeClient, options.istio ?? {}, timeouts, notice));
  }
  return parts;
}

async function collectAppMesh(region: string, meshes: string[] | undefined, timeouts: LiveTimeouts, notice: (line: string) => void): Promise<Inventory> {
  const source = appMeshSource({
    region,
    ...(meshes?.length ? { meshes } : {}),
    httpTimeouts: { connectionTimeoutMs: timeouts.appmeshConnectMs, requestTimeoutMs: timeouts.appmeshRequestMs },
  });
  let inventory: Inventory;
  try {
    inventory = await source.collect({ kind: 'all', providers: ['appmesh'] });
  } catch (error) {
    throw new LiveSourceError(describeAppMeshFailure(error, region), { cause: error });
  }
  const stats = source.lastCollect;
  if (stats?.missingMeshes?.length) notice(`App Mesh in ${region} has no mesh named ${stats.missingMeshes.join(', ')} (rules sources.appmesh.meshes)`);
  else if (stats && stats.meshes.length === 0 && !inventory.unreadMeshes?.length) notice(`App Mesh in ${region}: the credentials see no mesh there`);
  const uses = appMeshCertificateArns(inventory);
  if (uses.length > 0) {
    // A CLI run reports what it could not read rather than failing the whole audit.
    const read = await acmCertificateSource({ region, onUnavailable: 'problem' }).describeCertificates(uses);
    inventory.certificates.push(...read.certificates);
    inventory.problems.push(...read.problems);
  }
  return inventory;
}

async function collectKubernetes(
  context: string,
  client: KubernetesClientModule | undefined,
  istio: NonNullable<LiveSourceOptions['istio']>,
  timeouts: LiveTimeouts,
  notice: (line: string) => void,
): Promise<Inventory> {
  const kubeConfig = kubeConfigFromFile(context || undefined, client ? { client } : {});
  const connection = { kubeConfig, ...(client ? { client } : {}) };
  try {
    // One short-fused request first: an address that takes connections and never answers would
    // otherwise hold the read for the reader's whole retry budget.
    await new KubeRestClient(connection, { timeoutMs: timeouts.kubeProbeMs, retry: { maxAttempts: 2 } }).request('GET', '/version').catch((error: unknown) => {
      // Any answer at all (even 404 from a proxy) proves the server is there; the read says the rest.
      if (!(error instanceof KubeApiError) || error.status === 0) throw error;
    });
    const source = istioSource({ ...connection, ...(istio.rootNamespace ? { rootNamespace: istio.rootNamespace } : {}) });
    const inventory = await source.collect({ kind: 'all', providers: ['istio', 'x509'], ...(istio.namespaces?.length ? { namespaces: istio.namespaces } : {}) });
    if (source.lastRead().unserved?.includes('PeerAuthentication')) {
      notice(`context "${kubeConfig.getCurrentContext()}" (${kubeConfig.getCurrentCluster()?.server}) serves no Istio PeerAuthentication (security.istio.io): Istio is not installed there, so no Istio policy was read`);
    }
    return inventory;
  } catch (error) {
    throw new LiveSourceError(describeKubeFailure(error, kubeConfig), { cause: error });
  }
}

/** TLS verification failures (Node's OpenSSL codes): the server's certificate is not one the kubeconfig trusts. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What went wrong talking to the cluster, with the server, context and user it concerns and what to do. */
export function describeKubeFailure(error: unknown, kubeConfig: KubeConfig): string {
  if (error instanceof LiveConfigError) return error.message;
  const context = kubeConfig.getCurrentContext();
  const server = kubeConfig.getCurrentCluster()?.server ?? '(no server)';
  const user = kubeConfig.getCurrentUser();
  const where = `the Kubernetes API server ${server} (context "${context}")`;
  if (error instanceof KubeApiError) {
    const said = error.message.trim();
    if (error.status === 0 && TLS_CODES.has(error.reason)) {
      return `${where}: its TLS certificate is not trusted (${error.reason}: ${said}): the kubeconfig's certificate-authority for cluster "${kubeConfig.getCurrentCluster()?.name}" did not sign it, or the server is not that cluster`;
    }
    if (error.status === 0) return `cannot reach ${where}: ${error.reason}${said ? `: ${said}` : ''}`;
    if (error.status === 401) {
      return `${where} refused the credentials of user "${user?.name ?? ''}" (401 ${error.reason}${said && said !== error.reason ? `: ${said}` : ''}): they are missing, wrong or expired; get fresh ones (gcloud container clusters get-credentials, aws eks update-kubeconfig) and run again`;
    }
    if (error.status === 403) {
      const target = apiTarget(error.method, error.path);
      const can = target ? `${target.verb} ${rbacResourceName(target.group ?? '', target.resource)}` : undefined;
      const scope = target?.namespace ? ` -n ${target.namespace}` : ' --all-namespaces';
      return (
        `${where}: user "${user?.name ?? ''}" may not ${can ?? `${error.method} ${error.path}`}` +
        `${target?.namespace ? ` in namespace ${target.namespace}` : ''} (${error.method} ${error.path}: 403${said ? `: ${said}` : ''}). ` +
        `meshgov reads Istio with get and list on ${readResources()} (the ClusterRole meshgov-agent-reader of functions/gcp/deploy/rbac.yaml); grant them with a ClusterRole bound to that user` +
        `${can ? `, and check with: kubectl auth can-i ${can}${scope} --context ${context}` : ''}`
      );
    }
    return `${where}: ${error.method} ${error.path}: ${error.status} ${error.reason}${said ? `: ${said}` : ''}`;
  }
  const exec = user?.exec as { command?: string; installHint?: string } | undefined;
  const failure = error as NodeJS.ErrnoException;
  if (exec?.command && failure?.code === 'ENOENT' && String(failure.syscall ?? '').startsWith('spawn')) {
    return `user "${user?.name}" of context "${context}" gets its credentials from the command "${exec.command}", which is not installed or not on PATH${exec.installHint ? `: ${exec.installHint.trim()}` : ''}`;
  }
  if (exec?.command) return `user "${user?.name}" of context "${context}": the credential command "${exec.command}" failed: ${String((error as Error)?.message ?? error).trim()}`;
  return `${where}: ${(error as Error)?.message ?? String(error)}`;
}

/** The resources the reader lists, as RBAC names them (`ingresses.networking.k8s.io`): the rules it is written to need. */
function readResources(): string {
  const names = ISTIO_READER_RULES.filter((rule) => rule.resourceNames === undefined && rule.verbs.includes('list')).flatMap((rule) =>
    rule.apiGroups.flatMap((group) => rule.resources.map((resource) => rbacResourceName(group, resource))),
  );
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The RBAC verb, resource, group and namespace of a read, from its API path; undefined for discovery. */
function apiTarget(method: string, path: string): { verb: string; resource: string; group: string; namespace?: string } | undefined {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/(.+)$/.exec(path.split('?')[0]!);
  if (!m) return undefined;
  const rest = m[2]!.split('/');
  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const [resource, name] = namespaced ? [rest[2]!, rest[3]] : [rest[0]!, rest[1]];
  const verb = method === 'GET' ? (name === undefined ? 'list' : 'get') : method.toLowerCase();
  return { verb, resource, group: m[1] ?? '', ...(namespaced ? { namespace: rest[1]! } : {}) };
}

/** What went wrong reading App Mesh, with what to do where the SDK's own words do not say it. */
export function describeAppMeshFailure(error: unknown, region: string): string {
  if (!(error instanceof AppMeshCallError)) return `App Mesh in ${region}: ${(error as Error)?.message ?? String(error)}`;
  if (error.errorName === 'CredentialsProviderError') {
    return (
      `App Mesh in ${region}: no AWS credentials: the AWS SDK's default credential chain ` +
      `(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the default profile in ~/.aws/credentials and ~/.aws/config with SSO, web identity, container and EC2 instance metadata) ` +
      `found none or could not use them (${(error.cause as Error)?.message ?? error.message}); run aws configure or aws sso login, or set AWS_PROFILE`
    );
  }
  if (error.errorName === 'AccessDeniedException' || error.errorName === 'ForbiddenException') {
    return `App Mesh in ${region}: ${error.message}: the credentials need the IAM permission appmesh:${error.operation}`;
  }
  return `App Mesh in ${region}: ${error.message}`;
}
