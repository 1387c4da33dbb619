import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runApprovalBatch, type ApprovalWorkerDeps } from './slack/run-approval-batch';
import { approvalWorkerDepsFromEnv } from './slack/wire-slack';

/**
 * The approval worker: takes approvals from the SQS queue the interactivity endpoint writes to,
 * runs each approved change (or Undo) exactly once with every check repeated on fresh state,
 * records the change, and redraws the Slack message with the outcome (see
 * functions/core/approvals/execute-approval.ts). Partial batch responses: the event source
 * mapping needs `ReportBatchItemFailures`.
 */
export function createApprovalWorkerHandler(depsFactory: () => Promise<ApprovalWorkerDeps>) {
  let deps: Promise<ApprovalWorkerDeps> | undefined;
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    deps ??= depsFactory();
    deps.catch(() => (deps = undefined));
    const { batchItemFailures } = await runApprovalBatch(event, await deps);
    return { batchItemFailures };
  };
}

export const handler = createApprovalWorkerHandler(() => approvalWorkerDepsFromEnv(process.env));
