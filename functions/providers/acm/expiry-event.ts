import { isRecord } from '../../core/is-record';
import type { AuditScope, Trigger } from '../../core/pipeline/trigger';
import { parseAcmArn } from './arn';

/**
 * The EventBridge event "ACM Certificate Approaching Expiration" (ACM User Guide, "Amazon
 * EventBridge support for ACM"): sent daily from 45 days before expiry for public, private and
 * imported certificates, with `detail` {DaysToExpiry, CommonName} and the certificate ARN in
 * `resources`.
 *
 * The event's numbers are stale by the time a (possibly redelivered) event is handled, so it
 * only says which certificates to read: the audit describes them again and reports fresh dates.
 */

export const ACM_EXPIRY_SOURCE = 'aws.acm';
export const ACM_EXPIRY_DETAIL_TYPE = 'ACM Certificate Approaching Expiration';

/** A malformed expiry event: `field` names what is wrong, so the log and the dead letter say exactly that. */
export class AcmEventError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly eventId?: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AcmEventError';
  }
}

export interface AcmExpiryEvent {
  scope: Extract<AuditScope, { kind: 'certificates' }>;
  trigger: Trigger;
  /** What ACM reported when it sent the event. */
  reported: {
    daysToExpiry: number;
    commonName?: string;
    /** When the certificate expires by the event's count: `time` + DaysToExpiry days (ACM rounds, so ±1 day). */
    expiresAround: Date;
    /** DaysToExpiry minus the whole days since the event was sent, at `now`. */
    daysToExpiryNow: number;
  };
}

const DAY_MS = 86_400_000;

/**
 * Validates an expiry event and reads it: the scope to audit, the trigger for the ledger and
 * Slack, and ACM's own count. Throws AcmEventError naming the field for a malformed event.
 */
export function readAcmExpiryEvent(event: unknown, now: Date): AcmExpiryEvent {
  if (!isRecord(event)) throw new AcmEventError('(event)', `expected an EventBridge event object, got ${event === null ? 'null' : typeof event}`);
  const eventId = typeof event.id === 'string' && event.id ? event.id : undefined;
  if (!eventId) throw new AcmEventError('id', 'missing: the EventBridge event id is the idempotency key');
  const fail = (field: string, message: string): never => {
    throw new AcmEventError(field, message, eventId);
  };

  if (event.source !== ACM_EXPIRY_SOURCE) fail('source', `expected ${JSON.stringify(ACM_EXPIRY_SOURCE)}, got ${JSON.stringify(event.source)}`);
  if (event['detail-type'] !== ACM_EXPIRY_DETAIL_TYPE) {
    fail('detail-type', `expected ${JSON.stringify(ACM_EXPIRY_DETAIL_TYPE)}, got ${JSON.stringify(event['detail-type'])}`);
  }
  const time = typeof event.time === 'string' ? new Date(event.time) : undefined;
  if (!time || Number.isNaN(time.getTime())) fail('time', `expected an ISO-8601 time, got ${JSON.stringify(event.time)}`);

  const resources = event.resources;
  if (!Array.isArray(resources) || resources.length === 0) fail('resources', 'missing or empty: the event names no certificate ARN');
  const arns = (resources as unknown[]).map((value, i) => {
    if (typeof value !== 'string' || parseAcmArn(value)?.kind !== 'AcmCertificate') {
      fail(`resources[${i}]`, `${JSON.stringify(value)} is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`);
    }
    return value as string;
  });

  const detail = event.detail;
  if (!isRecord(detail)) fail('detail', 'missing: expected {DaysToExpiry, CommonName}');
  const days = (detail as Record<string, unknown>).DaysToExpiry;
  if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
    fail('detail.DaysToExpiry', `expected a number of days (0 or more), got ${JSON.stringify(days)}`);
  }
  const commonName = (detail as Record<string, unknown>).CommonName;
  if (commonName !== undefined && typeof commonName !== 'string') fail('detail.CommonName', `expected a string, got ${JSON.stringify(commonName)}`);

  const daysToExpiry = days as number;
  const sentAt = time as Date;
  const elapsedDays = Math.max(0, Math.floor((now.getTime() - sentAt.getTime()) / DAY_MS));
  const name = (commonName as string | undefined) || arns[0];
  return {
    scope: { kind: 'certificates', arns: [...new Set(arns)] },
    trigger: {
      source: 'acm',
      eventId,
      eventTime: sentAt.toISOString(),
      summary: `ACM: ${name} expires in ${daysToExpiry} day${daysToExpiry === 1 ? '' : 's'}`,
    },
    reported: {
      daysToExpiry,
      ...(commonName ? { commonName: commonName as string } : {}),
      expiresAround: new Date(sentAt.getTime() + daysToExpiry * DAY_MS),
      daysToExpiryNow: daysToExpiry - elapsedDays,
    },
  };
}

/**
 * The audit scope of an expiry event: the certificates it names, to be described again so the
 * findings carry fresh dates. Throws AcmEventError naming the field for a malformed event.
 *
 * @example
 *   findingFromAcmExpiryEvent(event, new Date());
 *   // { kind: 'certificates', arns: ['arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-…'] }
 */
export function findingFromAcmExpiryEvent(event: unknown, now: Date): AuditScope {
  return readAcmExpiryEvent(event, now).scope;
}
