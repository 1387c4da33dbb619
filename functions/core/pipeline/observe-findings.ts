import type { Finding } from '../findings';
import type { FindingRecord, Ledger } from '../ledger/types';
import type { Severity } from '../model/types';
import type { Trigger } from './trigger';

/** How long the ledger keeps a record after it was last touched (TTL tidying only). */
export const RETENTION_DAYS = 90;

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export type NotifyKind = 'new' | 'escalated' | 'reminder' | 'resolved';

export interface Observation {
  record: FindingRecord;
  /** Why the owner must hear about it now; undefined when they already know. */
  notify?: NotifyKind;
}

export function expiresAt(now: Date, days = RETENTION_DAYS): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}

/**
 * Records one finding of this run and decides whether its owner must hear about it:
 * new (or reopened), escalated to a higher severity, or due a reminder. A notification
 * that failed earlier stays owed. Conditional writes make two concurrent runs notify once.
 */
export async function observeFinding(ledger: Ledger, finding: Finding, trigger: Trigger, now: Date, reminderHours: number): Promise<Observation | undefined> {
  const iso = now.toISOString();
  const existing = await ledger.getFinding(finding.id);
  if (!existing) {
    const record: FindingRecord = {
      id: finding.id,
      status: 'open',
      finding,
      firstSeen: iso,
      lastSeen: iso,
      trigger,
      notificationPending: true,
      version: 1,
      expiresAt: expiresAt(now),
    };
    const created = await ledger.createFinding(record);
    return created ? { record: created, notify: 'new' } : undefined;
  }
  if (existing.status === 'suppressed') return { record: existing };
  const reopened = existing.status === 'resolved';
  const escalated = !reopened && existing.notifiedSeverity !== undefined && RANK[finding.severity] > RANK[existing.notifiedSeverity];
  const due =
    !reopened &&
    !escalated &&
    existing.lastNotifiedAt !== undefined &&
    now.getTime() - Date.parse(existing.lastNotifiedAt) >= reminderHours * 3_600_000;
  const notify: NotifyKind | undefined = reopened ? 'new' : escalated ? 'escalated' : due ? 'reminder' : existing.notificationPending ? 'new' : undefined;
  const next: FindingRecord = {
    ...existing,
    status: 'open',
    finding,
    lastSeen: iso,
    resolvedAt: undefined,
    trigger: reopened || escalated ? trigger : existing.trigger,
    notificationPending: notify !== undefined,
    version: existing.version + 1,
    expiresAt: expiresAt(now),
  };
  const updated = await ledger.updateFinding(next);
  // Losing the race means another run recorded (and will notify) the same observation.
  return updated ? { record: updated, notify } : undefined;
}

/** Marks a finding resolved; returns the record when this run did it. */
export async function resolveFinding(ledger: Ledger, existing: FindingRecord, now: Date): Promise<FindingRecord | undefined> {
  return ledger.updateFinding({
    ...existing,
    status: 'resolved',
    resolvedAt: now.toISOString(),
    notificationPending: existing.slack !== undefined,
    version: existing.version + 1,
    expiresAt: expiresAt(now),
  });
}
