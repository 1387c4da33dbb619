/**
 * Reads App Mesh API objects (the camelCase `*Data` shapes that `DescribeVirtualNode` and its
 * siblings return, App Mesh API Reference `VirtualNodeData`, `RouteData`, …) into the
 * provider's graph. The live reader and the file loader both hand over this shape.
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import { APPMESH_KIND_OF_TYPE, APPMESH_NAME_FIELDS, type AppMeshApiObject, type Located } from '../../core/model/inventory';
import type { ConfigProblem } from '../../core/model/types';
import { meshScopes, type ScopeOf } from './mesh-scope';
import { GATEWAY_ROUTE_KINDS, readRouteTargets, routerListenerPorts } from './route-targets';
import { serviceDiscoveryHostnames } from './service-discovery';
import { normalizeClientPolicy, normalizeListeners, reportProblem, type ReadContext } from './normalize-tls';
import type {
  ApiCoordinates,
  AppMeshBackend,
  AppMeshGatewayRoute,
  AppMeshGraph,
  AppMeshKind,
  AppMeshMesh,
  AppMeshObjectBase,
  AppMeshRef,
  AppMeshVirtualGateway,
  AppMeshVirtualNode,
  AppMeshVirtualRouter,
  AppMeshVirtualService,
  GatewayRouteTarget,
} from './types';

/** The API's kind names (`DescribeRoute` → `Route`) by the wrapper keys of describe-* output. */
export const KIND_OF_TYPE: Readonly<Record<AppMeshApiObject['type'], AppMeshKind>> = APPMESH_KIND_OF_TYPE;

function awsRef(kind: AppMeshKind, awsMesh: string, awsName: string, scope: string | undefined): AppMeshRef {
  // An API reference stays inside its own mesh, so it takes the referring object's scope.
  return scope === undefined ? { via: 'aws', kind, awsMesh, awsName } : { via: 'aws', kind, awsMesh, awsName, meshScope: scope };
}

/**
 * Reads the API objects into `graph`; returns how many App Mesh objects were consumed.
 * Deleted resources (`status.status: DELETED`) are consumed but not modelled.
 */
