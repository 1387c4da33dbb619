/**
 * An EventBridge "AWS API Call via CloudTrail" event from `aws.appmesh` → the scope of the
 * audit it calls for. Create, Update and Delete of Mesh, VirtualNode, VirtualGateway,
 * VirtualService, VirtualRouter, Route and GatewayRoute change what meshgov audits; anything
 * else App Mesh logs (Describe/List when data events are on, TagResource, a call that failed)
 * changes no spec and is ignored.
 *
 * Shapes: CloudTrail User Guide "CloudTrail record contents" and "userIdentity element";
 * App Mesh User Guide "Logging AWS App Mesh API calls using AWS CloudTrail". The request's
 * path and body members are in `requestParameters` (meshName, virtualNodeName, meshOwner,
 * …); `responseElements` holds the operation's output (`{ virtualNode: VirtualNodeData }`),
 * or is null when CloudTrail did not record it.
 */
import { isLooseRecord as isObject } from '../../../core/is-record';
import type { AppMeshApiType } from '../../../core/model/inventory';
import type { AuditScope, Trigger } from '../../../core/pipeline/trigger';
import { API_KINDS } from './api-kinds';
import { asApiData } from './api-data';

export type AppMeshResourceScope = Extract<AuditScope, { kind: 'appmesh-resource' }>;

/** Why an event could not be read, with the field at fault (a path into the event). */
export interface CloudTrailEventProblem {
  field: string;
  message: string;
}

/**
 * Thrown by scopeFromCloudTrail for an event it cannot turn into a scope: `field` names the
 * part of the event at fault; `ignorable` is true for a well-formed event that changed nothing
 * (a failed call, a call that changes no spec), which a handler may drop instead of
 * dead-lettering.
 */
export class CloudTrailEventError extends Error {
  override readonly name = 'CloudTrailEventError';

  constructor(
    readonly field: string,
    message: string,
    readonly ignorable: boolean,
    readonly eventId?: string,
  ) {
    super(`${field ? `${field}: ` : ''}${message}`);
  }
}

export type CloudTrailScopeResult =
  | {
      kind: 'scope';
      scope: AppMeshResourceScope;
      trigger: Trigger;
      /** Who made the call: the IAM ARN, and for an assumed role the role's own ARN (to recognise meshgov's). */
      principal: { arn?: string; roleArn?: string; accountId?: string };
      /** `requestParameters.clientToken`: meshgov sets it to the change id on its own writes. */
      clientToken?: string;
    }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; error: CloudTrailEventProblem };

const TYPE_OF_NOUN: Record<string, AppMeshApiType> = {
  Mesh: 'mesh',
  VirtualNode: 'virtualNode',
  VirtualGateway: 'virtualGateway',
  VirtualService: 'virtualService',
  VirtualRouter: 'virtualRouter',
  Route: 'route',
  GatewayRoute: 'gatewayRoute',
};

const WRITE_EVENT = /^(Create|Update|Delete)(Mesh|VirtualNode|VirtualGateway|VirtualService|VirtualRouter|Route|GatewayRoute)$/;

type Json = Record<string, any>;

function invalid(field: string, message: string): CloudTrailScopeResult {
  return { kind: 'invalid', error: { field, message } };
}

/**
 * The scope of the audit an App Mesh CloudTrail event calls for; `data` is the resource from
 * `responseElements` when CloudTrail recorded it (then the scoped audit makes no API call).
 * Throws CloudTrailEventError for an event that is malformed, not an App Mesh write, or a
 * failed call.
 *
 * @param event the EventBridge event as the Lambda receives it (a bare CloudTrail record is accepted too)
 *
 * @example
 * const scope = scopeFromCloudTrail(event);
 * // { kind: 'appmesh-resource', mesh: 'prod-mesh', meshOwner: '111122223333', resourceType: 'virtualNode', name: 'payments-api', data: { … } }
 * await auditScope(trigger, scope, deps);
 */
export function scopeFromCloudTrail(event: unknown): AppMeshResourceScope {
  const result = readCloudTrailEvent(event);
  if (result.kind === 'scope') return result.scope;
  const eventId = isObject(event) && typeof event.id === 'string' ? event.id : undefined;
  if (result.kind === 'ignored') throw new CloudTrailEventError('detail.eventName', result.reason, true, eventId);
  throw new CloudTrailEventError(result.error.field, result.error.message, false, eventId);
}

/**
 * Everything the event tells, as a value: the scope with the run's trigger and the caller, a
 * reason to ignore it, or what is wrong with it.
 *
 * @example
 * const result = readCloudTrailEvent(event);
 * if (result.kind === 'scope') await auditScope(result.trigger, result.scope, deps);
 * else if (result.kind === 'invalid') throw new Error(`${result.error.field}: ${result.error.message}`); // → dead letter
 */
