/**
 * The actions under which the hub records App Mesh changes it observed but did not make (a
 * person's or another tool's Create, Update or Delete, seen in CloudTrail): `appmesh.route.update`,
 * `appmesh.virtual-node.update`, … Their Undo (`<action>.undo`) restores the recorded previous
 * spec (restore-spec.ts), which App Mesh allows for updates only.
 */
import type { AppMeshApiType } from '../../../core/model/inventory';

export type ObservedVerb = 'create' | 'update' | 'delete';

/** The API's kind names (`DescribeRoute` → `Route`), as change record targets carry them. */
export { KIND_OF_TYPE } from '../normalize-api';

const SEGMENT_OF_TYPE: Record<AppMeshApiType, string> = {
  mesh: 'mesh',
  virtualNode: 'virtual-node',
  virtualGateway: 'virtual-gateway',
  virtualService: 'virtual-service',
  virtualRouter: 'virtual-router',
  route: 'route',
  gatewayRoute: 'gateway-route',
};

const TYPE_OF_SEGMENT = new Map(Object.entries(SEGMENT_OF_TYPE).map(([type, segment]) => [segment, type as AppMeshApiType]));
const VERBS = new Set<ObservedVerb>(['create', 'update', 'delete']);

/** @example observedAction('route', 'update') // 'appmesh.route.update' */
export function observedAction(type: AppMeshApiType, verb: ObservedVerb): string {
  return `appmesh.${SEGMENT_OF_TYPE[type]}.${verb}`;
}

/** The type and verb of an observed-change action; undefined for any other action (meshgov's own fixes included). */
export function parseObservedAction(action: string): { type: AppMeshApiType; verb: ObservedVerb } | undefined {
  const match = /^appmesh\.([a-z-]+)\.(create|update|delete)$/.exec(action);
  if (!match) return undefined;
  const type = TYPE_OF_SEGMENT.get(match[1]!);
  const verb = match[2] as ObservedVerb;
  return type && VERBS.has(verb) ? { type, verb } : undefined;
}

export function isObservedAction(action: string): boolean {
  return parseObservedAction(action) !== undefined;
}
