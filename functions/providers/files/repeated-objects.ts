import { APPMESH_KIND_OF_TYPE, APPMESH_NAME_FIELDS, apiGroupOf, type AppMeshApiObject, type Inventory, type KubeObject, type Located, type RepeatedObject } from '../../core/model/inventory';
import { namespaceOfObject } from '../../core/model/locate-problems';
import type { ConfigProblem, Provider } from '../../core/model/types';
import { appMeshCrdCoordinates } from '../appmesh/crd-identity';
import { auditedAppMeshContent, auditedKubernetesContent, keptKubernetesContent, ONE_SIDED_KUBERNETES_FIELDS } from './audited-content';
import { formatFieldPath } from './field-path';
import { firstDifference, type FieldPath } from './first-difference';

/**
 * Objects that more than one input document defines: a rendered tree and a live export of the
 * same cluster, or two clusters' configuration given to one audit. Providers would each settle
 * such a pair their own way (one keeps the first copy, another the last), so the verdict on a
 * PeerAuthentication could hang on the order of the paths. Here the first copy is the one
 * audited, always, and every later copy is accounted for:
 *
 * - a copy that differs in what meshgov reads (audited-content.ts) is a `config-invalid`
 *   problem at its first such field, naming the copy that was audited;
 * - a copy that says the same, or differs only in what meshgov does not read (server defaults
 *   an export adds, tools' annotations), is set aside and listed in `inventory.repeated`, with
 *   its first other difference, for the CLI's notice.
 *
 * A cert-manager Certificate's status, which a manifest never has, is taken from the copy that
 * has one, so a live export's expiry is audited whatever the order. Only the file source calls
 * this: a live source lists each object once.
 */
export function setAsideRepeatedObjects(inventory: Inventory): void {
  const repeated: RepeatedObject[] = [];
  inventory.kubernetes = keepFirstCopies(inventory.kubernetes, KUBERNETES, inventory.problems, repeated);
  inventory.appmeshApi = keepFirstCopies(inventory.appmeshApi, APP_MESH, inventory.problems, repeated);
  if (repeated.length > 0) inventory.repeated = [...(inventory.repeated ?? []), ...repeated];
}

/** How one input kind names, compares and describes its objects. */
interface Reading<T> {
  /** The object's name; copies share it. Undefined for an object that has none. */
  identity(doc: T): string | undefined;
  /** Coordinates that set apart objects of one identity when both copies give them (an ARN's region and account). */
  discriminators?(doc: T): Record<string, string | undefined>;
  /** What meshgov reads of the object. */
  audited(doc: T): Record<string, unknown>;
  /** The object less what only the server and tools write: differences here and not in `audited` are noted. */
  kept(doc: T): Record<string, unknown>;
  /** Top-level-or-deeper fields that count only when both copies have them: a manifest leaves out what a controller fills in. */
  oneSided?(doc: T): readonly FieldPath[];
  /** True when the object's values must never be quoted (a Secret's: private keys sit beside its certificates). */
  secret?(doc: T): boolean;
  /** The first copy with what the later one adds (a Certificate's status), when it adds something meshgov reads. */
  completed?(first: T, later: T): T | undefined;
  describe(doc: T): Description;
}

interface Description {
  what: string;
  kind: string;
  name: string;
  provider?: Provider;
  namespace?: string;
  mesh?: string;
}

interface Entry<T> {
  item: Located<T>;
  index: number;
  discriminators: Record<string, string | undefined>;
}

function keepFirstCopies<T>(items: Array<Located<T>>, reading: Reading<T>, problems: ConfigProblem[], repeated: RepeatedObject[]): Array<Located<T>> {
  // One entry per name, a list only for names that several objects share (two regions' meshes).
  const groups = new Map<string, Entry<T> | Array<Entry<T>>>();
  let kept: Array<Located<T> | undefined> | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const key = reading.identity(item.doc);
    if (key === undefined) continue;
    const discriminators = reading.discriminators?.(item.doc) ?? NO_COORDINATES;
    const group = groups.get(key);
    const first = group === undefined ? undefined : Array.isArray(group) ? group.find((e) => sameCoordinates(e.discriminators, discriminators)) : sameCoordinates(group.discriminators, discriminators) ? group : undefined;
    if (!first) {
      const entry = { item, index: i, discriminators };
      if (group === undefined) groups.set(key, entry);
      else if (Array.isArray(group)) group.push(entry);
      else groups.set(key, [group, entry]);
      continue;
    }
    // Copied only once a repeat shows up: most fleets have none.
    kept ??= items.slice();
    kept[i] = undefined;
    const completed = reading.completed?.(first.item.doc, item.doc);
    if (completed !== undefined) {
      first.item = { ...first.item, doc: completed };
      kept[first.index] = first.item;
    }
    compareCopies(first.item, item, reading, problems, repeated);
  }
  return kept ? kept.filter((k): k is Located<T> => k !== undefined) : items;
}

const NO_COORDINATES: Record<string, string | undefined> = {};

