/**
 * Ingresses and Gateway API routes whose proxy is not Istio's: they carry clients from outside the
 * mesh straight to a Service's pods, in plaintext, as a LoadBalancer Service does.
 *
 * - An Ingress (networking.k8s.io) of any class but Istio's is served by another controller: on
 *   GKE the `gce` / `gce-internal` class (also an Ingress without a class, which GKE's controller
 *   takes) is a Google load balancer that sends to the pods' IPs (container-native load balancing,
 *   `cloud.google.com/neg`, the default from GKE 1.17) or to a node port. An Ingress of Istio's
 *   class (`istio`, MeshConfig `ingressClass`, or an IngressClass whose controller is
 *   `istio.io/ingress-controller`) goes through the Istio ingress gateway, which sends mTLS.
 * - An HTTPRoute, GRPCRoute, TCPRoute or TLSRoute attached to a Gateway (gateway.networking.k8s.io)
 *   whose class is not Istio's (`gke-l7-global-external-managed`, `gke-l7-rilb`, …) has that
 *   gateway send to its Service backends outside the mesh. Istio's classes (`istio`,
 *   `istio-waypoint`, `istio-remote`, or a GatewayClass whose controller is `istio.io/…`) are
 *   Envoy deployments Istio programs, which send mTLS. A route attached to a Service (GAMMA) is
 *   mesh routing between sidecars, and a Gateway the audit does not hold is of a class nobody
 *   knows, so it counts as outside: STRICT then waits for a person, which is the safe side.
 * - A Service annotated `cloud.google.com/neg` with `exposed_ports` has standalone network
 *   endpoint groups: a Google load balancer made outside the cluster's objects sends to its pods.
 *   An AWS Load Balancer Controller `TargetGroupBinding` (Istio on EKS) does the same for the
 *   target group it fills with a Service port's pods or nodes.
 */
import type { KubeObject, Located } from '../../core/model/inventory';
import { isRecord } from '../../core/is-record';
import { nameOf, namespaceOf } from './objectKey';
import type { KubeService, ServicePort } from './services';

/** Something outside the mesh that sends to a Service's pods. */
export interface OutsideRoute {
  /** The Service port it sends to: a number, a port's name, or undefined for every port. */
  servicePort?: number | string;
  /** Who sends, as a reason names it: `Ingress shop/api (class gce)`. */
  what: string;
}

export interface RouteInputs {
  ingresses: readonly Located<KubeObject>[];
  ingressClasses: readonly Located<KubeObject>[];
  gateways: readonly Located<KubeObject>[];
  gatewayClasses: readonly Located<KubeObject>[];
  routes: readonly Located<KubeObject>[];
  targetGroupBindings: readonly Located<KubeObject>[];
}

/** The Gateway API route kinds that send to Service backends. */
export const GATEWAY_ROUTE_KINDS: ReadonlySet<string> = new Set(['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute']);

const ISTIO_INGRESS_CONTROLLER = 'istio.io/ingress-controller';
const ISTIO_GATEWAY_CLASSES: ReadonlySet<string> = new Set(['istio', 'istio-waypoint', 'istio-remote']);
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * Sets `outsideRoutes` on each Service that such a route sends to. `istioIngressClass` is the
 * MeshConfig's `ingressClass` (Istio's default: `istio`).
 */
