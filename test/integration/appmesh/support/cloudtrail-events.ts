/**
 * CloudTrail events for the live tests: the real-shaped samples from shared/events as they are,
 * and variations of them for other resources (another node, a gateway, a route), built from
 * the UpdateVirtualNode sample so that every envelope and identity field stays real.
 */
import { randomUUID } from 'node:crypto';
import type { AppMeshApiType } from '../../../../functions/core/model/inventory';
import { API_KINDS } from '../../../../functions/providers/appmesh/live/api-kinds';
import { KIND_OF_TYPE } from '../../../../functions/providers/appmesh/normalize-api';
import { sharedEvent } from '../../../support/shared-events';
import { asResponseElement } from './harness';

export const UPDATE_EVENT = 'aws/cloudtrail-appmesh-update-virtual-node.json';
export const UPDATE_NO_RESPONSE_EVENT = 'aws/cloudtrail-appmesh-update-virtual-node-no-response.json';
export const DELETE_EVENT = 'aws/cloudtrail-appmesh-delete-virtual-node.json';

/**
 * The EventBridge event CloudTrail would send for `verb` on the resource whose `*Data` (as
 * the emulator holds it after the call) is `data`; `responseElements` null unless asked for.
 */
export function cloudTrailEventFor(verb: 'Create' | 'Update' | 'Delete', type: AppMeshApiType, data: Record<string, any>, options: { withResponse: boolean }): any {
  const event = sharedEvent(UPDATE_EVENT);
  const { nameField, parentField } = API_KINDS[type];
  event.id = randomUUID();
  event.detail.eventID = randomUUID();
  event.detail.requestID = randomUUID();
  event.detail.eventName = `${verb}${KIND_OF_TYPE[type]}`;
  const request: Record<string, unknown> = { meshName: data.meshName };
  if (parentField) request[parentField] = data[parentField];
  if (type !== 'mesh') request[nameField] = data[nameField];
  if (data.metadata?.meshOwner && data.metadata.meshOwner !== event.account) request.meshOwner = data.metadata.meshOwner;
  if (verb !== 'Delete') {
    request.clientToken = randomUUID();
    request.spec = data.spec;
  }
  event.detail.requestParameters = request;
  event.detail.responseElements = options.withResponse ? { [type]: asResponseElement(data) } : null;
  return event;
}
