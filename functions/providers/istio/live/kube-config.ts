/**
 * Credentials for the live Istio provider, for the two places it runs:
 * - a Cloud Function on GCP, where there is no kubeconfig: the cluster endpoint and CA come
 *   from the environment, and every request carries the function's service-account access
 *   token from google-auth-library (GKE accepts Google OAuth2 access tokens as bearer tokens);
 * - the CLI, where a kubeconfig (KUBECONFIG honoured, `--kube-context NAME`) names the
 *   cluster and user, as kubectl does. That path works for any cluster (GKE, EKS, kind).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { requireKubernetesClient, type KubeConfig, type KubernetesClientModule } from './kube-client';

/** The GKE control plane endpoint: an IP address or host name, optionally with `https://` and a port. */
export const GKE_ENDPOINT_ENV = 'MESHGOV_GKE_ENDPOINT';
/** The cluster CA certificate, base64 of the PEM, as `gcloud container clusters describe` prints `masterAuth.clusterCaCertificate`. */
export const GKE_CA_CERT_ENV = 'MESHGOV_GKE_CA_CERT';

/** The OAuth2 scope GKE needs for a Google access token (Kubernetes Engine accepts cloud-platform). */
export const GOOGLE_CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** A setting the provider cannot work without, named so the operator can fix it. */
export class LiveConfigError extends Error {
  constructor(
    /** The environment variable, kubeconfig path or context at fault. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'LiveConfigError';
  }
}

export interface GkeSettings {
  /** Host or URL of the control plane (MESHGOV_GKE_ENDPOINT). */
  endpoint: string;
  /** Base64 of the cluster CA PEM (MESHGOV_GKE_CA_CERT). */
  caCertBase64: string;
}

/** Reads MESHGOV_GKE_ENDPOINT and MESHGOV_GKE_CA_CERT; a missing one is a LiveConfigError naming it. */
export function gkeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): GkeSettings {
  const endpoint = env[GKE_ENDPOINT_ENV]?.trim();
  const caCertBase64 = env[GKE_CA_CERT_ENV]?.trim();
  if (!endpoint) throw new LiveConfigError(GKE_ENDPOINT_ENV, `${GKE_ENDPOINT_ENV} is not set: the GKE control plane endpoint (gcloud container clusters describe … --format='value(endpoint)')`);
  if (!caCertBase64) throw new LiveConfigError(GKE_CA_CERT_ENV, `${GKE_CA_CERT_ENV} is not set: the cluster CA, base64 (--format='value(masterAuth.clusterCaCertificate)')`);
  return { endpoint, caCertBase64 };
}

/** Returns a current access token; called before every request (the token source caches and refreshes). */
export type AccessTokenSource = () => Promise<string>;

/** The Cloud Function's own service-account token, from Application Default Credentials. */
export function googleAccessTokenSource(): AccessTokenSource {
  // Lazy, so that code paths that never talk to GKE (the CLI, tests) do not load google-auth-library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GoogleAuth } = require('google-auth-library') as typeof import('google-auth-library');
  const auth = new GoogleAuth({ scopes: GOOGLE_CLOUD_PLATFORM_SCOPE });
  return async () => {
    const token = await auth.getAccessToken();
    if (!token) throw new LiveConfigError('google-auth-library', 'Application Default Credentials returned no access token');
    return token;
  };
}

const GKE_AUTH_PROVIDER = 'meshgov-access-token';

export interface GkeKubeConfigOptions {
  /** Where bearer tokens come from; the service account's Google token by default. */
  accessToken?: AccessTokenSource;
  client?: KubernetesClientModule;
  /** Names of the cluster, user and context in the KubeConfig (default `gke`). */
  name?: string;
}

/**
 * A KubeConfig built in code for a GKE cluster, with no kubeconfig file: the endpoint and CA
 * from configuration, and an authenticator that asks the token source before every request,
 * so a warm function instance never sends an expired token.
 *
 * @example
 *   const kubeConfig = kubeConfigForGke(gkeSettingsFromEnv());
 *   const source = istioSource({ kubeConfig });
 */
