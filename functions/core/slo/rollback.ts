import type { Finding, Remediation, RemediationMode } from '../findings';
import type { ApprovalRecord, ChangeRecord, Ledger } from '../ledger/types';
import { fleetReadAt, type ScopedReport } from '../pipeline/audit-scope';
import { decidedByLaterAudit } from '../pipeline/observe-findings';
import { deliverApprovalRequest, pendingApproval } from '../pipeline/approval-request';
import { approvalIdFor } from '../pipeline/govern';
import type { Notifier } from '../pipeline/ports';
import { routeFor } from '../pipeline/route';
import type { Policy } from '../policy/types';
import { undoActionOf } from '../remediation/undo-action';
import { undoableFailure } from '../remediation/undoable-failure';
import type { SloTopology } from './dependencies';
import type { SloDefinition } from './definition';
import { windowSeconds } from './duration';
import { isFindingOfSlo } from './indicator';
import { estimateBurnOnset, isFiring, type BurnOnset, type BurnWindow } from './burn-onset';
import { undoLoosensOnlyServers } from './revert-safety';
import { findSuspect, sloServiceKeys, suspectDetail, type Suspect } from './suspects';

/**
 * The rollback an SLO burn offers: the suspected change's Undo, as an approval that carries
 * `undoOf`, so the approval worker reverts the recorded change through its executor's `revert`.
 * Created before the govern stage runs: govern then finds the approval under the same id
 * (approvalIdFor of the enriched finding) and does not ask a second time.
 */

