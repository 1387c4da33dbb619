import { editDistance } from '../../core/edit-distance';
import { quoteValue } from '../../core/truncate';
import { isLooseRecord as isObject } from '../../core/is-record';
import { apiGroupOf, APPMESH_KIND_OF_TYPE, APPMESH_LIST_MEMBER, APPMESH_NAME_FIELDS, type AppMeshApiType, type EnvoyInput, type Inventory, type KubeObject } from '../../core/model/inventory';
import type { Provider, SourceRef } from '../../core/model/types';
import { adminVersion, isEnvoyConfigDump } from '../envoy/config-dump';
import { metadataProblems } from './object-metadata';
import { problemNamespaceOf } from '../../core/model/locate-problems';
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
    // Sidecar: an egress that leaves a host out sends calls to it through in plaintext (istio/sidecarScope.ts).
    audited: ['DestinationRule', 'ServiceEntry', 'Sidecar'],
    other: ['VirtualService', 'Gateway', 'WorkloadEntry', 'WorkloadGroup', 'EnvoyFilter', 'ProxyConfig'],
  },
  'appmesh.k8s.aws': {
    provider: 'appmesh',
    versions: ['v1beta2'],
    // BackendGroup: its virtual services are backends of the VirtualNodes that list it (appmesh/backend-groups.ts).
    audited: ['Mesh', 'VirtualNode', 'VirtualGateway', 'VirtualService', 'VirtualRouter', 'GatewayRoute', 'BackendGroup'],
    other: [],
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

/** The kinds whose objects are workloads: their name is only a label in messages and ids, so a generated one (generateName) will do. */
const GENERATED_NAME_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

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

/**
 * Whether a parsed document is, or (an array) holds, an input meshgov reads: an object with an
 * apiVersion and a kind, an Envoy bootstrap or config dump, App Mesh API output, certificates.
 * A file one of whose documents does not parse is read for its other documents when one of them
 * is such an input, whatever its first line is (collect.ts).
 */
export function isRecognisedDocument(doc: RawDocument): boolean {
  if (doc.format === 'pem') return true;
  return Array.isArray(doc.body) ? doc.body.some(isRecognisedValue) : isRecognisedValue(doc.body);
}

function isRecognisedValue(value: unknown): boolean {
  if (!isObject(value)) return false;
  return (typeof value.apiVersion === 'string' && typeof value.kind === 'string') || isEnvoyInput(value) || appMeshApiObject(value) !== undefined;
}

function isEnvoyInput(value: Record<string, unknown>): boolean {
  return isObject(value.static_resources) || isObject(value.staticResources) || isEnvoyConfigDump(value);
}

function classifyValue(value: unknown, source: SourceRef, inventory: Inventory, path: string, itemLines?: number[], entryLines?: EnvoyInput['entryLines']): void {
  if (!isObject(value)) {
    const note = pemWithoutCertificate(value);
    inventory.unknown.push(note ? { doc: value, source, note } : { doc: value, source });
    return;
  }
  if (typeof value.apiVersion === 'string' && typeof value.kind === 'string') {
    classifyKubernetes(value, source, inventory, path, itemLines);
    return;
  }
  if (isEnvoyInput(value)) {
    inventory.envoy.push(entryLines ? { doc: value, source, entryLines } : { doc: value, source });
    return;
  }
  const appmesh = appMeshApiObject(value);
  if (appmesh) {
    inventory.appmeshApi.push({ doc: appmesh, source });
    return;
  }
  const listed = appMeshListOutput(value) ?? (adminVersion(value) === 'v2' ? V2_CONFIG_DUMP : undefined);
  if (listed) {
    inventory.unknown.push({ doc: value, source, note: listed });
    return;
  }
  inventory.unknown.push({ doc: value, source });
}

/** A key or a CSR beside the certificates (tls.key, ca-key.pem) reads as a YAML string: say what it is. */
function pemWithoutCertificate(value: unknown): string | undefined {
  const pem = typeof value === 'string' ? /-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(value) : null;
  if (!pem) return undefined;
  // A .p7b bundle holds certificates, but not as CERTIFICATE blocks: say how to get at them.
  if (pem[1] === 'PKCS7') return PKCS7_NOTE;
  return `a PEM ${pem[1]} with no certificate: meshgov checks certificates only`;
}

/** What to do with a PKCS #7 bundle (PEM or DER), which node:crypto cannot open. */
export const PKCS7_NOTE = 'a PKCS #7 bundle (.p7b), whose certificates meshgov does not read: give it `openssl pkcs7 -print_certs -in FILE` output instead';

const V2_CONFIG_DUMP = 'an Envoy config dump of the v2 admin API (envoy.admin.v2alpha), which Envoy removed in 1.18; give meshgov the /config_dump of an Envoy that serves v3';

function classifyKubernetes(value: Record<string, unknown>, source: SourceRef, inventory: Inventory, path: string, itemLines?: number[]): void {
  const kind = value.kind as string;
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    const items = Array.isArray(value.items) ? value.items : [];
    // A typed list as the API server returns it (`kubectl get --raw`, client libraries) leaves the
    // items' apiVersion and kind out: they are the list's, its kind without `List`.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    items.forEach((item, i) =>
      classifyValue(itemKind ? typedListItem(item, value.apiVersion as string, itemKind) : item, { file: source.file, line: itemLines?.[i] ?? source.line }, inventory, `${path}${path ? '.' : ''}items[${i}]`),
    );
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
  let metadata = value.metadata;
  if (!isNamed(metadata)) {
    // Past checkMeshGroup, an object of a mesh group is of a kind meshgov audits.
    const readsKind = core ? Object.hasOwn(core.read, kind) : Object.hasOwn(MESH_GROUPS, apiGroupOf(value.apiVersion as string));
    if (metadata === undefined && !readsKind) {
      // A tool's own configuration file (a kustomization, skaffold.yaml, a kind cluster, a
      // kubeconfig) has an apiVersion and kind but no metadata: not an API object.
      inventory.unknown.push({ doc: value, source });
      return;
    }
    const named = readsKind && GENERATED_NAME_KINDS.has(kind) ? withGeneratedName(value) : undefined;
    if (named) {
      value = named;
      metadata = named.metadata;
    }
  }
  if (!isNamed(metadata)) {
    inventory.problems.push({
      file: source.file,
      line: source.line,
      field: `${path}${path ? '.' : ''}metadata.name`,
      message: `${value.apiVersion} ${kind} ${describeName(metadata)}`,
      kind,
      // Placed where kubectl would place it (`default` when unset), as the object's other problems are.
      ...namespaceField(problemNamespaceOf({ kind, metadata: isObject(metadata) ? metadata : undefined })),
    });
    return;
  }
  let placed = true;
  for (const problem of metadataProblems(value, path)) {
    inventory.problems.push({ file: source.file, line: source.line, field: problem.field, message: `${value.apiVersion} ${kind} ${metadata.name}: ${problem.message}`, kind, name: metadata.name, ...namespaceField(problemNamespaceOf({ kind, metadata })), ...providerOf(value) });
    if (problem.fatal) placed = false;
  }
  if (placed) inventory.kubernetes.push({ doc: value as unknown as KubeObject, source });
}

