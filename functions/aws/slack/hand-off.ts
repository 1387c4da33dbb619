import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** What the interactivity endpoint hands the approval worker: the approval to act on. */
export interface ExecutionRequestMessage {
  approvalId: string;
}

/**
 * Hands an approval to the worker, so the endpoint can answer Slack within 3 seconds. The
 * worker looks the approval up and acts on its state (runs an APPROVED one, redraws a
 * REJECTED or EXPIRED one), so a message delivered twice acts once.
 */
export interface ExecutionHandOff {
  send(message: ExecutionRequestMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** SQS caps DelaySeconds at 900 (15 minutes). */
export const MAX_DELAY_SECONDS = 900;

/**
 * The hand-off as an SQS message (MESHGOV_APPROVAL_QUEUE_URL). SQS over an asynchronous Lambda
 * invoke: messages wait out a freeze window with DelaySeconds, failures are retried with a
 * visibility timeout and end in a dead-letter queue rather than vanishing.
 */
export class SqsHandOff implements ExecutionHandOff {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: ExecutionRequestMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    const delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(options.delaySeconds ?? 0)));
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        ...(delay > 0 ? { DelaySeconds: delay } : {}),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'meshgov.execute-approval' } },
      }),
    );
  }
}

/** The message in an SQS record body, or undefined when it is not one (logged and dropped by the worker). */
export function parseExecutionRequest(body: string): ExecutionRequestMessage | undefined {
  try {
    const value = JSON.parse(body) as Record<string, unknown>;
    return typeof value?.approvalId === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/.test(value.approvalId) ? { approvalId: value.approvalId } : undefined;
  } catch {
    return undefined;
  }
}