export interface RollbackDeps {
  ledger: Ledger;
  policy: Policy;
  notifier?: Notifier;
  clock: () => Date;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface RollbackProposal {
  approval: ApprovalRecord;
  /** True when the approval was approved by meshgov itself (`autoRollbackOwnChanges`): the caller runs it now. */
  automatic: boolean;
}

/**
 * The finding with `detail.suspect` and the suspect's Undo as its remediation (as far as `allowed`,
 * rule slo-latency-burn's `remediation`, lets it go; see rollbackOf), and the suspect named in its
 * message (with the dependency it touched, when it is not the service's own).
 */
export function withSuspect(finding: Finding, suspect: Suspect, allowed: RemediationMode = 'auto'): Finding {
  const change = suspect.change;
  const to = suspect.relation === 'dependency' ? ` to a dependency of this service (${change.service}, which it calls)` : '';
  return {
    ...finding,
    message: `${finding.message} Suspected change${to}: ${change.action} on ${change.service} at ${change.at} (${suspect.who}, change ${change.id})${suspect.afterOnset ? '; it came after the burn began, so it may not be the cause' : ''}${suspect.uncertain ? `; it failed after writing, so it may or may not be in effect (${change.detail ?? 'no detail recorded'})` : ''}.`,
    detail: { ...finding.detail, suspect: suspectDetail(suspect) },
    remediation: rollbackOf(suspect, allowed),
  };
}

/**
 * The Undo of a suspected change: for approval when the change record holds the state to
 * restore (`before`), else manual, saying why, so the owner still learns what to put back.
 *
 * `allowed` is rule slo-latency-burn's `remediation`, the most a rollback may do, as for every
 * rule: `manual` names the change and its Undo but offers no approval (nothing runs); `approval`
 * and `auto` offer it for approval (blameSloBurns approves it at once only under `auto`, for an
 * SLO with `autoRollbackOwnChanges`).
 */
export function rollbackOf(suspect: Suspect, allowed: RemediationMode = 'auto'): Remediation {
  const change = suspect.change;
  const what = `change ${change.id} (${change.action} at ${change.at}, ${suspect.who})`;
  const cause = suspect.afterOnset ? 'the only change in the alert window (though it came after the burn began)' : 'the most likely cause of the latency burn';
  const unrestorable = whyNotRestorable(change);
  if (unrestorable) {
    return {
      action: undoActionOf(change.action),
      mode: 'manual',
      reason: `${what} is ${cause}, but meshgov cannot roll it back: ${unrestorable}; restore the previous configuration by hand`,
      change: { changeId: change.id },
    };
  }
  if (allowed === 'manual') {
    return {
      action: undoActionOf(change.action),
      mode: 'manual',
      reason: `${what} is ${cause}; rule slo-latency-burn allows only manual remediation, so meshgov neither asks to roll it back nor does: restore the configuration from before the change by hand`,
      change: { changeId: change.id },
    };
  }
  return {
    action: undoActionOf(change.action),
    mode: 'approval',
    reason: suspect.afterOnset
      ? `roll back ${what}, the only change in the alert window, though it came after the burn began`
      : `roll back ${what}, the most likely cause of the latency burn`,
    change: { changeId: change.id },
  };
}

/** Why a recorded change cannot be restored by its executor, or undefined when it can. */
function whyNotRestorable(change: ChangeRecord): string | undefined {
  if (change.action.endsWith('.create') || change.action.endsWith('.delete')) return `it ${change.action.endsWith('.create') ? 'created' : 'deleted'} a resource, and meshgov restores only updated specs`;
  const before = change.before;
  if (before === undefined || before === null || typeof before !== 'object') {
    return `the configuration before it is unknown${change.detail ? ` (${change.detail})` : ''}`;
  }
  // A revert restores only while the resource still holds what the change wrote; a failed change
  // whose record does not vouch for what it wrote (undoableFailure) gives nothing to tell its write from a later edit.
  if (change.outcome === 'failed' && !undoableFailure(change)) {
    return `it failed after writing (${change.detail ?? 'no detail recorded'}) and its record does not hold what it wrote (nothing from after it, or an object read back), so meshgov cannot tell its write from a later edit`;
  }
  return undefined;
}

/**
 * Records the Undo approval for an enriched finding (see withSuspect) and asks the owning team
 * for it in Slack. With `autoRollback` (the caller checks the rule allows `auto`), a change
 * meshgov made itself is approved by meshgov at once (nobody is asked) and the caller executes
 * it; anyone else's change always waits for a person.
 * Returns undefined when the approval already exists (an earlier alarm asked already) or when
 * the rollback is manual (the change's previous state is unknown).
 */
export async function proposeRollback(finding: Finding, suspect: Suspect, deps: RollbackDeps, options: { autoRollback?: boolean } = {}): Promise<RollbackProposal | undefined> {
  // A manual rollback is told in the finding's message and remediation; there is nothing to approve.
  if (!finding.remediation || finding.remediation.mode === 'manual') return undefined;
  const now = deps.clock();
  const id = approvalIdFor(finding);
  if (await deps.ledger.getApproval(id)) return undefined;
  const route = routeFor(finding, deps.policy);
  const record = pendingApproval(id, finding, finding.remediation, route, deps.policy, now, { undoOf: suspect.change.id });
  const created = await deps.ledger.createApproval(record);
  if (!created) return undefined;

  if (options.autoRollback === true && suspect.byMeshgov) {
    const approved = await deps.ledger.transitionApproval(id, ['PENDING'], 'APPROVED', { decidedBy: 'meshgov', decidedAt: now.toISOString() });
    if (approved) return { approval: approved, automatic: true };
  }
  await deliverApprovalRequest(created, route, deps);
  return { approval: (await deps.ledger.getApproval(id)) ?? created, automatic: false };
}

export interface BlameOptions {
  /**
   * Ledger service keys of what an SLO's service calls (its backends), added to those the alarm
   * run attached to the finding (`detail.topology`, see runSloAlarm); none when both are left out.
   */
  dependenciesOf?: (slo: SloDefinition) => string[];
}

export interface BlameResult {
  /** The report with each burning SLO's finding naming its suspect and offering its Undo. */
  scoped: ScopedReport;
  proposals: RollbackProposal[];
}

/**
 * The alarm-triggered run's extra step before govern: for every `slo-latency-burn` finding,
 * the suspected change within the alert window (the longest firing long window before now), the
 * finding enriched with it, and the rollback approval recorded. Findings without a suspect stay
 * as they are: the owner is still told of the burn.
 *
 * The rule's `remediation` caps the rollback as it caps every rule's fix: `manual` offers no
 * approval, `approval` always waits for a person, and only `auto` lets an SLO's
 * `autoRollbackOwnChanges` undo meshgov's own change without asking.
 */
export async function blameSloBurns(scoped: ScopedReport, slos: SloDefinition[], deps: RollbackDeps, options: BlameOptions = {}): Promise<BlameResult> {
  const allowed = deps.policy.rules['slo-latency-burn'].remediation;
  const proposals: RollbackProposal[] = [];
  const findings: Finding[] = [];
  const readAt = fleetReadAt(scoped);
  // The burn is as of the run's reading, not of the report's arrival (a retry, a redelivery, hours
  // later): the window, the onset and the latest suspect are measured from it, so a change made
  // after the reading is never blamed. A reading dated after the hub's clock is skew: the clock bounds it.
  const clock = deps.clock();
  const now = readAt !== undefined && readAt < clock.getTime() ? new Date(readAt) : clock;
  for (const finding of scoped.report.findings) {
    const slo = finding.rule === 'slo-latency-burn' ? sloOfFinding(finding, slos) : undefined;
    if (!slo) {
      findings.push(finding);
      continue;
    }
    // A late report (a retry, a redelivery): a run that measured after it already decided this
    // burn (found it over, or saw it on), so nothing is blamed or rolled back on its word; govern leaves the finding too.
    const record = await deps.ledger.getFinding(finding.id);
    if (record && decidedByLaterAudit(record, readAt)) {
      deps.log?.('burn not blamed: a later run already decided it', { slo: slo.name, findingId: finding.id, readAt: readAt === undefined ? undefined : new Date(readAt).toISOString(), decidedAt: record.auditReadAt });
      findings.push(finding);
      continue;
    }
    const topology = topologyOf(finding);
    // A change made after the burn began cannot have started it: the onset bounds the preferred suspects.
    const onset = estimateBurnOnset(firingWindowsOf(finding), now);
    const suspect = await findSuspect(deps.ledger, {
      service: [...sloServiceKeys(slo), ...topology.service],
      dependencies: [...topology.dependencies, ...(options.dependenciesOf?.(slo) ?? [])],
      since: new Date(now.getTime() - alertWindowSeconds(finding) * 1000),
      until: now,
      ...(onset ? { onsetBy: onset.latest } : {}),
    });
    const dated = onset ? withBurnOnset(finding, onset) : finding;
    if (!suspect) {
      findings.push(dated);
      continue;
    }
    let enriched = withSuspect(dated, suspect, allowed);
    // Only a suspect meshgov made, that precedes the burn, is rolled back without asking, and only when the rule allows auto.
    let wantsAuto = slo.autoRollbackOwnChanges === true && suspect.byMeshgov && !suspect.afterOnset;
    if (wantsAuto && suspect.uncertain && enriched.remediation) {
      const reason = `${enriched.remediation.reason} (autoRollbackOwnChanges is set on SLO ${slo.name}, but change ${suspect.change.id} failed after writing, so what it left in place is unknown and a person decides)`;
      enriched = { ...enriched, remediation: { ...enriched.remediation, reason } };
      deps.log?.('automatic rollback held back: the suspected change failed after writing', { slo: slo.name, changeId: suspect.change.id, detail: suspect.change.detail });
      wantsAuto = false;
    }
    if (wantsAuto && !undoLoosensOnlyServers(suspect.change) && enriched.remediation) {
      const reason = `${enriched.remediation.reason} (autoRollbackOwnChanges is set on SLO ${slo.name}, but undoing change ${suspect.change.id} does more than take servers back to PERMISSIVE (it restores plaintext on a server or a client), which can break calls set up since, so a person decides)`;
      enriched = { ...enriched, remediation: { ...enriched.remediation, reason } };
      deps.log?.('automatic rollback held back: it does more than loosen servers to PERMISSIVE', { slo: slo.name, changeId: suspect.change.id, action: suspect.change.action });
      wantsAuto = false;
    }
    if (wantsAuto && allowed !== 'auto' && enriched.remediation) {
      const reason = `${enriched.remediation.reason} (autoRollbackOwnChanges is set on SLO ${slo.name}, but rule slo-latency-burn allows at most ${allowed} remediation, so meshgov does not roll it back on its own)`;
      enriched = { ...enriched, remediation: { ...enriched.remediation, reason } };
      deps.log?.('automatic rollback held back by the rule', { slo: slo.name, changeId: suspect.change.id, remediation: allowed });
    }
    findings.push(enriched);
    const proposal = await proposeRollback(enriched, suspect, deps, { autoRollback: wantsAuto && allowed === 'auto' });
    if (proposal) proposals.push(proposal);
  }
  return { scoped: { ...scoped, report: { ...scoped.report, findings } }, proposals };
}

/** The topology the alarm run attached to the finding (runSloAlarm), else none. */
function topologyOf(finding: Finding): SloTopology {
  const t = finding.detail.topology as Partial<SloTopology> | undefined;
  const keys = (v: unknown): string[] => (Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : []);
  return { service: keys(t?.service), dependencies: keys(t?.dependencies) };
}

/**
 * The SLO a finding is of, by the name its id is made with: two SLOs may share a service, and
 * each has its own `autoRollbackOwnChanges`. None when no SLO of the rules made it (one renamed
 * or removed since).
 */
export function sloOfFinding(finding: Finding, slos: SloDefinition[]): SloDefinition | undefined {
  return slos.find((slo) => isFindingOfSlo(finding, slo.name));
}

/** The window pairs of the finding's detail that fire (both windows at or over the factor). */
function firingWindowsOf(finding: Finding): BurnWindow[] {
  const windows = Array.isArray(finding.detail.windows) ? (finding.detail.windows as BurnWindow[]) : [];
  return windows.filter(isFiring);
}

/** The finding with when its burn most likely began (see estimateBurnOnset), in its message and detail. */
function withBurnOnset(finding: Finding, onset: BurnOnset): Finding {
  return {
    ...finding,
    message: `${finding.message} The burn most likely began about ${onset.at.toISOString()} (${onset.basis}).`,
    detail: { ...finding.detail, burnOnset: { at: onset.at.toISOString(), basis: onset.basis } },
  };
}

/** The longest long window among the firing pairs in the finding's detail; one hour when it names none. */
function alertWindowSeconds(finding: Finding): number {
  return Math.max(3_600, ...firingWindowsOf(finding).map((w) => windowSeconds(w.long)));
}
