/**
 * Turns a request path and method into what the API server's RequestInfoResolver would:
 * group, version, resource, namespace, name, subresource and the authorization verb.
 *
 *   /api/v1/pods                                            list pods (all namespaces)
 *   /api/v1/namespaces/payments                             the namespace `payments`
 *   /api/v1/namespaces/payments/pods/web-0                  one pod
 *   /apis/security.istio.io/v1/namespaces/payments/peerauthentications/default/status
 */
import { resourceAt, type ResourceType } from './resource-catalog';
import type { KubernetesVerb } from './types';

export interface ResourceRoute {
  resource: ResourceType;
  group: string;
  version: string;
  /** Set for namespaced requests; a namespaced resource without it is a cluster-wide list. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
  verb: KubernetesVerb;
}

/** Why a path is not a resource route. */
export type RouteFailure = 'not-found' | 'method-not-allowed';

function verbFor(method: string, hasName: boolean, watch: boolean): KubernetesVerb | undefined {
  switch (method) {
    case 'GET':
      return hasName ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return hasName ? undefined : 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

export function routeResourceRequest(method: string, path: string, watch: boolean): ResourceRoute | RouteFailure {
  let parts: string[];
  try {
    parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return 'not-found';
  }
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return 'not-found';
  }
  const version = rest[0]!;
  let segments = rest.slice(1);

  let namespace: string | undefined;
  // `namespaces/<ns>/<resource>…` addresses a namespaced collection; `namespaces/<name>[/status]` the namespace itself.
  if (segments[0] === 'namespaces' && segments.length >= 3 && segments[2] !== 'status' && segments[2] !== 'finalize') {
    namespace = segments[1];
    segments = segments.slice(2);
  }
  const [plural, name, subresource, ...extra] = segments;
  if (plural === undefined || extra.length > 0) return 'not-found';
  const resource = resourceAt(group, version, plural);
  if (resource === undefined) return 'not-found';
  if (namespace !== undefined && !resource.namespaced) return 'not-found';
  if (subresource !== undefined && (subresource !== 'status' || !resource.hasStatusSubresource)) return 'not-found';
  if (resource.namespaced && namespace === undefined && name !== undefined) return 'not-found';

  const verb = verbFor(method, name !== undefined, watch);
  if (verb === undefined || (subresource !== undefined && !['get', 'update', 'patch'].includes(verb))) return 'method-not-allowed';
  if (!resource.namespaced || namespace !== undefined || verb === 'list' || verb === 'watch') {
    const route: ResourceRoute = { resource, group, version, verb };
    if (namespace !== undefined) route.namespace = namespace;
    if (name !== undefined) route.name = name;
    if (subresource === 'status') route.subresource = 'status';
    return route;
  }
  // POST or DELETE on a cluster-wide path of a namespaced resource is not served.
  return 'method-not-allowed';
}
