import { APPMESH_KIND_OF_TYPE, apiGroupOf, type AppMeshApiObject, type Inventory, type KubeObject, type Located, type RepeatedObject } from '../../core/model/inventory';
import type { ConfigProblem, Provider } from '../../core/model/types';

/**
 * Objects that more than one input document defines: two overlapping exports of one cluster, or
 * two clusters' configuration given to one audit. Providers would each settle such a pair their
 * own way (one keeps the first copy, another the last), so the verdict on a PeerAuthentication
 * could hang on the order of the paths. Here the first copy is the one audited, always:
 *
 * - a later copy with the same content (status and server-set metadata aside) is set aside,
 *   and listed in `inventory.repeated` for the CLI's notice;
 * - a later copy that differs is a `config-invalid` problem at its first differing field,
 *   naming the copy that was audited, so the difference is never silently dropped.
 *
 * Only the file source calls this: a live source lists each object once.
 */
export function setAsideRepeatedObjects(inventory: Inventory): void {
  const repeated: RepeatedObject[] = [];
  inventory.kubernetes = keepFirstCopies(inventory.kubernetes, kubernetesIdentity, kubernetesContent, describeKubernetes, inventory.problems, repeated);
  inventory.appmeshApi = keepFirstCopies(inventory.appmeshApi, appMeshIdentity, (o) => ({ spec: o.data?.spec }), describeAppMesh, inventory.problems, repeated);
  if (repeated.length > 0) inventory.repeated = [...(inventory.repeated ?? []), ...repeated];
}

interface Description {
  what: string;
  kind: string;
  name: string;
  provider?: Provider;
  namespace?: string;
  mesh?: string;
}

function keepFirstCopies<T>(
  items: Array<Located<T>>,
  identity: (doc: T) => string | undefined,
  content: (doc: T) => unknown,
  describe: (doc: T) => Description,
  problems: ConfigProblem[],
  repeated: RepeatedObject[],
): Array<Located<T>> {
  const firsts = new Map<string, Located<T>>();
  let kept: Array<Located<T>> | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const key = identity(item.doc);
    const first = key === undefined ? undefined : firsts.get(key);
    if (first === undefined) {
      if (key !== undefined) firsts.set(key, item);
      kept?.push(item);
      continue;
    }
    // Copied only once a repeat shows up: most fleets have none.
    kept ??= items.slice(0, i);
    const d = describe(item.doc);
    const difference = firstDifference(content(first.doc), content(item.doc));
    if (difference === undefined) {
      repeated.push({ source: item.source, first: first.source, what: d.what });
      continue;
    }
    const { what, ...coordinates } = d;
    const where = `${first.source.file}:${first.source.line}`;
    problems.push({
      file: item.source.file,
      line: item.source.line,
      ...(difference.length > 0 ? { field: formatField(difference) } : {}),
      message: `${what} is defined again here, differently from ${where}: only the definition at ${where} is audited. Keep one definition, or audit each cluster's configuration on its own`,
      ...coordinates,
    });
  }
  return kept ?? items;
}

function kubernetesIdentity(doc: KubeObject): string | undefined {
  const name = doc.metadata?.name;
  if (typeof name !== 'string') return undefined;
  // One object whatever version it is written in: v1 and v1beta1 of a PeerAuthentication are the same object.
  return `${apiGroupOf(doc.apiVersion)}\0${doc.kind}\0${doc.metadata.namespace ?? ''}\0${name}`;
}

/** What the server sets and an export adds, none of which meshgov reads. */
const SERVER_SET_METADATA = new Set(['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'ownerReferences']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The object as meshgov reads it, so that a `kubectl get -o yaml` export and the manifest it was
 * applied from compare equal: status is left out (except a cert-manager Certificate's, which
 * dates the certificate), and so are the fields the server sets and the version it is written in.
 */
function kubernetesContent(doc: KubeObject): unknown {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.metadata ?? {})) {
    if (SERVER_SET_METADATA.has(key)) continue;
    if (key === 'annotations' && value !== null && typeof value === 'object') {
      const { [LAST_APPLIED]: _applied, ...rest } = value as Record<string, unknown>;
      metadata[key] = rest;
    } else metadata[key] = value;
  }
  // The version is left out too: v1beta1 and v1 of one PeerAuthentication are one object.
  const { status, metadata: _metadata, apiVersion: _version, ...rest } = doc;
  const keepsStatus = doc.kind === 'Certificate' && apiGroupOf(doc.apiVersion) === 'cert-manager.io';
  return keepsStatus ? { ...rest, metadata, status } : { ...rest, metadata };
}

