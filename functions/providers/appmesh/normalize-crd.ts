/**
 * Reads `appmesh.k8s.aws/v1beta2` CRDs (aws-app-mesh-controller-for-k8s apis/appmesh/v1beta2)
 * into the provider's graph. Differences from the API that matter here: references are
 * `virtualServiceRef` / `virtualNodeRef` / `virtualRouterRef` {name, namespace} or `*ARN`
 * strings; router routes are inline in `VirtualRouter.spec.routes`; the mesh comes from
 * `spec.meshRef` or the Mesh's `namespaceSelector`; TLS spells `certificateARN`.
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import type { KubeObject, Located } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { coercedLabelMap, routingLabelsOf } from '../istio/labels';
import { refFromArn } from './arn';
import { addGroupBackends, readBackendGroup, type BackendGroups } from './backend-groups';
import { defaultAwsName } from './crd-identity';
import { CrdMeshResolver } from './crd-mesh';
import { GATEWAY_ROUTE_KINDS, readRouteTargets, routerListenerPorts } from './route-targets';
import { serviceDiscoveryHostnames } from './service-discovery';
import { normalizeClientPolicy, normalizeListeners, reportProblem, type ReadContext } from './normalize-tls';
import type {
  AppMeshBackend,
  AppMeshGatewayRoute,
  AppMeshGraph,
  AppMeshKind,
  AppMeshMesh,
  AppMeshObjectBase,
  CrdCoordinates,
  AppMeshRef,
  AppMeshVirtualGateway,
  AppMeshVirtualNode,
  AppMeshVirtualRouter,
  AppMeshVirtualService,
  GatewayRouteTarget,
  LabelSelector,
} from './types';

export const APPMESH_GROUP = 'appmesh.k8s.aws';
export const APPMESH_CRD_VERSION = 'appmesh.k8s.aws/v1beta2';

const CRD_KINDS: readonly AppMeshKind[] = ['Mesh', 'VirtualNode', 'VirtualGateway', 'VirtualService', 'VirtualRouter', 'GatewayRoute'];

/** `apiGroupOf(apiVersion) === APPMESH_GROUP` without slicing out the group of every object read. */
const APPMESH_GROUP_PREFIX = `${APPMESH_GROUP}/`;

function selectorOf(value: unknown): LabelSelector | undefined {
  return isObject(value) ? (value as LabelSelector) : undefined;
}

/**
 * The labels that route a node's or gateway's findings to a team (rules/ownership.yaml): the
 * CRD's own, with the workload's (`podSelector.matchLabels`) over them. Either may carry `team:`.
 */
function routingLabels(doc: KubeObject, podLabels: Record<string, string> | undefined): Record<string, string> | undefined {
  const own = doc.metadata?.labels;
  return routingLabelsOf(podLabels ? { ...coercedLabelMap(own), ...coercedLabelMap(podLabels) } : own);
}

/** Where a reference is written: the referring object's namespace, and its mesh's App Mesh name. */
interface Referrer {
  namespace: string;
  awsMesh: string;
}

/** A `*Ref` {name, namespace?} (namespace defaults to the referencing object's) or an `*ARN`. */
function refOf(ref: any, arn: unknown, kind: AppMeshKind, from: Referrer): AppMeshRef | undefined {
  if (isObject(ref) && typeof ref.name === 'string') {
    const namespace = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : from.namespace;
    return { via: 'k8s', kind, namespace, name: ref.name, awsMesh: from.awsMesh };
  }
  if (typeof arn === 'string') return refFromArn(arn, kind);
  return undefined;
}

/** Display name of a reference before it is resolved: the ref name, or the ARN's last part. */
function refName(ref: AppMeshRef): string {
  return ref.via === 'k8s' ? ref.name : ref.awsName;
}

/** Not an App Mesh object: a list of backends for VirtualNodes (backend-groups.ts). */
const BACKEND_GROUP = 'BackendGroup';

/** True for objects this reader consumes. */
export function isAppMeshCrd(obj: KubeObject): boolean {
  return obj.apiVersion.startsWith(APPMESH_GROUP_PREFIX) && ((CRD_KINDS as readonly string[]).includes(obj.kind) || obj.kind === BACKEND_GROUP);
}

/**
 * Reads the App Mesh CRDs among `objects` into `graph`; Namespace objects give the labels the
 * Mesh selectors read. Returns how many App Mesh objects were consumed.
 */
