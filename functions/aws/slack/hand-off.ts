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

const APPROVAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

export type ParsedExecutionRequest = { ok: true; value: ExecutionRequestMessage } | { ok: false; field: string; problem: string };

/** The message in an SQS record body, or which field makes it not one (the worker fails the record, so it ends in the dead-letter queue). */
export function parseExecutionRequest(body: string): ParsedExecutionRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, field: 'body', problem: `not JSON (${(err as Error).message})` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, field: 'body', problem: `a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, not an object` };
  const id = (value as Record<string, unknown>).approvalId;
  if (id === undefined) {
    // A renamed or misspelt key is the likely cause: say which keys are there.
    const keys = Object.keys(value);
    return { ok: false, field: 'approvalId', problem: `missing (the body has ${keys.length ? keys.map((k) => JSON.stringify(k)).join(', ') : 'no keys'})` };
  }
  if (typeof id !== 'string') return { ok: false, field: 'approvalId', problem: `a ${id === null ? 'null' : typeof id}, not a string` };
  if (!APPROVAL_ID.test(id)) return { ok: false, field: 'approvalId', problem: `${JSON.stringify(id.slice(0, 80))} is not an approval id (letters, digits, _ . -, at most 200)` };
  return { ok: true, value: { approvalId: id } };
}
