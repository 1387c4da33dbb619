import { createHash } from 'node:crypto';
import { isPastDeadline } from '../approvals/expiry';
import { expireApproval, expireOverdueApprovals, type ExpirySweepResult } from '../approvals/expire-overdue';
import type { Finding } from '../findings';
import { meshgovChangesSince, resultFields, wroteToMesh } from '../ledger/meshgov-changes';
import { causeFields, deliverApprovalRequest, pendingApproval } from './approval-request';
import { awaitsExpirySweep, EXPIRY_REDRAW_FIELDS, type ApprovalRecord, type ChangeRecord, type FindingRecord, type Ledger } from '../ledger/types';
import type { Policy } from '../policy/types';
import { gateExecution } from '../remediation/gate';
import { isUndoAction, undoActionOf } from '../remediation/undo-action';
import { undoableFailure } from '../remediation/undoable-failure';
import { describeResource } from '../rules/rule';
import { isFindingOfSlo, isSloFinding } from '../slo/indicator';
import { truncate } from '../truncate';
import { APPMESH_KIND_OF_TYPE } from '../model/inventory';
import { fleetReadAt, resourceKey, type ScopedReport } from './audit-scope';
import { expiresAt, observeFinding, resolveUnseen, type NotifyKind } from './observe-findings';
import type { Notifier, RemediationExecutor, Route } from './ports';
import { routeFor } from './route';
import type { AuditScope } from './trigger';

