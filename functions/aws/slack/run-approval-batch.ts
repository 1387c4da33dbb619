import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { executeApproval, type ExecuteApprovalDeps, type ExecutionOutcome } from '../../core/approvals/execute-approval';
import { parseExecutionRequest, type ExecutionHandOff } from './hand-off';

export interface ApprovalWorkerDeps extends ExecuteApprovalDeps {
  /** Sends a deferred approval back to the queue with a delay. */
  handOff: ExecutionHandOff;
  /** Where a record's failure is logged; `log` when absent. */
  logError?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Lets the Lambda handler follow each record: its log keys while it runs, and its outcome. */
export interface ApprovalBatchHooks {
  recordStarted?(messageId: string, approvalId?: string): void;
  recordEnded?(result: { outcome: ExecutionOutcome } | { failure: 'malformed' | 'error' }): void;
}

/**
 * One SQS batch of approvals, one after the other (the blast radius per run counts across the
 * batch). A record that throws (the ledger unreachable) is reported as a batch item failure, so
 * SQS delivers it again and, after maxReceiveCount, dead-letters it; a deferred approval goes
 * back on the queue with a delay. A finished approval whose Slack message could not be redrawn
 * is a batch item failure too: its next delivery redraws it. A body that is not an execution request is a batch item
 * failure too, logged with the field at fault: it reaches the approval dead-letter queue rather
 * than vanishing. Lambda: the event source mapping needs `ReportBatchItemFailures`.
 */
export async function runApprovalBatch(event: SQSEvent, deps: ApprovalWorkerDeps, hooks: ApprovalBatchHooks = {}): Promise<SQSBatchResponse & { outcomes: ExecutionOutcome[] }> {
  const run = { changesThisRun: 0 };
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const outcomes: ExecutionOutcome[] = [];
  const logError = deps.logError ?? deps.log;
  for (const record of event.Records) {
    const parsed = parseExecutionRequest(record.body);
    hooks.recordStarted?.(record.messageId, parsed.ok ? parsed.value.approvalId : undefined);
    if (!parsed.ok) {
      logError?.(`approval queue message is not an execution request: ${parsed.field}: ${parsed.problem}; left for the dead-letter queue`, {
        messageId: record.messageId,
        field: parsed.field,
        problem: parsed.problem,
        receiveCount: record.attributes?.ApproximateReceiveCount,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      hooks.recordEnded?.({ failure: 'malformed' });
      continue;
    }
    const request = parsed.value;
    try {
      const outcome = await executeApproval(request.approvalId, deps, run);
      outcomes.push(outcome);
      if (outcome.status === 'deferred') await deps.handOff.send(request, { delaySeconds: outcome.retryAfterSeconds });
      deps.log?.('approval handled', { messageId: record.messageId, ...outcome, change: undefined });
      hooks.recordEnded?.({ outcome });
      // Done in the ledger, but Slack still shows the old state: delivered again, the message is redrawn (and dead-lettered at last).
      if ('notShown' in outcome && outcome.notShown !== undefined) {
        logError?.('approval message not redrawn; SQS will deliver it again to redraw it', { messageId: record.messageId, approvalId: request.approvalId, state: 'state' in outcome ? outcome.state : undefined, error: outcome.notShown });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    } catch (err) {
      logError?.('approval failed; SQS will deliver it again', { messageId: record.messageId, approvalId: request.approvalId, error: (err as Error).message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      hooks.recordEnded?.({ failure: 'error' });
    }
  }
  return { batchItemFailures, outcomes };
}
