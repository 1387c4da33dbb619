import type { Context, SQSEvent } from 'aws-lambda';
import { sharedEvent } from './shared-events';

/**
 * What the hub's event function receives in Lambda: an SQS batch of EventBridge records (the
 * shared payload's shape, each record a new message id) and the invocation context.
 */
let messageSeq = 0;

/** One SQS batch, a record per event (an object is sent as its JSON; a string as it is, to send a malformed body). */
export function sqsBatch(...events: unknown[]): SQSEvent {
  const template = sharedEvent('aws/sqs-event-with-eventbridge-record.json').Records[0];
  return {
    Records: events.map((e) => ({
      ...template,
      messageId: `5c2f${String(++messageSeq).padStart(4, '0')}-1e8a-4b7d-9c3e-2a6f8d0b4e71`,
      body: typeof e === 'string' ? e : JSON.stringify(e),
    })),
  };
}

/** The hub auditor's invocation context, with a request id per batch sent so far. */
export function hubLambdaContext(account = '111122223333'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'meshgov-hub-auditor',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-west-2:${account}:function:meshgov-hub-auditor`,
    memoryLimitInMB: '1024',
    awsRequestId: `c6af9ac6-7b61-11e6-9a41-93e8deadbe${String(messageSeq % 100).padStart(2, '0')}`,
    logGroupName: '/aws/lambda/meshgov-hub-auditor',
    logStreamName: '2026/11/20/[$LATEST]2e2f0b6a',
    getRemainingTimeInMillis: () => 240_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
