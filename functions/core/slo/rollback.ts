import type { Finding } from '../findings';
import type { ApprovalRecord, Ledger } from '../ledger/types';
import type { ScopedReport } from '../pipeline/audit-scope';
import { approvalIdFor } from '../pipeline/govern';
import { expiresAt } from '../pipeline/observe-findings';
import type { Notifier } from '../pipeline/ports';
import { routeFor } from '../pipeline/route';
import type { Policy } from '../policy/types';
import type { SloDefinition } from './definition';
import { windowSeconds } from './duration';
import { sloResource } from './indicator';
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

/** The finding with `detail.suspect` and the suspect's Undo as its remediation, and the suspect named in its message. */
export function withSuspect(finding: Finding, suspect: Suspect): Finding {
  const change = suspect.change;
  return {
    ...finding,
    message: `${finding.message} Suspected change: ${change.action} on ${change.service} at ${change.at} (${suspect.who}, change ${change.id}).`,
    detail: { ...finding.detail, suspect: suspectDetail(suspect) },
    remediation: {
      action: `${change.action}.undo`,
      mode: 'approval',
      reason: `roll back change ${change.id} (${change.action} at ${change.at}, ${suspect.who}), the most likely cause of the latency burn`,
      change: { changeId: change.id },
    },
  };
}

/**
 * Records the Undo approval for an enriched finding (see withSuspect) and asks the owning team
 * for it in Slack. With `autoRollback`, a change meshgov made itself is approved by meshgov at
 * once (nobody is asked) and the caller executes it; anyone else's change always waits for a person.
 * Returns undefined when the approval already exists (an earlier alarm asked already).
 */
export async function proposeRollback(finding: Finding, suspect: Suspect, deps: RollbackDeps, options: { autoRollback?: boolean } = {}): Promise<RollbackProposal | undefined> {
  if (!finding.remediation) return undefined;
  const now = deps.clock();
  const id = approvalIdFor(finding);
  if (await deps.ledger.getApproval(id)) return undefined;
  const route = routeFor(finding, deps.policy);
  const record: ApprovalRecord = {
    id,
    findingId: finding.id,
    state: 'PENDING',
    remediation: finding.remediation,
    finding,
    requestedAt: now.toISOString(),
    approvalExpiresAt: new Date(now.getTime() + deps.policy.remediation.approvalTtlHours * 3_600_000).toISOString(),
    ...(route.team ? { team: route.team } : {}),
    undoOf: suspect.change.id,
    version: 1,
    expiresAt: expiresAt(now),
  };
  const created = await deps.ledger.createApproval(record);
  if (!created) return undefined;

  if (options.autoRollback === true && suspect.byMeshgov) {
    const approved = await deps.ledger.transitionApproval(id, ['PENDING'], 'APPROVED', { decidedBy: 'meshgov', decidedAt: now.toISOString() });
    if (approved) return { approval: approved, automatic: true };
  }
  if (deps.notifier) {
    try {
      const slack = await deps.notifier.requestApproval(created, route);
      await deps.ledger.setApprovalSlack(id, slack);
    } catch (err) {
      deps.log?.('rollback request not delivered; it stays pending in the ledger', { approvalId: id, error: String(err) });
    }
  }
  return { approval: (await deps.ledger.getApproval(id)) ?? created, automatic: false };
}

export interface BlameOptions {
  /** Ledger service keys of what an SLO's service calls (its backends); none when left out. */
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
 */
export async function blameSloBurns(scoped: ScopedReport, slos: SloDefinition[], deps: RollbackDeps, options: BlameOptions = {}): Promise<BlameResult> {
  const now = deps.clock();
  const proposals: RollbackProposal[] = [];
  const findings: Finding[] = [];
  for (const finding of scoped.report.findings) {
    const slo = finding.rule === 'slo-latency-burn' ? sloOfFinding(finding, slos) : undefined;
    if (!slo) {
      findings.push(finding);
      continue;
    }
    const since = new Date(now.getTime() - alertWindowSeconds(finding) * 1000);
    const suspect = await findSuspect(deps.ledger, { service: sloServiceKeys(slo), dependencies: options.dependenciesOf?.(slo) ?? [], since, until: now });
    if (!suspect) {
      findings.push(finding);
      continue;
    }
    const enriched = withSuspect(finding, suspect);
    findings.push(enriched);
    const proposal = await proposeRollback(enriched, suspect, deps, { autoRollback: slo.autoRollbackOwnChanges === true });
    if (proposal) proposals.push(proposal);
  }
  return { scoped: { ...scoped, report: { ...scoped.report, findings } }, proposals };
}

/** The SLO a finding is about: the one whose resource it names. */
export function sloOfFinding(finding: Finding, slos: SloDefinition[]): SloDefinition | undefined {
  const r = finding.resource;
  return slos.find((slo) => {
    const s = sloResource(slo);
    return s.kind === r.kind && s.name === r.name && (s.namespace ?? '') === (r.namespace ?? '') && (s.mesh ?? '') === (r.mesh ?? '');
  });
}

/** The longest long window among the firing pairs in the finding's detail; one hour when it names none. */
function alertWindowSeconds(finding: Finding): number {
  const windows = Array.isArray(finding.detail.windows) ? (finding.detail.windows as Array<{ long: string; burnLong: number; burnShort: number; factor: number }>) : [];
  const firing = windows.filter((w) => w.burnLong >= w.factor && w.burnShort >= w.factor);
  return Math.max(3_600, ...firing.map((w) => windowSeconds(w.long)));
}
