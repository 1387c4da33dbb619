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

/** Stops the clock and prints the measurement line. */
export function reportMeasurement(started: bigint, detail: Record<string, number>): void {
  const measurement: Measurement = {
    ms: Number(process.hrtime.bigint() - started) / 1e6,
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