export function readCrdObjects(objects: Located<KubeObject>[], graph: AppMeshGraph, problems: ConfigProblem[]): number {
  // Indexed loops in the readers: a cold `for…of` allocates an iterator result per element, and
  // this one walks every Kubernetes object of the inventory.
  const appmesh: Located<KubeObject>[] = [];
  for (let i = 0; i < objects.length; i++) {
    const located = objects[i];
    const obj = located.doc;
    if (obj.apiVersion === 'v1' && obj.kind === 'Namespace' && obj.metadata?.name) {
      graph.namespaceLabels.set(obj.metadata.name, obj.metadata.labels ?? {});
    } else if (isAppMeshCrd(obj)) {
      appmesh.push(located);
    }
  }

  const supported: Located<KubeObject>[] = [];
  for (let i = 0; i < appmesh.length; i++) {
    const located = appmesh[i];
    const { doc, source } = located;
    if (doc.apiVersion !== APPMESH_CRD_VERSION) {
      problems.push({
        file: source.file,
        line: source.line,
        field: 'apiVersion',
        message: `${doc.apiVersion} is not supported; App Mesh CRDs are read as ${APPMESH_CRD_VERSION}`,
        kind: doc.kind,
        name: doc.metadata?.name,
      });
    } else if (!doc.metadata?.name) {
      problems.push({ file: source.file, line: source.line, field: 'metadata.name', message: `${doc.kind} has no metadata.name`, kind: doc.kind });
    } else {
      supported.push(located);
    }
  }

  // Meshes first: every other object needs them to know its mesh.
  const meshes: AppMeshMesh[] = [];
  for (let i = 0; i < supported.length; i++) {
    const { doc, source } = supported[i];
    if (doc.kind !== 'Mesh') continue;
    const spec = isObject(doc.spec) ? doc.spec : {};
    const awsName = typeof spec.awsName === 'string' && spec.awsName ? spec.awsName : doc.metadata.name;
    meshes.push({
      kind: 'Mesh',
      origin: 'crd',
      source,
      name: doc.metadata.name,
      awsName,
      mesh: doc.metadata.name,
      awsMesh: awsName,
      rawSpec: spec,
      crd: crdCoordinates(doc),
      namespaceSelector: selectorOf(spec.namespaceSelector),
    });
  }
  graph.meshes.push(...meshes);
  const meshResolver = new CrdMeshResolver(meshes, graph);

  const ctx: ReadContext = { origin: 'crd', source: { file: '', line: 0 }, kind: '', name: '', problems };
  const groups: BackendGroups = new Map();
  for (let i = 0; i < supported.length; i++) {
    const { doc, source } = supported[i];
    if (doc.kind === 'Mesh') continue;
    if (doc.kind === BACKEND_GROUP) readBackendGroup(doc, groups);
    else readNamespaced(doc, source, meshResolver, graph, ctx);
  }
  addGroupBackends(graph, groups, ctx);
  return appmesh.length;
}

function crdCoordinates(doc: KubeObject): CrdCoordinates {
  // The controller writes the App Mesh object's ARN to the status (`virtualNodeARN`, `meshARN`, …).
  const arn = isObject(doc.status) ? doc.status[`${doc.kind.charAt(0).toLowerCase()}${doc.kind.slice(1)}ARN`] : undefined;
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    namespace: doc.metadata.namespace,
    name: doc.metadata.name,
    resourceVersion: doc.metadata.resourceVersion,
    ...(typeof arn === 'string' && arn !== '' ? { arn } : {}),
  };
}

