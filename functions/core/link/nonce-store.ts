/**
 * Where a receiver remembers the nonces it has accepted, so that a signed request replayed
 * inside the five-minute window is refused.
 *
 * One process's memory only sees the requests that reached that process. A receiver that runs
 * as more than one instance needs a store they share, with an atomic "insert if absent":
 * - on AWS (the hub): a DynamoDB PutItem with `attribute_not_exists(pk)` and a TTL attribute
 *   set to `expiresAt`, in the ledger's table or its own;
 * - on GCP (the agent): a Firestore `create()` of a document named by the nonce (it fails with
 *   ALREADY_EXISTS when seen) and a TTL policy on its `expiresAt` field. Firestore needs no VPC
 *   connector, unlike Memorystore (`SET nonce 1 NX EX 600` would do as well).
 * The agent's deploy script runs `executeRemediation` with `--max-instances=1`, so the memory
 * store below sees every request; the `resourceVersion` precondition on every change makes a
 * replay that slips past a restart a no-op conflict rather than a second change.
 */
export interface NonceStore {
  /**
   * Records `nonce` until `expiresAt`. Resolves false when it was already recorded and has not
   * expired (a replay), true when it is new. Must be atomic: of two concurrent calls with the
   * same nonce, exactly one may see true.
   */
  remember(nonce: string, expiresAt: Date): Promise<boolean>;
}

export interface MemoryNonceStoreOptions {
  /** Judges expiry. Default: the system clock. */
  clock?: () => Date;
  /** At most this many live nonces; beyond it the oldest is forgotten first. Default 100 000. */
  maxEntries?: number;
}

/** A NonceStore in this process's memory, with expiry. Enough for a single instance (see NonceStore). */
export class MemoryNonceStore implements NonceStore {
  // Insertion order is close to expiry order (expiry = request timestamp + window), so expired
  // entries gather at the front of the Map and a sweep from the front stops early.
  private readonly expiries = new Map<string, number>();
  private readonly clock: () => Date;
  private readonly maxEntries: number;

  constructor(options: MemoryNonceStoreOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  async remember(nonce: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock().getTime();
    this.sweep(now);
    const seenUntil = this.expiries.get(nonce);
    if (seenUntil !== undefined && seenUntil > now) return false;
    this.expiries.delete(nonce);
    this.expiries.set(nonce, expiresAt.getTime());
    while (this.expiries.size > this.maxEntries) {
      const oldest = this.expiries.keys().next().value as string;
      this.expiries.delete(oldest);
    }
    return true;
  }

  /** Live entries (for tests and metrics). */
  get size(): number {
    this.sweep(this.clock().getTime());
    return this.expiries.size;
  }

  private sweep(now: number): void {
    for (const [nonce, expiry] of this.expiries) {
      if (expiry > now) break;
      this.expiries.delete(nonce);
    }
  }
}
