/**
 * Reads `appmesh.k8s.aws/v1beta2` CRDs (aws-app-mesh-controller-for-k8s apis/appmesh/v1beta2)
 * into the provider's graph. Differences from the API that matter here: references are
 * `virtualServiceRef` / `virtualNodeRef` / `virtualRouterRef` {name, namespace} or `*ARN`
 * strings; router routes are inline in `VirtualRouter.spec.routes`; the mesh comes from
 * `spec.meshRef` or the Mesh's `namespaceSelector`; TLS spells `certificateARN`.
 */
import { apiGroupOf, type KubeObject, type Located } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { refFromArn } from './arn';
import { CrdMeshResolver } from './crd-mesh';
import { readRouteTargets } from './route-targets';
import { serviceDiscoveryHostnames } from './service-discovery';
import { normalizeClientPolicy, normalizeListeners, reportProblem, type ReadContext } from './normalize-tls';
import type {
  AppMeshBackend,
  AppMeshGraph,
  AppMeshKind,
  AppMeshMesh,
  AppMeshObjectBase,
  AppMeshRef,
  AppMeshVirtualService,
  BaseOf,
  GatewayRouteTarget,
  LabelSelector,
} from './types';

export const APPMESH_GROUP = 'appmesh.k8s.aws';
export const APPMESH_CRD_VERSION = 'appmesh.k8s.aws/v1beta2';

const CRD_KINDS: readonly AppMeshKind[] = ['Mesh', 'VirtualNode', 'VirtualGateway', 'VirtualService', 'VirtualRouter', 'GatewayRoute'];

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function selectorOf(value: unknown): LabelSelector | undefined {
  return isObject(value) ? (value as LabelSelector) : undefined;
}

/** A `*Ref` {name, namespace?} (namespace defaults to the referencing object's) or an `*ARN`. */
function refOf(ref: any, arn: unknown, kind: AppMeshKind, namespace: string): AppMeshRef | undefined {
  if (isObject(ref) && typeof ref.name === 'string') {
    return { via: 'k8s', kind, namespace: typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : namespace, name: ref.name };
  }
  if (typeof arn === 'string') return refFromArn(arn, kind);
  return undefined;
}

/** Display name of a reference before it is resolved: the ref name, or the ARN's last part. */
function refName(ref: AppMeshRef): string {
  return ref.via === 'k8s' ? ref.name : ref.awsName;
}

/** The controller's default App Mesh names (`awsName` doc comments in *_types.go). */
function defaultAwsName(kind: AppMeshKind, name: string, namespace: string | undefined): string {
  if (kind === 'Mesh' || kind === 'VirtualService') return name;
  return `${name}_${namespace ?? ''}`;
}

/** True for objects this reader consumes. */
export function isAppMeshCrd(obj: KubeObject): boolean {
  return apiGroupOf(obj.apiVersion) === APPMESH_GROUP && (CRD_KINDS as readonly string[]).includes(obj.kind);
}

/**
 * Reads the App Mesh CRDs among `objects` into `graph`; Namespace objects give the labels the
 * Mesh selectors read. Returns how many App Mesh objects were consumed.
 */