export function readApiObjects(docs: Located<AppMeshApiObject>[], graph: AppMeshGraph, problems: ConfigProblem[], scopeOf: ScopeOf = meshScopes(docs)): number {
  let consumed = 0;
  const ctx: ReadContext = { origin: 'api', source: { file: '', line: 0 }, kind: '', name: '', problems };
  // Indexed loops in the readers: a cold `for…of` allocates an iterator result per element.
  for (let i = 0; i < docs.length; i++) {
    const { doc, source } = docs[i];
    consumed++;
    const kind = KIND_OF_TYPE[doc.type];
    const data = doc.data;
    const name = isObject(data) ? data[APPMESH_NAME_FIELDS[doc.type]] : undefined;
    ctx.source = source;
    ctx.kind = kind ?? String(doc.type);
    ctx.name = typeof name === 'string' ? name : '';
    if (!kind || !isObject(data)) {
      reportProblem(ctx, undefined, `not an App Mesh ${String(doc.type)} object`);
      continue;
    }
    if (typeof name !== 'string' || name === '') {
      reportProblem(ctx, APPMESH_NAME_FIELDS[doc.type], `${kind} has no ${APPMESH_NAME_FIELDS[doc.type]}`);
      continue;
    }
    if (typeof data.meshName !== 'string' || data.meshName === '') {
      reportProblem(ctx, 'meshName', `${kind} ${name} has no meshName`);
      continue;
    }
    if (data.status?.status === 'DELETED') continue;
    const spec = isObject(data.spec) ? data.spec : {};
    if (!isObject(data.spec)) reportProblem(ctx, 'spec', `${kind} ${name} has no spec`);

    const meta = isObject(data.metadata) ? data.metadata : {};
    // Completed in place with the fields of its kind below (types.ts says why).
    const base: AppMeshObjectBase = {
      kind,
      origin: 'api',
      source,
      name,
      namespace: undefined,
      awsName: name,
      mesh: data.meshName,
      awsMesh: data.meshName,
      rawSpec: spec,
      api: apiCoordinates(meta),
      crd: undefined,
    };
    const mesh = data.meshName as string;
    const scope = scopeOf(data);
    // Set only on objects of a shared mesh name: the usual object keeps the shape every reader gives it.
    if (scope !== undefined) base.meshScope = scope;

    switch (kind) {
      case 'Mesh':
        graph.meshes.push(base as AppMeshMesh);
        break;
      case 'VirtualNode': {
        const node = base as AppMeshVirtualNode;
        node.listeners = normalizeListeners(spec.listeners, false, ctx);
        node.hostnames = serviceDiscoveryHostnames(spec.serviceDiscovery);
        node.backends = readBackends(spec.backends, mesh, scope, ctx);
        node.backendDefaults = normalizeClientPolicy(spec.backendDefaults?.clientPolicy, undefined, ctx);
        node.labels = undefined;
        graph.nodes.push(node);
        break;
      }
      case 'VirtualGateway': {
        const gateway = base as AppMeshVirtualGateway;
        gateway.listeners = normalizeListeners(spec.listeners, true, ctx);
        gateway.backendDefaults = normalizeClientPolicy(spec.backendDefaults?.clientPolicy, undefined, ctx);
        gateway.namespaceSelector = undefined;
        gateway.gatewayRouteSelector = undefined;
        gateway.labels = undefined;
        graph.gateways.push(gateway);
        break;
      }
      case 'VirtualService': {
        const provider = spec.provider;
        let serviceProvider: AppMeshVirtualService['provider'];
        if (typeof provider?.virtualNode?.virtualNodeName === 'string') {
          serviceProvider = { kind: 'VirtualNode', ref: awsRef('VirtualNode', mesh, provider.virtualNode.virtualNodeName, scope) };
        } else if (typeof provider?.virtualRouter?.virtualRouterName === 'string') {
          serviceProvider = { kind: 'VirtualRouter', ref: awsRef('VirtualRouter', mesh, provider.virtualRouter.virtualRouterName, scope) };
        }
        const service = base as AppMeshVirtualService;
        service.provider = serviceProvider;
        graph.services.push(service);
        break;
      }
      case 'VirtualRouter': {
        const router = base as AppMeshVirtualRouter;
        router.listenerPorts = routerListenerPorts(spec.listeners);
        graph.routers.push(router);
        break;
      }
      case 'Route': {
        if (typeof data.virtualRouterName !== 'string') {
          reportProblem(ctx, 'virtualRouterName', `route ${name} has no virtualRouterName`);
          break;
        }
        const { targets, matchPort } = readRouteTargets(spec, (t) =>
          typeof t?.virtualNode === 'string' ? awsRef('VirtualNode', mesh, t.virtualNode, scope) : undefined,
        );
        graph.routes.push({
          kind: 'Route',
          origin: 'api',
          source,
          name,
          router: awsRef('VirtualRouter', mesh, data.virtualRouterName, scope),
          matchPort,
          targets,
        });
        break;
      }
      case 'GatewayRoute': {
        const targets: GatewayRouteTarget[] = [];
        for (let k = 0; k < GATEWAY_ROUTE_KINDS.length; k++) {
          const target = spec[GATEWAY_ROUTE_KINDS[k]]?.action?.target;
          const serviceName = target?.virtualService?.virtualServiceName;
          if (typeof serviceName !== 'string') continue;
          targets.push({
            service: awsRef('VirtualService', mesh, serviceName, scope),
            serviceName,
            port: typeof target.port === 'number' ? target.port : undefined,
          });
        }
        const gatewayRoute = base as AppMeshGatewayRoute;
        gatewayRoute.gateway = typeof data.virtualGatewayName === 'string' ? awsRef('VirtualGateway', mesh, data.virtualGatewayName, scope) : undefined;
        gatewayRoute.targets = targets;
        gatewayRoute.labels = {};
        graph.gatewayRoutes.push(gatewayRoute);
        break;
      }
    }
  }
  return consumed;
}

/** A function, not a literal nested in the base: a nested literal is copied by a slow runtime walk. */
function apiCoordinates(meta: Record<string, any>): ApiCoordinates {
  return {
    arn: meta.arn,
    version: typeof meta.version === 'number' ? meta.version : undefined,
    meshOwner: meta.meshOwner,
    resourceOwner: meta.resourceOwner,
    // Only a string: it becomes a fix's `expectedUid`, which the writer refuses in any other type.
    uid: typeof meta.uid === 'string' && meta.uid !== '' ? meta.uid : undefined,
  };
}

function readBackends(raw: unknown, mesh: string, scope: string | undefined, ctx: ReadContext): AppMeshBackend[] {
  if (!Array.isArray(raw)) return [];
  // Sized up front (and cut to the backends read): a pushed array reserves room for 17, and
  // every node keeps its list.
  const out = new Array<AppMeshBackend>(raw.length);
  let count = 0;
  for (let index = 0; index < raw.length; index++) {
    const vs = raw[index]?.virtualService;
    if (typeof vs?.virtualServiceName !== 'string') {
      reportProblem(ctx, `spec.backends[${index}].virtualService.virtualServiceName`, 'backend has no virtualServiceName');
      continue;
    }
    out[count++] = {
      index,
      service: awsRef('VirtualService', mesh, vs.virtualServiceName, scope),
      serviceName: vs.virtualServiceName,
      clientPolicy: normalizeClientPolicy(vs.clientPolicy, index, ctx),
    };
  }
  out.length = count;
  return out;
}
