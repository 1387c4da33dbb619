/**
 * Reads App Mesh API objects (the camelCase `*Data` shapes that `DescribeVirtualNode` and its
 * siblings return, App Mesh API Reference `VirtualNodeData`, `RouteData`, …) into the
 * provider's graph. The live reader and the file loader both hand over this shape.
 */
import type { AppMeshApiObject, Located } from '../../core/model/inventory';
import type { ConfigProblem } from '../../core/model/types';
import { readRouteTargets } from './route-targets';
import { serviceDiscoveryHostnames } from './service-discovery';
import { normalizeClientPolicy, normalizeListeners, reportProblem, type ReadContext } from './normalize-tls';
import type {
  AppMeshBackend,
  AppMeshGraph,
  AppMeshKind,
  AppMeshObjectBase,
  AppMeshRef,
  AppMeshVirtualService,
  BaseOf,
  GatewayRouteTarget,
} from './types';

const KIND_OF_TYPE: Record<AppMeshApiObject['type'], AppMeshKind> = {
  mesh: 'Mesh',
  virtualNode: 'VirtualNode',
  virtualGateway: 'VirtualGateway',
  virtualService: 'VirtualService',
  virtualRouter: 'VirtualRouter',
  route: 'Route',
  gatewayRoute: 'GatewayRoute',
};

/** The `*Name` field that names each type (API Reference `VirtualNodeData.virtualNodeName`, …). */
const NAME_FIELD: Record<AppMeshApiObject['type'], string> = {
  mesh: 'meshName',
  virtualNode: 'virtualNodeName',
  virtualGateway: 'virtualGatewayName',
  virtualService: 'virtualServiceName',
  virtualRouter: 'virtualRouterName',
  route: 'routeName',
  gatewayRoute: 'gatewayRouteName',
};

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function awsRef(kind: AppMeshKind, awsMesh: string, awsName: string): AppMeshRef {
  return { via: 'aws', kind, awsMesh, awsName };
}

/**
 * Reads the API objects into `graph`; returns how many App Mesh objects were consumed.
 * Deleted resources (`status.status: DELETED`) are consumed but not modelled.
 */