export function markOutsideRoutes(services: readonly KubeService[], inputs: RouteInputs, istioIngressClass: string): void {
  for (let i = 0; i < services.length; i++) {
    const svc = services[i]!;
    if (svc.standaloneNegPorts) for (const port of svc.standaloneNegPorts) (svc.outsideRoutes ??= []).push(withPort({ what: standaloneNegSender(svc) }, port));
  }
  if (inputs.ingresses.length === 0 && inputs.routes.length === 0 && inputs.targetGroupBindings.length === 0) return;
  const byKey = new Map<string, KubeService>();
  for (const svc of services) byKey.set(`${svc.namespace}/${svc.name}`, svc);
  const add = (namespace: string, name: string, route: OutsideRoute): void => {
    const svc = byKey.get(`${namespace}/${name}`);
    if (svc) (svc.outsideRoutes ??= []).push(route);
  };
  const ingressClasses = controllersByName(inputs.ingressClasses, 'controller');
  const defaultIngressClass = defaultClassName(inputs.ingressClasses);
  for (const { doc } of inputs.ingresses) {
    const className = ingressClassOf(doc) ?? defaultIngressClass;
    if (className !== undefined && (className === istioIngressClass || ingressClasses.get(className) === ISTIO_INGRESS_CONTROLLER)) continue;
    const namespace = namespaceOf(doc);
    const what = `Ingress ${namespace}/${nameOf(doc)} (${className !== undefined ? `class ${className}` : "no ingress class, which GKE's load balancer controller serves"})`;
    for (const backend of ingressBackends(doc.spec)) add(namespace, backend.name, withPort({ what }, backend.port));
  }
  for (const { doc } of inputs.targetGroupBindings) {
    const ref = doc.spec?.serviceRef;
    if (typeof ref?.name !== 'string') continue;
    const namespace = namespaceOf(doc);
    const group = typeof doc.spec.targetGroupARN === 'string' ? ` (target group ${doc.spec.targetGroupARN})` : '';
    add(namespace, ref.name, withPort({ what: `the load balancer of TargetGroupBinding ${namespace}/${nameOf(doc)}${group}` }, typeof ref.port === 'number' || typeof ref.port === 'string' ? ref.port : ANY_PORT));
  }
  const gatewayClasses = controllersByName(inputs.gatewayClasses, 'controllerName');
  const gateways = new Map<string, KubeObject>();
  for (const { doc } of inputs.gateways) gateways.set(`${namespaceOf(doc)}/${nameOf(doc)}`, doc);
  for (const { doc } of inputs.routes) {
    const namespace = namespaceOf(doc);
    const through = outsideGatewayOf(doc, namespace, gateways, gatewayClasses);
    if (through === undefined) continue;
    const what = `${doc.kind} ${namespace}/${nameOf(doc)} through ${through}`;
    for (const backend of routeBackends(doc.spec, namespace)) add(backend.namespace, backend.name, withPort({ what }, backend.port));
  }
}

/** GKE's annotation that asks for network endpoint groups of a Service's pods (`{"ingress": true}`, `{"exposed_ports": {"80": {}}}`). */
export const NEG_ANNOTATION = 'cloud.google.com/neg';

/**
 * The Service ports a `cloud.google.com/neg` annotation gives standalone NEGs (`exposed_ports`):
 * GKE puts the pods' IPs in network endpoint groups that a load balancer made elsewhere (by hand,
 * Terraform, Multi Cluster Ingress for its derived Services) sends to, outside the mesh and in
 * plaintext. meshgov cannot see that load balancer, only that the pods are exposed to one.
 * `{"ingress": true}` alone names no port: an Ingress to the Service is weighed on its own.
 * An annotation that names `exposed_ports` but cannot be read exposes every port: the safe side.
 */
export function standaloneNegPorts(annotations: Record<string, unknown> | undefined): Array<number | string> | undefined {
  const value = annotations?.[NEG_ANNOTATION];
  if (typeof value !== 'string' || !value.includes('exposed_ports')) return undefined;
  let exposed: unknown;
  try {
    exposed = (JSON.parse(value) as { exposed_ports?: unknown }).exposed_ports;
  } catch {
    return [ANY_PORT];
  }
  if (!isRecord(exposed)) return [ANY_PORT];
  const ports = Object.keys(exposed).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  return ports.length > 0 ? ports : undefined;
}

/** Stands for "every port" in standaloneNegPorts: a route without `servicePort`. */
const ANY_PORT = '*';

function standaloneNegSender(svc: KubeService): string {
  return `a Google load balancer through the standalone network endpoint groups of Service ${svc.namespace}/${svc.name} (${NEG_ANNOTATION} exposed_ports)`;
}

/** The first route of `svc` that sends to `port`, if any. */
export function outsideRouteTo(svc: KubeService, port: ServicePort): OutsideRoute | undefined {
  const routes = svc.outsideRoutes;
  if (!routes) return undefined;
  for (const route of routes) {
    const p = route.servicePort;
    if (p === undefined || p === port.port || (typeof p === 'string' && p === port.name)) return route;
  }
  return undefined;
}

function withPort(route: OutsideRoute, port: number | string | undefined): OutsideRoute {
  if (port !== undefined && port !== ANY_PORT) route.servicePort = port;
  return route;
}

