import { editDistance } from '../../core/edit-distance';
import { isLooseRecord as isObject } from '../../core/is-record';
import { APPMESH_NAME_FIELDS, type AppMeshApiType, type EnvoyInput, type Inventory, type KubeObject } from '../../core/model/inventory';
import type { Provider, SourceRef } from '../../core/model/types';
import { metadataProblems } from './object-metadata';
import type { RawDocument } from './parse-documents';

/** Most specific first: a route also carries virtualRouterName, a gateway route virtualGatewayName. */
const APPMESH_BARE_ORDER: AppMeshApiType[] = ['gatewayRoute', 'route', 'virtualNode', 'virtualGateway', 'virtualService', 'virtualRouter', 'mesh'];

/**
 * The mesh API groups meshgov reads: the versions each serves, the kinds meshgov audits and the
 * other kinds the group serves. In these groups an unknown version or kind is a typo that would
 * otherwise drop the object without a word (`security.istio.io/v1beta`); a served kind that
 * meshgov does not audit (AuthorizationPolicy) is skipped, and the CLI lists it.
 */
const MESH_GROUPS: Readonly<Record<string, { provider: Provider; versions: readonly string[]; audited: readonly string[]; other: readonly string[] }>> = {
  'security.istio.io': { provider: 'istio', versions: ['v1', 'v1beta1'], audited: ['PeerAuthentication'], other: ['AuthorizationPolicy', 'RequestAuthentication'] },
  'networking.istio.io': {
    provider: 'istio',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    audited: ['DestinationRule', 'ServiceEntry'],
    other: ['VirtualService', 'Gateway', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup', 'EnvoyFilter', 'ProxyConfig'],
  },
  'appmesh.k8s.aws': {
    provider: 'appmesh',
    versions: ['v1beta2'],
    audited: ['Mesh', 'VirtualNode', 'VirtualGateway', 'VirtualService', 'VirtualRouter', 'GatewayRoute'],
    other: ['BackendGroup'],
  },
  'cert-manager.io': { provider: 'x509', versions: ['v1'], audited: ['Certificate'], other: ['CertificateRequest', 'Issuer', 'ClusterIssuer'] },
};

/**
 * The Kubernetes kinds meshgov reads from the core (`v1`), `apps` and `batch` groups, and every other kind
 * those groups serve. Those groups serve far more than meshgov reads, and manifests hold them all,
 * so only a kind that is none of them and within two letters of one meshgov reads is taken for a
 * typo (`kind: Namespce`), which would otherwise drop the object without a word.
 */
const CORE_GROUPS: Readonly<Record<string, { read: Readonly<Record<string, Provider>>; served: readonly string[] }>> = {
  v1: {
    // Secrets hold certificates; a ConfigMap is Istio's mesh config or its root certificate.
    read: { Namespace: 'istio', Service: 'istio', Pod: 'istio', Secret: 'x509', ConfigMap: 'istio' },
    served: ['Binding', 'ComponentStatus', 'Endpoints', 'Event', 'LimitRange', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'ServiceAccount'],
  },
  'apps/v1': { read: { Deployment: 'istio', StatefulSet: 'istio', DaemonSet: 'istio' }, served: ['ReplicaSet', 'ControllerRevision'] },
  // Job and CronJob are all that batch/v1 serves; their pod templates are workloads.
  'batch/v1': { read: { Job: 'istio', CronJob: 'istio' }, served: [] },
};

/** Sorts one parsed document (or each element of an array or List) into the inventory by its content. */
export function classifyDocument(doc: RawDocument, inventory: Inventory): void {
  const source: SourceRef = { file: doc.file, line: doc.line };
  if (doc.format === 'pem') {
    inventory.pem.push({ doc: { text: doc.body as string }, source });
    return;
  }
  if (Array.isArray(doc.body)) {
    doc.body.forEach((item, i) => classifyValue(item, { file: doc.file, line: doc.elementLines?.[i] ?? doc.line }, inventory, `[${i}]`));
    return;
  }
  classifyValue(doc.body, source, inventory, '', doc.elementLines, doc.entryLines);
}

function isEnvoyBootstrap(value: Record<string, unknown>): boolean {
  return isObject(value.static_resources) || isObject(value.staticResources);
}

function classifyValue(value: unknown, source: SourceRef, inventory: Inventory, path: string, itemLines?: number[], entryLines?: EnvoyInput['entryLines']): void {
  if (!isObject(value)) {
    inventory.unknown.push({ doc: value, source });
    return;
  }
  if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') {
    classifyKubernetes(value, source, inventory, path, itemLines);
    return;
  }
  if (isEnvoyBootstrap(value)) {
    inventory.envoy.push(entryLines ? { doc: value, source, entryLines } : { doc: value, source });
    return;
  }
  const appmesh = appMeshApiObject(value);
  if (appmesh) {
    inventory.appmeshApi.push({ doc: appmesh, source });
    return;
  }
  inventory.unknown.push({ doc: value, source });
}

