import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/**
 * The one-line protocol between a measuring child process and the benchmark: the child
 * prints one JSON line on stdout as its last output, the parent reads it.
 */
export interface Measurement {
  /** Wall time of the measured work, in milliseconds. */
  ms: number;
  /** Peak resident set size of the whole child process, in MiB (process.resourceUsage().maxRSS). */
  maxRssMb: number;
  /** Counts that show the work was done (documents parsed, findings reported, …). */
  detail: Record<string, number>;
}

/** Starts the clock of a measurement. */
export function startClock(): bigint {
  return process.hrtime.bigint();
}

/** Stops the clock (or takes the time it was stopped at) and prints the measurement line. */
export function reportMeasurement(started: bigint, detail: Record<string, number>, ended: bigint = process.hrtime.bigint()): void {
  const measurement: Measurement = {
    ms: Number(ended - started) / 1e6,
    // maxRSS is in kilobytes (KiB) on Linux.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    detail,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

export function parseMeasurement(stdout: string): Measurement {
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Measurement;
}

/**
 * Garbage-collection pauses on the main thread, from V8's `gc` performance entries, so that a
 * measurement can say how much of its time went to collecting (the cost of what it keeps alive)
 * beside its wall time. Marks are `performance.now()` times.
 */
export class GcPauses {
  private readonly pauses: Array<{ at: number; ms: number }> = [];
  private readonly observer = new PerformanceObserver((list) => this.record(list.getEntries()));

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  mark(): number {
    return performance.now();
  }

  /**
   * Milliseconds of pauses that started between two marks. The observer hears of a pause only
   * after the current task, so call this after `settled()`.
   */
  between(from: number, to: number): number {
    let ms = 0;
    for (const p of this.pauses) if (p.at >= from && p.at < to) ms += p.ms;
    return ms;
  }

  /**
   * Waits until the pauses so far have been delivered, then stops listening: Node records a
   * pause in a task it queues after the collection, and delivers it to observers in another.
   */
  async settled(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    this.record(this.observer.takeRecords());
    this.observer.disconnect();
  }

  private record(entries: readonly PerformanceEntry[]): void {
    for (const e of entries) this.pauses.push({ at: e.startTime, ms: e.duration });
  }
}
