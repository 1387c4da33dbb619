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
  /** Nothing was written: an audit that read the fleet later already decided this record (`record` is it, as stored). */
  outdated?: true;
}

export function expiresAt(now: Date, days = RETENTION_DAYS): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}

/**
 * Whether the record was decided by an audit that read the fleet after `readAt` (epoch ms, the
 * report's fleetReadAt). Such a report is older than what the ledger knows of this finding: what
 * it saw, or did not see, has been overtaken. Strictly later only, so reports of the same moment
 * (and the tests' fixed clocks) behave as before; unknown on either side (a record written before
 * auditReadAt was kept, a report without a readable time) is no order, and nothing is refused.
 */
export function decidedByLaterAudit(record: Pick<FindingRecord, 'auditReadAt'>, readAt: number | undefined): boolean {
  return (decidedReadMinus(record, readAt) ?? 0) > 0;
}

/** Whether the record was decided by an audit that read the fleet strictly before `readAt`. */
function decidedByEarlierAudit(record: Pick<FindingRecord, 'auditReadAt'>, readAt: number | undefined): boolean {
  return (decidedReadMinus(record, readAt) ?? 0) < 0;
}

/** The record's auditReadAt minus `readAt` in ms; undefined when either is unknown. */
function decidedReadMinus(record: Pick<FindingRecord, 'auditReadAt'>, readAt: number | undefined): number | undefined {
  const decided = record.auditReadAt === undefined ? Number.NaN : Date.parse(record.auditReadAt);
  return readAt === undefined || Number.isNaN(decided) ? undefined : decided - readAt;
}

/** The auditReadAt a record gets from a report read at `readAt`: the later of that and what it had (never moved back), or what it had when the report's time is unknown. */
function auditReadAtAfter(existing: Pick<FindingRecord, 'auditReadAt'> | undefined, readAt: number | undefined): Pick<FindingRecord, 'auditReadAt'> {
  if (readAt !== undefined && !decidedByLaterAudit(existing ?? {}, readAt)) return { auditReadAt: new Date(readAt).toISOString() };
  return existing?.auditReadAt !== undefined ? { auditReadAt: existing.auditReadAt } : {};
}

/** How often a run writes its decision again after losing the conditional write to a run of an older read (see observeFinding). */
const RACE_ATTEMPTS = 3;

/**
 * Records one finding of this run and decides whether its owner must hear about it:
 * new (or reopened), escalated to a higher severity, or due a reminder. A notification
 * that failed earlier stays owed. Conditional writes make two concurrent runs notify once.
 *
 * `readAt` is when this run's audit read the fleet (fleetReadAt). A record that an audit of a
 * later read already decided is left as it is (`outdated`): reopened by an older report, a
 * finding that a newer audit found fixed would be announced again; updated by it, its severity
 * and detail would go back to an older state. A finding with no record is created, since no
 * audit has said anything newer of it.
 *
 * Losing the conditional write means another run wrote first. When that run recorded the same
 * finding open, its observation stands (and it notifies). When it resolved the finding on an
 * older read than this one (a late report governed at the same moment), this run's newer
 * sighting is written again: it reopens the finding.
 */
export async function observeFinding(ledger: Ledger, finding: Finding, trigger: Trigger, now: Date, reminderHours: number, readAt?: number): Promise<Observation | undefined> {
  for (let attempt = 1; ; attempt++) {
    const observed = await observeOnce(ledger, finding, trigger, now, reminderHours, readAt);
    if (!('lost' in observed)) return observed;
    // The winner wrote over the same record, so its read is no older than that record's: only
    // when that record's read is older than this run's can the winner's be too.
    if (attempt >= RACE_ATTEMPTS || !mayBeOutranked(observed.lost, readAt)) return undefined;
    const current = await ledger.getFinding(finding.id);
    if (current?.status !== 'resolved' || !decidedByEarlierAudit(current, readAt)) return undefined;
  }
}

/** Whether a run of `readAt` that lost its write over `based` may outrank the winner: `based` was decided by an older (or unknown) read. */
function mayBeOutranked(based: FindingRecord | undefined, readAt: number | undefined): boolean {
  return based !== undefined && readAt !== undefined && (based.auditReadAt === undefined || decidedByEarlierAudit(based, readAt));
}

/** One try of observeFinding; `lost`: the conditional write lost to another run's, over this record (undefined: none existed). */
async function observeOnce(ledger: Ledger, finding: Finding, trigger: Trigger, now: Date, reminderHours: number, readAt: number | undefined): Promise<Observation | { lost: FindingRecord | undefined }> {
  const iso = now.toISOString();
  const existing = await ledger.getFinding(finding.id);
  if (!existing) {
    const record: FindingRecord = {
      id: finding.id,
      status: 'open',
      finding,
      firstSeen: iso,
      lastSeen: iso,
      ...auditReadAtAfter(undefined, readAt),
      trigger,
      notificationPending: true,
      version: 1,
      expiresAt: expiresAt(now),
    };
    const created = await ledger.createFinding(record);
    return created ? { record: created, notify: 'new' } : { lost: undefined };
  }
  if (existing.status === 'suppressed') return { record: existing };
  if (decidedByLaterAudit(existing, readAt)) return { record: existing, outdated: true };
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
    ...auditReadAtAfter(existing, readAt),
    resolvedAt: undefined,
    trigger: reopened || escalated ? trigger : existing.trigger,
    notificationPending: notify !== undefined,
    version: existing.version + 1,
    expiresAt: expiresAt(now),
  };
  const updated = await ledger.updateFinding(next);
  return updated ? { record: updated, notify } : { lost: existing };
}

/**
 * Marks a finding resolved; returns the record when this run did it. `readAt`: when the audit
 * that no longer saw it read the fleet, kept so that an older report cannot reopen it. The write
 * is conditional on the version read, so a run that recorded the finding in between wins; see
 * resolveUnseen for the check against later audits.
 */
export async function resolveFinding(ledger: Ledger, existing: FindingRecord, now: Date, readAt?: number): Promise<FindingRecord | undefined> {
  return ledger.updateFinding({
    ...existing,
    ...auditReadAtAfter(existing, readAt),
    status: 'resolved',
    resolvedAt: now.toISOString(),
    notificationPending: existing.slack !== undefined,
    version: existing.version + 1,
    expiresAt: expiresAt(now),
  });
}

/**
 * Resolves an open finding that a run read at `readAt` looked for and did not see: the record
 * when this run resolved it, `outdated` when an audit that read the fleet later decided it (it
 * saw the finding, which then still exists: resolving would tell its team it is fixed), and
 * undefined when another run changed it first and its decision stands. One that lost to a run
 * of an older read (a late report that saw the finding, governed at the same moment) is tried
 * again on the record as that run left it.
 */
export async function resolveUnseen(ledger: Ledger, record: FindingRecord, now: Date, readAt?: number): Promise<FindingRecord | 'outdated' | undefined> {
  let current: FindingRecord | undefined = record;
  for (let attempt = 1; ; attempt++) {
    if (decidedByLaterAudit(current, readAt)) return 'outdated';
    if (current.status !== 'open') return undefined;
    const resolved = await resolveFinding(ledger, current, now, readAt);
    if (resolved) return resolved;
    if (attempt >= RACE_ATTEMPTS || !mayBeOutranked(current, readAt)) return undefined;
    current = await ledger.getFinding(record.id);
    if (!current) return undefined;
    if (decidedByLaterAudit(current, readAt)) return 'outdated';
    if (!decidedByEarlierAudit(current, readAt)) return undefined;
  }
}
