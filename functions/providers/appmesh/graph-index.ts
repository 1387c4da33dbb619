/**
 * Lookups over the normalised graph, built once so that resolving any reference is a map read
 * (10k virtual nodes must model in well under a second).
 */
import type { ConfigProblem } from '../../core/model/types';
import { labelSelectorMatches } from './label-selector';
import {
  namespaceLabelsOf,
  type AppMeshGatewayRoute,
  type AppMeshGraph,
  type AppMeshObjectBase,
  type AppMeshRef,
  type AppMeshRoute,
  type AppMeshVirtualGateway,
  type AppMeshVirtualNode,
  type AppMeshVirtualRouter,
  type AppMeshVirtualService,
  type Origin,
} from './types';

/** Two-level map (outer key, inner key) → values, without building composite string keys. */
class TwoKeyMap<V> {
  private readonly outer = new Map<string, Map<string, V>>();

  get(a: string, b: string): V | undefined {
    return this.outer.get(a)?.get(b);
  }

  set(a: string, b: string, value: V): void {
    let inner = this.outer.get(a);
    if (!inner) {
      inner = new Map();
      this.outer.set(a, inner);
    }
    inner.set(b, value);
  }
}

/** One kind of object, found by App Mesh name (mesh, name) or by Kubernetes coordinates. */
class ObjectIndex<T extends AppMeshObjectBase> {
  private readonly byAws = new TwoKeyMap<T[]>();
  private readonly byK8s = new TwoKeyMap<T>();

  constructor(objects: T[]) {
    for (const obj of objects) {
      const list = this.byAws.get(obj.awsMesh, obj.awsName);
      if (list) list.push(obj);
      else this.byAws.set(obj.awsMesh, obj.awsName, [obj]);
      if (obj.origin === 'crd' && obj.namespace) this.byK8s.set(obj.namespace, obj.name, obj);
    }
  }

  /** The object a reference names; of two (API copy and CRD), the one of `preferOrigin`. */
  find(ref: AppMeshRef, preferOrigin: Origin): T | undefined {
    if (ref.via === 'k8s') return this.byK8s.get(ref.namespace, ref.name);
    const list = this.byAws.get(ref.awsMesh, ref.awsName);
    if (!list) return undefined;
    if (list.length === 1) return list[0];
    return list.find((o) => o.origin === preferOrigin) ?? list[0];
  }
}

export class AppMeshIndex {
  readonly services: ObjectIndex<AppMeshVirtualService>;
  readonly nodes: ObjectIndex<AppMeshVirtualNode>;
  readonly routers: ObjectIndex<AppMeshVirtualRouter>;
  readonly gateways: ObjectIndex<AppMeshVirtualGateway>;
  private readonly routesByRouter = new Map<AppMeshVirtualRouter, AppMeshRoute[]>();
  private readonly routesByGateway = new Map<AppMeshVirtualGateway, AppMeshGatewayRoute[]>();

  constructor(graph: AppMeshGraph, problems: ConfigProblem[]) {
    this.services = new ObjectIndex(graph.services);
    this.nodes = new ObjectIndex(graph.nodes);
    this.routers = new ObjectIndex(graph.routers);
    this.gateways = new ObjectIndex(graph.gateways);

    for (const route of graph.routes) {
      const router = this.routers.find(route.router, route.origin);
      if (!router) continue;
      const list = this.routesByRouter.get(router);
      if (list) list.push(route);
      else this.routesByRouter.set(router, [route]);
    }

    const crdGatewaysByMesh = new Map<string, AppMeshVirtualGateway[]>();
    for (const gw of graph.gateways) {
      if (gw.origin !== 'crd') continue;
      const list = crdGatewaysByMesh.get(gw.mesh);
      if (list) list.push(gw);
      else crdGatewaysByMesh.set(gw.mesh, [gw]);
    }
    for (const gatewayRoute of graph.gatewayRoutes) {
      const gateway = gatewayRoute.gateway
        ? this.gateways.find(gatewayRoute.gateway, gatewayRoute.origin)
        : this.gatewayBySelectors(gatewayRoute, crdGatewaysByMesh.get(gatewayRoute.mesh) ?? [], graph, problems);
      if (!gateway) continue;
      const list = this.routesByGateway.get(gateway);
      if (list) list.push(gatewayRoute);
      else this.routesByGateway.set(gateway, [gatewayRoute]);
    }
  }

  routesOf(router: AppMeshVirtualRouter): AppMeshRoute[] {
    return this.routesByRouter.get(router) ?? [];
  }

  gatewayRoutesOf(gateway: AppMeshVirtualGateway): AppMeshGatewayRoute[] {
    return this.routesByGateway.get(gateway) ?? [];
  }

  /**
   * A CRD GatewayRoute without `spec.virtualGatewayRef` belongs to the VirtualGateway whose
   * `namespaceSelector` selects its namespace (absent selects none) and whose
   * `gatewayRouteSelector`, when set, selects its labels (aws-app-mesh-controller-for-k8s
   * pkg/virtualgateway/membership_designator.go).
   */
  private gatewayBySelectors(
    route: AppMeshGatewayRoute,
    candidates: AppMeshVirtualGateway[],
    graph: AppMeshGraph,
    problems: ConfigProblem[],
  ): AppMeshVirtualGateway | undefined {
    if (route.origin !== 'crd' || !route.namespace) return undefined;
    const nsLabels = namespaceLabelsOf(graph, route.namespace);
    const matching = candidates.filter(
      (gw) =>
        gw.namespaceSelector !== undefined &&
        labelSelectorMatches(gw.namespaceSelector, nsLabels) &&
        (gw.gatewayRouteSelector === undefined || labelSelectorMatches(gw.gatewayRouteSelector, route.labels)),
    );
    if (matching.length > 1) {
      problems.push({
        file: route.source.file,
        line: route.source.line,
        field: 'spec.virtualGatewayRef',
        message: `GatewayRoute ${route.namespace}/${route.name} is selected by several virtual gateways (${matching
          .map((g) => `${g.namespace}/${g.name}`)
          .join(', ')}); the controller rejects it`,
        kind: 'GatewayRoute',
        name: route.name,
      });
      return undefined;
    }
    return matching[0];
  }
}