export interface GovernDeps {
  ledger: Ledger;
  policy: Policy;
  /** Absent in contexts that only record (the CLI); notifications then stay owed in the ledger. */
  notifier?: Notifier;
  executors: RemediationExecutor[];
  clock: () => Date;
  /** MESHGOV_DRY_RUN when set, else rules/ `remediation.dryRun` (see resolveDryRun): true plans and notifies but changes nothing. */
  dryRun: boolean;
  newId: (prefix: string) => string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** What an operator must see (a redraw given up); `log` when absent. */
  logError?: (message: string, fields?: Record<string, unknown>) => void;
  /** Routine news at info level (a failed fix waiting out its approval TTL before it is asked again); `log` when absent. */
  logInfo?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface GovernResult {
  observed: number;
  notified: Array<{ id: string; kind: NotifyKind }>;
  resolved: string[];
  approvalsRequested: string[];
  /** Approvals that ran out before anyone decided (or before they ran), moved to EXPIRED by this run. */
  approvalsExpired: string[];
  changes: ChangeRecord[];
  /** Notifications, automatic changes' announcements and expired approvals' redraws that failed (Slack down); they stay owed and a later run sends them. */
  notificationFailures: number;
  /** Expired approvals whose redraw Slack refused for good or kept failing: no run tries again (each record says why). */
  expiryRedrawsAbandoned: string[];
  /**
   * Findings this report left as they were because an audit that read the fleet after this one
   * already decided them (it arrived late: a redelivery, a retry, a concurrent run): not
   * resolved, reopened, updated or acted on.
   */
  outdated: string[];
}

const DIGEST_SOURCES = new Set(['schedule', 'cloud-scheduler']);

/**
 * The record + act + notify stages for one scoped report: record every finding in the
 * ledger, resolve the ones this scope no longer sees, run safe fixes through the gate,
 * ask for approval of the rest, tell each owning team once, and expire the approval requests
 * whose time ran out.
 *
 * Reports arrive out of order (Pub/Sub redelivery, the agent's retries, two instances or Lambda
 * containers auditing close together), so each finding's record keeps when the audit that last
 * decided it read the fleet (auditReadAt), and a report that read it earlier leaves that record
 * alone: it records what it saw where nothing newer is known (findings without a record, records
 * no later audit decided), but never resolves what a later audit saw, nor reopens, updates or
 * fixes what a later audit found fixed or saw anew. Those findings are counted and logged.
 */
export async function govern(scoped: ScopedReport, deps: GovernDeps): Promise<GovernResult> {
  const now = deps.clock();
  const result: GovernResult = { observed: 0, notified: [], resolved: [], approvalsRequested: [], approvalsExpired: [], changes: [], notificationFailures: 0, expiryRedrawsAbandoned: [], outdated: [] };
  const owed: Array<{ record: FindingRecord; kind: NotifyKind }> = [];
  // The reading time of the fleet, not the hub's clock: lastSeen is stamped when governing, which can be long after a report's read.
  const readAt = fleetReadAt(scoped);

  for (const finding of scoped.report.findings) {
    const observation = await observeFinding(deps.ledger, finding, scoped.trigger, now, deps.policy.remediation.reminderHours, readAt);
    if (!observation) continue;
    if (observation.outdated) {
      result.outdated.push(finding.id);
      continue;
    }
    result.observed++;
    if (observation.notify) owed.push({ record: observation.record, kind: observation.notify });
  }

  for (const record of await resolvable(scoped, deps.ledger, sloNames(deps.policy))) {
    // Outdated when a later audit saw it: this report's not seeing it is older news, and resolving would tell its team it is fixed.
    const resolved = await resolveUnseen(deps.ledger, record, now, readAt);
    if (resolved === 'outdated') result.outdated.push(record.id);
    if (!resolved || resolved === 'outdated') continue;
    result.resolved.push(resolved.id);
    if (resolved.slack) owed.push({ record: resolved, kind: 'resolved' });
  }
  if (result.outdated.length > 0) logOutdated(scoped, readAt, result.outdated, deps);

  // Earlier runs' notifications that Slack did not take.
  for (const record of await deps.ledger.listPendingNotifications()) {
    if (!owed.some((o) => o.record.id === record.id)) owed.push({ record, kind: record.status === 'resolved' ? 'resolved' : 'new' });
  }

  // Approvals this run met by their finding past their deadline, expired before the sweep.
  const expiries: ExpirySweepResult = { expired: [], notShown: 0, abandoned: [] };
  const metByFinding = new Set<string>();
  let changesThisRun = 0;
  // A fix planned on an older read than the one that last decided its finding is not applied or
  // asked for: that newer audit found it fixed, or planned (and acted on) its own fix.
  const outdated = new Set(result.outdated);
  const actOn = outdated.size === 0 ? scoped.report.findings : scoped.report.findings.filter((f) => !outdated.has(f.id));
  // One change can fix several findings (a client policy fixes its conflict and its
  // client-not-enforced finding; an App Mesh object's one change carries its listener and
  // client edits, under either finding's action): it is applied, or put to a person, once.
  const sharing = findingsByChange(actOn);
  // Read once per run, and only when a fix may run on its own.
  let undoneFixes: Promise<Map<string, ChangeRecord>> | undefined;
  for (const finding of actOn) {
    const remediation = finding.remediation;
    if (!remediation || remediation.mode === 'manual') continue;
    const together = sharing.get(finding)!;
    if (together[0] !== finding) continue;
    const route = routeFor(finding, deps.policy);
    const undone = remediation.mode === 'auto' ? (await (undoneFixes ??= undoneRecently(deps.ledger, now))).get(finding.id) : undefined;
    if (remediation.mode === 'approval' || undone) {
      if (deps.dryRun) {
        // Dry-run changes nothing, so nobody is asked to approve what could not run (nor asked
        // again each TTL): the finding's message shows the planned fix and says dry-run is on.
        deps.log?.('approval not requested: dry-run is on', { findingId: finding.id, action: remediation.action });
        continue;
      }
      const asked = undone ? { ...finding, remediation: { ...remediation, mode: 'approval' as const, reason: undoneReason(undone) } } : finding;
      const alsoFixes = together.slice(1).map((f) => `${f.rule} on ${describeResource(f.resource)}`);
      const approval = await requestApproval(asked, route, scoped, deps, now, expiries, metByFinding, alsoFixes);
      if (approval) result.approvalsRequested.push(approval.id);
      continue;
    }
    const change = await applyAutomatically(finding, route, scoped, deps, now, changesThisRun, result);
    if (change) {
      result.changes.push(change);
      // A write that landed counts whatever its check said; one that never went out does not.
      if (wroteToMesh(change)) changesThisRun++;
    }
  }

  await deliver(owed, scoped, deps, result);
  await announceOwed(deps, now, result);

  // Requests nobody answered in time lose their buttons, whichever event this run is for.
  const sweep = await expireOverdueApprovals(deps, expiries, metByFinding);
  result.approvalsExpired = sweep.expired;
  result.notificationFailures += sweep.notShown;
  result.expiryRedrawsAbandoned = sweep.abandoned;
  return result;
}

/** How many outdated finding ids a log line names (a full audit can overtake hundreds). */
const OUTDATED_LOGGED = 20;

/** Says that a late report was partly or wholly overtaken by a later audit; news, not a fault. */
function logOutdated(scoped: ScopedReport, readAt: number | undefined, ids: string[], deps: GovernDeps): void {
  (deps.logInfo ?? deps.log)?.('report read the fleet before a later audit that already decided some of its findings: those are left as that audit recorded them', {
    eventId: scoped.trigger.eventId,
    trigger: scoped.trigger.summary,
    readAt: readAt === undefined ? undefined : new Date(readAt).toISOString(),
    outdated: ids.length,
    findingIds: ids.slice(0, OUTDATED_LOGGED),
  });
}

/** Rules whose fix can cut traffic, first: an approval asked on one of them gets the confirm dialog. */
const SPEAKING_ORDER: Partial<Record<string, number>> = { 'mtls-conflict': 0, 'mtls-not-strict': 1 };

/**
 * For each finding with a fix to apply or ask for, the findings its change fixes (the same change
 * by its JSON), the one that speaks for it first: the change is applied or asked for under it.
 * That is one whose rule can cut traffic, else the first.
 */
function findingsByChange(findings: readonly Finding[]): Map<Finding, Finding[]> {
  const byChange = new Map<string, Finding[]>();
  const out = new Map<Finding, Finding[]>();
  const rank = (f: Finding) => SPEAKING_ORDER[f.rule] ?? 2;
  for (const finding of findings) {
    const remediation = finding.remediation;
    if (!remediation || remediation.mode === 'manual') continue;
    const key = JSON.stringify(remediation.change);
    let group = byChange.get(key);
    if (!group) byChange.set(key, (group = [finding]));
    else if (rank(finding) < rank(group[0]!)) group.unshift(finding);
    else group.push(finding);
    out.set(finding, group);
  }
  return out;
}

/** Open findings this scope looked at and did not see again. */
async function resolvable(scoped: ScopedReport, ledger: Ledger, currentSlos: readonly string[]): Promise<FindingRecord[]> {
  const seen = new Set(scoped.report.findings.map((f) => f.id));
  const audited = new Set(scoped.auditedResources);
  const scope = scoped.scope;
  const open = await ledger.listOpenFindings();
  return open.filter((r) => {
    if (seen.has(r.id)) return false;
    const f = r.finding;
    if (scope.kind === 'all') return scope.providers.includes(f.provider) && inAllScope(f, scope);
    if (audited.has(resourceKey(f.provider, f.resource))) return ofAuditedSlo(f, scoped.auditedSlos, currentSlos);
    // A deleted App Mesh resource takes its findings with it.
    return scope.kind === 'appmesh-resource' && scope.deleted === true && goneWithDeleted(f, scope);
  });
}

/**
 * An SLO finding is decided only by a run of its own SLO. One of no SLO in the rules (renamed or
 * removed since) is decided by resource, as a report that names no SLOs (an older agent's)
 * decides every one: no run of its own will ever come.
 */
function ofAuditedSlo(f: Finding, auditedSlos: string[] | undefined, currentSlos: readonly string[]): boolean {
  if (auditedSlos === undefined || !isSloFinding(f)) return true;
  if (auditedSlos.some((name) => isFindingOfSlo(f, name))) return true;
  // Only rules that hold the run's own SLOs can say which SLOs exist: an agent's rules may differ
  // from the hub's (or run ahead of them during a deploy), and then nothing is decided by resource.
  if (auditedSlos.length === 0 || !auditedSlos.every((name) => currentSlos.includes(name))) return false;
  return !currentSlos.some((name) => isFindingOfSlo(f, name));
}

/** The names of the SLOs in the rules (slos.yaml), whose findings only their own runs decide. */
function sloNames(policy: Policy): string[] {
  return (policy.slos ?? []).map((s) => s['name']).filter((n): n is string => typeof n === 'string');
}

type AppMeshResourceScope = Extract<AuditScope, { kind: 'appmesh-resource' }>;

/**
 * Whether a finding went away with the deleted resource. A deleted mesh takes every finding in
 * it; anything else only the findings of the same kind and name, since App Mesh names are unique
 * per type only (a virtual router may share a virtual node's name), and for a route or gateway
 * route only under the same router or gateway.
 */
function goneWithDeleted(f: Finding, scope: AppMeshResourceScope): boolean {
  if (f.provider !== 'appmesh' || f.resource.mesh !== scope.mesh) return false;
  if (scope.resourceType === 'mesh') return true;
  // A namespaced (CRD) finding is named by its Kubernetes name, not by the App Mesh name a deletion carries.
  if (f.resource.namespace !== undefined) return false;
  if (f.resource.kind !== APPMESH_KIND_OF_TYPE[scope.resourceType] || f.resource.name !== scope.name) return false;
  if (scope.resourceType !== 'route' && scope.resourceType !== 'gatewayRoute') return true;
  // Findings carry no parent field; their location (the ARN, or the reader's `appmesh:` path)
  // names it. Unknown parent: left for the next full audit rather than resolved by a guess.
  return scope.parentName !== undefined && parentInLocation(f.resource.file) === scope.parentName;
}

/** `…mesh/<mesh>/virtualRouter/<router>/route/<name>` (or virtualGateway/…/gatewayRoute/…) → the router or gateway. */
function parentInLocation(file: string | undefined): string | undefined {
  const match = file ? /\/(?:virtualRouter|virtualGateway)\/([^/]+)\/(?:route|gatewayRoute)\/[^/]+$/.exec(file) : null;
  return match?.[1];
}

function inAllScope(f: Finding, scope: { meshes?: string[]; namespaces?: string[]; unreadMeshes?: string[] }): boolean {
  if (scope.meshes?.length && f.resource.mesh !== undefined && !scope.meshes.includes(f.resource.mesh)) return false;
  if (scope.unreadMeshes?.length) {
    // A mesh that could not be read says nothing about its findings; nor, then, about the ACM
    // certificates its listeners may serve.
    if (f.resource.mesh !== undefined && scope.unreadMeshes.includes(f.resource.mesh)) return false;
    if (f.provider === 'acm') return false;
  }
  if (scope.namespaces?.length && f.resource.namespace !== undefined && !scope.namespaces.includes(f.resource.namespace)) return false;
  return true;
}

/** Approval ids derive from the finding and the exact change, so every run asks about it once. */
export function approvalIdFor(finding: Finding): string {
  const digest = createHash('sha256').update(`${finding.id}\u0000${finding.remediation?.action}\u0000${JSON.stringify(finding.remediation?.change)}`).digest('hex');
  return `rmd-${digest.slice(0, 12)}`;
}

async function requestApproval(
  finding: Finding,
  route: Route,
  scoped: ScopedReport,
  deps: GovernDeps,
  now: Date,
  expiries: ExpirySweepResult,
  metByFinding: Set<string>,
  alsoFixes: string[],
): Promise<ApprovalRecord | undefined> {
  const id = approvalIdFor(finding);
  // Asked once per finding and exact change: a rejection stands until the change itself differs.
  const existing = await deps.ledger.getApproval(id);
  const authors = await authorsOf(finding, scoped, deps.ledger, existing !== undefined && (existing.causedBy !== undefined || (existing.alsoCausedBy?.length ?? 0) > 0));
  if (existing) {
    await addCauses(existing, authors, deps.ledger);
    if (awaitsExpirySweep(existing) && isPastDeadline(existing, now)) {
      // Expired here, not only by the sweep: one stored before the deadline index is never
      // listed, and would otherwise keep its buttons and never be asked again. Asked again next run.
      metByFinding.add(id);
      await expireApproval(existing, deps, now, expiries);
      return undefined;
    }
    // A request whose Slack post failed is asked again on the next run, not left unseen (one past its deadline was expired above).
    if (existing.state === 'PENDING' && !existing.slack) {
      await deliverApprovalRequest(existing, route, deps);
    }
    if (existing.state === 'EXPIRED' && existing.expiryShown) return askAgain(existing, finding, route, scoped, deps, now);
    if (existing.state === 'FAILED') return askAgainAfterFailure(existing, finding, route, scoped, deps, now);
    return undefined;
  }
  const record = pendingApproval(id, finding, finding.remediation!, route, deps.policy, now, { ...causeFields(authors), alsoFixes });
  const created = await deps.ledger.createApproval(record);
  if (!created) return undefined;
  await deliverApprovalRequest(created, route, deps);
  return created;
}

/**
 * Who may have caused a finding: the actor of the event that first recorded it (or last reopened
 * or escalated it), and this run's when its event changed the finding's own resource (App Mesh)
 * or namespace (Istio), or when nothing names a cause yet. AWS Config and scheduled runs name
 * nobody, and events reach the hub in any order, so either may be the one that knows. A change
 * also causes findings elsewhere (a server made STRICT conflicts with its clients, whose findings
 * sit on them), so while no cause is known this run's actor counts; once one is, the author of
 * an unrelated change in the mesh whose run sees the finding again is no cause: naming every
 * such author would refuse them every fix there. `named`: the approval at hand names a cause.
 */
async function authorsOf(finding: Finding, scoped: ScopedReport, ledger: Ledger, named = false): Promise<string[]> {
  const recorded = (await ledger.getFinding(finding.id))?.trigger?.actor;
  const unknown = recorded === undefined && !named;
  const current = unknown || changedByEvent(finding, scoped.scope) ? scoped.trigger.actor : undefined;
  const actors = [recorded, current].filter((a): a is string => a !== undefined && a !== '');
  return [...new Set(actors)];
}

/** Whether the event behind a scope changed what the finding is on; a whole-fleet scope cannot tell, and counts. */
function changedByEvent(finding: Finding, scope: AuditScope): boolean {
  const r = finding.resource;
  if (scope.kind === 'appmesh-resource') {
    if (finding.provider !== 'appmesh' || r.mesh !== scope.mesh || r.kind !== APPMESH_KIND_OF_TYPE[scope.resourceType] || r.name !== scope.name) return false;
    // Route names repeat across routers (and gateway routes across gateways).
    return scope.parentName === undefined || parentInLocation(r.file) === scope.parentName;
  }
  if (scope.kind === 'istio-namespace') return r.namespace === scope.namespace;
  return true;
}

/**
 * Names on an existing approval the causes it does not name yet: the self-approval rule must not
 * depend on which event created the approval (an AWS Config one, naming nobody, often comes first).
 */
async function addCauses(approval: ApprovalRecord, authors: readonly string[], ledger: Ledger): Promise<void> {
  for (const actor of authors) {
    if (approval.causedBy === actor || approval.alsoCausedBy?.includes(actor)) continue;
    await ledger.addApprovalCause(approval.id, actor);
  }
}

/**
 * Asks again for a fix whose request ran out with the finding still open: an unanswered request
 * is not a rejection. Only once the old message no longer shows buttons (the expiry sweep redrew
 * it), so one message at a time can decide this approval id; at most one request per approval
 * TTL, since each new one lives that long. The same id keeps the author of the change, so the
 * rule against approving one's own fix still holds.
 */
async function askAgain(expired: ApprovalRecord, finding: Finding, route: Route, scoped: ScopedReport, deps: GovernDeps, now: Date): Promise<ApprovalRecord | undefined> {
  const renewed = await deps.ledger.transitionApproval(expired.id, ['EXPIRED'], 'PENDING', {
    ...renewedRequest(expired, finding, route, deps, now),
    expiredRequests: (expired.expiredRequests ?? 0) + 1,
    askedAgainAfter: 'expiry',
  });
  if (!renewed) return undefined;
  deps.log?.('approval asked again: the earlier request expired undecided', { approvalId: renewed.id, findingId: finding.id, trigger: scoped.trigger.summary });
  await deliverApprovalRequest(renewed, route, deps);
  return renewed;
}

/** How much of a failure's text a request asked again keeps (a Slack section holds 3000 characters). */
export const PREVIOUS_FAILURE_MAX = 2000;

/**
 * Asks again for a fix that was approved and then failed (a transient API error, a conflict with
 * an edit that has settled since, a permission fixed since), with the finding and the exact change
 * still there: a failed attempt is not a rejection. At most once per approval TTL counted from
 * the failure, so a fix that fails the same way every time asks once a TTL, not on every run.
 * Conditional on the FAILED record read (its state and version): of concurrent runs one asks, and
 * a run that read an earlier failure does not ask right after a newer one. The same id keeps the
 * author of the change, so the rule against approving one's own fix still holds; the new request
 * says why the last attempt failed.
 */
async function askAgainAfterFailure(failed: ApprovalRecord, finding: Finding, route: Route, scoped: ScopedReport, deps: GovernDeps, now: Date): Promise<ApprovalRecord | undefined> {
  const askAt = failedAskAgainAt(failed, deps.policy);
  if (now.getTime() < askAt.getTime()) {
    (deps.logInfo ?? deps.log)?.(`approved fix failed less than one approval TTL ago; it will be asked again at ${askAt.toISOString()}`, {
      approvalId: failed.id,
      findingId: finding.id,
      failedAt: failed.failedAt,
      askAgainAt: askAt.toISOString(),
    });
    return undefined;
  }
  const renewed = await deps.ledger.transitionApproval(
    failed.id,
    ['FAILED'],
    'PENDING',
    {
      ...renewedRequest(failed, finding, route, deps, now),
      failedRequests: (failed.failedRequests ?? 0) + 1,
      askedAgainAfter: 'failure',
      previousFailure: truncate(failed.outcome?.trim() || 'no reason was recorded', PREVIOUS_FAILURE_MAX),
      failedAt: undefined,
    },
    { version: failed.version },
  );
  if (!renewed) return undefined;
  deps.log?.('approval asked again: the approved fix failed', { approvalId: renewed.id, findingId: finding.id, previousFailure: renewed.previousFailure, trigger: scoped.trigger.summary });
  await deliverApprovalRequest(renewed, route, deps);
  return renewed;
}

/**
 * When a FAILED approval may be asked again: one approval TTL after it failed. One that failed
 * before `failedAt` was recorded is counted from its deadline, the latest an attempt normally
 * ends, so it is never asked sooner than a TTL after its failure.
 */
export function failedAskAgainAt(failed: Pick<ApprovalRecord, 'failedAt' | 'approvalExpiresAt'>, policy: Policy): Date {
  const stamped = failed.failedAt !== undefined ? Date.parse(failed.failedAt) : Number.NaN;
  const since = Number.isNaN(stamped) ? Date.parse(failed.approvalExpiresAt) : stamped;
  return new Date(since + policy.remediation.approvalTtlHours * 3_600_000);
}

/** A request asked again on the same id: fresh request fields, and nothing of the request before (its message, decision, outcome, expiry). */
function renewedRequest(previous: ApprovalRecord, finding: Finding, route: Route, deps: GovernDeps, now: Date): Partial<ApprovalRecord> {
  const fresh = pendingApproval(previous.id, finding, finding.remediation!, route, deps.policy, now);
  return {
    findingId: fresh.findingId,
    finding: fresh.finding,
    remediation: fresh.remediation,
    requestedAt: fresh.requestedAt,
    approvalExpiresAt: fresh.approvalExpiresAt,
    team: fresh.team,
    expiresAt: fresh.expiresAt,
    // What belonged to the request before.
    slack: undefined,
    expiryShown: undefined,
    outcome: undefined,
    decidedBy: undefined,
    decidedAt: undefined,
    ...Object.fromEntries(EXPIRY_REDRAW_FIELDS.map((field) => [field, undefined])),
  };
}


/** How long an Undo of a fix keeps that fix from being made again without approval. */
export const UNDO_HOLD_DAYS = 7;

/**
 * The Undos that landed in the last UNDO_HOLD_DAYS, by the finding whose fix they undid. A
 * person who undid a fix had a reason the audit cannot see (the change broke something), and an
 * SLO rollback undid it because it burned the error budget: made again on its own at the next
 * run, it would undo the Undo, and the rollback and the fix would take turns. An Undo's record
 * names the finding of its approval (an SLO rollback's is the burn), so the fix it undid is found
 * through the approval's `undoOf`, the change it reverted.
 */
async function undoneRecently(ledger: Ledger, now: Date): Promise<Map<string, ChangeRecord>> {
  const since = new Date(now.getTime() - UNDO_HOLD_DAYS * 86_400_000).toISOString();
  const byFinding = new Map<string, ChangeRecord>();
  for (const undo of await ledger.listChanges(since)) {
    if (!isUndoAction(undo.action) || !wroteToMesh(undo) || undo.approvalId === undefined) continue;
    const approval = await ledger.getApproval(undo.approvalId);
    const undone = approval?.undoOf === undefined ? undefined : await ledger.getChange(approval.undoOf);
    // Newest first: the latest Undo of each fix is the one named.
    if (undone?.findingId !== undefined && !byFinding.has(undone.findingId)) byFinding.set(undone.findingId, undo);
  }
  return byFinding;
}

/** Plain text: the reason goes to reports and logs too, and Slack messages escape it (a `<@U…>` mention would show raw). */
function undoneReason(undo: ChangeRecord): string {
  const who = undo.approvedBy === undefined ? 'someone' : undo.approvedBy === 'meshgov' ? "meshgov's SLO rollback" : `Slack user ${undo.approvedBy}`;
  return `${who} undid this fix at ${undo.at} (change ${undo.id}), so it is not made again without approval for ${UNDO_HOLD_DAYS} days`;
}

async function applyAutomatically(
  finding: Finding,
  route: Route,
  scoped: ScopedReport,
  deps: GovernDeps,
  now: Date,
  changesThisRun: number,
  result: GovernResult,
): Promise<ChangeRecord | undefined> {
  const remediation = finding.remediation!;
  const executor = deps.executors.find((e) => e.handles(remediation));
  if (!executor) return undefined;
  const changesLastHour = await meshgovChangesSince(deps.ledger, new Date(now.getTime() - 3_600_000));
  const safety = { ...deps.policy.remediation, dryRun: deps.dryRun };
  const verdict = gateExecution(remediation, safety, { now, changesThisRun, changesLastHour, approved: false });
  if (!verdict.act) {
    deps.log?.('remediation not applied', { findingId: finding.id, action: remediation.action, reason: verdict.reason });
    return undefined;
  }
  const changeId = deps.newId('chg');
  // The count above can be passed by concurrent runs at once; the slot is the atomic check.
  const slot = await deps.ledger.reserveChangeSlot(changeId, safety.maxChangesPerHour);
  if (slot === undefined) {
    deps.log?.('remediation not applied', { findingId: finding.id, action: remediation.action, reason: `blast radius: ${safety.maxChangesPerHour} change(s) in the last hour already made or under way` });
    return undefined;
  }
  // A throw says nothing of whether the write went out, so the slot stays taken (it frees itself after the hour).
  // The report may be older than the cluster: an executor that can plan the finding again (the GCP agent) applies it only if it is still auto.
  const applied = await executor.apply(remediation, { trigger: scoped.trigger, changeId, findingId: finding.id, approved: false });
  // Only a change that certainly wrote nothing gives its slot back: one that landed and then failed its check still changed the mesh.
  if (!wroteToMesh(applied)) await deps.ledger.releaseChangeSlot(slot, changeId);
  const change: ChangeRecord = {
    id: changeId,
    findingId: finding.id,
    provider: finding.provider,
    action: remediation.action,
    ...resultFields(applied),
    reason: remediation.reason,
    trigger: scoped.trigger,
    at: now.toISOString(),
    service: serviceOf(finding),
    expiresAt: expiresAt(now),
  };
  await deps.ledger.recordChange(change);
  if (deps.notifier && ANNOUNCED.has(applied.outcome) && !(await failureAlreadyAnnounced(change, deps, now))) {
    const undo = await createUndo(change, finding, route, deps, now, await authorsOf(finding, scoped, deps.ledger));
    if (!(await announce(change, finding, route, undo, deps, deps.notifier))) {
      // Owed, as a finding's notification is: a later run sends it (announceOwed), with its Undo.
      await deps.ledger.recordChange({ ...change, announcementPending: true });
      result.notificationFailures++;
    }
  }
  return change;
}

/**
 * Outcomes a team is told about: the fix landed, or the mesh may have been written to (a write
 * that failed or could not be checked, one put back after its check failed). An aborted fix
 * changed nothing and is only logged.
 */
const ANNOUNCED = new Set<ChangeRecord['outcome']>(['verified', 'failed', 'rolled-back']);

/**
 * A fix that keeps failing is attempted by every run while its finding is open: its team is told
 * once per reminder period, not once per run. An earlier failure whose announcement Slack did not
 * take is owed, and sent by a later run (announceOwed).
 */
async function failureAlreadyAnnounced(change: ChangeRecord, deps: GovernDeps, now: Date): Promise<boolean> {
  if (change.outcome === 'verified') return false;
  const since = new Date(now.getTime() - deps.policy.remediation.reminderHours * 3_600_000).toISOString();
  const earlier = await deps.ledger.listChanges(since, change.service ? { service: change.service } : undefined);
  // Newest first: the attempt before this one, unless a fix landed since (then this failure is news).
  const previous = earlier.find((c) => c.id !== change.id && c.findingId === change.findingId && c.action === change.action && c.outcome !== 'aborted');
  return previous !== undefined && (previous.outcome === 'failed' || previous.outcome === 'rolled-back');
}

/**
 * A verified change gets an Undo, and so does one that failed after it wrote when its record
 * holds what it left (undoableFailure: a patch whose read-back failed may well be in effect).
 * Any other failure's detail says what to check by hand. Whoever caused the finding may not undo
 * its fix (decide.ts), as they may not approve it.
 */
async function createUndo(change: ChangeRecord, finding: Finding, route: Route, deps: GovernDeps, now: Date, authors: readonly string[]): Promise<ApprovalRecord | undefined> {
  if (change.outcome !== 'verified' && !undoableFailure(change)) return undefined;
  const undoRemediation = { action: undoActionOf(change.action), mode: 'approval' as const, reason: `undo of automatic change ${change.id}`, change: { changeId: change.id } };
  const undo = pendingApproval(`undo-${change.id}`, finding, undoRemediation, route, deps.policy, now, { undoOf: change.id, ...causeFields(authors) });
  await deps.ledger.createApproval(undo);
  return undo;
}

/** Posts a change's announcement, with the Undo button of `undo` when given; false when Slack did not take it. */
async function announce(change: ChangeRecord, finding: Finding, route: Route, undo: ApprovalRecord | undefined, deps: GovernDeps, notifier: Notifier): Promise<boolean> {
  let slack: Awaited<ReturnType<Notifier['announceChange']>>;
  try {
    slack = await notifier.announceChange(change, finding, route, undo?.id);
  } catch (err) {
    deps.log?.('change announcement not delivered; it stays owed and a later run sends it', { changeId: change.id, error: String(err) });
    return false;
  }
  // Posted: a failure to note where is not a reason to post it again.
  if (undo) await deps.ledger.setApprovalSlack(undo.id, slack).catch((err: unknown) => deps.log?.('announcement posted, but its Undo message was not recorded', { changeId: change.id, undo: undo.id, error: String(err) }));
  return true;
}

/**
 * Sends the announcements of earlier runs' automatic changes that Slack did not take, for as long
 * as an Undo could be offered (one approval TTL): the Undo button comes with it while its approval
 * is still PENDING and in time. Without a notifier (Slack not configured) nothing was owed.
 */
async function announceOwed(deps: GovernDeps, now: Date, result: GovernResult): Promise<void> {
  if (!deps.notifier) return;
  const since = new Date(now.getTime() - deps.policy.remediation.approvalTtlHours * 3_600_000).toISOString();
  const announced = new Set(result.changes.map((c) => c.id));
  for (const change of await deps.ledger.listPendingAnnouncements(since)) {
    if (announced.has(change.id)) continue;
    await announceAgain(change, deps, deps.notifier, now, result);
  }
}

async function announceAgain(change: ChangeRecord, deps: GovernDeps, notifier: Notifier, now: Date, result: GovernResult): Promise<void> {
  const undo = await deps.ledger.getApproval(`undo-${change.id}`);
  const finding = (change.findingId !== undefined ? (await deps.ledger.getFinding(change.findingId))?.finding : undefined) ?? undo?.finding;
  if (!finding) {
    deps.log?.('owed change announcement has no finding to describe it; it is not sent', { changeId: change.id });
    await deps.ledger.markChangeAnnounced(change.id);
    return;
  }
  // An Undo past its deadline (or decided, or swept) is not offered: the announcement still tells the team.
  const offered = undo?.state === 'PENDING' && !undo.slack && !isPastDeadline(undo, now) ? undo : undefined;
  // Posted, then marked: a run that dies between the two posts it again later, which beats never.
  // Two runs overlapping here may both post it; both buttons decide the one Undo approval.
  if (!(await announce(change, finding, routeFor(finding, deps.policy), offered, deps, notifier))) {
    result.notificationFailures++;
    return;
  }
  await deps.ledger.markChangeAnnounced(change.id);
  deps.log?.('owed change announcement sent', { changeId: change.id, undo: offered?.id });
}

/** The service a finding concerns, as change records and SLO suspect lookups name it. */
export function serviceOf(finding: Finding): string {
  const r = finding.resource;
  return `${finding.provider}:${r.namespace ?? r.mesh ?? ''}/${r.name}`;
}

async function deliver(owed: Array<{ record: FindingRecord; kind: NotifyKind }>, scoped: ScopedReport, deps: GovernDeps, result: GovernResult): Promise<void> {
  if (!deps.notifier || owed.length === 0) return;
  const notifier = deps.notifier;
  const now = deps.clock().toISOString();
  const digest = DIGEST_SOURCES.has(scoped.trigger.source);
  const byChannel = new Map<string, { route: Route; items: Array<{ record: FindingRecord; kind: NotifyKind }> }>();
  for (const item of owed) {
    const route = routeFor(item.record.finding, deps.policy);
    const group = byChannel.get(route.channel) ?? { route, items: [] };
    group.items.push(item);
    byChannel.set(route.channel, group);
  }
  for (const { route, items } of byChannel.values()) {
    // A scheduled run sends one digest per channel for what is new; updates of existing messages stay individual.
    const fresh = digest ? items.filter((i) => i.kind !== 'resolved' && !i.record.slack) : [];
    if (fresh.length > 1) {
      try {
        await notifier.postDigest(route, fresh.map((i) => asPlanned(i.record, deps.dryRun)), scoped.trigger);
        for (const i of fresh) await markNotified(deps.ledger, i.record, now, undefined, result, i.kind, deps.dryRun);
      } catch (err) {
        result.notificationFailures += fresh.length;
        deps.log?.('digest not delivered; it stays owed', { channel: route.channel, error: String(err) });
      }
    }
    for (const item of items) {
      if (fresh.length > 1 && fresh.includes(item)) continue;
      try {
        const slack = await notifier.notifyFinding(asPlanned(item.record, deps.dryRun), route, item.kind === 'resolved' ? 'resolved' : item.kind);
        await markNotified(deps.ledger, item.record, now, slack, result, item.kind, deps.dryRun);
      } catch (err) {
        result.notificationFailures++;
        deps.log?.('notification not delivered; it stays owed', { findingId: item.record.id, error: String(err) });
      }
    }
  }
}

/** The record as its message is drawn: whether this run plans its fix only (dry-run). */
function asPlanned(record: FindingRecord, dryRun: boolean): FindingRecord {
  return { ...record, dryRun: dryRun || undefined };
}

async function markNotified(
  ledger: Ledger,
  record: FindingRecord,
  now: string,
  slack: FindingRecord['slack'],
  result: GovernResult,
  kind: NotifyKind,
  dryRun: boolean,
): Promise<void> {
  const current = (await ledger.getFinding(record.id)) ?? record;
  await ledger.updateFinding({
    ...current,
    notificationPending: false,
    dryRun: dryRun || undefined,
    lastNotifiedAt: now,
    notifiedSeverity: current.finding.severity,
    ...(slack ? { slack } : {}),
    version: current.version + 1,
  });
  result.notified.push({ id: record.id, kind });
}

/** CONTRACT.md: MESHGOV_DRY_RUN decides when set (anything but `false` is dry-run); otherwise the rules do. */
export function resolveDryRun(env: string | undefined, policy: Policy): boolean {
  if (env === undefined || env === '') return policy.remediation.dryRun;
  return env.trim().toLowerCase() !== 'false';
}
