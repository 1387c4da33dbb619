import { APPMESH_KIND_OF_TYPE, APPMESH_NAME_FIELDS, type AppMeshApiType } from '../../core/model/inventory';
import type { AuditScope } from '../../core/pipeline/trigger';
import { accountOfArn, parseAppMeshArn, type AppMeshArn } from '../../providers/appmesh/arn';
import { EventError } from './event-error';
import type { EventBridgeEvent } from './parse-eventbridge';

export type AppMeshResourceScope = Extract<AuditScope, { kind: 'appmesh-resource' }>;

/** AWS Config resource types for App Mesh, and the API's data type of each. */
const CONFIG_TYPES: Record<string, AppMeshApiType> = {
  'AWS::AppMesh::Mesh': 'mesh',
  'AWS::AppMesh::VirtualNode': 'virtualNode',
  'AWS::AppMesh::VirtualGateway': 'virtualGateway',
  'AWS::AppMesh::VirtualService': 'virtualService',
  'AWS::AppMesh::VirtualRouter': 'virtualRouter',
  'AWS::AppMesh::Route': 'route',
  'AWS::AppMesh::GatewayRoute': 'gatewayRoute',
};

/** The API type of a Config resource type, with the field that names its resource. */
export function appMeshTypeOf(resourceType: unknown): { type: AppMeshApiType; nameField: string } | undefined {
  if (typeof resourceType !== 'string' || !Object.hasOwn(CONFIG_TYPES, resourceType)) return undefined;
  const type = CONFIG_TYPES[resourceType]!;
  return { type, nameField: APPMESH_NAME_FIELDS[type] };
}

/**
 * The Config item or summary of an event, with its App Mesh type; an EventError naming the field
 * when it is missing or of another type.
 */
export function appMeshFieldsOf(event: EventBridgeEvent, key: 'configurationItem' | 'configurationItemSummary'): { at: string; fields: Record<string, any>; known: { type: AppMeshApiType; nameField: string } } {
  const at = `detail.${key}`;
  const fields = event.detail?.[key];
  if (!fields || typeof fields !== 'object') throw new EventError(at, 'missing', event.id);
  const known = appMeshTypeOf(fields.resourceType);
  if (!known) throw new EventError(`${at}.resourceType`, `not an App Mesh type: ${String(fields.resourceType)}`, event.id);
  return { at, fields, known };
}

/**
 * Whether a Config item or summary records a deletion. ResourceDeletedNotRecorded is a deletion
 * too (the recorder kept no configuration); the diff's (or summary's) changeType DELETE says it
 * when the status does not.
 */
export function isDeletion(status: unknown, changeType: unknown): boolean {
  return status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded' || changeType === 'DELETE';
}

/** An App Mesh ARN read, with the account it names. */
export type ConfigArn = AppMeshArn & { account?: string };

/**
 * The App Mesh ARN of a Config item or summary: `ARN`, else `resourceId` (App Mesh types are
 * recorded with the ARN as their id). An ARN of another type is an EventError: the event
 * would otherwise resolve the findings of a resource it does not name. `account` is the ARN's
 * account, which for a resource of a shared mesh is the mesh owner's (the resource lives under
 * the owner's `mesh/<name>`; the CDK's `Mesh.fromMeshArn` takes the owner from it the same way).
 */
export function appMeshArnOf(fields: Record<string, any>, type: AppMeshApiType, at: string, eventId: string): ConfigArn | undefined {
  const raw: unknown = fields.ARN ?? fields.arn ?? (typeof fields.resourceId === 'string' && fields.resourceId.startsWith('arn:') ? fields.resourceId : undefined);
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === 'string' ? raw : undefined;
  const arn = text ? parseAppMeshArn(text) : undefined;
  if (!text || !arn) throw new EventError(`${at}.ARN`, `not an App Mesh ARN: ${JSON.stringify(raw)}`, eventId);
  if (arn.kind !== APPMESH_KIND_OF_TYPE[type]) throw new EventError(`${at}.ARN`, `${text} is not a ${type}`, eventId);
  const account = accountOfArn(text);
  return { ...arn, ...(account ? { account } : {}) };
}
