/**
 * The App Mesh client meshgov reads and writes with. No endpoint is hard-coded: without
 * `endpoint` the SDK resolves one from the region, or from `AWS_ENDPOINT_URL_APP_MESH` /
 * `AWS_ENDPOINT_URL` (CONTRACT.md, "Runtime configuration").
 */
import { AppMeshClient, type AppMeshClientConfig } from '@aws-sdk/client-app-mesh';
import { errorNameOf } from './errors';
import { installRateLimit, RequestRateLimiter } from './rate-limiter';

/** Attempts per call, first included: enough to ride out a throttled minute at adaptive back-off. */
export const DEFAULT_MAX_ATTEMPTS = 8;

export interface AppMeshClientOptions {
  region?: string;
  /** Tests point this at the emulator; production leaves it unset. */
  endpoint?: string;
  credentials?: AppMeshClientConfig['credentials'];
  maxAttempts?: number;
  /** Client-side pacing of every attempt; unset sends as fast as the concurrency allows. */
  requestsPerSecond?: number;
  /** Burst of the client-side bucket; default 2. */
  burst?: number;
}

/**
 * A client with adaptive retry: TooManyRequestsException and 5xx are retried with back-off,
 * and after a throttle the SDK also slows its own sending rate. LimitExceededException is not
 * retried (see failFastOnQuota).
 *
 * @example
 * const client = createAppMeshClient({ region: 'us-west-2', requestsPerSecond: 40 });
 * const source = appMeshSource({ client });
 */
export function createAppMeshClient(options: AppMeshClientOptions = {}): AppMeshClient {
  const config: AppMeshClientConfig = {
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
  if (options.region) config.region = options.region;
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  const client = new AppMeshClient(config);
  failFastOnQuota(client);
  if (options.requestsPerSecond !== undefined) {
    installRateLimit(client, new RequestRateLimiter({ requestsPerSecond: options.requestsPerSecond, burst: options.burst }));
  }
  return client;
}

/**
 * The client a source or executor works with: the one it was given (paced too when
 * `requestsPerSecond` is set), else a new one from `createAppMeshClient`.
 */
export function appMeshClientFrom(options: { client?: AppMeshClient; region?: string; requestsPerSecond?: number; burst?: number }): AppMeshClient {
  if (!options.client) return createAppMeshClient({ region: options.region, requestsPerSecond: options.requestsPerSecond, burst: options.burst });
  if (options.requestsPerSecond !== undefined) {
    installRateLimit(options.client, new RequestRateLimiter({ requestsPerSecond: options.requestsPerSecond, burst: options.burst }));
  }
  return options.client;
}

/**
 * Errors the SDK would retry that retrying cannot cure. App Mesh's LimitExceededException (HTTP
 * 400) is a service quota ("You have exceeded a service limit for your account", API
 * Reference) with no retryable trait in the model, but the SDK classes it as a throttle by its
 * name (THROTTLING_ERROR_CODES): it would resend it up to maxAttempts with throttle back-off and
 * make its adaptive limiter slow every later call of the client.
 */
const NOT_RETRIED = new Set(['LimitExceededException']);

type ResolvedRetryStrategy = Awaited<ReturnType<AppMeshClient['config']['retryStrategy']>>;

/** Wraps the client's resolved retry strategy so that NOT_RETRIED errors end the call at once. */
function failFastOnQuota(client: AppMeshClient): void {
  const resolve = client.config.retryStrategy;
  let wrapped: Promise<ResolvedRetryStrategy> | undefined;
  client.config.retryStrategy = () =>
    (wrapped ??= resolve().then((inner): ResolvedRetryStrategy => {
      // A legacy strategy (`retry(next, args)`) keeps its own loop; the SDK resolves a V2 one.
      if (!('refreshRetryTokenForRetry' in inner)) return inner;
      return {
        acquireInitialRetryToken: (scope) => inner.acquireInitialRetryToken(scope),
        // A rejection here makes the SDK throw the call's own error, with its attempts.
        refreshRetryTokenForRetry: (token, info) => (NOT_RETRIED.has(errorNameOf(info.error)) ? Promise.reject(info.error) : inner.refreshRetryTokenForRetry(token, info)),
        recordSuccess: (token) => inner.recordSuccess(token),
      };
    }));
}
