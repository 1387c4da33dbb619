/**
 * A token bucket: holds at most `burst` tokens, refills at `rps` tokens per second, and each
 * call takes one. An empty bucket means the caller is throttled, the way App Mesh answers a
 * burst above its per-account request rate (429 TooManyRequestsException) and ACM and ACM-PCA
 * one above an operation's quota (ThrottlingException). The emulators of both use it.
 */
export interface TokenBucketOptions {
  /** Sustained requests per second (refill rate). */
  rps: number;
  /** Bucket size: how many calls may arrive at once after a quiet period. */
  burst: number;
  /** Clock in milliseconds; injectable so tests are exact. */
  now?: () => number;
}

export class TokenBucket {
  private readonly rps: number;
  private readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private lastRefillMs: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.rps > 0)) throw new RangeError(`rps must be > 0, got ${options.rps}`);
    if (!(options.burst >= 1)) throw new RangeError(`burst must be >= 1, got ${options.burst}`);
    this.rps = options.rps;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
    this.tokens = options.burst;
    this.lastRefillMs = this.now();
  }

  /** Takes a token when one is available; returns false (throttled) otherwise. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens available right now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const nowMs = this.now();
    const elapsedSeconds = Math.max(0, nowMs - this.lastRefillMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedSeconds * this.rps);
    this.lastRefillMs = nowMs;
  }
}
