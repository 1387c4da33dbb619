/**
 * A Kubernetes API server for tests: a real HTTP server on a free loopback port speaking the
 * REST paths and JSON of the API server for core v1, apps/v1, batch/v1, Istio
 * security/networking and cert-manager resources, and what the remediation gate reads besides
 * (Ingresses, webhooks, Gateway API, GMP, trust-manager, TargetGroupBindings, Multi Cluster
 * Ingress; README.md). Tests drive it through `@kubernetes/client-node`, arm failures,
 * make writes conflict, and read the call log and the stored state.
 *
 * @example
 *   const emulator = await startKubernetesEmulator();
 *   emulator.seed([{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication',
 *     metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'PERMISSIVE' } } }]);
 *   const kc = await loadKubeConfigFor(emulator.url);
 *   ...
 *   await emulator.stop();
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { CallLog } from './call-log';
import { KubernetesCluster } from './cluster';
import { discoveryDocument } from './discovery';
import { FaultInjector, type FaultOptions, type RequestMatcher } from './faults';
import { EMULATOR_TOKEN, kubeconfigFor } from './kubeconfig';
import { mediaType } from './request-body';
import { routeResourceRequest, type ResourceRoute, type RouteFailure } from './request-router';
import { makeServingCertificate } from './self-signed-certificate';
import { injectedFailure, methodNotAllowed, pathNotFound, StatusError, unauthorized } from './status-errors';
import type { KubernetesObject, RecordedCall } from './types';
import { closeServer, listenOnLoopback } from '../../support/loopback-server';

export interface KubernetesEmulatorOptions {
  /** Bearer token every request must carry; `null` turns authentication off. Default EMULATOR_TOKEN. */
  token?: string | null;
  /** Namespaces present at start and after reset(). Default: default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /**
   * Manager recorded in managedFields of seeded objects that bring none, as if they had been
   * created with `kubectl apply` (client-side). `null` seeds objects with no owner.
   * Default `kubectl-client-side-apply`.
   */
  seedManager?: string | null;
  /** The resourceVersion counter's starting point. Default 1000. */
  initialResourceVersion?: number;
  /** Clock for creationTimestamp and managedFields times. */
  now?: () => Date;
  /** The authenticated user named in injected 403 messages. */
  user?: string;
  /** Serve HTTPS with a fresh self-signed certificate (needs the openssl CLI) instead of plain HTTP. */
  tls?: boolean;
}

