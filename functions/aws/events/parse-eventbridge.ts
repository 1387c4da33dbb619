import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { EventError } from './event-error';

export interface EventBridgeEvent {
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: any;
}

/** Validates an EventBridge envelope with Powertools' schema; errors name the first bad field. */
export function parseEventBridge(value: unknown): EventBridgeEvent {
  const parsed = EventBridgeSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
    throw new EventError(issue.path.join('.') || '(event)', `not an EventBridge event: ${issue.message}`, id);
  }
  return parsed.data as unknown as EventBridgeEvent;
}

/** Parses an SQS message body holding an EventBridge event (an EventBridge rule targeting the queue). */
export function parseEventBridgeBody(body: string): EventBridgeEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new EventError('body', `not JSON: ${(err as Error).message}`);
  }
  return parseEventBridge(value);
}
