import type { AppMeshApiType } from '../../core/model/inventory';
import type { AuditScope } from '../../core/pipeline/trigger';
import { EventError } from './event-error';

export type AppMeshResourceScope = Extract<AuditScope, { kind: 'appmesh-resource' }>;

/** AWS Config resource types for App Mesh, and the API's data type and name field for each. */
const CONFIG_TYPES: Record<string, { type: AppMeshApiType; nameField: string }> = {
  'AWS::AppMesh::Mesh': { type: 'mesh', nameField: 'meshName' },
  'AWS::AppMesh::VirtualNode': { type: 'virtualNode', nameField: 'virtualNodeName' },
  'AWS::AppMesh::VirtualGateway': { type: 'virtualGateway', nameField: 'virtualGatewayName' },
  'AWS::AppMesh::VirtualService': { type: 'virtualService', nameField: 'virtualServiceName' },
  'AWS::AppMesh::VirtualRouter': { type: 'virtualRouter', nameField: 'virtualRouterName' },
  'AWS::AppMesh::Route': { type: 'route', nameField: 'routeName' },
  'AWS::AppMesh::GatewayRoute': { type: 'gatewayRoute', nameField: 'gatewayRouteName' },
};

export function appMeshTypeOf(resourceType: unknown): { type: AppMeshApiType; nameField: string } | undefined {
  return typeof resourceType === 'string' && Object.hasOwn(CONFIG_TYPES, resourceType) ? CONFIG_TYPES[resourceType] : undefined;
}

/**
 * Whether a Config item or summary records a deletion. ResourceDeletedNotRecorded is a deletion
 * too (the recorder kept no configuration); the diff's (or summary's) changeType DELETE says it
 * when the status does not.
 */
export function isDeletion(status: unknown, changeType: unknown): boolean {
  return status === 'ResourceDeleted' || status === 'ResourceDeletedNotRecorded' || changeType === 'DELETE';
}

/** What an App Mesh ARN names: `…:mesh/<mesh>[/<parentType>/<parent>]/<type>/<name>`. */
export interface AppMeshArn {
  mesh: string;
  type: string;
  name: string;
  parentName?: string;
}

export function parseAppMeshArn(arn: unknown): AppMeshArn | undefined {
  if (typeof arn !== 'string') return undefined;
  const match = /^arn:[^:]+:appmesh:[^:]*:[^:]*:(mesh\/.+)$/.exec(arn);
  if (!match) return undefined;
  const parts = match[1].split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 2) return { mesh: parts[1], type: 'mesh', name: parts[1] };
  if (parts.length === 4) return { mesh: parts[1], type: parts[2], name: parts[3] };
  if (parts.length === 6) return { mesh: parts[1], type: parts[4], name: parts[5], parentName: parts[3] };
  return undefined;
}

/**
 * The App Mesh ARN of a Config item or summary: `ARN`, else `resourceId` (App Mesh types are
 * recorded with the ARN as their id). An ARN of another type is an EventError: the event
 * would otherwise resolve the findings of a resource it does not name.
 */
export function appMeshArnOf(fields: Record<string, any>, type: AppMeshApiType, at: string, eventId: string): AppMeshArn | undefined {
  const raw: unknown = fields.ARN ?? fields.arn ?? (typeof fields.resourceId === 'string' && fields.resourceId.startsWith('arn:') ? fields.resourceId : undefined);
  if (raw === undefined || raw === null) return undefined;
  const arn = parseAppMeshArn(raw);
  if (!arn) throw new EventError(`${at}.ARN`, `not an App Mesh ARN: ${JSON.stringify(raw)}`, eventId);
  if (arn.type !== type) throw new EventError(`${at}.ARN`, `${String(raw)} is not a ${type}`, eventId);
  return arn;
}
