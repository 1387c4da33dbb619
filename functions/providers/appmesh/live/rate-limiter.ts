/**
 * A client-side token bucket: `requestsPerSecond` sustained, at most `burst` at once, and a
 * caller that finds it empty waits for the next token instead of sending. App Mesh answers a
 * burst above the account's request rate with 429 TooManyRequestsException; pacing ourselves
 * just under that rate keeps a 1,000-resource scan from bouncing off it (the SDK's adaptive
 * retry only slows down after the first 429).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';

export interface RateLimitOptions {
  requestsPerSecond: number;
  /**
   * Tokens available after a quiet period; default 2. A bucket of 1 would lose every
   * millisecond a timer fires late (Node timers do), about 5% of the rate at 40 rps; a bucket
   * of 2 keeps that time as a fraction of a token, so the long-run rate is the rate asked for.
   */
  burst?: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/** See RateLimitOptions.burst. */
export const DEFAULT_BURST = 2;

/**
 * @example
 * const limiter = new RequestRateLimiter({ requestsPerSecond: 40 });
 * await limiter.take(); // then send one request
 */
export class RequestRateLimiter {
  readonly requestsPerSecond: number;
  readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private lastRefillMs: number;
  /** Grants are handed out in call order: each waiter chains on the one before. */
  private tail: Promise<void> = Promise.resolve();

  constructor(options: RateLimitOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be > 0, got ${options.requestsPerSecond}`);
    const burst = options.burst ?? DEFAULT_BURST;
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.requestsPerSecond = options.requestsPerSecond;
    this.burst = burst;
    this.now = options.now ?? Date.now;
    this.tokens = burst;
    this.lastRefillMs = this.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const grant = this.tail.then(() => this.waitForToken());
    this.tail = grant;
    return grant;
  }

  private async waitForToken(): Promise<void> {
    this.refill();
    // A timer may fire a millisecond early by the wall clock: look again rather than trust it.
    while (this.tokens < 1) {
      await sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.requestsPerSecond) * 1000)));
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const nowMs = this.now();
    const elapsed = Math.max(0, nowMs - this.lastRefillMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.requestsPerSecond);
    this.lastRefillMs = nowMs;
  }
}

type Middleware = Parameters<AppMeshClient['middlewareStack']['addRelativeTo']>[0];

export const RATE_LIMIT_MIDDLEWARE = 'meshgovRateLimit';

/**
 * Makes every attempt of every call on `client` (retries included) wait for a token. It sits
 * right after the SDK's retry middleware, so a retried call pays for each attempt the way the
 * service's quota counts it. Installing again replaces the previous limiter.
 *
 * @example
 * installRateLimit(client, new RequestRateLimiter({ requestsPerSecond: 40 }));
 */
export function installRateLimit(client: AppMeshClient, limiter: RequestRateLimiter): void {
  const middleware = ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    await limiter.take();
    return next(args);
  }) as unknown as Middleware;
  client.middlewareStack.addRelativeTo(middleware, {
    name: RATE_LIMIT_MIDDLEWARE,
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    override: true,
  });
}
