import { scopeFromConfigItem } from './config-item';
import { scopeFromConfigSummary } from './config-summary';
import { appMeshTypeOf, type AppMeshResourceScope } from './config-types';
import { EventError } from './event-error';
import type { EventBridgeEvent } from './parse-eventbridge';

/** What a "Config Configuration Item Change" event asks for; `label` names the resource for people. */
export type ConfigChange =
  | { kind: 'scope'; scope: AppMeshResourceScope; label: string }
  | { kind: 'ignored'; reason: string; label: string };

const ITEM = 'ConfigurationItemChangeNotification';
/** Too large for the event: a summary only (…DeliveryFailed: and S3 did not get the item either). */
const SUMMARY = ['OversizedConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeDeliveryFailed'];

/**
 * Reads an AWS Config item change, whole or oversized. A resource type that is not App Mesh is
 * ignored on purpose (a wider EventBridge rule may deliver it); a message type meshgov does not
 * know, or a field it cannot read, is an EventError, so the event is dead-lettered, not lost.
 */
export function readConfigChange(event: EventBridgeEvent): ConfigChange {
  const messageType: unknown = event.detail?.messageType;
  const oversized = typeof messageType === 'string' && SUMMARY.includes(messageType);
  if (messageType !== ITEM && !oversized) {
    throw new EventError('detail.messageType', `not a configuration item change: ${JSON.stringify(messageType)}`, event.id);
  }
  const at = oversized ? 'detail.configurationItemSummary' : 'detail.configurationItem';
  const fields = oversized ? event.detail.configurationItemSummary : event.detail.configurationItem;
  if (!fields || typeof fields !== 'object') throw new EventError(at, 'missing', event.id);
  const resourceType: unknown = fields.resourceType;
  if (typeof resourceType !== 'string' || resourceType === '') throw new EventError(`${at}.resourceType`, 'missing', event.id);
  if (!appMeshTypeOf(resourceType)) {
    const label = `${resourceType} ${typeof fields.resourceName === 'string' ? fields.resourceName : (fields.resourceId ?? '')}`.trim();
    return { kind: 'ignored', reason: `${resourceType} is not an App Mesh resource type: meshgov audits only AWS::AppMesh::*`, label };
  }
  const scope = oversized ? scopeFromConfigSummary(event) : scopeFromConfigItem(event);
  const parent = scope.parentName ? `${scope.parentName}/` : '';
  return { kind: 'scope', scope, label: `${resourceType} ${parent}${scope.name}${oversized ? ' (oversized notification)' : ''}` };
}