function classifyKubernetes(value: Record<string, unknown>, source: SourceRef, inventory: Inventory, path: string, itemLines?: number[]): void {
  const kind = value.kind as string;
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    const items = Array.isArray(value.items) ? value.items : [];
    items.forEach((item, i) => classifyValue(item, { file: source.file, line: itemLines?.[i] ?? source.line }, inventory, `${path}${path ? '.' : ''}items[${i}]`));
    return;
  }
  if (!checkMeshGroup(value, source, inventory, path)) return;
  const core = Object.hasOwn(CORE_GROUPS, value.apiVersion as string) ? CORE_GROUPS[value.apiVersion as string] : undefined;
  if (core && !Object.hasOwn(core.read, kind) && !core.served.includes(kind)) {
    const meant = Object.keys(core.read).find((k) => k.toLowerCase() === kind.toLowerCase() || (Math.abs(k.length - kind.length) <= 2 && editDistance(k, kind) <= 2));
    if (meant) {
      pushGroupProblem(inventory, value, source, path, core.read[meant]!, 'kind', `${value.apiVersion} has no kind "${kind}"; did you mean ${meant}?`);
      return;
    }
  }
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    inventory.problems.push({
      file: source.file,
      line: source.line,
      field: `${path}${path ? '.' : ''}metadata.name`,
      message: `${value.apiVersion} ${kind} ${describeName(metadata)}`,
      kind,
      ...(isObject(metadata) && typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    });
    return;
  }
  let placed = true;
  for (const problem of metadataProblems(value, path)) {
    inventory.problems.push({ file: source.file, line: source.line, field: problem.field, message: `${value.apiVersion} ${kind} ${metadata.name}: ${problem.message}`, kind, name: metadata.name, ...providerOf(value) });
    if (problem.fatal) placed = false;
  }
  if (placed) inventory.kubernetes.push({ doc: value as unknown as KubeObject, source });
}

/** The provider whose input an object is, when its group says. */
function providerOf(value: Record<string, unknown>): { provider?: Provider } {
  const apiVersion = value.apiVersion as string;
  const kind = value.kind as string;
  const core = Object.hasOwn(CORE_GROUPS, apiVersion) ? CORE_GROUPS[apiVersion] : undefined;
  if (core) return Object.hasOwn(core.read, kind) ? { provider: core.read[kind] } : {};
  const group = apiVersion.split('/')[0]!;
  return Object.hasOwn(MESH_GROUPS, group) ? { provider: MESH_GROUPS[group]!.provider } : {};
}

/** Why a name is unusable: missing, or (as the API server would refuse it) not a string. */
function describeName(metadata: unknown): string {
  if (!isObject(metadata)) return metadata === undefined ? 'has no metadata' : `has metadata that is not an object (${typeName(metadata)})`;
  const name = metadata.name;
  if (name === undefined || name === null || name === '') return 'has no metadata.name';
  return `has a metadata.name that is not a string (${typeName(name)} ${JSON.stringify(name)}): quote it`;
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * False when the object belongs to a mesh API group but is not one meshgov audits: a version or
 * kind the group does not serve becomes a problem on that field, a served kind meshgov does not
 * audit is skipped.
 */
function checkMeshGroup(value: Record<string, unknown>, source: SourceRef, inventory: Inventory, path: string): boolean {
  const apiVersion = value.apiVersion as string;
  const kind = value.kind as string;
  const slash = apiVersion.indexOf('/');
  // `apiVersion: security.istio.io` (the version left out) is the same typo.
  const group = slash < 0 ? apiVersion : apiVersion.slice(0, slash);
  const served = Object.hasOwn(MESH_GROUPS, group) ? MESH_GROUPS[group] : undefined;
  if (!served) return true;
  const version = slash < 0 ? '' : apiVersion.slice(slash + 1);
  if (!served.versions.includes(version)) {
    pushGroupProblem(inventory, value, source, path, served.provider, 'apiVersion', `${kind} apiVersion "${apiVersion}" is not a version of ${group} that meshgov reads (served: ${served.versions.join(', ')})`);
    return false;
  }
  if (served.audited.includes(kind)) return true;
  if (served.other.includes(kind)) {
    inventory.unknown.push({ doc: value, source });
  } else {
    pushGroupProblem(inventory, value, source, path, served.provider, 'kind', `${group} has no kind "${kind}" (served: ${[...served.audited, ...served.other].join(', ')})`);
  }
  return false;
}

/** A problem on one field of an object of a mesh API group (a function of its own, not a closure made for every such object). */
function pushGroupProblem(inventory: Inventory, value: Record<string, unknown>, source: SourceRef, path: string, provider: Provider, field: string, message: string): void {
  const metadata = isObject(value.metadata) ? value.metadata : {};
  inventory.problems.push({
    file: source.file,
    line: source.line,
    field: `${path}${path ? '.' : ''}${field}`,
    message,
    kind: value.kind as string,
    provider,
    ...(typeof metadata.name === 'string' && metadata.name !== '' ? { name: metadata.name } : {}),
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
  });
}

function appMeshApiObject(value: Record<string, unknown>): { type: AppMeshApiType; data: any } | undefined {
  const keys = Object.keys(value);
  if (keys.length === 1 && Object.hasOwn(APPMESH_NAME_FIELDS, keys[0])) {
    const type = keys[0] as AppMeshApiType;
    const data = value[type];
    if (isObject(data) && typeof data.meshName === 'string') return { type, data };
  }
  if (typeof value.meshName === 'string' && ('spec' in value || 'metadata' in value)) {
    for (const type of APPMESH_BARE_ORDER) {
      if (typeof value[APPMESH_NAME_FIELDS[type]] === 'string') return { type, data: value };
    }
  }
  return undefined;
}

