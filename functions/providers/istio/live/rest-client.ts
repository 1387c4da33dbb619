/**
 * Raw JSON requests to the Kubernetes API through @kubernetes/client-node's own transport: its
 * KubeConfig applies the credentials and TLS settings (token, exec plugin, client certificate,
 * CA), its HTTP library sends the request. The generated typed APIs are not used because they
 * turn objects into model classes (Date objects for timestamps, unknown fields dropped); the
 * audit wants the objects exactly as the API server sends them, whatever their group.
 *
 * Every request is retried on 429 (honouring Retry-After) and 5xx, within a bounded budget.
 */
import { errorFromResponse, isKubeApiError, KubeApiError } from './api-error';
import { requireKubernetesClient, type KubeConnection, type KubernetesClientModule } from './kube-client';
import { DEFAULT_RETRY_POLICY, isRetryableNetworkError, isRetryableStatus, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry-policy';

export type HttpVerb = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Content-Type of the body; `application/json` by default. */
  contentType?: string;
}

/** One request as it was sent, for call counts and logs. */
export interface SentRequest {
  method: HttpVerb;
  path: string;
  status: number;
  attempt: number;
}

export interface RestClientOptions {
  retry?: Partial<RetryPolicy>;
  /** A request with no answer after this long counts as a retryable ETIMEDOUT (default 30 s). */
  timeoutMs?: number;
  /** How to wait between attempts; tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** Called after every response (or network failure), retries included. */
  onRequest?: (request: SentRequest) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class KubeRestClient {
  private readonly k8s: KubernetesClientModule;
  private readonly configuration;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onRequest: ((request: SentRequest) => void) | undefined;
  private readonly timeoutMs: number;
  private sent = 0;
  private retried = 0;

  constructor(
    private readonly connection: KubeConnection,
    options: RestClientOptions = {},
  ) {
    this.k8s = connection.client ?? requireKubernetesClient();
    const cluster = connection.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    this.configuration = this.k8s.createConfiguration({ baseServer: new this.k8s.ServerConfiguration(cluster.server.replace(/\/+$/, ''), {}) });
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? defaultSleep;
    this.onRequest = options.onRequest;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Requests sent so far, retries included. */
  get requestCount(): number {
    return this.sent;
  }

  /** Requests that were sent again after a retryable failure. */
  get retryCount(): number {
    return this.retried;
  }

  /** Sends one request and returns its parsed JSON body; a failure is a KubeApiError after the retry budget. */
  async request<T = unknown>(method: HttpVerb, path: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.sendOnce(method, path, options, attempt);
      if (outcome.ok) return outcome.body as T;
      const { error, retryAfterMs } = outcome;
      const retryable = error.status === 0 ? isRetryableNetworkError(error.reason) : isRetryableStatus(error.status);
      if (!retryable || attempt >= this.retry.maxAttempts) throw error;
      this.retried++;
      await this.sleep(retryDelayMs(attempt, this.retry, retryAfterMs));
    }
  }

  private async sendOnce(
    method: HttpVerb,
    path: string,
    options: RequestOptions,
    attempt: number,
  ): Promise<{ ok: true; body: unknown } | { ok: false; error: KubeApiError; retryAfterMs?: number }> {
    const context = this.configuration.baseServer.makeRequestContext(path, this.k8s.HttpMethod[method]);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) context.setQueryParam(name, String(value));
    }
    context.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(JSON.stringify(options.body));
    }
    // Credentials are applied per request: exec plugins and token sources refresh here.
    await this.connection.kubeConfig.applySecurityAuthentication(context);

    this.sent++;
    let response;
    let text: string;
    let timer: NodeJS.Timeout | undefined;
    try {
      // The client's fetch takes no timeout or signal: a request that hangs is given up here
      // (its socket is left to the agent) and retried like a dropped connection.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })), this.timeoutMs);
      });
      response = await Promise.race([this.configuration.httpApi.send(context).toPromise(), timeout]);
      text = await Promise.race([response.body.text(), timeout]);
    } catch (error) {
      // The abandoned socket would keep the process alive until the server or the OS drops it
      // (a CLI that has reported its error and never exits): the agent is this request's own.
      context.getAgent()?.destroy();
      const code = (error as { code?: string; errno?: string }).code ?? (error as { errno?: string }).errno ?? 'NETWORK';
      this.onRequest?.({ method, path, status: response?.httpStatusCode ?? 0, attempt });
      return { ok: false, error: new KubeApiError(0, code, (error as Error).message, method, path, attempt) };
    } finally {
      clearTimeout(timer);
    }
    this.onRequest?.({ method, path, status: response.httpStatusCode, attempt });
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) {
      try {
        return { ok: true, body: text === '' ? undefined : JSON.parse(text) };
      } catch {
        return { ok: false, error: new KubeApiError(response.httpStatusCode, 'InvalidResponse', `the answer is not JSON: ${text.slice(0, 120)}`, method, path, attempt) };
      }
    }
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    const error = errorFromResponse(response.httpStatusCode, text, method, path, attempt);
    return retryAfterMs === undefined ? { ok: false, error } : { ok: false, error, retryAfterMs };
  }
}

/** The object at `path`: undefined when it does not exist (404), the KubeApiError of any other refusal. */
export async function readObject<T = Record<string, any>>(rest: KubeRestClient, path: string): Promise<T | undefined | KubeApiError> {
  try {
    return await rest.request<T>('GET', path);
  } catch (error) {
    if (isKubeApiError(error, 404)) return undefined;
    if (error instanceof KubeApiError) return error;
    throw error;
  }
}
