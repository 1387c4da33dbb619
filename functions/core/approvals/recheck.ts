import type { Finding, Remediation } from '../findings';
import type { ApprovalRecord } from '../ledger/types';
import type { AuditScope } from '../pipeline/trigger';
import type { AuditReport } from '../report/report';
import { PRECONDITIONS_BROKEN, PRECONDITIONS_UNKNOWN } from '../remediation/plan';
import { sameJson } from './same-json';

/** The verdict of checking an approved fix again on fresh state. */
export type Recheck = { ok: true; finding: Finding } | { ok: false; reason: string };

/**
 * What to read again before an approved fix runs: the finding's whole mesh (App Mesh) or
 * namespace (Istio), because its preconditions depend on the resource's clients and
 * neighbours, not on the resource alone.
 */
export function freshScopeFor(finding: Finding): AuditScope {
  if (finding.provider === 'istio' && finding.resource.namespace) return { kind: 'istio-namespace', namespace: finding.resource.namespace };
  if (finding.provider === 'appmesh' && finding.resource.mesh) return { kind: 'all', providers: ['appmesh'], meshes: [finding.resource.mesh] };
  return { kind: 'all', providers: [finding.provider] };
}

/**
 * Holds the approved fix against a fresh audit. It may run only when
 * - the finding is still there (same fingerprint): nothing to fix otherwise;
 * - the fix planned now is the one approved: same action and the exact same change, which also
 *   pins the resource's version (App Mesh `expectedVersion`, Kubernetes `resourceVersion`), so a
 *   resource changed since the request is refused rather than overwritten;
 * - the fresh audit saw the whole fleet: a plan made on a partial read cannot say whether a
 *   precondition broke;
 * - no precondition broke since: every blocker the plan names now was among those of the approved
 *   plan (its full `blockers` list, not the five its reason shows), and the fix did not become
 *   manual-only.
 */
export function recheckApproval(approval: Pick<ApprovalRecord, 'findingId' | 'remediation'>, fresh: AuditReport): Recheck {
  const approved = approval.remediation;
  const finding = fresh.findings.find((f) => f.id === approval.findingId);
  if (!finding) return { ok: false, reason: 'the finding is no longer there: it was fixed or changed since the request' };
  const now = finding.remediation;
  if (!now) return { ok: false, reason: 'meshgov no longer plans a fix for this finding' };
  if (now.action !== approved.action) return { ok: false, reason: `the fix is now ${now.action}, not the approved ${approved.action}` };
  if (now.mode === 'manual') return { ok: false, reason: `the fix is now manual: ${now.reason}` };
  if (!sameJson(now.change, approved.change)) {
    return { ok: false, reason: `the resource changed since the request, so the approved change no longer applies as shown${versionNote(approved, now)}` };
  }
  const unknown = now.reason.indexOf(PRECONDITIONS_UNKNOWN);
  if (unknown >= 0) {
    // After blockers the partial note is in parentheses (plan.ts): its closing one is not part of it.
    const unread = now.reason.slice(unknown + PRECONDITIONS_UNKNOWN.length).replace(/\)$/, '');
    return { ok: false, reason: `the fresh audit did not see the whole fleet (${unread}), so it cannot tell whether the approved change is still safe` };
  }
  const seen = new Set(blockersOfPlan(approved));
  const broken = blockersOfPlan(now).filter((b) => !seen.has(b));
  if (broken.length > 0) {
    // An approval asked on a partial read was given without knowing these: they need not be new.
    const shown = approved.reason.includes(PRECONDITIONS_UNKNOWN) ? 'the approval was asked on a partial read, and the full read finds a precondition it did not show' : 'a precondition no longer holds';
    return { ok: false, reason: `${shown}: ${broken.join('; ')}` };
  }
  return { ok: true, finding };
}

/** A plan's blockers: its full list, or what its reason lists (approvals recorded before plans carried the list). */
function blockersOfPlan(remediation: Remediation): string[] {
  return remediation.blockers ?? blockersOf(remediation.reason);
}

/** The blockers a plan's reason lists (functions/core/remediation/plan.ts writes them `; `-separated). */
export function blockersOf(reason: string): string[] {
  if (!reason.startsWith(PRECONDITIONS_BROKEN)) return [];
  return reason
    .slice(PRECONDITIONS_BROKEN.length)
    .split('; ')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

function versionNote(approved: Remediation, now: Remediation): string {
  const was = approved.change.expectedVersion ?? (approved.change.target as Record<string, unknown> | undefined)?.resourceVersion;
  const is = now.change.expectedVersion ?? (now.change.target as Record<string, unknown> | undefined)?.resourceVersion;
  return was !== undefined && is !== undefined && was !== is ? ` (version ${String(was)} then, ${String(is)} now)` : '';
}
