/**
 * The App Mesh provider's internal representation. Both inputs (the App Mesh API's `*Data`
 * objects and the `appmesh.k8s.aws/v1beta2` CRDs) are normalised into these shapes, so the
 * model builder reads one thing whatever the source. TLS sub-objects use the API spelling
 * (`certificateArn`, `certificateAuthorityArns`); the CRD spelling only survives in `rawSpec`.
 */
import type { SourceRef } from '../../core/model/types';

export type AppMeshKind =
  | 'Mesh'
  | 'VirtualNode'
  | 'VirtualGateway'
  | 'VirtualService'
  | 'VirtualRouter'
  | 'Route'
  | 'GatewayRoute';

export type Origin = 'api' | 'crd';

/** ResourceMetadata fields a writer needs (App Mesh API objects only). */
export interface ApiCoordinates {
  arn?: string;
  version?: number;
  meshOwner?: string;
  resourceOwner?: string;
  uid?: string;
}

/** Where a CRD lives in Kubernetes (CRD objects only). */
export interface CrdCoordinates {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion?: string;
  /** The App Mesh object's ARN, as the controller writes it to the status once it exists. */
  arn?: string;
}

/** How one App Mesh object refers to another. */
export type AppMeshRef =
  /** By the name App Mesh knows it by, inside a mesh (API names, ARNs). */
  | { via: 'aws'; kind: AppMeshKind; awsMesh: string; awsName: string; meshScope?: string }
  /**
   * By Kubernetes coordinates (CRD `virtualNodeRef`, `virtualServiceRef`, …). `awsMesh` is the
   * mesh of the object that refers: the controller resolves a reference in that object's own
   * cluster and requires the target to be in its mesh (aws-app-mesh-controller-for-k8s
   * pkg/virtualnode/resource_manager.go `validateVirtualServiceDependencies`), so of two
   * clusters' CRDs with these coordinates, the one of that mesh is meant.
   */
  | { via: 'k8s'; kind: AppMeshKind; namespace: string; name: string; awsMesh: string };

/**
 * The fields every object read has. Readers build this `base` and then add the fields of the
 * object's kind to that same object. Not a spread (`{ ...base, listeners }`): in cold V8 code a
 * spread that adds properties is a slow clone, about 3 KB and several microseconds per object,
 * and every object read went through one. Both readers set every field, optional ones to
 * undefined, in the same order: objects of a kind then share one hidden class whatever their
 * origin, and each property read of the model build stays a one-shape cache hit.
 */
export interface AppMeshObjectBase {
  kind: AppMeshKind;
  origin: Origin;
  source: SourceRef;
  /** API name; for CRDs `metadata.name` (CONTRACT.md: not `awsName`). */
  name: string;
  /** CRDs only. */
  namespace?: string;
  /** The name App Mesh itself uses (API name, or the CRD's `spec.awsName` / controller default). */
  awsName: string;
  /** The mesh as reported (API `meshName`; CRD: the Mesh object's name). */
  mesh: string;
  /** The mesh name App Mesh uses (the Mesh CRD's `spec.awsName` when set). */
  awsMesh: string;
  /**
   * `<region>:<account>` of an API object whose mesh name the inputs hold in several regions or
   * accounts (mesh-scope.ts); unset otherwise, which is the usual case.
   */
  meshScope?: string;
  /**
   * `spec.awsName` of a CRD whose mesh, namespace and name another CRD read also has: two
   * clusters' objects of one mesh, which only their App Mesh names tell apart (crd-twins.ts);
   * unset otherwise, which is the usual case.
   */
  crdScope?: string;
  /** The spec exactly as read, in the source's own spelling: the base of whole-spec changes. */
  rawSpec: Record<string, any>;
  api?: ApiCoordinates;
  crd?: CrdCoordinates;
}

export interface TlsCertificate {
  acm?: { certificateArn?: string };
  file?: { certificateChain?: string; privateKey?: string };
  sds?: { secretName?: string };
}

export interface ValidationTrust {
  acm?: { certificateAuthorityArns?: string[] };
  file?: { certificateChain?: string };
  sds?: { secretName?: string };
}

export interface ValidationContext {
  trust?: ValidationTrust;
  subjectAlternativeNames?: unknown;
}

/** API `ListenerTls` / `VirtualGatewayListenerTls`. */
export interface ListenerTls {
  mode?: string;
  certificate?: TlsCertificate;
  validation?: ValidationContext;
}

/** API `ClientPolicyTls` / `VirtualGatewayClientPolicyTls`. */
export interface ClientPolicyTls {
  enforce?: boolean;
  ports?: number[];
  certificate?: TlsCertificate;
  validation?: ValidationContext;
}