export function kubeConfigForGke(settings: GkeSettings, options: GkeKubeConfigOptions = {}): KubeConfig {
  const k8s = options.client ?? requireKubernetesClient();
  const name = options.name ?? 'gke';
  const pem = Buffer.from(settings.caCertBase64, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new LiveConfigError(GKE_CA_CERT_ENV, `${GKE_CA_CERT_ENV} does not decode to a PEM certificate`);
  }
  const server = /^https:\/\//i.test(settings.endpoint) ? settings.endpoint : `https://${settings.endpoint.replace(/^\w+:\/\//, '')}`;
  const tokens = options.accessToken ?? googleAccessTokenSource();

  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.addAuthenticator({
    isAuthProvider: (user) => user?.authProvider?.name === GKE_AUTH_PROVIDER,
    applyAuthentication: async (_user, requestOptions) => {
      const headers = (requestOptions.headers ??= {}) as Record<string, string>;
      headers['Authorization'] = `Bearer ${await tokens()}`;
    },
  });
  const cluster: Cluster = { name, server, caData: Buffer.from(pem, 'utf8').toString('base64'), skipTLSVerify: false };
  const user: User = { name, authProvider: { name: GKE_AUTH_PROVIDER, config: {} } };
  const context: Context = { name, cluster: name, user: name };
  kubeConfig.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: name });
  return kubeConfig;
}

export interface KubeconfigFileOptions {
  client?: KubernetesClientModule;
  /** Explicit kubeconfig file; otherwise KUBECONFIG (path-list), then ~/.kube/config. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * A KubeConfig from kubeconfig files, as kubectl reads them: KUBECONFIG may list several files
 * (the first to define a cluster, user or context name wins, and the first current-context),
 * else ~/.kube/config; inside a pod with neither, the in-cluster service account. `context`
 * selects a context (`--kube-context`); an unknown one is an error listing those that exist.
 *
 * @example
 *   const kubeConfig = kubeConfigFromFile('gke_meshgov-demo_us-central1_prod-gke');
 */
export function kubeConfigFromFile(context?: string, options: KubeconfigFileOptions = {}): KubeConfig {
  const k8s = options.client ?? requireKubernetesClient();
  const env = options.env ?? process.env;
  const files = options.path
    ? [options.path]
    : env['KUBECONFIG']
      ? env['KUBECONFIG'].split(path.delimiter).filter((f) => f !== '')
      : [path.join(env['HOME'] || homedir(), '.kube', 'config')];
  const present = files.filter((f) => existsSync(f));

  const kubeConfig = new k8s.KubeConfig();
  if (present.length === 0) {
    if (!options.path && env['KUBERNETES_SERVICE_HOST']) {
      kubeConfig.loadFromCluster();
      return selectContext(kubeConfig, context);
    }
    throw new LiveConfigError(files.join(path.delimiter), `no kubeconfig found at ${files.join(', ')}`);
  }
  const merged = { clusters: [] as Cluster[], users: [] as User[], contexts: [] as Context[], currentContext: '' };
  for (const file of present) {
    const one = new k8s.KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (error) {
      throw new LiveConfigError(file, `kubeconfig ${file} cannot be read: ${(error as Error).message}`);
    }
    addNew(merged.clusters, one.getClusters());
    addNew(merged.users, one.getUsers());
    addNew(merged.contexts, one.getContexts());
    if (!merged.currentContext && one.getCurrentContext()) merged.currentContext = one.getCurrentContext();
  }
  kubeConfig.loadFromOptions(merged);
  return selectContext(kubeConfig, context);
}

function addNew<T extends { name: string }>(into: T[], from: T[]): void {
  for (const item of from) if (!into.some((known) => known.name === item.name)) into.push(item);
}

function selectContext(kubeConfig: KubeConfig, context: string | undefined): KubeConfig {
  if (context !== undefined) {
    if (kubeConfig.getContextObject(context) === null) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new LiveConfigError(context, `kubeconfig has no context "${context}" (contexts: ${known.length > 0 ? known.join(', ') : 'none'})`);
    }
    kubeConfig.setCurrentContext(context);
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new LiveConfigError(kubeConfig.getCurrentContext() || '(no current-context)', 'kubeconfig has no current context with a cluster; pass --kube-context');
  }
  return kubeConfig;
}
