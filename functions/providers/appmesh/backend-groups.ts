/**
 * BackendGroups (aws-app-mesh-controller-for-k8s apis/appmesh/v1beta2/backendgroup_types.go,
 * docs "Backend Groups"). A VirtualNode's `spec.backendGroups` lists BackendGroup references
 * {name, namespace?}, the namespace defaulting to the node's; each group's
 * `spec.virtualservices` (spelled in lower case, as the Go json tag is) lists VirtualService
 * references, and the controller makes every one a backend of the node. The name `*` stands
 * for every VirtualService of that namespace. Those backends have no `clientPolicy` of their
 * own, so the node's `backendDefaults.clientPolicy` applies to them.
 *
 * The controller honours backendGroups only when it runs with `enableBackendGroups=true` (an
 * experimental feature); meshgov cannot see the controller's flags and reads them as honoured,
 * since that is what a manifest that uses them expects.
 */
import { isLooseRecord as isObject } from '../../core/is-record';
import type { KubeObject } from '../../core/model/inventory';
import { reportProblem, type ReadContext } from './normalize-tls';
import type { AppMeshBackend, AppMeshGraph, AppMeshRef, AppMeshVirtualNode } from './types';

interface ServiceRef {
  namespace: string;
  name: string;
}

/** The BackendGroups read, by `namespace/name`. */
export type BackendGroups = Map<string, ServiceRef[]>;

export const WILDCARD_GROUP = '*';

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * Records one BackendGroup CRD. An entry without `namespace` is read in the group's own
 * namespace, the "referencing object" of apis/appmesh/v1beta2 `VirtualServiceReference` ("If
 * unspecified, defaults to the referencing object's namespace"). Not confirmed against the
 * controller's code: its resolvers default to the namespace of whatever object they are handed
 * (pkg/references/object_key.go `ObjectKeyForVirtualServiceReference(obj, ref)`), only the
 * VirtualNode is reconciled, and the code that expands a group into backends was not in the
 * sources checked, so the node's namespace (or a refusal) is possible too.
 */
export function readBackendGroup(doc: KubeObject, groups: BackendGroups): void {
  const namespace = doc.metadata.namespace ?? 'default';
  const listed = isObject(doc.spec) ? doc.spec.virtualservices : undefined;
  const refs: ServiceRef[] = [];
  if (Array.isArray(listed)) {
    for (const ref of listed) {
      if (!isObject(ref) || typeof ref.name !== 'string' || ref.name === '') continue;
      refs.push({ namespace: typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : namespace, name: ref.name });
    }
  }
  groups.set(keyOf(namespace, doc.metadata.name), refs);
}

/** The VirtualServices one `backendGroups` entry names; undefined when its group was not read. */
function servicesOf(groupName: string, namespace: string, node: AppMeshVirtualNode, graph: AppMeshGraph, groups: BackendGroups): ServiceRef[] | undefined {
  if (groupName !== WILDCARD_GROUP) return groups.get(keyOf(namespace, groupName));
  const out: ServiceRef[] = [];
  for (const service of graph.services) {
    // Only VirtualService CRDs live in a namespace, and the controller refuses a backend of another mesh.
    if (service.origin === 'crd' && service.namespace === namespace && service.mesh === node.mesh) out.push({ namespace, name: service.name });
  }
  return out;
}

/** `namespace/name` of the VirtualService CRDs the node already names in `spec.backends`. */
function explicitBackends(node: AppMeshVirtualNode): Set<string> {
  const out = new Set<string>();
  for (const backend of node.backends) if (backend.service.via === 'k8s') out.add(keyOf(backend.service.namespace, backend.service.name));
  return out;
}

/** The backends the node's `spec.backendGroups` add, after those of `spec.backends` (which keep their own clientPolicy). */
function addNodeGroupBackends(node: AppMeshVirtualNode, graph: AppMeshGraph, groups: BackendGroups, ctx: ReadContext): void {
  const entries = node.rawSpec.backendGroups;
  if (!Array.isArray(entries) || entries.length === 0) return;
  const seen = explicitBackends(node);
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index];
    if (!isObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
      reportProblem(ctx, `spec.backendGroups[${index}].name`, 'backend group reference has no name');
      continue;
    }
    const namespace = typeof entry.namespace === 'string' && entry.namespace ? entry.namespace : (node.namespace ?? 'default');
    const services = servicesOf(entry.name, namespace, node, graph, groups);
    if (!services) {
      reportProblem(
        ctx,
        `spec.backendGroups[${index}].name`,
        `BackendGroup ${namespace}/${entry.name} is not among the objects read: the virtual services it adds as backends of ${node.kind} ${node.namespace}/${node.name} are not audited`,
      );
      continue;
    }
    for (const ref of services) {
      const key = keyOf(ref.namespace, ref.name);
      if (seen.has(key)) continue;
      seen.add(key);
      const service: AppMeshRef = { via: 'k8s', kind: 'VirtualService', namespace: ref.namespace, name: ref.name, awsMesh: node.awsMesh };
      const backend: AppMeshBackend = { index: -1, service, serviceName: ref.name, clientPolicy: undefined };
      backend.group = { index, name: entry.name, namespace };
      node.backends.push(backend);
    }
  }
}

/** Gives every VirtualNode CRD the backends its `spec.backendGroups` name; once every object is read, as `*` needs the namespace's services. */
export function addGroupBackends(graph: AppMeshGraph, groups: BackendGroups, ctx: ReadContext): void {
  for (const node of graph.nodes) {
    if (node.origin !== 'crd') continue;
    ctx.source = node.source;
    ctx.kind = node.kind;
    ctx.name = node.name;
    ctx.mesh = node.mesh;
    addNodeGroupBackends(node, graph, groups, ctx);
  }
}
