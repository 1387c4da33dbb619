import { appMeshArnOf, appMeshFieldsOf, isDeletion, type AppMeshResourceScope } from './config-types';
import { EventError } from './event-error';
import type { EventBridgeEvent } from './parse-eventbridge';

/**
 * AWS Config "Configuration Item Change" for an `AWS::AppMesh::*` type → a scoped audit of the
 * resource it names; a deleted resource resolves its findings.
 *
 * The item's configuration is not handed to the audit as the resource's data: Config records
 * no App Mesh `version` or `lastUpdatedAt`, and its items arrive minutes after the change, often
 * after a newer change (a revert) the hub already read. A copy that cannot be ordered against
 * the one held would be audited as the newest, so the auditor reads the resource live instead
 * (one Describe), as it does for an oversized notification (config-summary.ts).
 */
export function scopeFromConfigItem(event: EventBridgeEvent): AppMeshResourceScope {
  const { at, fields: item, known } = appMeshFieldsOf(event, 'configurationItem');
  const diff = event.detail?.configurationItemDiff;
  const deleted = isDeletion(item.configurationItemStatus, diff?.changeType);
  // Not recorded: Config kept no configuration.
  const unrecorded = deleted || item.configurationItemStatus === 'ResourceNotRecorded';
  const configuration = item.configuration;
  if (!unrecorded && (!configuration || typeof configuration !== 'object')) throw new EventError(`${at}.configuration`, 'missing', event.id);
  const config = (configuration ?? {}) as Record<string, any>;
  // A deleted item's configuration is null; the diff keeps the one it replaced (MeshOwner).
  const previous: Record<string, any> = (deleted && diff?.changedProperties?.Configuration?.previousValue) || {};
  const arn = appMeshArnOf({ ARN: item.ARN ?? item.arn ?? config.Arn ?? previous.Arn, resourceId: item.resourceId }, known.type, at, event.id);
  const mesh: unknown = config.MeshName ?? arn?.mesh;
  if (typeof mesh !== 'string') throw new EventError(`${at}.configuration.MeshName`, 'missing', event.id);
  const name: unknown = config[pascal(known.nameField)] ?? arn?.name ?? item.resourceName;
  if (typeof name !== 'string') throw new EventError(`${at}.configuration.${pascal(known.nameField)}`, 'missing', event.id);
  const parentName: unknown = known.type === 'route' ? (config.VirtualRouterName ?? arn?.parentName) : known.type === 'gatewayRoute' ? (config.VirtualGatewayName ?? arn?.parentName) : undefined;
  // With no configuration and no diff (ResourceDeletedNotRecorded), the ARN's account is the
  // mesh owner: without it, another account's deletion would resolve this account's findings.
  const meshOwner: unknown = config.MeshOwner ?? previous.MeshOwner ?? arn?.account;
  return {
    kind: 'appmesh-resource',
    mesh,
    ...(typeof meshOwner === 'string' ? { meshOwner } : {}),
    resourceType: known.type,
    name,
    ...(typeof parentName === 'string' ? { parentName } : {}),
    ...(deleted ? { deleted: true } : {}),
  };
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
