/**
 * API calls per audit, counted per operation the way the service sees them: every attempt,
 * retries included (the SDK reports them in `$metadata.attempts`, on results and errors alike).
 */
export class CallStats {
  private readonly counts = new Map<string, number>();

  record(operation: string, attempts: number | undefined): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + Math.max(1, attempts ?? 1));
  }

  /** Attempts per operation, e.g. `{ ListVirtualNodes: 10, DescribeVirtualNode: 1000 }`. */
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
}

/** `$metadata.attempts` of an SDK result or error, when it carries one. */
export function attemptsOf(value: unknown): number | undefined {
  const metadata = (value as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata;
  return typeof metadata?.attempts === 'number' ? metadata.attempts : undefined;
}