/** Two coordinates disagree only when both copies give them. */
function sameCoordinates(a: Record<string, string | undefined>, b: Record<string, string | undefined>): boolean {
  for (const key of Object.keys(a)) if (a[key] !== undefined && b[key] !== undefined && a[key] !== b[key]) return false;
  return true;
}

function compareCopies<T>(first: Located<T>, later: Located<T>, reading: Reading<T>, problems: ConfigProblem[], repeated: RepeatedObject[]): void {
  const skip = [...(reading.oneSided?.(first.doc) ?? []), ...(reading.oneSided?.(later.doc) ?? [])];
  const d = reading.describe(later.doc);
  const where = `${first.source.file}:${first.source.line}`;
  const audited = firstDifference(reading.audited(first.doc), reading.audited(later.doc), skip);
  if (audited === undefined) {
    const other = firstDifference(reading.kept(first.doc), reading.kept(later.doc), skip);
    repeated.push({ source: later.source, first: first.source, what: d.what, ...(other ? { otherDifference: formatFieldPath(other.path) } : {}) });
    return;
  }
  const { what, ...coordinates } = d;
  const field = formatFieldPath(audited.path);
  const values = reading.secret?.(later.doc) ? '' : audited.values ? ` (${audited.values.later} here, ${audited.values.first} there)` : '';
  problems.push({
    file: later.source.file,
    line: later.source.line,
    ...(audited.path.length > 0 ? { field } : {}),
    message: `${what} is defined again here, differently from ${where}${values}: only the definition at ${where} is audited. Keep one definition, or audit each cluster's configuration on its own`,
    // The other copy's place moves with edits to its own file; the id should not.
    identity: `${what} defined again, differently at ${field}`,
    ...coordinates,
  });
}

const KUBERNETES: Reading<KubeObject> = {
  identity(doc) {
    const name = doc.metadata?.name;
    if (typeof name !== 'string') return undefined;
    // One object whatever version it is written in, and wherever a manifest without a namespace lands.
    return `${apiGroupOf(doc.apiVersion)}\0${doc.kind}\0${namespaceOfObject(doc) ?? ''}\0${name}`;
  },
  discriminators: appMeshCrdCoordinates,
  audited: auditedKubernetesContent,
  kept: keptKubernetesContent,
  oneSided: () => ONE_SIDED_KUBERNETES_FIELDS,
  secret: (doc) => doc.kind === 'Secret',
  completed(first, later) {
    // A cert-manager Certificate's status dates its certificate: the export that has it is the one to audit.
    if (!isCertManagerCertificate(first) || first.status !== undefined || later.status === undefined) return undefined;
    return { ...first, status: later.status };
  },
  describe(doc) {
    const namespace = namespaceOfObject(doc);
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
  },
};

function isCertManagerCertificate(doc: KubeObject): boolean {
  return doc.kind === 'Certificate' && apiGroupOf(doc.apiVersion) === 'cert-manager.io';
}

function crdMesh(doc: KubeObject): string | undefined {
  const spec = doc.spec as { meshRef?: { name?: unknown }; awsName?: unknown } | undefined;
  const name = doc.kind === 'Mesh' ? (spec?.awsName ?? doc.metadata.name) : spec?.meshRef?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The object's name within its mesh: a route is named within its router, a gateway route within its gateway. */
const APPMESH_PARENT: Partial<Record<string, string>> = { route: 'virtualRouterName', gatewayRoute: 'virtualGatewayName' };

const APP_MESH: Reading<AppMeshApiObject> = {
  identity(object) {
    const data = object.data as Record<string, unknown> | undefined;
    const name = appMeshName(object);
    if (!data || name === undefined) return undefined;
    const parent = APPMESH_PARENT[object.type];
    return `${object.type}\0${String(data.meshName)}\0${parent ? String(data[parent]) : ''}\0${name}`;
  },
  discriminators(object) {
    // describe-* output carries an ARN (region, account) and meshOwner; --cli-input-json neither.
    const metadata = (object.data as { metadata?: { arn?: unknown; meshOwner?: unknown } } | undefined)?.metadata;
    const arn = typeof metadata?.arn === 'string' ? metadata.arn.split(':') : [];
    const owner = typeof metadata?.meshOwner === 'string' ? metadata.meshOwner : arn[4] || undefined;
    return { region: arn[3] || undefined, owner };
  },
  audited: auditedAppMeshContent,
  kept: auditedAppMeshContent,
  // An --cli-input-json file has no status; describe-* output does.
  oneSided: () => [['status']],
  describe(object) {
    const data = object.data as Record<string, unknown>;
    const kind = APPMESH_KIND_OF_TYPE[object.type];
    const name = appMeshName(object)!;
    const mesh = typeof data.meshName === 'string' ? data.meshName : undefined;
    return { what: `App Mesh ${kind} ${object.type === 'mesh' ? name : `${mesh}/${name}`}`, kind, name, provider: 'appmesh', ...(mesh ? { mesh } : {}) };
  },
};

function appMeshName(object: AppMeshApiObject): string | undefined {
  const name = (object.data as Record<string, unknown> | undefined)?.[APPMESH_NAME_FIELDS[object.type]];
  return typeof name === 'string' ? name : undefined;
}
