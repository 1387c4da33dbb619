/**
 * A Pub/Sub message as a functions-framework `cloudEvent` function receives it: the CloudEvent
 * of type `google.cloud.pubsub.topic.v1.messagePublished`, whose `data` is
 * `{ message: { data (base64), attributes, messageId, publishTime }, subscription }`
 * (googleapis/google-cloudevents, MessagePublishedData). The snake_case duplicates
 * `message_id` and `publish_time` are read only when the camelCase field is absent.
 */
import { isRecord as isObject } from '../core/is-record';

export interface PubsubMessage {
  messageId: string;
  publishTime?: string;
  attributes: Record<string, string>;
  /** `message.data`, base64-decoded as UTF-8. */
  text: string;
}

/** A value, or the field that is wrong and what is wrong with it. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; field: string; problem: string };

/** The parts of a CloudEvent this agent reads. */
export interface ReceivedCloudEvent {
  id?: string;
  type?: string;
  source?: string;
  time?: string;
  data?: unknown;
}

// Pub/Sub sends standard base64 with padding (RFC 4648 section 4); Buffer.from would quietly skip anything else.
// One character class and the length, not a repeated group: that group's backtracking overflowed
// V8's stack on messages of about 4 MB (Pub/Sub allows 10 MB).
const BASE64_CHARACTERS = /^[A-Za-z0-9+/]*={0,2}$/;

function isPaddedBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64_CHARACTERS.test(text);
}

/** The CloudEvent type of a Pub/Sub message (googleapis/google-cloudevents, pubsub/v1/events.proto). */
export const PUBSUB_MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

export function decodePubsubEvent(event: ReceivedCloudEvent): Decoded<PubsubMessage> {
  if (event.type !== undefined && event.type !== PUBSUB_MESSAGE_PUBLISHED) return bad('type', `is ${event.type}, not a Pub/Sub message (${PUBSUB_MESSAGE_PUBLISHED})`);
  if (!isObject(event.data)) return bad('data', 'is missing or not an object (not a Pub/Sub CloudEvent?)');
  const message = event.data.message;
  if (!isObject(message)) return bad('data.message', 'is missing or not an object');
  const data = message.data;
  if (typeof data !== 'string' || data === '') return bad('data.message.data', 'is missing or empty');
  if (!isPaddedBase64(data)) return bad('data.message.data', 'is not base64');
  const messageId = stringOr(message.messageId, message.message_id, event.id);
  if (messageId === undefined) return bad('data.message.messageId', 'is missing (and the CloudEvent has no id)');
  const publishTime = stringOr(message.publishTime, message.publish_time, event.time);
  const attributes: Record<string, string> = {};
  if (isObject(message.attributes)) {
    for (const [key, value] of Object.entries(message.attributes)) if (typeof value === 'string') attributes[key] = value;
  }
  const bytes = Buffer.from(data, 'base64');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return { ok: true, value: { messageId, attributes, text, ...(publishTime === undefined ? {} : { publishTime }) } };
}

/** The message text parsed as JSON, which must be an object. */
export function parseJsonObject(text: string, field = 'data.message.data'): Decoded<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return bad(field, `is not JSON after base64 decoding (${(error as Error).message})`);
  }
  if (!isObject(value)) return bad(field, 'is JSON but not an object');
  return { ok: true, value };
}

function stringOr(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v !== '');
}

function bad<T>(field: string, problem: string): Decoded<T> {
  return { ok: false, field, problem };
}