export interface ClientPolicySpec {
  tls?: ClientPolicyTls;
}

export interface AppMeshListener {
  /** Index in `spec.listeners`, for field paths and patches. */
  index: number;
  port?: number;
  protocol?: string;
  tls?: ListenerTls;
}

export interface AppMeshBackend {
  /** Index in `spec.backends`; -1 for a backend a BackendGroup adds (`group`). */
  index: number;
  /**
   * Set when the backend comes from the node's `spec.backendGroups[index]` (backend-groups.ts):
   * it has no clientPolicy of its own, and `backendDefaults` is where a fix writes.
   */
  group?: { index: number; name: string; namespace: string };
  service: AppMeshRef;
  /** The virtual service name as far as the reference tells it (a hostname). */
  serviceName: string;
  /** Present (possibly empty) when the backend sets its own `clientPolicy`. */
  clientPolicy?: ClientPolicySpec;
}

export interface AppMeshMesh extends AppMeshObjectBase {
  kind: 'Mesh';
  /** CRDs: `spec.namespaceSelector`; undefined selects no namespace, `{}` selects all. */
  namespaceSelector?: LabelSelector;
}

export interface AppMeshVirtualNode extends AppMeshObjectBase {
  kind: 'VirtualNode';
  listeners: AppMeshListener[];
  /** DNS hostname and Cloud Map `serviceName.namespaceName`. */
  hostnames: string[];
  backends: AppMeshBackend[];
  /** Present when `spec.backendDefaults.clientPolicy` is set. */
  backendDefaults?: ClientPolicySpec;
  /** CRDs: `spec.podSelector.matchLabels`, the workload's labels. */
  labels?: Record<string, string>;
}

export interface AppMeshVirtualGateway extends AppMeshObjectBase {
  kind: 'VirtualGateway';
  listeners: AppMeshListener[];
  backendDefaults?: ClientPolicySpec;
  /** CRDs: which GatewayRoutes belong to it when they carry no `virtualGatewayRef`. */
  namespaceSelector?: LabelSelector;
  gatewayRouteSelector?: LabelSelector;
  labels?: Record<string, string>;
}

export interface AppMeshVirtualService extends AppMeshObjectBase {
  kind: 'VirtualService';
  provider?: { kind: 'VirtualNode' | 'VirtualRouter'; ref: AppMeshRef };
}

export interface AppMeshVirtualRouter extends AppMeshObjectBase {
  kind: 'VirtualRouter';
  listenerPorts: number[];
}

export interface WeightedTarget {
  node: AppMeshRef;
  port?: number;
  weight?: number;
}

/** A route of a virtual router: an API `route` resource, or one inline CRD `spec.routes[]` entry. */
export interface AppMeshRoute {
  kind: 'Route';
  origin: Origin;
  source: SourceRef;
  name: string;
  router: AppMeshRef;
  /** `match.port` when the route only serves one router listener. */
  matchPort?: number;
  targets: WeightedTarget[];
}

export interface GatewayRouteTarget {
  service: AppMeshRef;
  serviceName: string;
  port?: number;
}

export interface AppMeshGatewayRoute extends AppMeshObjectBase {
  kind: 'GatewayRoute';
  /** API `virtualGatewayName`, CRD `spec.virtualGatewayRef`; undefined when selectors decide. */
  gateway?: AppMeshRef;
  targets: GatewayRouteTarget[];
  labels: Record<string, string>;
}

/** Kubernetes `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Everything App Mesh the inventory holds, normalised. */
export interface AppMeshGraph {
  meshes: AppMeshMesh[];
  nodes: AppMeshVirtualNode[];
  gateways: AppMeshVirtualGateway[];
  services: AppMeshVirtualService[];
  routers: AppMeshVirtualRouter[];
  routes: AppMeshRoute[];
  gatewayRoutes: AppMeshGatewayRoute[];
  /** Labels of the Kubernetes Namespace objects read, for the CRDs' namespace selectors. */
  namespaceLabels: Map<string, Record<string, string>>;
}

export function emptyGraph(): AppMeshGraph {
  return { meshes: [], nodes: [], gateways: [], services: [], routers: [], routes: [], gatewayRoutes: [], namespaceLabels: new Map() };
}

/** The labels of a namespace; Kubernetes sets `kubernetes.io/metadata.name` on every namespace. */
export function namespaceLabelsOf(graph: Pick<AppMeshGraph, 'namespaceLabels'>, namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace, ...(graph.namespaceLabels.get(namespace) ?? {}) };
}
