import type { SQSEvent } from 'aws-lambda';
import type { ApprovalRecord } from '../../../../functions/core/ledger/types';
import { CAROL } from './storyline';
import type { World } from './world';

/** Carol approves; the message the endpoint put on the approval queue, as the worker receives it. */
export async function approvedAndQueued(world: World, fix: ApprovalRecord): Promise<SQSEvent> {
  expect(await world.click({ approvalId: fix.id, user: CAROL, messageTs: fix.slack!.ts })).toEqual({ statusCode: 200, body: '' });
  return world.queue.receive()!;
}

/** SQS delivering a failed message again: same message id, one more receive. */
export function redelivered(event: SQSEvent): SQSEvent {
  return { Records: event.Records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: String(Number(r.attributes.ApproximateReceiveCount) + 1) } })) };
}

/** DynamoDB's throttling error, as the SDK throws it. */
export const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
