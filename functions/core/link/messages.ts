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
  /**
   * Set when the audit was started by a change someone other than meshgov made to an Istio
   * object (a GKE audit-log entry): the hub records it in the ledger before it governs the
   * report, so that a latency burn can name it and offer its rollback. Optional: reports of
   * older agents, and of scheduled and alarm-triggered runs, carry none.
   */
  observedChange?: ObservedIstioChange;
}

/** The Istio kinds whose changes an agent observes, and the verbs it records for them. */
export const OBSERVED_ISTIO_KINDS = ['PeerAuthentication', 'DestinationRule', 'ServiceEntry'] as const;
export const OBSERVED_ISTIO_VERBS = ['create', 'update', 'patch', 'delete'] as const;

export type ObservedIstioKind = (typeof OBSERVED_ISTIO_KINDS)[number];
export type ObservedIstioVerb = (typeof OBSERVED_ISTIO_VERBS)[number];

/** An Istio object as a change left it: identity, the versions the API server gave it, and its spec. */
export interface ObservedIstioObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; generation?: number };
  spec: Record<string, unknown>;
}

/** A person's (or another tool's) change to a PeerAuthentication, DestinationRule or ServiceEntry, as the agent saw it. */
export interface ObservedIstioChange {
  /** The ledger change id, from the audit entry's insertId (`chg-gke-audit-<insertId>`): a redelivered entry is recorded once. */
  id: string;
  /** The request's verb, as the audit entry's methodName ends. */
  verb: ObservedIstioVerb;
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  /** `authenticationInfo.principalEmail`. */
  actor?: string;
  /** When the API server handled the request (the entry's `timestamp`). */
  at: string;
  /** The object the change left; null after a delete; absent when the agent could not tell it. */
  object?: ObservedIstioObject | null;
  /**
   * Where `object` comes from: the API server's response logged in the audit entry (exactly the
   * change's result), the agent's read of the cluster right after the event (later edits may
   * already show), or the body of an update request (no resourceVersion or generation).
   */
  objectFrom?: 'audit-response' | 'live-read' | 'audit-request';
  /** A delete: the object as it was deleted, when the response carried it. */
  deleted?: ObservedIstioObject;
  /** The resourceVersion the request was conditional on (`metadata.resourceVersion` of its body): the version the change replaced. */
  replacedResourceVersion?: string;
  /** Ledger service keys (`istio:<namespace>/<service>`) of the services the change touches. */
  services: string[];
}

/** Hub → agent (`MESHGOV_AGENT_URL`, the `executeRemediation` function): an approved change to apply. */
export interface ExecuteRequest {
  remediation: Remediation;
  trigger: Trigger;
  /** The hub's id for the change record; the agent echoes it and logs it. */
  changeId: string;
  /** Set for an Undo or a rollback: the recorded change whose `before` the agent restores (remediation names its action). */
  revert?: ChangeRecord;
  /**
   * The finding the change fixes (its id in the report that planned it). The agent plans that
   * finding again on a full read of its cluster before applying, because the hub's picture may be
   * older than the cluster. Set for an apply, absent for a revert (which restores a recorded
   * `before` and has no plan to repeat). Optional only so that older hubs' bodies still type-check.
   */
  findingId?: string;
  /**
   * Whether a person approved the change (true: the fresh plan must still allow what was
   * approved) or the hub applies it on its own (false: the fresh plan must still be `auto`).
   * Set for an apply, absent for a revert.
   */
  approved?: boolean;
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
  /**
   * Whether the agent wrote to the cluster, or may have (ApplyResult `wrote`, as its executor
   * answered it). An agent from before this field leaves it out: the hub then takes a 409
   * aborted as nothing written and any other answer as a write that may have landed.
   */
  wrote?: boolean;
}
