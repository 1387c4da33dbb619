/**
 * The `protoPayload.resourceName` of a GKE audit log entry: the request path without `/apis`,
 * with `core` for the core group, e.g.
 * `security.istio.io/v1/namespaces/payments/peerauthentications/default`,
 * `core/v1/namespaces/payments/pods/api-0/status`, `rbac.authorization.k8s.io/v1/clusterroles/edit`
 * (falcosecurity/plugins k8saudit-gke convert.go; GKE audit logging overview).
 */
export interface KubernetesResourceName {
  group: string;
  /** Absent when the entry's resourceName leaves it out (`networking.istio.io/namespaces/…`). */
  version?: string;
  namespace?: string;
  /** Plural resource, as in the REST path: `peerauthentications`. */
  resource: string;
  /** Absent for a collection (a create with generateName, a deletecollection). */
  name?: string;
  subresource?: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// A Kubernetes API version (v1, v1beta1, v2alpha3): what tells `<group>/<version>/…` from `<group>/namespaces/…`.
const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;

export function parseResourceName(resourceName: string): KubernetesResourceName | undefined {
  const parts = resourceName.split('/');
  if (parts.some((p) => !SEGMENT.test(p)) || parts.length < 2) return undefined;
  // Entries also name resources without the version; reading `namespaces` as the version would
  // turn `<group>/namespaces/payments/peerauthentications/default` into resource "payments".
  const [group, ...afterGroup] = parts as [string, ...string[]];
  const version = VERSION.test(afterGroup[0]!) ? afterGroup.shift() : undefined;
  const rest = afterGroup;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest.splice(0, 2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return undefined;
  return {
    group,
    ...(version === undefined ? {} : { version }),
    resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}
