import type { AuditScope, Trigger } from '../../core/pipeline/trigger';
import { AcmEventError, readAcmExpiryEvent } from '../../providers/acm/expiry-event';
import { readConfigChange } from './config-change';
import { EventError } from './event-error';
import { actorOf, isOwnChange } from './own-change';
import type { EventBridgeEvent } from './parse-eventbridge';

export type ClassifiedEvent =
  | { kind: 'audit'; trigger: Trigger; scope: AuditScope }
  | { kind: 'ignored'; reason: string; trigger: Trigger };

export interface ClassifyOptions {
  /** meshgov's own role(s): changes they make never start a run. */
  remediatorRoleArns: string[];
  /** The App Mesh CloudTrail parser (functions/providers/appmesh/live). */
  scopeFromCloudTrail: (event: EventBridgeEvent) => AuditScope;
  /**
   * Meshes the deployment governs, the list the reader reads (MESHGOV_MESHES, else the rules'
   * `sources.appmesh.meshes`: wire.ts `governedMeshes`); events for others are ignored. Empty: all.
   */
  meshes: string[];
  /**
   * The account meshgov runs in (MESHGOV_ACCOUNT_ID); unset, the event's own account
   * (`detail.recipientAccountId`, else `account`). Events for a mesh another account owns are ignored.
   */
  accountId?: string;
  /**
   * The region meshgov reads App Mesh in (the function's AWS_REGION). App Mesh is regional: an
   * event forwarded from another region names a mesh this deployment's reader does not see.
   */
  region?: string;
}

const APPMESH_CALL = 'AWS API Call via CloudTrail';
const CONFIG_CHANGE = 'Config Configuration Item Change';
const SCHEDULE = 'Scheduled Event';
const ACM_EXPIRY = 'ACM Certificate Approaching Expiration';

/**
 * The trigger stage on AWS: an EventBridge event becomes a scope to audit, or is ignored with
 * a reason (meshgov's own change, a mesh not governed, a mesh another account owns). Anything
 * unknown is an EventError.
 */
export function classifyEvent(event: EventBridgeEvent, options: ClassifyOptions): ClassifiedEvent {
  const kind = `${event.source} / ${event['detail-type']}`;
  if (event.source === 'aws.appmesh' && event['detail-type'] === APPMESH_CALL) {
    const detail = event.detail ?? {};
    const actor = actorOf(detail);
    const trigger = triggerOf(event, 'cloudtrail', `${detail.eventName ?? 'App Mesh call'} ${resourceName(detail)} by ${shortActor(actor)}`, actor);
    if (isOwnChange(detail, options.remediatorRoleArns)) return { kind: 'ignored', reason: "meshgov's own change", trigger };
    if (detail.errorCode) return { kind: 'ignored', reason: `the call failed (${detail.errorCode}): nothing changed`, trigger };
    let scope: AuditScope;
    try {
      scope = options.scopeFromCloudTrail(event);
    } catch (err) {
      // The parser marks calls that change nothing meshgov audits (e.g. tagging) as ignorable.
      if ((err as { ignorable?: boolean }).ignorable) return { kind: 'ignored', reason: (err as Error).message, trigger };
      if (err instanceof EventError) throw err;
      const field = (err as { field?: string }).field;
      throw new EventError(field ?? 'detail', (err as Error).message.replace(`${field}: `, ''), event.id);
    }
    return governed(options, event, { kind: 'audit', trigger, scope });
  }
  if (event.source === 'aws.config' && event['detail-type'] === CONFIG_CHANGE) {
    const change = readConfigChange(event);
    const what = change.kind === 'scope' && change.scope.deleted ? 'the deletion of' : 'a change to';
    const trigger = triggerOf(event, 'aws-config', `AWS Config recorded ${what} ${change.label}`);
    if (change.kind === 'ignored') return { kind: 'ignored', reason: change.reason, trigger };
    return governed(options, event, { kind: 'audit', trigger, scope: change.scope });
  }
  if (event.source === 'aws.events' && event['detail-type'] === SCHEDULE) {
    const trigger = triggerOf(event, 'schedule', 'scheduled full audit');
    return { kind: 'audit', trigger, scope: { kind: 'all', providers: ['appmesh', 'acm'], ...(options.meshes.length ? { meshes: options.meshes } : {}) } };
  }
  if (event.source === 'aws.acm' && event['detail-type'] === ACM_EXPIRY) {
    try {
      const read = readAcmExpiryEvent(event, new Date(event.time));
      return { kind: 'audit', trigger: read.trigger, scope: read.scope };
    } catch (err) {
      if (err instanceof AcmEventError) throw new EventError(err.field, err.message.replace(`${err.field}: `, ''), err.eventId ?? event.id);
      throw err;
    }
  }
  throw new EventError('detail-type', `unknown event ${kind}`, event.id);
}

function governed(options: ClassifyOptions, event: EventBridgeEvent, c: { kind: 'audit'; trigger: Trigger; scope: AuditScope }): ClassifiedEvent {
  if (c.scope.kind !== 'appmesh-resource') return c;
  if (options.meshes.length > 0 && !options.meshes.includes(c.scope.mesh)) {
    return { kind: 'ignored', reason: `mesh ${c.scope.mesh} is not governed by this deployment`, trigger: c.trigger };
  }
  // Findings record no region either: a same-named mesh elsewhere would overwrite this region's.
  const region = eventRegion(event);
  if (options.region && region && region !== options.region) {
    return { kind: 'ignored', reason: `mesh ${c.scope.mesh} is in region ${region}, not in this deployment's region (${options.region}): a hub per region audits it`, trigger: c.trigger };
  }
  // The governed meshes are names, and findings record no owner: a same-named mesh another
  // account shares with this one would resolve or overwrite this account's findings.
  const account = ownAccount(options, event);
  if (c.scope.meshOwner && account && c.scope.meshOwner !== account) {
    return {
      kind: 'ignored',
      reason: `mesh ${c.scope.mesh} is owned by account ${c.scope.meshOwner}, not by this account (${account}): another account's shared mesh does not change this account's findings`,
      trigger: c.trigger,
    };
  }
  return c;
}

/** Where the resource lives: CloudTrail's `awsRegion`, Config's item (or oversized summary) `awsRegion`, else the envelope's `region`. */
function eventRegion(event: EventBridgeEvent): string | undefined {
  const d = event.detail;
  const candidates: unknown[] = [d?.awsRegion, d?.configurationItem?.awsRegion, d?.configurationItemSummary?.awsRegion, event.region];
  return candidates.find((v): v is string => typeof v === 'string' && v !== '');
}

function ownAccount(options: ClassifyOptions, event: EventBridgeEvent): string | undefined {
  const candidates: unknown[] = [options.accountId, event.detail?.recipientAccountId, event.account];
  return candidates.find((v): v is string => typeof v === 'string' && v !== '');
}

function triggerOf(event: EventBridgeEvent, source: Trigger['source'], summary: string, actor?: string): Trigger {
  return { source, eventId: event.id, eventTime: event.time, ...(actor ? { actor } : {}), summary };
}

function resourceName(detail: any): string {
  const p = detail.requestParameters ?? {};
  return p.virtualNodeName ?? p.virtualGatewayName ?? p.virtualServiceName ?? p.virtualRouterName ?? p.routeName ?? p.gatewayRouteName ?? p.meshName ?? '';
}

/** `arn:aws:sts::1:assumed-role/Role/alice@example.com` → `alice@example.com`; an IAM user → its name. */
export function shortActor(actor?: string): string {
  if (!actor) return 'an unknown principal';
  return actor.split('/').pop() ?? actor;
}
