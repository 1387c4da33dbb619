/**
 * What the reader knows of one mesh: every resource's `*Data` as last read or as the latest
 * event carried it, keyed by type, parent and name, with `metadata.version` deciding which of
 * two copies is newer (App Mesh bumps it on every update, API Reference `ResourceMetadata`); a
 * copy without one never replaces a versioned copy unless its `lastUpdatedAt` is later.
 * Full reads and the revalidation of a scoped audit refresh it, describing only the resources
 * whose listed version differs from the copy held here.
 */
import type { AppMeshApiObject, AppMeshApiType, Located } from '../../../core/model/inventory';
import { API_KINDS } from './api-kinds';

/** Inventory order: meshes first, then the types in the order the model reads them, then by name. */
const TYPE_ORDER: AppMeshApiType[] = ['mesh', 'virtualNode', 'virtualGateway', 'virtualService', 'virtualRouter', 'route', 'gatewayRoute'];

export type ApplyOutcome = 'added' | 'updated' | 'unchanged' | 'stale';

interface Entry {
  type: AppMeshApiType;
  parentName: string;
  name: string;
  data: Record<string, any>;
}

export class MeshSnapshot {
  private readonly entries = new Map<string, Entry>();
  private sorted: Located<AppMeshApiObject>[] | undefined;

  /**
   * @param loadedAt epoch ms at which the full read that filled this snapshot began: changes
   * after that moment are known only through `apply`.
   */
  constructor(
    readonly meshName: string,
    readonly meshOwner: string,
    readonly loadedAt: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(type: AppMeshApiType, name: string, parentName?: string): Record<string, any> | undefined {
    return this.entries.get(entryKey(type, parentName, name))?.data;
  }

  /** Stores `data` as read from the API, replacing any copy. */
  put(type: AppMeshApiType, data: Record<string, any>): void {
    const id = identityOf(type, data);
    if (!id) return;
    this.entries.set(entryKey(type, id.parentName, id.name), { type, ...id, data });
    this.sorted = undefined;
  }

  /**
   * Stores `data` unless the snapshot already holds the same or a newer copy: events arrive at
   * least once and out of order. A different `uid` is a resource deleted and created again
   * under the same name; the later-created one wins.
   */
  apply(type: AppMeshApiType, data: Record<string, any>): ApplyOutcome {
    const id = identityOf(type, data);
    if (!id) return 'stale';
    const current = this.entries.get(entryKey(type, id.parentName, id.name));
    if (!current) {
      this.put(type, data);
      return 'added';
    }
    const verdict = compareCopies(current.data, data);
    if (verdict === 'older') return 'stale';
    if (verdict === 'same') return 'unchanged';
    this.put(type, withExactCreation(current.data, data));
    return 'updated';
  }

  /**
   * Forgets a deleted resource. With `uid`, only that incarnation: a later resource of the same
   * name stays. A router or gateway takes its routes with it (App Mesh refuses to delete a
   * parent that still has children, so they are already gone).
   */
  remove(type: AppMeshApiType, name: string, parentName?: string, uid?: string): boolean {
    const key = entryKey(type, parentName, name);
    const current = this.entries.get(key);
    if (!current) return false;
    if (uid !== undefined && current.data.metadata?.uid !== undefined && current.data.metadata.uid !== uid) return false;
    this.entries.delete(key);
    const child = type === 'virtualRouter' ? 'route' : type === 'virtualGateway' ? 'gatewayRoute' : undefined;
    if (child) {
      for (const [k, e] of this.entries) if (e.type === child && e.parentName === name) this.entries.delete(k);
    }
    this.sorted = undefined;
    return true;
  }

  /** The version and creation time of a held copy, for deciding whether a listed resource needs a Describe. */
  versionOf(type: AppMeshApiType, name: string, parentName?: string): { version?: number; createdAt?: number } | undefined {
    const data = this.get(type, name, parentName);
    if (!data) return undefined;
    return { version: data.metadata?.version, createdAt: timeOf(data.metadata?.createdAt) };
  }

  /** Names held of one type (under one parent for routes and gateway routes). */
  names(type: AppMeshApiType, parentName?: string): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (e.type === type && (parentName === undefined || e.parentName === parentName)) out.push(e.name);
    return out;
  }

