import { isRecord as isObject } from '../../core/is-record';
import { decodePubsubEvent, parseJsonObject, type Decoded, type ReceivedCloudEvent } from '../pubsub-message';
import { SLO_LABEL } from './alert-policies';

/**
 * A Cloud Monitoring incident notification (schema version 1.2) as the agent receives it from
 * a Pub/Sub notification channel: the message data is the notification JSON
 * `{ incident: { incident_id, state, started_at, ended_at, policy_name, policy_user_labels,
 * summary, condition_name, url, … }, version: "1.2" }` (Cloud Monitoring, "Notification
 * channels: Pub/Sub", schema 1.2). `started_at`/`ended_at` are epoch seconds.
 */

export interface MonitoringIncident {
  incidentId: string;
  /** `open` while the condition holds, `closed` once it stops (the notification may capitalise it). */
  state: 'open' | 'closed';
  policyName: string;
  /** The meshgov SLO the policy watches (its `meshgov-slo` user label); undefined for policies meshgov did not generate. */
  sloName?: string;
  conditionName?: string;
  startedAt: Date;
  endedAt?: Date;
  summary: string;
  url?: string;
}

export const SUPPORTED_NOTIFICATION_VERSION = '1.2';

/** The `version` of the message a notification channel's "Send test notification" publishes (a fixed fake incident). */
export const TEST_NOTIFICATION_VERSION = 'test';

/** Whether the notification JSON is a channel's test notification rather than an incident's. */
export function isTestNotification(notification: Record<string, unknown>): boolean {
  return notification.version === TEST_NOTIFICATION_VERSION;
}

/** Parses the Pub/Sub CloudEvent of a Cloud Monitoring notification; a bad field is named in the result. */
export function parseMonitoringIncidentEvent(event: ReceivedCloudEvent): Decoded<MonitoringIncident> {
  const message = decodePubsubEvent(event);
  if (!message.ok) return message;
  const json = parseJsonObject(message.value.text);
  if (!json.ok) return json;
  return parseMonitoringNotification(json.value, 'data.message.data');
}

/** Parses the notification JSON itself; `at` prefixes the field names in errors. */
export function parseMonitoringNotification(notification: Record<string, unknown>, at = ''): Decoded<MonitoringIncident> {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  if (notification.version !== SUPPORTED_NOTIFICATION_VERSION) {
    return bad(field('version'), notification.version === undefined ? `is missing; meshgov reads notification schema ${SUPPORTED_NOTIFICATION_VERSION}` : `is ${JSON.stringify(notification.version)}; meshgov reads notification schema ${SUPPORTED_NOTIFICATION_VERSION}`);
  }
  const incident = notification.incident;
  if (!isObject(incident)) return bad(field('incident'), 'is missing or not an object');
  const f = (name: string) => field(`incident.${name}`);

  const incidentId = incident.incident_id;
  if (typeof incidentId !== 'string' || incidentId === '') return bad(f('incident_id'), 'is missing or not a string');
  const rawState = incident.state;
  if (typeof rawState !== 'string') return bad(f('state'), 'is missing or not a string');
  const state = rawState.toLowerCase();
  if (state !== 'open' && state !== 'closed') return bad(f('state'), `is ${JSON.stringify(rawState)}, expected open or closed`);
  const policyName = incident.policy_name;
  if (typeof policyName !== 'string' || policyName === '') return bad(f('policy_name'), 'is missing or not a string');
  const startedAt = epochSeconds(incident.started_at);
  if (startedAt === undefined) return bad(f('started_at'), `is ${JSON.stringify(incident.started_at)}, expected epoch seconds`);
  let endedAt: Date | undefined;
  if (incident.ended_at !== null && incident.ended_at !== undefined) {
    endedAt = epochSeconds(incident.ended_at);
    if (endedAt === undefined) return bad(f('ended_at'), `is ${JSON.stringify(incident.ended_at)}, expected epoch seconds or null`);
  }
  if (state === 'closed' && endedAt === undefined) return bad(f('ended_at'), 'is missing, but a closed incident has an end');
  const summary = incident.summary;
  if (typeof summary !== 'string') return bad(f('summary'), 'is missing or not a string');

  let sloName: string | undefined;
  if (incident.policy_user_labels !== undefined && incident.policy_user_labels !== null) {
    if (!isObject(incident.policy_user_labels)) return bad(f('policy_user_labels'), 'is not an object');
    const label = incident.policy_user_labels[SLO_LABEL];
    if (label !== undefined && typeof label !== 'string') return bad(f(`policy_user_labels.${SLO_LABEL}`), 'is not a string');
    sloName = label;
  }
  const value: MonitoringIncident = { incidentId, state, policyName, startedAt, summary };
  if (sloName !== undefined) value.sloName = sloName;
  if (endedAt !== undefined) value.endedAt = endedAt;
  if (typeof incident.condition_name === 'string') value.conditionName = incident.condition_name;
  if (typeof incident.url === 'string') value.url = incident.url;
  return { ok: true, value };
}

function epochSeconds(value: unknown): Date | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}

function bad<T>(field: string, problem: string): Decoded<T> {
  return { ok: false, field, problem };
}
