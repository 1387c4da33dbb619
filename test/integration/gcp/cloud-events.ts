/**
 * Real-shaped CloudEvents for the agent, built from the shared samples
 * (test/fixtures/shared-events/gcp) and sent as Pub/Sub push delivers them to a Cloud Run
 * function: binary content mode, the context in `ce-*` headers and `data` as the JSON body
 * (functions-framework src/cloud_events.ts; Cloud Run "Developing event receivers").
 */
import { sharedEvent } from '../../support/shared-events';

export interface PubsubCloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time: string;
  data: {
    message: { attributes?: Record<string, string>; data?: string; messageId?: string; message_id?: string; publishTime?: string; publish_time?: string };
    subscription: string;
  };
}

export type LogEntry = Record<string, any>;

/** bob's patch of payments/default, from the shared storyline. */
export function auditLogEntry(): LogEntry {
  return sharedEvent<LogEntry>('gcp/k8s-audit-peerauthentication.logentry.json');
}

let sequence = 0;

/**
 * The log-sink message carrying `entry`, with a fresh Pub/Sub message id (unless given) so
 * that no two tests look like redeliveries of one message.
 */
export function auditEvent(entry: LogEntry = auditLogEntry(), messageId = `1326892537518${5000 + ++sequence}`): PubsubCloudEvent {
  const event = sharedEvent<PubsubCloudEvent>('gcp/pubsub-cloudevent-k8s-audit-peerauthentication.json');
  return withMessage(event, Buffer.from(JSON.stringify(entry), 'utf8').toString('base64'), messageId);
}

/** The Cloud Scheduler message `{"trigger":"schedule","scope":"all"}`, or another body. */
export function schedulerEvent(body?: unknown, messageId = `1326845221096${7000 + ++sequence}`): PubsubCloudEvent {
  const event = sharedEvent<PubsubCloudEvent>('gcp/pubsub-cloudevent-scheduler.json');
  const data = body === undefined ? event.data.message.data! : Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
  return withMessage(event, data, messageId);
}

/** Any shared GCP sample, e.g. a Cloud Monitoring incident sent to the wrong function. */
export function sampleEvent(file: string): PubsubCloudEvent {
  return sharedEvent<PubsubCloudEvent>(`gcp/${file}`);
}

/** Replaces `data.message.data` verbatim (to send bytes that are not base64 JSON). */
export function withRawData(event: PubsubCloudEvent, data: string | undefined): PubsubCloudEvent {
  const copy = structuredClone(event);
  if (data === undefined) delete copy.data.message.data;
  else copy.data.message.data = data;
  return copy;
}

function withMessage(event: PubsubCloudEvent, data: string, messageId: string): PubsubCloudEvent {
  event.id = messageId;
  event.data.message = { ...event.data.message, data, messageId, message_id: messageId };
  return event;
}

export interface Delivery {
  status: number;
  body: string;
}

/** POSTs the event as Pub/Sub push (via Eventarc) does: 2xx acknowledges, anything else is redelivered. */
export async function deliver(url: string, event: PubsubCloudEvent): Promise<Delivery> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': event.specversion,
      'ce-id': event.id,
      'ce-source': event.source,
      'ce-type': event.type,
      'ce-time': event.time,
    },
    body: JSON.stringify(event.data),
  });
  return { status: response.status, body: await response.text() };
}
