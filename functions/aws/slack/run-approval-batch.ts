import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { executeApproval, type ExecuteApprovalDeps, type ExecutionOutcome } from '../../core/approvals/execute-approval';
import { parseExecutionRequest, type ExecutionHandOff } from './hand-off';

export interface ApprovalWorkerDeps extends ExecuteApprovalDeps {
  /** Sends a deferred approval back to the queue with a delay. */
  handOff: ExecutionHandOff;
}

/** Lets the Lambda handler follow each record: its log keys while it runs, and its outcome. */
export interface ApprovalBatchHooks {
  recordStarted?(messageId: string, approvalId?: string): void;
  recordEnded?(result: { outcome: ExecutionOutcome } | { failure: 'malformed' | 'error' }): void;
}

/** A record that must come back (or reach the dead-letter queue): Powertools reports it as a batch item failure. */
class RecordNotDone extends Error {}

/**
 * One SQS batch of approvals, one after the other (the blast radius per run counts across the
 * batch), through Powertools' BatchProcessor. A record that throws (the ledger unreachable) is
 * reported as a batch item failure, so SQS delivers it again and, after maxReceiveCount,
 * dead-letters it; a deferred approval goes back on the queue with a delay. A finished approval
 * whose Slack message could not be redrawn is a batch item failure too: its next delivery
 * redraws it. A body that is not an execution request is a batch item failure too, logged with
 * the field at fault: it reaches the approval dead-letter queue rather than vanishing. A batch
 * whose every record failed is answered as such, not thrown. Lambda: the event source mapping
 * needs `ReportBatchItemFailures`.
 */
export async function runApprovalBatch(event: SQSEvent, deps: ApprovalWorkerDeps, hooks: ApprovalBatchHooks = {}): Promise<SQSBatchResponse & { outcomes: ExecutionOutcome[] }> {
  const run = { changesThisRun: 0 };
  const outcomes: ExecutionOutcome[] = [];
  const logError = deps.logError ?? deps.log;
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const parsed = parseExecutionRequest(record.body);
    hooks.recordStarted?.(record.messageId, parsed.ok ? parsed.value.approvalId : undefined);
    if (!parsed.ok) {
      logError?.(`approval queue message is not an execution request: ${parsed.field}: ${parsed.problem}; left for the dead-letter queue`, {
        messageId: record.messageId,
        field: parsed.field,
        problem: parsed.problem,
        receiveCount: record.attributes?.ApproximateReceiveCount,
      });
      hooks.recordEnded?.({ failure: 'malformed' });
      throw new RecordNotDone('malformed');
    }
    const request = parsed.value;
    let outcome: ExecutionOutcome;
    try {
      outcome = await executeApproval(request.approvalId, deps, run);
      outcomes.push(outcome);
      if (outcome.status === 'deferred') await deps.handOff.send(request, { delaySeconds: outcome.retryAfterSeconds });
    } catch (err) {
      logError?.('approval failed; SQS will deliver it again', { messageId: record.messageId, approvalId: request.approvalId, error: (err as Error).message });
      hooks.recordEnded?.({ failure: 'error' });
      throw err;
    }
    deps.log?.('approval handled', { messageId: record.messageId, ...outcome, change: undefined });
    hooks.recordEnded?.({ outcome });
    // Done in the ledger, but Slack still shows the old state: delivered again, the message is redrawn (and dead-lettered at last).
    if ('notShown' in outcome && outcome.notShown !== undefined) {
      logError?.('approval message not redrawn; SQS will deliver it again to redraw it', { messageId: record.messageId, approvalId: request.approvalId, state: 'state' in outcome ? outcome.state : undefined, error: outcome.notShown });
      throw new RecordNotDone('not redrawn');
    }
  };
  const processor = new BatchProcessor(EventType.SQS);
  const { batchItemFailures } = await processPartialResponse(event, handleRecord, processor, { processInParallel: false, throwOnFullBatchFailure: false });
  return { batchItemFailures, outcomes };
}
