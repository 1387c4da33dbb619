/**
 * At most `max` tasks in flight; the rest wait in arrival order. The reader runs every List
 * page and Describe through one of these, so a 1,000-node scan keeps a handful of sockets busy
 * instead of opening a thousand.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  }

  /** Runs `task` once a slot is free; the slot is released however the task ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never drops below the queue's need.
      if (next) next();
      else this.active--;
    }
  }

  /** Tasks running now (for tests and stats). */
  get inFlight(): number {
    return this.active;
  }
}
