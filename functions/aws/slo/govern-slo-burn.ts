import { executeApproval, type ExecuteApprovalDeps, type ExecutionOutcome } from '../../core/approvals/execute-approval';
import type { ScopedReport } from '../../core/pipeline/audit-scope';
import { govern, type GovernResult } from '../../core/pipeline/govern';
import { slosOfPolicy } from '../../core/slo/definition';
import { blameSloBurns, type BlameOptions, type RollbackProposal } from '../../core/slo/rollback';
import { governDepsOf, type HubDeps } from '../hub/hub-deps';

export type SloBurnDeps = Pick<HubDeps, 'ledger' | 'policy' | 'notifier' | 'executors' | 'clock' | 'dryRun' | 'newId' | 'log'> & BlameOptions & GovernListener;

/**
 * Told each govern run's result as soon as it ends: a Lambda handler counts from it what its
 * runs did (metrics), also when a later step of the run fails.
 */
export interface GovernListener {
  onGoverned?: (result: GovernResult) => void;
}

export interface SloBurnResult {
  governed: GovernResult;
  proposals: RollbackProposal[];
  /** Rollbacks meshgov ran on its own (`autoRollbackOwnChanges`). */
  automatic: ExecutionOutcome[];
}

/**
 * The hub's side of an alarm-triggered run, for the CloudWatch alarm Lambda and for the GCP
 * agent's incident reports alike: name the suspected change on each burning SLO's finding and
 * record its rollback approval (blameSloBurns), then govern as usual (which finds that approval
 * already asked, records the finding and tells the owner), then run the rollbacks that rules/
 * lets meshgov take without asking.
 */
export async function governSloBurn(scoped: ScopedReport, deps: SloBurnDeps): Promise<SloBurnResult> {
  const governDeps = governDepsOf(deps);
  const blamed = await blameSloBurns(scoped, slosOfPolicy(deps.policy), governDeps, deps.dependenciesOf ? { dependenciesOf: deps.dependenciesOf } : {});
  const governed = await govern(blamed.scoped, governDeps);
  deps.onGoverned?.(governed);
  const executeDeps: ExecuteApprovalDeps = {
    ledger: deps.ledger,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    executors: deps.executors,
    policy: deps.policy,
    dryRun: deps.dryRun,
    clock: deps.clock,
    newId: deps.newId,
    log: governDeps.log,
  };
  const automatic: ExecutionOutcome[] = [];
  for (const proposal of blamed.proposals.filter((p) => p.automatic)) automatic.push(await executeApproval(proposal.approval.id, executeDeps));
  return { governed, proposals: blamed.proposals, automatic };
}

/**
 * Whether a scoped report is an SLO run (so the hub's receive path blames and proposes): one an
 * alarm or incident started, or a scheduled sweep's, whose audited resources are SLOs alone.
 */
export function isSloRun(scoped: ScopedReport): boolean {
  if (scoped.trigger.source === 'cloudwatch-alarm' || scoped.trigger.source === 'cloud-monitoring') return true;
  return scoped.auditedResources.length > 0 && scoped.auditedResources.every((key) => SLO_PROVIDERS.some((p) => key.startsWith(`${p}|`)));
}

/** The providers of SLO resources (sloIndicator): resourceKey starts with them. */
const SLO_PROVIDERS = ['prometheus', 'cloudwatch'];
