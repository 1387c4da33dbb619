import { recheckApproval } from '../core/approvals/recheck';
import { sameJson } from '../core/approvals/same-json';
import type { Remediation } from '../core/findings';
import type { Inventory } from '../core/model/inventory';
import { auditScope, type AuditScopeDeps } from '../core/pipeline/audit-scope';
import type { AuditScope, Trigger } from '../core/pipeline/trigger';
import type { AuditReport } from '../core/report/report';
import { CHANGE_ID_ANNOTATION } from '../providers/istio/live';
import { readIstioChange } from '../providers/istio/live/istio-change';

/** What the re-plan reads: the whole cluster, Istio and its certificates. */
export const REPLAN_SCOPE: AuditScope = { kind: 'all', providers: ['istio', 'x509'] };

export interface ChangeToReplan {
  remediation: Remediation;
  findingId: string;
  approved: boolean;
  changeId: string;
  trigger: Trigger;
}

export type ReplanVerdict =
  /** `earlierAttempt`: the target already carries this change id; the executor tells whether that attempt's write holds. */
  | { ok: true; earlierAttempt?: boolean }
  | { ok: false; reason: string };

/**
 * The agent plans every change again on a fresh, full read of its cluster right before applying
 * it. The hub decides on what it last heard: an approval a person gave minutes or hours ago, or an
 * `auto` in a report that may arrive late (a retry is signed afresh, so it passes the replay
 * window). The target's resourceVersion catches an edit of the target only; what makes a change
 * unsafe is mostly elsewhere (a DestinationRule in another namespace that sends plaintext to it, a
 * new workload without a sidecar), and a create has no version at all. Only the agent can read the
 * cluster at the moment of the write, so the last word is its own:
 * - an approved change must pass the approval re-check (recheckApproval): the same finding, the
 *   same change, and no precondition broken since the approver saw the plan;
 * - an automatic change must still be planned `auto`, with the same action and change.
 * The read covers the whole cluster, as the scheduled audit does: a namespace read cannot see who
 * else calls the target, and a plan made on it is never `auto`.
 * Throws when the cluster cannot be read: nothing is known then, so nothing may be written.
 */
export async function replanChange(change: ChangeToReplan, deps: AuditScopeDeps): Promise<ReplanVerdict> {
  let read: Inventory | undefined;
  const source = { collect: async (scope: AuditScope) => (read = await deps.source.collect(scope)) };
  const { report } = await auditScope(change.trigger, REPLAN_SCOPE, { ...deps, source });
  // The hub sends a change again, under the same id, when it lost the answer: once it landed the
  // finding is gone and the version moved, which must not read as a refusal of a write already made.
  if (read && carriesChangeId(read, change)) return { ok: true, earlierAttempt: true };
  const verdict = change.approved ? recheckApproval({ findingId: change.findingId, remediation: change.remediation }, report) : recheckAuto(change, report);
  return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
}

/** An `auto` fix runs only if the cluster as it is now would still have it run, unchanged. */
function recheckAuto(change: ChangeToReplan, fresh: AuditReport): { ok: true } | { ok: false; reason: string } {
  const finding = fresh.findings.find((f) => f.id === change.findingId);
  if (!finding) return { ok: false, reason: 'the finding is no longer there: it was fixed or changed since the audit that planned the change' };
  const now = finding.remediation;
  if (!now) return { ok: false, reason: 'meshgov no longer plans a fix for this finding' };
  if (now.action !== change.remediation.action) return { ok: false, reason: `the fix is now ${now.action}, not the planned ${change.remediation.action}` };
  if (!sameJson(now.change, change.remediation.change)) {
    return { ok: false, reason: 'the resource changed since the audit that planned the change, so the change no longer applies as planned' };
  }
  if (now.mode !== 'auto') return { ok: false, reason: `the fix now needs ${now.mode === 'approval' ? 'approval' : 'a person'}: ${now.reason}` };
  return { ok: true };
}

function carriesChangeId(read: Inventory, change: ChangeToReplan): boolean {
  const planned = readIstioChange(change.remediation.change);
  if ('error' in planned) return false;
  const { kind, namespace, name } = planned.target;
  return read.kubernetes.some(({ doc }) => doc.kind === kind && doc.metadata.namespace === namespace && doc.metadata.name === name && doc.metadata.annotations?.[CHANGE_ID_ANNOTATION] === change.changeId);
}
