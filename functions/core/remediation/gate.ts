import type { Remediation } from '../findings';
import type { FreezeWindow, RemediationSafety } from '../policy/types';

export interface GateState {
  now: Date;
  /** Changes this run has already made. */
  changesThisRun: number;
  /** Changes made in the rolling hour before `now` (from the ledger). */
  changesLastHour: number;
  /** True when a person approved this very change. */
  approved: boolean;
}

export type GateVerdict = { act: true; reason: string } | { act: false; reason: string; retryable: boolean };

/**
 * The execution-time gate: whatever the plan said, a change runs only outside dry-run and
 * freeze windows, within the blast radius, and (unless it is `auto`) with an approval.
 */
export function gateExecution(remediation: Remediation, safety: RemediationSafety, state: GateState): GateVerdict {
  if (remediation.mode === 'manual') return { act: false, reason: 'manual remediation: a person must make this change', retryable: false };
  if (remediation.mode === 'approval' && !state.approved) return { act: false, reason: 'waiting for approval', retryable: true };
  if (safety.dryRun) return { act: false, reason: 'dry-run is on (MESHGOV_DRY_RUN / remediation.dryRun): planned, not applied', retryable: false };
  const freeze = activeFreezeWindow(safety.freezeWindows, state.now);
  if (freeze) return { act: false, reason: `freeze window "${freeze.name}" is in force`, retryable: true };
  if (state.changesThisRun >= safety.maxChangesPerRun) {
    return { act: false, reason: `blast radius: ${safety.maxChangesPerRun} change(s) per run already made`, retryable: true };
  }
  if (state.changesLastHour >= safety.maxChangesPerHour) {
    return { act: false, reason: `blast radius: ${safety.maxChangesPerHour} change(s) in the last hour already made`, retryable: true };
  }
  return { act: true, reason: remediation.mode === 'auto' ? remediation.reason : 'approved' };
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const DAY_MS = 86_400_000;

/**
 * When a one-off window ends. A date alone (`end: 2027-01-04`) is read as a person writes it on
 * a calendar, through that whole day (UTC), not as the midnight that starts it: read the other
 * way, the freeze would lift a day early, the unsafe side to err on.
 */
function freezeEnd(end: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(end) ? Date.parse(end) + DAY_MS : Date.parse(end);
}

/** The freeze window in force at `now` (UTC), if any. */
export function activeFreezeWindow(windows: FreezeWindow[], now: Date): FreezeWindow | undefined {
  const t = now.getTime();
  return windows.find((w) => {
    if (w.start && w.end) return t >= Date.parse(w.start) && t < freezeEnd(w.end);
    if (w.days) {
      if (!w.days.includes(DAYS[now.getUTCDay()])) return false;
      const hour = now.getUTCHours();
      return hour >= (w.fromHour ?? 0) && hour < (w.toHour ?? 24);
    }
    return false;
  });
}
