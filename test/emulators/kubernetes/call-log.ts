/**
 * Every request the emulator received, in order, with what the router made of it. Tests assert
 * on the counts (`list peerauthentications: 3`) to pin down how a caller paginates, retries and
 * writes; failed and injected-failure requests count too, as they reached the server.
 */
import type { RecordedCall } from './types';

export class CallLog {
  private entries: RecordedCall[] = [];

  record(call: RecordedCall): void {
    this.entries.push(call);
  }

  all(): RecordedCall[] {
    return this.entries.map((c) => structuredClone(c));
  }

  /** Counts keyed `"<verb> <resource>"`, e.g. `{ 'list peerauthentications': 3, 'patch peerauthentications': 1 }`. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.entries) {
      const key = `${call.verb} ${call.resource}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  clear(): void {
    this.entries = [];
  }
}
