/**
 * SLO windows as Prometheus writes durations (`5m`, `1h`, `3d`, `30d`): one number and one
 * unit. Both back ends need whole minutes: CloudWatch periods are multiples of 60 seconds, and
 * Prometheus range selectors accept the same text unchanged.
 */

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };

export const DURATION_PATTERN = /^([1-9][0-9]*)([mhdw])$/;

/** Seconds in a window such as `30m`; undefined when the text is not one number and one unit (m, h, d, w). */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2]];
}

/** Like durationSeconds, for a window the schema already accepted. */
export function windowSeconds(text: string): number {
  const seconds = durationSeconds(text);
  if (seconds === undefined) throw new RangeError(`not a window: ${JSON.stringify(text)} (expected e.g. 5m, 1h, 3d)`);
  return seconds;
}

/** The shortest text for a number of seconds that is a whole number of minutes (`3600` → `1h`). */
export function formatWindow(seconds: number): string {
  for (const unit of ['w', 'd', 'h', 'm']) {
    const size = UNIT_SECONDS[unit];
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  throw new RangeError(`${seconds}s is not a whole number of minutes`);
}