  /** Every resource as inventory entries, in a fixed order, each located at its ARN. */
  inventory(): Located<AppMeshApiObject>[] {
    if (!this.sorted) {
      const all = [...this.entries.values()].sort(
        (a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || compare(a.parentName, b.parentName) || compare(a.name, b.name),
      );
      this.sorted = all.map((e) => ({
        doc: { type: e.type, data: e.data },
        source: { file: typeof e.data.metadata?.arn === 'string' ? e.data.metadata.arn : syntheticLocation(this, e), line: 1 },
      }));
    }
    return this.sorted;
  }

  /** A copy that starts at a new load time and holds the same entries (for revalidation). */
  reloadedAt(loadedAt: number): MeshSnapshot {
    const next = new MeshSnapshot(this.meshName, this.meshOwner, loadedAt);
    for (const [k, e] of this.entries) next.entries.set(k, e);
    return next;
  }
}

/**
 * Snapshots of the meshes one reader has seen, by mesh owner and name (a Lambda container keeps
 * one). Share it between the reader and the writer, so that the next revalidation finds
 * meshgov's own writes already held at their version and need not describe them again.
 *
 * @example
 * const cache = new MeshSnapshotCache();
 * const source = appMeshSource({ region: 'us-west-2', cache });
 * const executor = appMeshExecutor({ region: 'us-west-2', accountId: '111122223333', cache });
 */
export class MeshSnapshotCache {
  private readonly meshes = new Map<string, MeshSnapshot>();

  get(meshName: string, meshOwner: string): MeshSnapshot | undefined {
    return this.meshes.get(meshKey(meshName, meshOwner));
  }

