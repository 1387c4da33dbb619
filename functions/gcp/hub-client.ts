import { signRequest, type AgentReport } from '../core/link';
import type { AgentConfig, HubRetry } from './config';
import type { Logger } from './log';

/**
 * Sends one audit's report to the hub as a single signed HTTPS POST, retrying what may pass
 * on a second try (a network error, a timeout, 408, 429, 5xx) with exponential backoff and
 * jitter. When the hub has not taken the report after the last attempt, it throws: the Cloud
 * Function then fails, Pub/Sub redelivers the message, and nothing is lost.
 */

export interface HubTarget {
  url: URL;
  /** The current link secret (the first of AgentConfig.linkSecrets). */
  secret: string;
  retry: HubRetry;
}

export interface HubClientDeps {
  fetch: typeof fetch;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); jitter spreads the retries of many instances. Default Math.random. */
  random?: () => number;
  log: Logger;
}

export interface HubDelivery {
  status: number;
  attempts: number;
  /** Size of the JSON body sent. */
  bytes: number;
}

/** The hub did not take the report. `retryable` false means it answered and refused (4xx): fix the configuration, then the redelivery passes. */
export class HubDeliveryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubDeliveryError';
  }
}

const MAX_DELAY_MS = 30_000;

/** What an agent function reports with: its configuration and its clock, fetch and sleep (AgentDeps). */
export interface AgentHubDeps {
  config: Pick<AgentConfig, 'hubUrl' | 'linkSecrets' | 'hubRetry'>;
  fetch: typeof fetch;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Sends a report to the hub the agent is configured for, signed with its current link secret. */
export function reportAsAgent(report: AgentReport, agent: AgentHubDeps, log: Logger): Promise<HubDelivery> {
  const { config } = agent;
  return reportToHub(report, { url: config.hubUrl, secret: config.linkSecrets[0]!, retry: config.hubRetry }, { fetch: agent.fetch, clock: agent.clock, sleep: agent.sleep, log });
}

export async function reportToHub(report: AgentReport, target: HubTarget, deps: HubClientDeps): Promise<HubDelivery> {
  const body = JSON.stringify(report);
  const random = deps.random ?? Math.random;
  let lastProblem = '';
  for (let attempt = 1; attempt <= target.retry.attempts; attempt++) {
    // Signed afresh for every attempt: the hub may have remembered the previous nonce.
    const headers = { 'content-type': 'application/json', ...signRequest(body, target.secret, deps.clock()) };
    let retryAfterMs: number | undefined;
    try {
      const response = await deps.fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(target.retry.timeoutMs) });
      const answer = await response.text().catch(() => '');
      if (response.ok) return { status: response.status, attempts: attempt, bytes: Buffer.byteLength(body) };
      lastProblem = `hub answered ${response.status}${answer ? `: ${answer.slice(0, 300)}` : ''}`;
      if (!isRetryableStatus(response.status)) {
        deps.log.error('hub refused the report', { hubStatus: response.status, hubAnswer: answer.slice(0, 300), attempt });
        throw new HubDeliveryError(`hub refused the report: ${lastProblem}`, attempt, false, response.status);
      }
      retryAfterMs = retryAfter(response.headers.get('retry-after'), deps.clock());
    } catch (error) {
      if (error instanceof HubDeliveryError) throw error;
      lastProblem = describeNetworkError(error);
    }
    if (attempt === target.retry.attempts) break;
    const backoff = Math.min(MAX_DELAY_MS, target.retry.backoffMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
    const delay = Math.min(MAX_DELAY_MS, Math.max(backoff, retryAfterMs ?? 0));
    deps.log.warning('hub not reached; retrying', { attempt, nextAttemptInMs: Math.round(delay), problem: lastProblem });
    await deps.sleep(delay);
  }
  throw new HubDeliveryError(`hub not reached after ${target.retry.attempts} attempt(s): ${lastProblem}`, target.retry.attempts, true);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
function retryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

// Duck-typed: fetch's errors may come from another realm (undici, a test sandbox), where instanceof Error fails.
function describeNetworkError(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: string; message?: string; cause?: { code?: string } };
  if (e.message === undefined) return String(error);
  if (e.name === 'TimeoutError') return 'request timed out';
  return e.cause?.code ? `${e.message} (${e.cause.code})` : e.message;
}
