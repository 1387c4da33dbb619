import type { Finding, Remediation } from '../findings';
import type { ApprovalRecord, Ledger } from '../ledger/types';
import type { Policy } from '../policy/types';
import { expiresAt } from './observe-findings';
import type { Notifier, Route } from './ports';

/**
 * A new PENDING approval of `remediation` for `finding`, owned by the route's team, that can be
 * decided until the policy's approval TTL runs out (and is kept in the ledger until its expiry).
 */
export function pendingApproval(
  id: string,
  finding: Finding,
  remediation: Remediation,
  route: Route,
  policy: Policy,
  now: Date,
  extra: Pick<ApprovalRecord, 'causedBy' | 'alsoCausedBy' | 'undoOf' | 'alsoFixes'> = {},
): ApprovalRecord {
  return {
    id,
    findingId: finding.id,
    state: 'PENDING',
    remediation,
    finding,
    requestedAt: now.toISOString(),
    approvalExpiresAt: new Date(now.getTime() + policy.remediation.approvalTtlHours * 3_600_000).toISOString(),
    ...(route.team ? { team: route.team } : {}),
    ...(extra.causedBy !== undefined ? { causedBy: extra.causedBy } : {}),
    ...(extra.alsoCausedBy?.length ? { alsoCausedBy: extra.alsoCausedBy } : {}),
    ...(extra.undoOf !== undefined ? { undoOf: extra.undoOf } : {}),
    ...(extra.alsoFixes?.length ? { alsoFixes: extra.alsoFixes } : {}),
    version: 1,
    expiresAt: expiresAt(now),
  };
}

/**
 * The approval fields naming who caused a finding: the first of `actors` as causedBy, the others
 * as alsoCausedBy. None of them may approve (or undo) its fix.
 */
export function causeFields(actors: readonly string[]): Pick<ApprovalRecord, 'causedBy' | 'alsoCausedBy'> {
  const [first, ...others] = actors;
  return { ...(first !== undefined ? { causedBy: first } : {}), ...(others.length ? { alsoCausedBy: others } : {}) };
}

export interface ApprovalDeliveryDeps {
  ledger: Ledger;
  notifier?: Notifier;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Posts an approval request to its team's channel and records where the message is. A failed
 * post leaves the approval PENDING without a message; the next run posts it (govern's
 * requestApproval), so nothing is asked silently or lost.
 */
export async function deliverApprovalRequest(approval: ApprovalRecord, route: Route, deps: ApprovalDeliveryDeps): Promise<void> {
  if (!deps.notifier) return;
  try {
    const slack = await deps.notifier.requestApproval(approval, route);
    await deps.ledger.setApprovalSlack(approval.id, slack);
  } catch (err) {
    deps.log?.('approval request not delivered; it stays pending in the ledger and is posted again on the next run', { approvalId: approval.id, error: String(err) });
  }
}