function describeKubernetes(doc: KubeObject): Description {
  const namespace = doc.metadata.namespace;
  const group = apiGroupOf(doc.apiVersion);
  const provider: Provider | undefined = group.endsWith('istio.io') ? 'istio' : group === 'appmesh.k8s.aws' ? 'appmesh' : undefined;
  // The copy is no longer in the inventory, where other problems find their mesh: an App Mesh CRD names it here.
  const mesh = provider === 'appmesh' ? crdMesh(doc) : undefined;
  return {
    what: `${doc.kind} ${namespace ? `${namespace}/` : ''}${doc.metadata.name}`,
    kind: doc.kind,
    name: doc.metadata.name,
    ...(provider ? { provider } : {}),
    ...(namespace ? { namespace } : {}),
    ...(mesh ? { mesh } : {}),
  };
}

function crdMesh(doc: KubeObject): string | undefined {
  const spec = doc.spec as { meshRef?: { name?: unknown }; awsName?: unknown } | undefined;
  const name = doc.kind === 'Mesh' ? (spec?.awsName ?? doc.metadata.name) : spec?.meshRef?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The object's name within its mesh: a route is named within its router, a gateway route within its gateway. */
const APPMESH_PARENT = { route: 'virtualRouterName', gatewayRoute: 'virtualGatewayName' } as const;

function appMeshIdentity(object: AppMeshApiObject): string | undefined {
  const data = object.data as Record<string, unknown> | undefined;
  const name = appMeshName(object);
  if (!data || name === undefined) return undefined;
  // An ARN holds region and account: two regions' meshes of one name are different objects.
  const arn = (data.metadata as { arn?: unknown } | undefined)?.arn;
  if (typeof arn === 'string' && arn !== '') return arn;
  const parentField = (APPMESH_PARENT as Partial<Record<string, string>>)[object.type];
  const owner = (data.metadata as { meshOwner?: unknown } | undefined)?.meshOwner;
  return `${object.type}\0${String(data.meshName)}\0${typeof owner === 'string' ? owner : ''}\0${parentField ? String(data[parentField]) : ''}\0${name}`;
}

function appMeshName(object: AppMeshApiObject): string | undefined {
  const data = object.data as Record<string, unknown> | undefined;
  const field = object.type === 'mesh' ? 'meshName' : `${object.type}Name`;
  const name = data?.[field];
  return typeof name === 'string' ? name : undefined;
}

function describeAppMesh(object: AppMeshApiObject): Description {
  const data = object.data as Record<string, unknown>;
  const kind = APPMESH_KIND_OF_TYPE[object.type];
  const name = appMeshName(object)!;
  const mesh = typeof data.meshName === 'string' ? data.meshName : undefined;
  return { what: `App Mesh ${kind} ${object.type === 'mesh' ? name : `${mesh}/${name}`}`, kind, name, provider: 'appmesh', ...(mesh ? { mesh } : {}) };
}

/**
 * The path of the first place two parsed documents differ, in key order of the first; [] when
 * they differ at the top; undefined when they are the same.
 */
export function firstDifference(a: unknown, b: unknown): Array<string | number> | undefined {
  if (Object.is(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return [i];
      const inner = firstDifference(a[i], b[i]);
      if (inner) return [i, ...inner];
    }
    return undefined;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !Object.hasOwn(a, k))];
    for (const key of keys) {
      const left = unset(a[key]);
      const right = unset(b[key]);
      const inner = firstDifference(left, right);
      if (inner) return [key, ...inner];
    }
    return undefined;
  }
  return [];
}

/** A key set to null, an empty map or list (or a map of only such keys), and a key left out say the same thing to the API server. */
function unset(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value;
  if (isPlainObject(value) && Object.values(value).every((v) => unset(v) === undefined)) return undefined;
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A field path as problems name it: `spec.mtls.mode`, `metadata.labels["istio-injection"]`. */
function formatField(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