function readNamespaced(
  doc: KubeObject,
  source: SourceRef,
  meshResolver: CrdMeshResolver,
  graph: AppMeshGraph,
  ctx: ReadContext,
): void {
  const kind = doc.kind as AppMeshKind;
  const name = doc.metadata.name;
  ctx.source = source;
  ctx.kind = kind;
  ctx.name = name;
  ctx.mesh = undefined;
  const namespace = doc.metadata.namespace;
  if (!namespace) {
    reportProblem(ctx, 'metadata.namespace', `${kind} ${name} has no namespace; App Mesh ${kind} objects are namespaced`);
    return;
  }
  const spec = isObject(doc.spec) ? doc.spec : {};
  const mesh = meshResolver.resolve(spec.meshRef?.name, namespace);
  if (!mesh.ok) {
    reportProblem(ctx, mesh.field, `${kind} ${namespace}/${name} is not audited: ${mesh.message}`);
    return;
  }
  ctx.mesh = mesh.mesh;
  if (mesh.unknownMeshRef) {
    reportProblem(ctx, 'spec.meshRef.name', `${kind} ${namespace}/${name} refers to mesh ${mesh.mesh}, which is not among the Mesh objects read`);
  }

  // Completed in place with the fields of its kind below (types.ts says why).
  const base: AppMeshObjectBase = {
    kind,
    origin: 'crd',
    source,
    name,
    namespace,
    awsName: typeof spec.awsName === 'string' && spec.awsName ? spec.awsName : defaultAwsName(kind, name, namespace),
    mesh: mesh.mesh,
    awsMesh: mesh.awsMesh,
    rawSpec: spec,
    api: undefined,
    crd: crdCoordinates(doc),
  };

  const referrer: Referrer = { namespace, awsMesh: mesh.awsMesh };
  switch (kind) {
    case 'VirtualNode': {
      const node = base as AppMeshVirtualNode;
      node.listeners = normalizeListeners(spec.listeners, false, ctx);
      node.hostnames = serviceDiscoveryHostnames(spec.serviceDiscovery);
      node.backends = readBackends(spec.backends, referrer, ctx);
      node.backendDefaults = normalizeClientPolicy(spec.backendDefaults?.clientPolicy, undefined, ctx);
      node.labels = routingLabels(doc, selectorOf(spec.podSelector)?.matchLabels);
      graph.nodes.push(node);
      break;
    }
    case 'VirtualGateway': {
      const gateway = base as AppMeshVirtualGateway;
      gateway.listeners = normalizeListeners(spec.listeners, true, ctx);
      gateway.backendDefaults = normalizeClientPolicy(spec.backendDefaults?.clientPolicy, undefined, ctx);
      gateway.namespaceSelector = selectorOf(spec.namespaceSelector);
      gateway.gatewayRouteSelector = selectorOf(spec.gatewayRouteSelector);
      gateway.labels = routingLabels(doc, selectorOf(spec.podSelector)?.matchLabels);
      graph.gateways.push(gateway);
      break;
    }
    case 'VirtualService': {
      const provider = spec.provider;
      const nodeRef = provider?.virtualNode && refOf(provider.virtualNode.virtualNodeRef, provider.virtualNode.virtualNodeARN, 'VirtualNode', referrer);
      const routerRef =
        provider?.virtualRouter && refOf(provider.virtualRouter.virtualRouterRef, provider.virtualRouter.virtualRouterARN, 'VirtualRouter', referrer);
      let serviceProvider: AppMeshVirtualService['provider'];
      if (nodeRef) serviceProvider = { kind: 'VirtualNode', ref: nodeRef };
      else if (routerRef) serviceProvider = { kind: 'VirtualRouter', ref: routerRef };
      const service = base as AppMeshVirtualService;
      service.provider = serviceProvider;
      graph.services.push(service);
      break;
    }
    case 'VirtualRouter': {
      const router = base as AppMeshVirtualRouter;
      router.listenerPorts = routerListenerPorts(spec.listeners);
      graph.routers.push(router);
      const routes = spec.routes;
      if (!Array.isArray(routes)) break;
      const self: AppMeshRef = { via: 'k8s', kind: 'VirtualRouter', namespace, name, awsMesh: mesh.awsMesh };
      const targetRef = (t: any) => refOf(t?.virtualNodeRef, t?.virtualNodeARN, 'VirtualNode', referrer);
      for (let index = 0; index < routes.length; index++) {
        const route = routes[index];
        const { targets, matchPort } = readRouteTargets(route, targetRef);
        graph.routes.push({
          kind: 'Route',
          origin: 'crd',
          source,
          name: typeof route?.name === 'string' ? route.name : `routes[${index}]`,
          router: self,
          matchPort,
          targets,
        });
      }
      break;
    }
    case 'GatewayRoute': {
      const targets: GatewayRouteTarget[] = [];
      for (let k = 0; k < GATEWAY_ROUTE_KINDS.length; k++) {
        const routeKind = GATEWAY_ROUTE_KINDS[k];
        const target = spec[routeKind]?.action?.target;
        if (!target) continue;
        const ref = refOf(target.virtualService?.virtualServiceRef, target.virtualService?.virtualServiceARN, 'VirtualService', referrer);
        if (!ref) {
          reportProblem(ctx, `spec.${routeKind}.action.target.virtualService`, 'gateway route target names no virtual service');
          continue;
        }
        targets.push({ service: ref, serviceName: refName(ref), port: typeof target.port === 'number' ? target.port : undefined });
      }
      const gwRef = spec.virtualGatewayRef;
      const gatewayRoute = base as AppMeshGatewayRoute;
      gatewayRoute.gateway =
        isObject(gwRef) && typeof gwRef.name === 'string'
          ? { via: 'k8s', kind: 'VirtualGateway', namespace: gwRef.namespace || namespace, name: gwRef.name, awsMesh: mesh.awsMesh }
          : undefined;
      gatewayRoute.targets = targets;
      gatewayRoute.labels = doc.metadata.labels ?? {};
      graph.gatewayRoutes.push(gatewayRoute);
      break;
    }
    default:
      break;
  }
}

function readBackends(raw: unknown, from: Referrer, ctx: ReadContext): AppMeshBackend[] {
  if (!Array.isArray(raw)) return [];
  // Sized up front (and cut to the backends read): a pushed array reserves room for 17, and
  // every node keeps its list.
  const out = new Array<AppMeshBackend>(raw.length);
  let count = 0;
  for (let index = 0; index < raw.length; index++) {
    const vs = raw[index]?.virtualService;
    const ref = refOf(vs?.virtualServiceRef, vs?.virtualServiceARN, 'VirtualService', from);
    if (!ref) {
      reportProblem(
        ctx,
        `spec.backends[${index}].virtualService`,
        "backend names no virtual service: exactly one of 'virtualServiceRef' or 'virtualServiceARN' must be set",
      );
      continue;
    }
    out[count++] = { index, service: ref, serviceName: refName(ref), clientPolicy: normalizeClientPolicy(vs.clientPolicy, index, ctx) };
  }
  out.length = count;
  return out;
}
