import type { SloIndicator } from '../model/types';
import { windowSeconds } from './duration';

/** A window pair as the finding's detail carries it (SloIndicator.windows). */
export type BurnWindow = Pick<SloIndicator['windows'][number], 'long' | 'short' | 'burnLong' | 'burnShort' | 'factor'>;

/** The pair fires: both windows burn at or over its factor. */
export function isFiring(w: BurnWindow): boolean {
  return w.burnLong >= w.factor && w.burnShort >= w.factor;
}

export interface BurnOnset {
  /** When the burn most likely began. */
  at: Date;
  /** How far back it may have begun, given the short window's resolution. */
  latest: Date;
  /** The pair it was read from, and why, in words for the finding. */
  basis: string;
}

/**
 * When a burn most likely began, from the burn rates the alarm run already measured. If the
 * error rate stepped up at one moment and stayed there, the short window sees only the new
 * rate and the long window sees it diluted by the minutes before the step, so the share of the
 * long window that is burning is burnLong ÷ burnShort, and the onset is that share of the long
 * window before now. A burn that is as high over the long window as over the short one began
 * at least a long window ago: the onset is then the long window's start.
 *
 * Used to keep a change made after the burn began (meshgov's own fix a minute before the alarm,
 * say) from being blamed for it. The estimate is read from the firing pair with the longest
 * long window; `latest` allows one short window of slack, the resolution of the reading.
 */
export function estimateBurnOnset(windows: readonly BurnWindow[], now: Date): BurnOnset | undefined {
  const firing = windows.filter((w) => isFiring(w) && w.burnShort > 0);
  if (firing.length === 0) return undefined;
  const pair = firing.reduce((a, b) => (windowSeconds(b.long) > windowSeconds(a.long) ? b : a));
  const longSeconds = windowSeconds(pair.long);
  const share = Math.min(1, pair.burnLong / pair.burnShort);
  const at = new Date(now.getTime() - Math.round(share * longSeconds) * 1000);
  const latest = new Date(Math.min(now.getTime(), at.getTime() + windowSeconds(pair.short) * 1000));
  const basis =
    share >= 1
      ? `burning as fast over ${pair.long} as over ${pair.short}: it began ${pair.long} ago or earlier`
      : `${pair.long} burn ${round(pair.burnLong)}× ÷ ${pair.short} burn ${round(pair.burnShort)}× = ${Math.round(share * 100)} % of ${pair.long}`;
  return { at, latest, basis };
}

function round(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(1);
}