  /**
   * The snapshot of `meshName` when the owner is not known: the one owned by `preferOwner`
   * (the caller's account, where App Mesh looks a mesh up by default), else the only one.
   */
  find(meshName: string, meshOwner?: string, preferOwner?: string): MeshSnapshot | undefined {
    if (meshOwner) return this.get(meshName, meshOwner);
    if (preferOwner) {
      const own = this.get(meshName, preferOwner);
      if (own) return own;
    }
    const candidates = [...this.meshes.values()].filter((s) => s.meshName === meshName);
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  set(snapshot: MeshSnapshot): void {
    this.meshes.set(meshKey(snapshot.meshName, snapshot.meshOwner), snapshot);
  }

  delete(meshName: string, meshOwner: string): void {
    this.meshes.delete(meshKey(meshName, meshOwner));
  }

  /** Meshes held, as `owner/name`. */
  keys(): string[] {
    return [...this.meshes.values()].map((s) => `${s.meshOwner}/${s.meshName}`);
  }

  /**
   * Takes in a resource's data from outside a read (the writer's own Update, whose CloudTrail
   * event the triggers ignore), when its mesh is held.
   */
  record(type: AppMeshApiType, data: Record<string, any>): ApplyOutcome | undefined {
    const meshName = data.meshName;
    const meshOwner = data.metadata?.meshOwner;
    if (typeof meshName !== 'string' || typeof meshOwner !== 'string') return undefined;
    return this.get(meshName, meshOwner)?.apply(type, data);
  }

  clear(): void {
    this.meshes.clear();
  }
}

function meshKey(meshName: string, meshOwner: string): string {
  return `${meshOwner}\u0000${meshName}`;
}

function entryKey(type: AppMeshApiType, parentName: string | undefined, name: string): string {
  return `${type}\u0000${parentName ?? ''}\u0000${name}`;
}

/** The name (and parent name) a `*Data` object carries for its type. */
export function identityOf(type: AppMeshApiType, data: Record<string, any>): { name: string; parentName: string } | undefined {
  const kind = API_KINDS[type];
  const name = data[kind.nameField];
  if (typeof name !== 'string' || name === '') return undefined;
  const parentName = kind.parentField ? data[kind.parentField] : '';
  if (typeof parentName !== 'string') return undefined;
  return { name, parentName };
}

/**
 * What became of one resource between two reads: `added`, `updated`, `unchanged`, `stale`
 * (the later read holds an older copy), `removed`, or `absent` (in neither).
 */
export function changeBetween(before: Record<string, any> | undefined, after: Record<string, any> | undefined): ApplyOutcome | 'removed' | 'absent' {
  if (!after) return before ? 'removed' : 'absent';
  if (!before) return 'added';
  const verdict = compareCopies(before, after);
  return verdict === 'older' ? 'stale' : verdict === 'same' ? 'unchanged' : 'updated';
}

function compareCopies(held: Record<string, any>, incoming: Record<string, any>): 'older' | 'same' | 'newer' {
  const heldUid = held.metadata?.uid;
  const incomingUid = incoming.metadata?.uid;
  if (typeof heldUid === 'string' && typeof incomingUid === 'string' && heldUid !== incomingUid) {
    const heldCreated = timeOf(held.metadata?.createdAt);
    const incomingCreated = timeOf(incoming.metadata?.createdAt);
    if (heldCreated !== undefined && incomingCreated !== undefined && incomingCreated < heldCreated) return 'older';
    return 'newer';
  }
  const heldVersion = held.metadata?.version;
  const incomingVersion = incoming.metadata?.version;
  if (typeof heldVersion === 'number' && typeof incomingVersion !== 'number') return byUpdateTime(held, incoming);
  if (typeof heldVersion !== 'number' || typeof incomingVersion !== 'number') return 'newer';
  if (incomingVersion < heldVersion) return 'older';
  return incomingVersion === heldVersion ? 'same' : 'newer';
}

/**
 * A copy without a version against a held one that has it: newer only when its `lastUpdatedAt`
 * is later than the held copy's. Without both times it cannot be ordered, and the held copy,
 * which App Mesh versioned, stays (a late copy would otherwise undo a newer change).
 */
function byUpdateTime(held: Record<string, any>, incoming: Record<string, any>): 'older' | 'same' | 'newer' {
  const heldAt = timeOf(held.metadata?.lastUpdatedAt);
  const incomingAt = timeOf(incoming.metadata?.lastUpdatedAt);
  if (heldAt === undefined || incomingAt === undefined || incomingAt < heldAt) return 'older';
  return incomingAt === heldAt ? 'same' : 'newer';
}

/**
 * `incoming` with the held copy's `createdAt` when both are the same incarnation (same uid) and
 * the incoming time is the held one cut to the second, as CloudTrail renders it: a List item
 * carries the exact time, and only an exact match spares the Describe of a revalidation.
 */
function withExactCreation(held: Record<string, any>, incoming: Record<string, any>): Record<string, any> {
  const uid = incoming.metadata?.uid;
  if (typeof uid !== 'string' || held.metadata?.uid !== uid) return incoming;
  const exact = timeOf(held.metadata?.createdAt);
  const rendered = timeOf(incoming.metadata?.createdAt);
  if (exact === undefined || rendered === undefined || exact === rendered) return incoming;
  if (rendered % 1000 !== 0 || Math.floor(exact / 1000) * 1000 !== rendered) return incoming;
  return { ...incoming, metadata: { ...incoming.metadata, createdAt: held.metadata.createdAt } };
}

/** Epoch ms of a Date, epoch seconds or a date string; undefined when it is none of them. */
export function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function syntheticLocation(snapshot: MeshSnapshot, e: Entry): string {
  const parent = e.parentName ? `/${e.type === 'route' ? 'virtualRouter' : 'virtualGateway'}/${e.parentName}` : '';
  return e.type === 'mesh'
    ? `appmesh:${snapshot.meshOwner}:mesh/${snapshot.meshName}`
    : `appmesh:${snapshot.meshOwner}:mesh/${snapshot.meshName}${parent}/${e.type}/${e.name}`;
}
