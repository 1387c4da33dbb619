import type { InjectedStatus } from './types';

/** The fault to answer one call with, instead of running the method. */
export interface InjectedFault {
  status: InjectedStatus;
  retryAfterSeconds?: number;
}

interface PendingFault extends InjectedFault {
  method: string;
  remaining: number;
}

/** Matches every method in `failNext`. */
export const ANY_METHOD = '*';

/**
 * Faults queued by tests: "the next N calls of this method fail with this status".
 * Faults are consumed in the order they were queued, so a test can script a sequence
 * such as two 503s followed by one 429.
 */
export class FaultPlan {
  private pending: PendingFault[] = [];

  add(method: string, fault: InjectedFault, count: number): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`failNext count must be a positive integer, got ${count}`);
    }
    this.pending.push({ ...fault, method, remaining: count });
  }

  /** The fault for this call, if one is queued; consumes one of its remaining uses. */
  takeFor(method: string): InjectedFault | undefined {
    const fault = this.pending.find((p) => p.method === method || p.method === ANY_METHOD);
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending = this.pending.filter((p) => p !== fault);
    return fault.retryAfterSeconds === undefined
      ? { status: fault.status }
      : { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds };
  }

  clear(): void {
    this.pending = [];
  }
}
