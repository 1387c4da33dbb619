/**
 * Approvals: who may decide a Slack click (decide), expiring requests nobody decided in time
 * (expireOverdueApprovals), and running an approved fix or Undo exactly
 * once with every check repeated at execution time (executeApproval). Pure logic over the
 * Ledger and small ports; no cloud SDK.
 */
export type { ApproverDirectory } from './approver-directory';
export { actorEmail } from './actor-email';
export type { ApprovalVerb, Decision, DecisionRequest, Refusal, RefusalReason } from './decision';
export { decide, type DecideDeps } from './decide';
export { DEFAULT_REDRAW_RETRY_BOUND, expireOverdueApprovals, type ExpirySweepDeps, type ExpirySweepResult, type RedrawRetryBound } from './expire-overdue';
export { isPermanentRedrawError, PermanentRedrawError } from './redraw-error';
export { expiredOutcome, isPastDeadline } from './expiry';
export { blockersOf, freshScopeFor, recheckApproval, type Recheck } from './recheck';
export {
  approvalTrigger,
  DEFER_SECONDS,
  executeApproval,
  type ExecuteApprovalDeps,
  type ExecutionOutcome,
  type FreshStateReader,
  type RunCounter,
} from './execute-approval';
export { sameJson } from './same-json';