function namespaceField(namespace: string | undefined): { namespace?: string } {
  return namespace === undefined ? {} : { namespace };
}

/** Metadata with a name, as the API server requires of every object it stores. */
function isNamed(metadata: unknown): metadata is Record<string, unknown> & { name: string } {
  return isObject(metadata) && typeof metadata.name === 'string' && metadata.name !== '';
}

/**
 * A workload created with `metadata.generateName` (`kubectl create` of a Job run once per
 * release) has no name until the API server makes one: it is named by the prefix as written
 * (`orders-migrate-`), so its findings say which file it is and keep their ids from run to run.
 */
function withGeneratedName(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const metadata = value.metadata;
  if (!isObject(metadata) || (metadata.name !== undefined && metadata.name !== null && metadata.name !== '')) return undefined;
  const prefix = metadata.generateName;
  return typeof prefix === 'string' && prefix !== '' ? { ...value, metadata: { ...metadata, name: prefix } } : undefined;
}

/** An item of a typed list (`DeploymentList`), with the list's apiVersion and item kind where it leaves them out. */
function typedListItem(item: unknown, apiVersion: string, kind: string): unknown {
  if (!isObject(item) || (item.apiVersion !== undefined && item.kind !== undefined)) return item;
  return { apiVersion, kind, ...item };
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
  return `has a metadata.name that is not a string (${typeName(name)} ${quoteValue(name)}): quote it`;
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
  // boto3 keeps the HTTP response's ResponseMetadata beside the output's one member.
  const wrapper = keys.length === 1 ? keys[0] : keys.length === 2 && Object.hasOwn(value, 'ResponseMetadata') ? keys.find((k) => k !== 'ResponseMetadata') : undefined;
  if (wrapper !== undefined && Object.hasOwn(APPMESH_NAME_FIELDS, wrapper)) {
    const type = wrapper as AppMeshApiType;
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

/** The API type whose `*Ref`s each `aws appmesh list-*` output holds, by its member. */
const APPMESH_TYPE_OF_LIST_MEMBER: Readonly<Record<string, AppMeshApiType>> = Object.fromEntries(Object.entries(APPMESH_LIST_MEMBER).map(([type, member]) => [member, type as AppMeshApiType]));

/**
 * For the output of `aws appmesh list-virtual-nodes` and the other list-* commands, which
 * hold references (names and ARNs, no specs), what to give meshgov instead.
 */
function appMeshListOutput(value: Record<string, unknown>): string | undefined {
  let type: AppMeshApiType | undefined;
  for (const key in value) {
    if (key === 'nextToken' || key === 'ResponseMetadata') continue;
    if (type !== undefined || !Object.hasOwn(APPMESH_TYPE_OF_LIST_MEMBER, key)) return undefined;
    type = APPMESH_TYPE_OF_LIST_MEMBER[key];
    const refs = value[key];
    if (!Array.isArray(refs) || !refs.every((r) => isObject(r) && typeof r.meshName === 'string')) return undefined;
  }
  if (type === undefined) return undefined;
  const command = APPMESH_KIND_OF_TYPE[type].replace(/[A-Z]/g, (c, i: number) => `${i > 0 ? '-' : ''}${c.toLowerCase()}`);
  const plural = command === 'mesh' ? 'meshes' : `${command}s`;
  return `output of aws appmesh list-${plural}: ${APPMESH_KIND_OF_TYPE[type]}Refs, names without specs; give meshgov the output of aws appmesh describe-${command} for each`;
}