export function readCrdObjects(objects: Located<KubeObject>[], graph: AppMeshGraph, problems: ConfigProblem[]): number {
  const appmesh: Located<KubeObject>[] = [];
  for (const located of objects) {
    const obj = located.doc;
    if (obj.apiVersion === 'v1' && obj.kind === 'Namespace' && obj.metadata?.name) {
      graph.namespaceLabels.set(obj.metadata.name, obj.metadata.labels ?? {});
    } else if (isAppMeshCrd(obj)) {
      appmesh.push(located);
    }
  }

  const supported: Located<KubeObject>[] = [];
  for (const located of appmesh) {
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
  for (const { doc, source } of supported) {
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

  for (const { doc, source } of supported) {
    if (doc.kind === 'Mesh') continue;
    readNamespaced(doc, source, meshResolver, graph, problems);
  }
  return appmesh.length;
}

function crdCoordinates(doc: KubeObject) {
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    namespace: doc.metadata.namespace,
    name: doc.metadata.name,
    resourceVersion: doc.metadata.resourceVersion,
  };
}

function readNamespaced(
  doc: KubeObject,
  source: SourceRef,
  meshResolver: CrdMeshResolver,
  graph: AppMeshGraph,
  problems: ConfigProblem[],
): void {
  const kind = doc.kind as AppMeshKind;
  const name = doc.metadata.name;
  const ctx: ReadContext = { origin: 'crd', source, kind, name, problems };
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
  if (mesh.unknownMeshRef) {
    reportProblem(ctx, 'spec.meshRef.name', `${kind} ${namespace}/${name} refers to mesh ${mesh.mesh}, which is not among the Mesh objects read`);
  }

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
    crd: crdCoordinates(doc),
  };

  switch (kind) {
    case 'VirtualNode':
      graph.nodes.push({
        ...(base as BaseOf<'VirtualNode'>),
        listeners: normalizeListeners(spec.listeners, false, ctx),
        hostnames: serviceDiscoveryHostnames(spec.serviceDiscovery),
        backends: readBackends(spec.backends, namespace, ctx),
        backendDefaults: normalizeClientPolicy(spec.backendDefaults?.clientPolicy, 'spec.backendDefaults.clientPolicy', ctx),
        labels: selectorOf(spec.podSelector)?.matchLabels,
      });
      break;
    case 'VirtualGateway':
      graph.gateways.push({
        ...(base as BaseOf<'VirtualGateway'>),
        listeners: normalizeListeners(spec.listeners, true, ctx),
        backendDefaults: normalizeClientPolicy(spec.backendDefaults?.clientPolicy, 'spec.backendDefaults.clientPolicy', ctx),
        namespaceSelector: selectorOf(spec.namespaceSelector),
        gatewayRouteSelector: selectorOf(spec.gatewayRouteSelector),
        labels: selectorOf(spec.podSelector)?.matchLabels,
      });
      break;
    case 'VirtualService': {
      const provider = spec.provider;
      const nodeRef = provider?.virtualNode && refOf(provider.virtualNode.virtualNodeRef, provider.virtualNode.virtualNodeARN, 'VirtualNode', namespace);
      const routerRef =
        provider?.virtualRouter && refOf(provider.virtualRouter.virtualRouterRef, provider.virtualRouter.virtualRouterARN, 'VirtualRouter', namespace);
      let serviceProvider: AppMeshVirtualService['provider'];
      if (nodeRef) serviceProvider = { kind: 'VirtualNode', ref: nodeRef };
      else if (routerRef) serviceProvider = { kind: 'VirtualRouter', ref: routerRef };
      graph.services.push({ ...(base as BaseOf<'VirtualService'>), provider: serviceProvider });
      break;
    }
    case 'VirtualRouter': {
      graph.routers.push({
        ...(base as BaseOf<'VirtualRouter'>),
        listenerPorts: (Array.isArray(spec.listeners) ? spec.listeners : [])
          .map((l: any) => l?.portMapping?.port)
          .filter((p: unknown): p is number => typeof p === 'number'),
      });
      const self: AppMeshRef = { via: 'k8s', kind: 'VirtualRouter', namespace, name };
      (Array.isArray(spec.routes) ? spec.routes : []).forEach((route: any, index: number) => {
        const { targets, matchPort } = readRouteTargets(route, (t) => refOf(t?.virtualNodeRef, t?.virtualNodeARN, 'VirtualNode', namespace));
        graph.routes.push({
          kind: 'Route',
          origin: 'crd',
          source,
          name: typeof route?.name === 'string' ? route.name : `routes[${index}]`,
          router: self,
          matchPort,
          targets,
        });
      });
      break;
    }
    case 'GatewayRoute': {
      const targets: GatewayRouteTarget[] = [];
      for (const routeKind of ['httpRoute', 'http2Route', 'grpcRoute'] as const) {
        const target = spec[routeKind]?.action?.target;
        if (!target) continue;
        const ref = refOf(target.virtualService?.virtualServiceRef, target.virtualService?.virtualServiceARN, 'VirtualService', namespace);
        if (!ref) {
          reportProblem(ctx, `spec.${routeKind}.action.target.virtualService`, 'gateway route target names no virtual service');
          continue;
        }
        targets.push({ service: ref, serviceName: refName(ref), port: typeof target.port === 'number' ? target.port : undefined });
      }
      const gwRef = spec.virtualGatewayRef;
      graph.gatewayRoutes.push({
        ...(base as BaseOf<'GatewayRoute'>),
        gateway: isObject(gwRef) && typeof gwRef.name === 'string'
          ? { via: 'k8s', kind: 'VirtualGateway', namespace: gwRef.namespace || namespace, name: gwRef.name }
          : undefined,
        targets,
        labels: doc.metadata.labels ?? {},
      });
      break;
    }
    default:
      break;
  }
}

function readBackends(raw: unknown, namespace: string, ctx: ReadContext): AppMeshBackend[] {
  if (!Array.isArray(raw)) return [];
  const out: AppMeshBackend[] = [];
  raw.forEach((entry, index) => {
    const vs = entry?.virtualService;
    const at = `spec.backends[${index}].virtualService`;
    const ref = refOf(vs?.virtualServiceRef, vs?.virtualServiceARN, 'VirtualService', namespace);
    if (!ref) {
      reportProblem(ctx, at, "backend names no virtual service: exactly one of 'virtualServiceRef' or 'virtualServiceARN' must be set");
      return;
    }
    out.push({ index, service: ref, serviceName: refName(ref), clientPolicy: normalizeClientPolicy(vs.clientPolicy, `${at}.clientPolicy`, ctx) });
  });
  return out;
}
