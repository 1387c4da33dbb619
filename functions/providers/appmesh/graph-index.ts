/**
 * Lookups over the normalised graph, built once so that resolving any reference is a map read
 * (10k virtual nodes must model in well under a second).
 */
import type { ConfigProblem } from '../../core/model/types';
import { labelSelectorMatches } from './label-selector';
import { meshKey } from './mesh-scope';
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

  /** The inner map of `a`, made on first use: callers that read and then write it look it up once. */
  innerOf(a: string): Map<string, V> {
    let inner = this.outer.get(a);
    if (!inner) {
      inner = new Map();
      this.outer.set(a, inner);
    }
    return inner;
  }
}

/** One kind of object, found by App Mesh name (mesh and its scope, name) or by Kubernetes coordinates. */
class ObjectIndex<T extends AppMeshObjectBase> {
  /** The first object of each App Mesh name. */
  private readonly byAws = new TwoKeyMap<T>();
  /**
   * Every object of each App Mesh name, in input order, made only when some name is held by
   * several objects (an API copy and a CRD): the usual single owner of a name costs no list.
   */
  private readonly sharedAws = new TwoKeyMap<T[]>();
  private hasShared = false;
  /** The last object of each namespace and name, as a map write leaves it. */
  private readonly byK8s = new TwoKeyMap<T>();
  /**
   * Every object of each namespace and name, in input order, made only when some are held by
   * several objects (two clusters' CRDs, crd-identity.ts): a reference then finds the one of its
   * own mesh.
   */
  private readonly sharedK8s = new TwoKeyMap<T[]>();
  private hasSharedK8s = false;
  /**
   * Objects that a reference to themselves does not find: another object holds the same name
   * and wins. Usually none, so `findSelf` is usually no lookup at all.
   */
  private readonly shadowed = new Set<T>();

  /*
   * One map write per object and key, no read: the index of 10k objects is rebuilt on every
   * audit. Names are written walking backwards, so that each keeps its first object; a write
   * that leaves a map's size unchanged tells that a name is taken twice, and only then are the
   * lists of shared names and the shadowed objects worked out.
   */
  constructor(objects: T[]) {
    let awsTaken = false;
    let mesh: string | undefined;
    let names: Map<string, T> | undefined;
    for (let i = objects.length - 1; i >= 0; i--) {
      const obj = objects[i];
      // Objects come grouped by mesh and namespace: look the inner map up only when it changes.
      const key = meshKey(obj.awsMesh, obj.meshScope);
      if (names === undefined || key !== mesh) {
        mesh = key;
        names = this.byAws.innerOf(mesh);
      }
      const size = names.size;
      names.set(obj.awsName, obj);
      if (names.size === size) awsTaken = true;
    }
    let k8sTaken = false;
    let namespace: string | undefined;
    let inNamespace: Map<string, T> | undefined;
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i];
      if (!isK8sAddressed(obj)) continue;
      if (inNamespace === undefined || obj.namespace !== namespace) {
        namespace = obj.namespace!;
        inNamespace = this.byK8s.innerOf(namespace);
      }
      const size = inNamespace.size;
      inNamespace.set(obj.name, obj);
      if (inNamespace.size === size) k8sTaken = true;
    }
    if (awsTaken) this.listSharedNames(objects);
    if (k8sTaken) this.listSharedCoordinates(objects);
    if (awsTaken || k8sTaken) {
      for (let i = 0; i < objects.length; i++) {
        const obj = objects[i];
        if (this.lookUpSelf(obj) !== obj) this.shadowed.add(obj);
      }
    }
  }

  private listSharedNames(objects: T[]): void {
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i];
      const lists = this.sharedAws.innerOf(meshKey(obj.awsMesh, obj.meshScope));
      const list = lists.get(obj.awsName);
      if (list) list.push(obj);
      else lists.set(obj.awsName, [obj]);
    }
    this.hasShared = true;
  }

  private listSharedCoordinates(objects: T[]): void {
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i];
      if (!isK8sAddressed(obj)) continue;
      const lists = this.sharedK8s.innerOf(obj.namespace!);
      const list = lists.get(obj.name);
      if (list) list.push(obj);
      else lists.set(obj.name, [obj]);
    }
    this.hasSharedK8s = true;
  }

  /** The object a reference names; of two (API copy and CRD), the one of `preferOrigin`. */
  find(ref: AppMeshRef, preferOrigin: Origin): T | undefined {
    if (ref.via === 'k8s') return this.byCoordinates(ref.namespace, ref.name, ref.awsMesh);
    return this.byAwsName(meshKey(ref.awsMesh, ref.meshScope), ref.awsName, preferOrigin);
  }

  /**
   * The object a reference to `obj` itself finds (`find(refTo(obj), obj.origin)`, where `refTo`
   * names a namespaced CRD by its Kubernetes coordinates and anything else by its App Mesh name):
   * `obj`, unless another object holds the same name and wins.
   */
  findSelf(obj: T): T | undefined {
    if (this.shadowed.size === 0 || !this.shadowed.has(obj)) return obj;
    return this.lookUpSelf(obj);
  }

  private lookUpSelf(obj: T): T | undefined {
    if (isK8sAddressed(obj)) return this.byCoordinates(obj.namespace!, obj.name, obj.awsMesh);
    return this.byAwsName(meshKey(obj.awsMesh, obj.meshScope), obj.awsName, obj.origin);
  }

  /**
   * The CRD at `namespace`/`name`: the last of them, unless several clusters' CRDs hold those
   * coordinates, and then the last of them in `awsMesh` (the last of all when none is).
   */
  private byCoordinates(namespace: string, name: string, awsMesh: string): T | undefined {
    const last = this.byK8s.get(namespace, name);
    if (!last || !this.hasSharedK8s || last.awsMesh === awsMesh) return last;
    const shared = this.sharedK8s.get(namespace, name);
    if (!shared) return last;
    for (let i = shared.length - 1; i >= 0; i--) if (shared[i].awsMesh === awsMesh) return shared[i];
    return last;
  }

  /** `mesh`: the mesh's key (mesh-scope.ts), its App Mesh name unless it is shared by several regions or accounts. */
  private byAwsName(mesh: string, awsName: string, preferOrigin: Origin): T | undefined {
    const first = this.byAws.get(mesh, awsName);
    if (!first || !this.hasShared) return first;
    const shared = this.sharedAws.get(mesh, awsName);
    if (!shared) return first;
    return shared.find((o) => o.origin === preferOrigin) ?? first;
  }
}

/** A namespaced CRD: references to it name its Kubernetes coordinates. */
function isK8sAddressed(obj: AppMeshObjectBase): boolean {
  return obj.origin === 'crd' && Boolean(obj.namespace);
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

    for (let i = 0; i < graph.routes.length; i++) {
      const route = graph.routes[i];
      const router = this.routers.find(route.router, route.origin);
      if (!router) continue;
      const list = this.routesByRouter.get(router);
      if (list) list.push(route);
      else this.routesByRouter.set(router, [route]);
    }

    const crdGatewaysByMesh = new Map<string, AppMeshVirtualGateway[]>();
    for (let i = 0; i < graph.gateways.length; i++) {
      const gw = graph.gateways[i];
      if (gw.origin !== 'crd') continue;
      const list = crdGatewaysByMesh.get(gw.mesh);
      if (list) list.push(gw);
      else crdGatewaysByMesh.set(gw.mesh, [gw]);
    }
    for (let i = 0; i < graph.gatewayRoutes.length; i++) {
      const gatewayRoute = graph.gatewayRoutes[i];
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
