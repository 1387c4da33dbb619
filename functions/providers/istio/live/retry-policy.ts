/**
 * When and how long to wait before sending a failed request again. The API server answers 429
 * under API Priority and Fairness with a Retry-After header (k8s.io/apiserver flowcontrol), and
 * 5xx while a control plane is upgraded or overloaded; client-go retries both with backoff
 * (rest/request.go `checkWait`, `retry.go`). Everything else is final.
 */
export interface RetryPolicy {
  /** Sends per request, the first included. */
  maxAttempts: number;
  /** First backoff step; doubles every attempt (full jitter). */
  baseDelayMs: number;
  /** Upper bound of a computed backoff step. */
  maxDelayMs: number;
  /** Upper bound of a wait the server asked for with Retry-After. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Connection-level failures worth another try (node-fetch FetchError codes). */
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

export function isRetryableNetworkError(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_NETWORK.has(code);
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): the server's Retry-After when
 * it gave one (bounded), else exponential backoff with full jitter.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}
