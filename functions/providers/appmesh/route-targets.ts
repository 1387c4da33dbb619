import type { AppMeshRef, WeightedTarget } from './types';

/** The route kinds that carry `action.weightedTargets` (API `RouteSpec`, CRD `Route`). */
export const ROUTE_KINDS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

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
  for (const routeKind of ROUTE_KINDS) {
    const route = spec?.[routeKind];
    if (!route) continue;
    if (typeof route.match?.port === 'number') matchPort = route.match.port;
    for (const t of Array.isArray(route.action?.weightedTargets) ? route.action.weightedTargets : []) {
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
