/**
 * The approvals queue between the Slack interactivity endpoint and the approval worker: an
 * SQS JSON-protocol endpoint (the real @aws-sdk/client-sqs sends SendMessage to it through
 * AWS_ENDPOINT_URL_SQS) that keeps each message, and `receive()`, which hands the waiting
 * messages over as the SQS event Lambda's event source mapping would build.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { sharedEvent } from '../../support/shared-events';
import { startFakeAwsJsonService, type AwsJsonCall } from '../../integration/slack/support/fake-aws-json-service';

export const APPROVAL_QUEUE_URL = 'https://sqs.us-west-2.amazonaws.com/111122223333/meshgov-approvals';
const QUEUE_ARN = 'arn:aws:sqs:us-west-2:111122223333:meshgov-approvals';

interface Waiting {
  messageId: string;
  body: string;
  sentAt: number;
  delaySeconds: number;
}

export interface ApprovalQueue {
  readonly url: string;
  /** Every SendMessage the queue took, in order. */
  sent(): Array<{ body: string; delaySeconds: number }>;
  /** The messages waiting (delay ignored: the test decides when time has passed), removed from the queue. */
  receive(): SQSEvent | undefined;
  stop(): Promise<void>;
}

export async function startApprovalQueue(): Promise<ApprovalQueue> {
  let waiting: Waiting[] = [];
  const all: Waiting[] = [];
  const service = await startFakeAwsJsonService((call: AwsJsonCall) => {
    if (call.target !== 'AmazonSQS.SendMessage') return { status: 400, body: { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${call.target} is not served here` } };
    if (call.body.QueueUrl !== APPROVAL_QUEUE_URL) return { status: 400, body: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' } };
    const body = String(call.body.MessageBody);
    const message: Waiting = { messageId: randomUUID(), body, sentAt: Date.now(), delaySeconds: Number(call.body.DelaySeconds ?? 0) };
    waiting.push(message);
    all.push(message);
    return { body: { MessageId: message.messageId, MD5OfMessageBody: md5(body) } };
  });
  return {
    url: service.url,
    sent: () => all.map((m) => ({ body: m.body, delaySeconds: m.delaySeconds })),
    receive: () => {
      if (waiting.length === 0) return undefined;
      const batch = waiting;
      waiting = [];
      const template = sharedEvent<SQSEvent>('aws/sqs-event-with-eventbridge-record.json').Records[0]!;
      return {
        Records: batch.map((m) => ({
          ...template,
          messageId: m.messageId,
          receiptHandle: `AQEB${createHash('sha256').update(m.messageId).digest('base64')}`,
          body: m.body,
          md5OfBody: md5(m.body),
          attributes: { ...template.attributes, ApproximateReceiveCount: '1', SentTimestamp: String(m.sentAt), ApproximateFirstReceiveTimestamp: String(Date.now()) },
          messageAttributes: { kind: { stringValue: 'meshgov.execute-approval', stringListValues: [], binaryListValues: [], dataType: 'String' } },
          eventSourceARN: QUEUE_ARN,
        })),
      };
    },
    stop: () => service.stop(),
  };
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