/** The class an Ingress names: the `kubernetes.io/ingress.class` annotation (which controllers read first), else `spec.ingressClassName`. */
function ingressClassOf(doc: KubeObject): string | undefined {
  const annotation = doc.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (typeof annotation === 'string' && annotation !== '') return annotation;
  const name = doc.spec?.ingressClassName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** The IngressClass annotated `ingressclass.kubernetes.io/is-default-class: "true"`: the API server gives it to an Ingress created without a class. */
function defaultClassName(classes: readonly Located<KubeObject>[]): string | undefined {
  for (const { doc } of classes) if (doc.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true') return nameOf(doc);
  return undefined;
}

/** Class name → controller, from IngressClass `spec.controller` or GatewayClass `spec.controllerName`. */
function controllersByName(classes: readonly Located<KubeObject>[], field: 'controller' | 'controllerName'): Map<string, string> {
  const out = new Map<string, string>();
  for (const { doc } of classes) {
    const controller = doc.spec?.[field];
    if (typeof controller === 'string') out.set(nameOf(doc), controller);
  }
  return out;
}

interface Backend {
  namespace: string;
  name: string;
  port?: number | string;
}

/**
 * The Services an Ingress sends to: its default backend and every path's (v1 `service`, or
 * v1beta1 `serviceName` / `servicePort`). A GKE MultiClusterIngress's template spec has the
 * v1beta1 shape, naming MultiClusterServices (multiClusterIngress.ts).
 */
export function ingressBackends(spec: any): Array<Omit<Backend, 'namespace'>> {
  const out: Array<Omit<Backend, 'namespace'>> = [];
  const add = (backend: any): void => {
    const service = backend?.service;
    if (typeof service?.name === 'string') {
      const port = service.port?.number ?? service.port?.name;
      out.push(typeof port === 'number' || typeof port === 'string' ? { name: service.name, port } : { name: service.name });
    } else if (typeof backend?.serviceName === 'string') {
      const port = backend.servicePort;
      out.push(typeof port === 'number' || typeof port === 'string' ? { name: backend.serviceName, port } : { name: backend.serviceName });
    }
  };
  add(spec?.defaultBackend ?? spec?.backend);
  for (const rule of Array.isArray(spec?.rules) ? spec.rules : []) {
    for (const path of Array.isArray(rule?.http?.paths) ? rule.http.paths : []) add(path?.backend);
  }
  return out;
}

/**
 * How a route's traffic comes in from outside the mesh (`Gateway shop/external (class
 * gke-l7-rilb)`), or undefined when every Gateway it attaches to is Istio's, or it attaches to
 * none (a route on a Service is mesh routing).
 */
function outsideGatewayOf(route: KubeObject, namespace: string, gateways: ReadonlyMap<string, KubeObject>, classes: ReadonlyMap<string, string>): string | undefined {
  const parents = Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : [];
  for (const parent of parents) {
    if (typeof parent?.name !== 'string') continue;
    if ((parent.kind ?? 'Gateway') !== 'Gateway' || (parent.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
    const gatewayNamespace = typeof parent.namespace === 'string' && parent.namespace !== '' ? parent.namespace : namespace;
    const gateway = gateways.get(`${gatewayNamespace}/${parent.name}`);
    if (!gateway) return `Gateway ${gatewayNamespace}/${parent.name} (not in this audit, so of unknown class)`;
    const className = gateway.spec?.gatewayClassName;
    if (typeof className === 'string' && isIstioGatewayClass(className, classes)) continue;
    return `Gateway ${gatewayNamespace}/${parent.name} (class ${typeof className === 'string' ? className : 'unset'})`;
  }
  return undefined;
}

/** Istio's own classes, or a GatewayClass the audit shows with an `istio.io/` controller. */
function isIstioGatewayClass(name: string, classes: ReadonlyMap<string, string>): boolean {
  const controller = classes.get(name);
  return controller !== undefined ? controller.startsWith('istio.io/') : ISTIO_GATEWAY_CLASSES.has(name);
}

/** The Service backends of a route's rules (`kind` Service in the core group, the default). */
function routeBackends(spec: any, namespace: string): Backend[] {
  const out: Backend[] = [];
  for (const rule of Array.isArray(spec?.rules) ? spec.rules : []) {
    for (const ref of Array.isArray(rule?.backendRefs) ? rule.backendRefs : []) {
      if (typeof ref?.name !== 'string' || !isServiceBackend(ref.group ?? '', ref.kind ?? 'Service')) continue;
      const backend: Backend = { namespace: typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : namespace, name: ref.name };
      if (typeof ref.port === 'number') backend.port = ref.port;
      out.push(backend);
    }
  }
  return out;
}

/**
 * A backendRef that reaches the pods of a Service of that name: a Service, or a multi-cluster
 * ServiceImport (GEP-1748; GKE's multi-cluster Gateways use `net.gke.io`), whose load balancer
 * sends to the pods of the same-named Service in each member cluster, this one included.
 */
function isServiceBackend(group: unknown, kind: unknown): boolean {
  if (kind === 'Service') return group === '';
  return kind === 'ServiceImport' && (group === 'net.gke.io' || group === 'multicluster.x-k8s.io');
}
