import type { AppMeshRef, WeightedTarget } from './types';

/** The route kinds that carry `action.weightedTargets` (API `RouteSpec`, CRD `Route`). */
export const ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

/** The gateway route kinds that carry `action.target` (API and CRD `GatewayRouteSpec`). */
export const GATEWAY_ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute'] as const;

/**
 * Weighted targets of every route kind in a route spec, and the `match.port` that ties the
 * route to one router listener (API `HttpRouteMatch.port`, `TcpRouteMatch.port`, …).
 */
export function readRouteTargets(
  spec: any,
  refOf: (target: any) => AppMeshRef | undefined,
): { targets: WeightedTarget[]; matchPort?: number } {
  const targets: WeightedTarget[] = [];
  let matchPort: number | undefined;
  for (let k = 0; k < ROUTE_KINDS.length; k++) {
    const route = spec?.[ROUTE_KINDS[k]];
    if (!route) continue;
    if (typeof route.match?.port === 'number') matchPort = route.match.port;
    const weighted = route.action?.weightedTargets;
    if (!Array.isArray(weighted)) continue;
    for (let i = 0; i < weighted.length; i++) {
      const t = weighted[i];
      const node = refOf(t);
      if (!node) continue;
      targets.push({
        node,
        port: typeof t.port === 'number' ? t.port : undefined,
        weight: typeof t.weight === 'number' ? t.weight : undefined,
      });
    }
  }
  return { targets, matchPort };
}

/** The ports of a virtual router's `spec.listeners[].portMapping.port` (same spelling in the API and the CRDs). */
export function routerListenerPorts(listeners: unknown): number[] {
  const ports: number[] = [];
  if (!Array.isArray(listeners)) return ports;
  for (let i = 0; i < listeners.length; i++) {
    const port = listeners[i]?.portMapping?.port;
    if (typeof port === 'number') ports.push(port);
  }
  return ports;
}
