import type { Remediation } from '../findings';
import type { ChangeRecord } from '../ledger/types';
import type { ScopedReport } from '../pipeline/audit-scope';
import type { ApplyResult } from '../pipeline/ports';
import type { Trigger } from '../pipeline/trigger';

/**
 * The bodies that cross the link. Both sides import these types, so the hub's receiver and
 * the agent's sender cannot drift apart.
 */

/** Which agent is speaking: the GCP project and GKE cluster it audits. */
export interface AgentIdentity {
  project: string;
  cluster: string;
  /** The cluster's region or zone, when configured. */
  location?: string;
}

/** Agent → hub (`MESHGOV_HUB_URL`): one audit's findings, with what the audit covered. */
export interface AgentReport {
  agent: AgentIdentity;
  scopedReport: ScopedReport;
}

/** Hub → agent (`MESHGOV_AGENT_URL`, the `executeRemediation` function): an approved change to apply. */
export interface ExecuteRequest {
  remediation: Remediation;
  trigger: Trigger;
  /** The hub's id for the change record; the agent echoes it and logs it. */
  changeId: string;
  /** Set for an Undo or a rollback: the recorded change whose `before` the agent restores (remediation names its action). */
  revert?: ChangeRecord;
}

/**
 * Agent → hub, the answer to an ExecuteRequest. HTTP status by outcome: 200 verified or
 * rolled-back, 409 aborted (nothing was changed: a resourceVersion conflict, or dry-run when
 * `dryRun` is set), 500 failed.
 */
export interface ExecuteResponse extends ApplyResult {
  changeId: string;
  /** True when the agent runs with MESHGOV_DRY_RUN and therefore changed nothing. */
  dryRun?: boolean;
}