export function readCloudTrailEvent(event: unknown): CloudTrailScopeResult {
  if (!isObject(event)) return invalid('', 'the event is not a JSON object');
  const envelope = 'detail' in event ? event : undefined;
  const record: unknown = envelope ? envelope.detail : event;
  const at = envelope ? 'detail.' : '';
  if (envelope) {
    if (envelope['detail-type'] !== 'AWS API Call via CloudTrail') {
      return invalid('detail-type', `expected "AWS API Call via CloudTrail", got ${JSON.stringify(envelope['detail-type'])}`);
    }
    if (envelope.source !== 'aws.appmesh') return invalid('source', `expected "aws.appmesh", got ${JSON.stringify(envelope.source)}`);
  }
  if (!isObject(record)) return invalid(envelope ? 'detail' : '', 'no CloudTrail record');
  if (record.eventSource !== 'appmesh.amazonaws.com') {
    return invalid(`${at}eventSource`, `expected "appmesh.amazonaws.com", got ${JSON.stringify(record.eventSource)}`);
  }
  const eventName = record.eventName;
  if (typeof eventName !== 'string' || eventName === '') return invalid(`${at}eventName`, 'missing');
  const match = WRITE_EVENT.exec(eventName);
  if (!match) return { kind: 'ignored', reason: `${eventName} changes no App Mesh spec` };
  if (typeof record.errorCode === 'string' && record.errorCode !== '') {
    return { kind: 'ignored', reason: `${eventName} failed (${record.errorCode}): nothing changed` };
  }

  const verb = match[1];
  const type = TYPE_OF_NOUN[match[2]];
  const kind = API_KINDS[type];
  const request = record.requestParameters;
  if (!isObject(request)) return invalid(`${at}requestParameters`, `${eventName} without requestParameters`);
  const meshName = request.meshName;
  if (typeof meshName !== 'string' || meshName === '') return invalid(`${at}requestParameters.meshName`, 'missing');
  const name = type === 'mesh' ? meshName : request[kind.nameField];
  if (typeof name !== 'string' || name === '') return invalid(`${at}requestParameters.${kind.nameField}`, 'missing');
  let parentName: string | undefined;
  if (kind.parentField) {
    parentName = request[kind.parentField];
    if (typeof parentName !== 'string' || parentName === '') return invalid(`${at}requestParameters.${kind.parentField}`, 'missing');
  }

  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  const response = isObject(record.responseElements) ? record.responseElements : undefined;
  const data = asApiData(type, response?.[type], { meshName, name, parentName });
  const meshOwner = firstString(request.meshOwner, data?.metadata?.meshOwner, identity.accountId, record.recipientAccountId, envelope?.account);

  const scope: AppMeshResourceScope = { kind: 'appmesh-resource', mesh: meshName, resourceType: type, name };
  if (meshOwner) scope.meshOwner = meshOwner;
  if (parentName) scope.parentName = parentName;
  if (data) scope.data = data;
  if (verb === 'Delete') scope.deleted = true;

  const eventId = firstString(envelope?.id, record.eventID);
  if (!eventId) return invalid(envelope ? 'id' : 'eventID', 'missing');
  const eventTime = firstString(record.eventTime, envelope?.time);
  if (!eventTime) return invalid(`${at}eventTime`, 'missing');
  const actor = typeof identity.arn === 'string' ? identity.arn : undefined;
  const trigger: Trigger = {
    source: 'cloudtrail',
    eventId,
    eventTime,
    summary: `${eventName} ${parentName ? `${parentName}/` : ''}${name} in mesh ${meshName} by ${who(identity)}`,
  };
  if (actor) trigger.actor = actor;

  const principal: { arn?: string; roleArn?: string; accountId?: string } = {};
  if (actor) principal.arn = actor;
  const roleArn = identity.sessionContext?.sessionIssuer?.arn;
  if (typeof roleArn === 'string') principal.roleArn = roleArn;
  if (typeof identity.accountId === 'string') principal.accountId = identity.accountId;

  const result: CloudTrailScopeResult = { kind: 'scope', scope, trigger, principal };
  if (typeof request.clientToken === 'string') result.clientToken = request.clientToken;
  return result;
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

/** A person-readable caller: the session name of an assumed role, an IAM user's name, else the ARN or type. */
function who(identity: Json): string {
  if (identity.type === 'AssumedRole' && typeof identity.arn === 'string') return identity.arn.slice(identity.arn.lastIndexOf('/') + 1);
  if (typeof identity.userName === 'string') return identity.userName;
  if (typeof identity.arn === 'string') return identity.arn;
  return typeof identity.type === 'string' ? identity.type : 'an unknown caller';
}