export interface KubernetesEmulator {
  /** `http://127.0.0.1:<port>` (or https with `tls`), the API server URL for a kubeconfig. */
  readonly url: string;
  readonly token: string | null;
  /** PEM of the serving certificate, which is its own CA; only with `tls`. */
  readonly certificateAuthorityPem?: string;
  /** A kubeconfig YAML for this emulator (token, and CA or insecure-skip-tls-verify). */
  kubeconfig(namespace?: string): string;
  stop(): Promise<void>;
  /** Places real objects in their stores with uid, creationTimestamp and resourceVersion. */
  seed(objects: KubernetesObject[]): KubernetesObject[];
  /** The stored object (storage apiVersion), or undefined. Kind by name, plural or short name. */
  get(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined;
  list(kind: string, namespace?: string): KubernetesObject[];
  /** Request counts keyed `"<verb> <resource>"`, e.g. `list peerauthentications`. */
  calls(): Record<string, number>;
  /** Every request in order, with its route, content type, field manager and answer status. */
  requests(): RecordedCall[];
  resetCalls(): void;
  /** The next `count` matching requests fail with `status` (429 and 503 carry Retry-After). */
  failNext(matcher: RequestMatcher, status: number, count?: number, options?: FaultOptions): void;
  /** Armed failures not yet consumed. */
  pendingFailures(): number;
  /** Another writer touches the object: new resourceVersion, optionally new content. Returns it. */
  bumpResourceVersion(kind: string, namespace: string | undefined, name: string, mutate?: (object: KubernetesObject) => void): string;
  /** Compacts history: continue tokens issued so far answer 410 Expired. */
  expireContinueTokens(): void;
  /** Back to the initial namespaces, no faults armed, an empty call log. */
  reset(): void;
}

// The API server refuses bodies above 3 MiB (apiserver MaxRequestBodyBytes).
const MAX_BODY_BYTES = 3 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => (size > MAX_BODY_BYTES ? reject(new Error('request body too large')) : resolve(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
    'audit-id': randomUUID(),
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}

const METHOD_VERBS: Record<string, RecordedCall['verb']> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** What the call log records and fault matchers see, before the answer is known. */
function describeCall(method: string, url: URL, isDiscovery: boolean, route: ResourceRoute | RouteFailure | undefined, contentType: string | undefined): Omit<RecordedCall, 'status'> {
  const resourceRoute = typeof route === 'object' ? route : undefined;
  const call: Omit<RecordedCall, 'status'> = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    verb: isDiscovery ? 'discovery' : resourceRoute?.verb ?? METHOD_VERBS[method] ?? 'get',
    // Discovery calls are keyed by path (`discovery /apis`), resource calls by plural[/subresource].
    resource: isDiscovery ? url.pathname : resourceRoute === undefined ? '' : resourceRoute.resource.plural + (resourceRoute.subresource ? `/${resourceRoute.subresource}` : ''),
    group: resourceRoute?.group ?? '',
    version: resourceRoute?.version ?? '',
  };
  if (resourceRoute?.namespace !== undefined) call.namespace = resourceRoute.namespace;
  if (resourceRoute?.name !== undefined) call.name = resourceRoute.name;
  if (contentType !== undefined) call.contentType = mediaType(contentType);
  const fieldManager = url.searchParams.get('fieldManager');
  if (fieldManager !== null) call.fieldManager = fieldManager;
  return call;
}

export async function startKubernetesEmulator(options: KubernetesEmulatorOptions = {}): Promise<KubernetesEmulator> {
  const token = options.token === undefined ? EMULATOR_TOKEN : options.token;
  const user = options.user ?? 'system:serviceaccount:meshgov:meshgov-agent';
  const cluster = new KubernetesCluster({
    now: options.now ?? (() => new Date()),
    initialResourceVersion: options.initialResourceVersion ?? 1000,
    namespaces: options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease'],
    seedManager: options.seedManager === undefined ? 'kubectl-client-side-apply' : options.seedManager,
  });
  const log = new CallLog();
  const faults = new FaultInjector();
  let url = '';

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const parsed = new URL(request.url ?? '/', 'http://emulator.invalid');
    const query = parsed.searchParams;
    const contentType = request.headers['content-type'];
    const discovery = method === 'GET' ? discoveryDocument(parsed.pathname, url.replace(/^https?:\/\//, '')) : undefined;
    const route = discovery === undefined ? routeResourceRequest(method, parsed.pathname, query.get('watch') === 'true' || query.get('watch') === '1') : undefined;
    const resourceRoute: ResourceRoute | undefined = typeof route === 'object' ? route : undefined;

    const call = describeCall(method, parsed, discovery !== undefined, route, contentType);

    const answer = (status: number, body: unknown, headers?: Record<string, string>): void => {
      log.record({ ...call, status });
      send(response, status, body, headers);
    };
    const fail = (error: StatusError): void => answer(error.status.code ?? 500, error.status, error.headers);

    let body: string;
    try {
      body = await readBody(request);
    } catch {
      answer(413, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 });
      return;
    }
    if (token !== null && request.headers.authorization !== `Bearer ${token}`) return fail(unauthorized());

    const fault = faults.take(call);
    if (fault !== undefined) {
      const context = { verb: call.verb, user, ...(resourceRoute === undefined ? {} : { resource: resourceRoute.resource }), ...(call.name === undefined ? {} : { name: call.name }), ...(call.namespace === undefined ? {} : { namespace: call.namespace }) };
      return fail(injectedFailure(fault.status, context, fault.retryAfterSeconds));
    }
    if (discovery !== undefined) return answer(200, discovery);
    if (route === 'not-found' || route === undefined) return fail(pathNotFound());
    if (route === 'method-not-allowed') return fail(methodNotAllowed());

    try {
      const result = cluster.handle({ route, query, body, contentType: contentType ?? '', userAgent: request.headers['user-agent'] ?? '' });
      answer(result.status, result.body);
    } catch (error) {
      if (error instanceof StatusError) return fail(error);
      const message = error instanceof Error ? error.message : String(error);
      answer(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 });
    }
  }

  const listener: RequestListener = (request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(error), reason: 'InternalError', code: 500 });
    });
  };
  const certificate = options.tls ? makeServingCertificate() : undefined;
  const server = certificate === undefined ? createHttpServer(listener) : createHttpsServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem }, listener);
  url = `${certificate === undefined ? 'http' : 'https'}://127.0.0.1:${await listenOnLoopback(server)}`;

  return {
    url,
    token,
    ...(certificate === undefined ? {} : { certificateAuthorityPem: certificate.certificatePem }),
    kubeconfig: (namespace) =>
      kubeconfigFor(url, {
        ...(token === null ? {} : { token }),
        ...(namespace === undefined ? {} : { namespace }),
        ...(certificate === undefined ? {} : { certificateAuthorityPem: certificate.certificatePem }),
      }),
    stop: () => closeServer(server),
    seed: (objects) => cluster.seed(objects),
    get: (kind, namespace, name) => cluster.get(kind, namespace, name),
    list: (kind, namespace) => cluster.list(kind, namespace),
    calls: () => log.counts(),
    requests: () => log.all(),
    resetCalls: () => log.clear(),
    failNext: (matcher, status, count = 1, faultOptions = {}) => faults.arm(matcher, status, count, faultOptions),
    pendingFailures: () => faults.pending(),
    bumpResourceVersion: (kind, namespace, name, mutate) => cluster.bumpResourceVersion(kind, namespace, name, mutate),
    expireContinueTokens: () => cluster.store.expireContinueTokens(),
    reset: () => {
      cluster.reset();
      faults.clear();
      log.clear();
    },
  };
}