export function readApiObjects(docs: Located<AppMeshApiObject>[], graph: AppMeshGraph, problems: ConfigProblem[]): number {
  let consumed = 0;
  for (const { doc, source } of docs) {
    consumed++;
    const kind = KIND_OF_TYPE[doc.type];
    const data = doc.data;
    const name = isObject(data) ? data[NAME_FIELD[doc.type]] : undefined;
    const ctx: ReadContext = { origin: 'api', source, kind: kind ?? String(doc.type), name: typeof name === 'string' ? name : '', problems };
    if (!kind || !isObject(data)) {
      reportProblem(ctx, undefined, `not an App Mesh ${String(doc.type)} object`);
      continue;
    }
    if (typeof name !== 'string' || name === '') {
      reportProblem(ctx, NAME_FIELD[doc.type], `${kind} has no ${NAME_FIELD[doc.type]}`);
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
    const base: AppMeshObjectBase = {
      kind,
      origin: 'api',
      source,
      name,
      awsName: name,
      mesh: data.meshName,
      awsMesh: data.meshName,
      rawSpec: spec,
      api: {
        arn: meta.arn,
        version: typeof meta.version === 'number' ? meta.version : undefined,
        meshOwner: meta.meshOwner,
        resourceOwner: meta.resourceOwner,
        uid: meta.uid,
      },
    };
    const mesh = data.meshName as string;

    switch (kind) {
      case 'Mesh':
        graph.meshes.push(base as BaseOf<'Mesh'>);
        break;
      case 'VirtualNode':
        graph.nodes.push({
          ...(base as BaseOf<'VirtualNode'>),
          listeners: normalizeListeners(spec.listeners, false, ctx),
          hostnames: serviceDiscoveryHostnames(spec.serviceDiscovery),
          backends: readBackends(spec.backends, mesh, ctx),
          backendDefaults: normalizeClientPolicy(spec.backendDefaults?.clientPolicy, 'spec.backendDefaults.clientPolicy', ctx),
        });
        break;
      case 'VirtualGateway':
        graph.gateways.push({
          ...(base as BaseOf<'VirtualGateway'>),
          listeners: normalizeListeners(spec.listeners, true, ctx),
          backendDefaults: normalizeClientPolicy(spec.backendDefaults?.clientPolicy, 'spec.backendDefaults.clientPolicy', ctx),
        });
        break;
      case 'VirtualService': {
        const provider = spec.provider;
        let serviceProvider: AppMeshVirtualService['provider'];
        if (typeof provider?.virtualNode?.virtualNodeName === 'string') {
          serviceProvider = { kind: 'VirtualNode', ref: awsRef('VirtualNode', mesh, provider.virtualNode.virtualNodeName) };
        } else if (typeof provider?.virtualRouter?.virtualRouterName === 'string') {
          serviceProvider = { kind: 'VirtualRouter', ref: awsRef('VirtualRouter', mesh, provider.virtualRouter.virtualRouterName) };
        }
        graph.services.push({ ...(base as BaseOf<'VirtualService'>), provider: serviceProvider });
        break;
      }
      case 'VirtualRouter':
        graph.routers.push({
          ...(base as BaseOf<'VirtualRouter'>),
          listenerPorts: (Array.isArray(spec.listeners) ? spec.listeners : [])
            .map((l: any) => l?.portMapping?.port)
            .filter((p: unknown): p is number => typeof p === 'number'),
        });
        break;
      case 'Route': {
        if (typeof data.virtualRouterName !== 'string') {
          reportProblem(ctx, 'virtualRouterName', `route ${name} has no virtualRouterName`);
          break;
        }
        const { targets, matchPort } = readRouteTargets(spec, (t) =>
          typeof t?.virtualNode === 'string' ? awsRef('VirtualNode', mesh, t.virtualNode) : undefined,
        );
        graph.routes.push({
          kind: 'Route',
          origin: 'api',
          source,
          name,
          router: awsRef('VirtualRouter', mesh, data.virtualRouterName),
          matchPort,
          targets,
        });
        break;
      }
      case 'GatewayRoute': {
        const targets: GatewayRouteTarget[] = [];
        for (const routeKind of ['httpRoute', 'http2Route', 'grpcRoute'] as const) {
          const target = spec[routeKind]?.action?.target;
          const serviceName = target?.virtualService?.virtualServiceName;
          if (typeof serviceName !== 'string') continue;
          targets.push({
            service: awsRef('VirtualService', mesh, serviceName),
            serviceName,
            port: typeof target.port === 'number' ? target.port : undefined,
          });
        }
        graph.gatewayRoutes.push({
          ...(base as BaseOf<'GatewayRoute'>),
          gateway: typeof data.virtualGatewayName === 'string' ? awsRef('VirtualGateway', mesh, data.virtualGatewayName) : undefined,
          targets,
          labels: {},
        });
        break;
      }
    }
  }
  return consumed;
}

function readBackends(raw: unknown, mesh: string, ctx: ReadContext): AppMeshBackend[] {
  if (!Array.isArray(raw)) return [];
  const out: AppMeshBackend[] = [];
  raw.forEach((entry, index) => {
    const vs = entry?.virtualService;
    const at = `spec.backends[${index}].virtualService`;
    if (typeof vs?.virtualServiceName !== 'string') {
      reportProblem(ctx, `${at}.virtualServiceName`, 'backend has no virtualServiceName');
      return;
    }
    out.push({
      index,
      service: awsRef('VirtualService', mesh, vs.virtualServiceName),
      serviceName: vs.virtualServiceName,
      clientPolicy: normalizeClientPolicy(vs.clientPolicy, `${at}.clientPolicy`, ctx),
    });
  });
  return out;
}
