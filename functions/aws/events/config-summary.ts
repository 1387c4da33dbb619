import { appMeshArnOf, appMeshFieldsOf, isDeletion, type AppMeshResourceScope } from './config-types';
import { EventError } from './event-error';
import type { EventBridgeEvent } from './parse-eventbridge';

/**
 * An oversized AWS Config notification (OversizedConfigurationItemChangeNotification, or
 * …DeliveryFailed when S3 did not get the item either) → a scoped audit. It carries only
 * `configurationItemSummary` (type, ARN, resourceId, resourceName, region, changeType, status):
 * enough to name the resource, which the auditor then reads live. The whole item in S3
 * (`s3DeliverySummary`) is not fetched: a live read is newer, and needs no S3 permission.
 */
export function scopeFromConfigSummary(event: EventBridgeEvent): AppMeshResourceScope {
  const { at, fields: summary, known } = appMeshFieldsOf(event, 'configurationItemSummary');
  // The ARN is the only place a summary names the mesh (and a route's router), and its owner:
  // a shared mesh's resources carry the owner's account, so another account's is ignored.
  const arn = appMeshArnOf(summary, known.type, at, event.id);
  if (!arn) throw new EventError(`${at}.ARN`, 'missing: the summary names no App Mesh resource', event.id);
  return {
    kind: 'appmesh-resource',
    mesh: arn.mesh,
    ...(arn.account ? { meshOwner: arn.account } : {}),
    resourceType: known.type,
    name: arn.name,
    ...(arn.parentName ? { parentName: arn.parentName } : {}),
    ...(isDeletion(summary.configurationItemStatus, summary.changeType) ? { deleted: true } : {}),
  };
}
