/**
 * The live App Mesh reader: an InventorySource over the App Mesh API.
 *
 * Full scan (`scope.kind === 'all'`): ListMeshes, then every mesh (or the ones named) read in
 * full by readMesh: List pages of 100 and one Describe per resource, all through one bounded
 * pool. A mesh already held in the snapshot cache costs only its List pages plus the Describes
 * of what changed since.
 *
 * Scoped scan (`scope.kind === 'appmesh-resource'`): the inventory is the changed resource's
 * whole mesh. Why the whole mesh and not just the neighbours: the govern stage resolves every
 * open finding of a resource it audited and did not see again, so each virtual node or gateway
 * in the inventory must come with everything its findings depend on (its clients for a
 * listener's remediation mode, its backends' routes and targets for its client findings, the
 * mesh's trust sources for the fix it proposes); that closure is the connected part of the
 * mesh, and the trust sources are the whole mesh.
 *
 * Served from the snapshot the last read left, with the change applied on top, the whole mesh
 * costs 0 calls when the event carried the resource (`scope.data`), 1 Describe when it did
 * not, 0 for a deletion. That snapshot may be stale: other containers of the same function,
 * and meshgov's other functions (approval worker, SLO rollback, whose CloudTrail events every
 * auditor ignores as meshgov's own), change the mesh without it seeing, and an `auto` fix
 * planned from a stale picture can cut a client off. So before such a fix may run, the hub asks
 * again with `revalidate` (process-event.ts), and the snapshot is read against App Mesh: the
 * event's copy goes in first, then the mesh is read with the snapshot as `previous`
 * (DescribeMesh, every List page, ListRoutes per router and ListGatewayRoutes per gateway, and
 * a Describe of each resource whose listed version or creation time differs from the held
 * copy). See SCOPED-AUDITS in ./README.md for what each costs.
 *
 * When no snapshot of the mesh is held, or it is older than `snapshotMaxAgeMs` (a revalidation
 * could then describe most of the mesh), `coldScopedRead` decides: `resource` describes only the
 * changed resource (even when the event carried it: a late event's copy may be stale) and marks
 * the inventory partial, `mesh` reads the whole mesh first.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { emptyInventory, type Inventory } from '../../../core/model/inventory';
import type { InventorySource } from '../../../core/pipeline/ports';
import type { AuditScope } from '../../../core/pipeline/trigger';
import type { ListedRef } from './api-kinds';
import { asApiData } from './api-data';
import { CallStats } from './call-stats';
import { appMeshClientFrom } from './client';
import { ConcurrencyLimit } from './concurrency-limit';
import { AppMeshCallError } from './errors';
import { MeshApi } from './mesh-api';
import { changeBetween, MeshSnapshotCache, type ApplyOutcome, type MeshSnapshot } from './mesh-snapshot';
import { readMesh } from './read-mesh';

export const DEFAULT_CONCURRENCY = 8;
/** A snapshot older than this is not revalidated: a scoped audit treats its mesh as unread (see `coldScopedRead`). */
export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 15 * 60_000;

export interface AppMeshSourceOptions {
  /** A client to use (tests point one at the emulator); otherwise one is created with adaptive retry. */
  client?: AppMeshClient;
  region?: string;
  /** Meshes a full scan reads when the scope names none (rules `sources.appmesh.meshes`); all when unset. */
  meshes?: string[];
  /** Calls in flight at once; default 8. */
  concurrency?: number;
  /** Client-side pacing of every attempt (installed on the client); unset: no pacing. */
  requestsPerSecond?: number;
  /** Burst of that pacing; default 2. */
  burst?: number;
  /**
   * Per-attempt bounds on the client's HTTP calls; unset: the SDK's (none, so an endpoint that
   * accepts the connection and never answers holds the read forever). A timed-out attempt is retried.
   */
  httpTimeouts?: { connectionTimeoutMs?: number; requestTimeoutMs?: number };
  /**
   * A scoped audit with no snapshot of its mesh younger than `snapshotMaxAgeMs`: `resource`
   * (default) reads only the changed resource (1 Describe, 0 for a deletion) and marks the
   * inventory partial; `mesh` reads the whole mesh first, for exact findings at the
   * cost of a full read. A younger snapshot is served as held, and read against App Mesh
   * first when the scope asks (`revalidate`).
   */
  coldScopedRead?: 'resource' | 'mesh';
  /** Snapshots of meshes; share one with appMeshExecutor so that revalidations need not describe meshgov's own writes. */
  cache?: MeshSnapshotCache;
  snapshotMaxAgeMs?: number;
  /** The caller's account: picks the caller's own mesh when a scope names a mesh without its owner. */
  accountId?: string;
  /** Clock in epoch ms (snapshot ages). */
  now?: () => number;
  /** Told after every collect, e.g. to emit the calls as metrics. */
  onCollect?: (stats: CollectStats) => void;
}

/** What one collect did. */
export interface CollectStats {
  scope: AuditScope['kind'];
  /** API attempts per operation, retries included. */
  calls: Record<string, number>;
  totalCalls: number;
  /** Meshes in the inventory, as `owner/name`. */
  meshes: string[];
  /** App Mesh objects in the inventory. */
  resources: number;
  /**
   * Scoped scans: `fresh` when served from a snapshot younger than the maximum age as held,
   * `revalidated` when such a snapshot was checked
   * against App Mesh's List pages (and what moved described), `read` when the mesh had to be
   * read first, `none` when only the changed resource was read. Full scans: `read`.
   */
  snapshot: 'fresh' | 'revalidated' | 'read' | 'none';
  /** Scoped scans: what became of the changed resource in the snapshot. */
  change?: ApplyOutcome | 'removed' | 'absent';
  /** Full scans: meshes the scope or the rules name that ListMeshes did not show (another region, not shared). */
  missingMeshes?: string[];
  durationMs: number;
}

export interface AppMeshSource extends InventorySource {
  readonly client: AppMeshClient;
  readonly cache: MeshSnapshotCache;
  /** Stats of the most recent collect. */
  readonly lastCollect: CollectStats | undefined;
}

/**
 * An InventorySource reading App Mesh live. Create it once per process (a Lambda container's
 * module scope), so that its snapshots serve the scoped audits that follow.
 *
 * @example
 * const cache = new MeshSnapshotCache();
 * const source = appMeshSource({ region: 'us-west-2', requestsPerSecond: 40, cache, meshes: policy.sources.appmesh?.meshes });
 * const report = await auditScope(trigger, { kind: 'all', providers: ['appmesh'] }, { source, builders: [buildAppMeshModel], policy, clock });
 * source.lastCollect?.totalCalls; // API calls this audit made
 */
export function appMeshSource(options: AppMeshSourceOptions = {}): AppMeshSource {
  const client = appMeshClientFrom(options);
  if (options.httpTimeouts) boundHttpCalls(client, options.httpTimeouts);
  const api = new MeshApi(client, new ConcurrencyLimit(options.concurrency ?? DEFAULT_CONCURRENCY));
  const cache = options.cache ?? new MeshSnapshotCache();
  const now = options.now ?? Date.now;
  const maxAge = options.snapshotMaxAgeMs ?? DEFAULT_SNAPSHOT_MAX_AGE_MS;
  let lastCollect: CollectStats | undefined;

  const finish = (scope: AuditScope, stats: CallStats, startedAt: number, snapshots: MeshSnapshot[], extra: Partial<CollectStats> = {}): Inventory => {
    const inventory = emptyInventory();
    for (const s of snapshots) inventory.appmeshApi.push(...s.inventory());
    lastCollect = {
      scope: scope.kind,
      calls: stats.byOperation(),
      totalCalls: stats.total,
      meshes: snapshots.map((s) => `${s.meshOwner}/${s.meshName}`),
      resources: inventory.appmeshApi.length,
      snapshot: 'none',
      ...extra,
      durationMs: now() - startedAt,
    };
    options.onCollect?.(lastCollect);
    return inventory;
  };

  const collectAll = async (scope: Extract<AuditScope, { kind: 'all' }>, stats: CallStats, startedAt: number): Promise<Inventory> => {
    const wanted = scope.meshes?.length ? scope.meshes : options.meshes?.length ? options.meshes : undefined;
    const listed: ListedRef[] = [];
    await api.list('mesh', {}, stats, (refs) => listed.push(...refs));
    const selected = wanted ? listed.filter((m) => wanted.includes(m.name)) : listed;
    const refused: Array<{ mesh: string; error: AppMeshCallError }> = [];
    const read = await Promise.all(
      selected.map((m) =>
        readMesh(api, { meshName: m.name, meshOwner: m.meshOwner, listed: m }, stats, {
          previous: m.meshOwner ? cache.get(m.name, m.meshOwner) : undefined,
          startedAt,
        }).catch((err: unknown) => {
          // A mesh the credentials may not read (IAM naming some meshes only) is reported, and the
          // others are still audited; any other failure still fails the run, to be retried.
          if (!isRefused(err)) throw err;
          refused.push({ mesh: m.name, error: err });
          return undefined;
        }),
      ),
    );
    const snapshots = read.filter((s): s is MeshSnapshot => s !== undefined);
    forgetUnlisted(cache, listed, wanted);
    for (const s of snapshots) cache.set(s);
    const missingMeshes = (wanted ?? []).filter((name) => !listed.some((m) => m.name === name));
    const inventory = finish(scope, stats, startedAt, snapshots, { snapshot: 'read', ...(missingMeshes.length ? { missingMeshes } : {}) });
    if (refused.length > 0) {
      inventory.unreadMeshes = refused.map((r) => r.mesh);
      // Fleet-wide preconditions are unknown without them: nothing is auto this run.
      inventory.partial = [`this run could not read mesh(es) ${refused.map((r) => r.mesh).join(', ')}`];
      for (const { mesh, error } of refused) {
        // CONTRACT.md: an App Mesh finding always sets `mesh`.
        inventory.problems.push({ file: `appmesh:${mesh}`, line: 1, provider: 'appmesh', kind: 'Mesh', name: mesh, mesh, message: `mesh not audited: ${error.message}` });
      }
    }
    return inventory;
  };

  const collectResource = async (scope: Extract<AuditScope, { kind: 'appmesh-resource' }>, stats: CallStats, startedAt: number): Promise<Inventory> => {
    const type = scope.resourceType;
    const identity = { meshName: scope.mesh, name: scope.name, parentName: scope.parentName };
    const carried = asApiData(type, scope.data, identity);
    const ownerHint: string | undefined = scope.meshOwner ?? carried?.metadata?.meshOwner;

    if (type === 'mesh' && scope.deleted) {
      const held = cache.find(scope.mesh, ownerHint, options.accountId);
      if (held) cache.delete(held.meshName, held.meshOwner);
      return finish(scope, stats, startedAt, [], { snapshot: 'none', change: held ? 'removed' : 'absent' });
    }

    const held = cache.find(scope.mesh, ownerHint, options.accountId);
    const fresh = held !== undefined && now() - held.loadedAt <= maxAge;
    if (fresh && !scope.revalidate) return collectFromSnapshot(scope, stats, startedAt, held, carried, ownerHint);
    if (!fresh && (options.coldScopedRead ?? 'resource') === 'resource') {
      return collectResourceAlone(scope, stats, startedAt, carried, ownerHint);
    }

    // What the event says goes into the held copy first: when it is what App Mesh lists now,
    // the read below takes it from there instead of describing it again.
    let change: CollectStats['change'];
    let before: Record<string, any> | undefined;
    if (held && scope.deleted) {
      change = held.remove(type, scope.name, scope.parentName, deletedUid(scope.data)) ? 'removed' : 'absent';
    } else if (held && carried) {
      change = held.apply(type, carried);
    } else if (held) {
      before = held.get(type, scope.name, scope.parentName);
    }

    // Never served as held: another container, the approval worker or the SLO rollback may have
    // changed any resource of the mesh since, and their events never reached this snapshot.
    // The re-read lists every page and describes only what the lists show to have moved.
    const meshOwner = ownerHint ?? (held ? held.meshOwner || undefined : options.accountId);
    const snapshot = await readMesh(api, { meshName: scope.mesh, meshOwner }, stats, { previous: held, startedAt });
    const how = fresh ? 'revalidated' : 'read';
    if (!snapshot) {
      // The mesh itself is gone: nothing of it to audit, and nothing to keep.
      if (held) cache.delete(held.meshName, held.meshOwner);
      return finish(scope, stats, startedAt, [], { snapshot: how, change: 'absent' });
    }
    cache.set(snapshot);
    if (held && !scope.deleted && !carried) change = changeBetween(before, snapshot.get(type, scope.name, scope.parentName));
    return finish(scope, stats, startedAt, [snapshot], { snapshot: how, ...(change ? { change } : {}) });
  };

  /**
   * A scoped audit served from the held snapshot with the change applied: 0 calls when the event
   * carried the resource, 1 Describe when it did not, 0 for a deletion. Other containers and
   * meshgov's other functions may have changed the mesh since the snapshot was read, so a plan
   * made on it that would run on its own is planned again on a revalidated read first
   * (`revalidate`, asked by the hub's event pipeline, process-event.ts).
   */
  const collectFromSnapshot = async (
    scope: Extract<AuditScope, { kind: 'appmesh-resource' }>,
    stats: CallStats,
    startedAt: number,
    held: MeshSnapshot,
    carried: ReturnType<typeof asApiData>,
    ownerHint: string | undefined,
  ): Promise<Inventory> => {
    const type = scope.resourceType;
    let incoming = scope.deleted ? undefined : carried;
    let gone = scope.deleted === true;
    if (!gone && !incoming) {
      // The one call a scoped audit makes when the event did not carry the resource.
      incoming = await api.describe(type, { meshName: scope.mesh, name: scope.name, parentName: scope.parentName, meshOwner: ownerHint ?? held.meshOwner }, stats);
      gone = incoming === undefined;
    }
    let change: CollectStats['change'];
    if (gone) change = held.remove(type, scope.name, scope.parentName, scope.deleted ? deletedUid(scope.data) : undefined) ? 'removed' : 'absent';
    else if (incoming) change = held.apply(type, incoming);
    return finish(scope, stats, startedAt, [held], { snapshot: 'fresh', ...(change ? { change } : {}) });
  };

  /**
   * With no fresh picture of the mesh, a scoped audit reads only the changed resource, with one
   * Describe (see `currentCopy`; none for a deletion). The inventory is marked partial, so its
   * findings are reported but no fix runs on its own (the clients are not known).
   */
  const collectResourceAlone = async (
    scope: Extract<AuditScope, { kind: 'appmesh-resource' }>,
    stats: CallStats,
    startedAt: number,
    carried: ReturnType<typeof asApiData>,
    ownerHint: string | undefined,
  ): Promise<Inventory> => {
    const data = scope.deleted ? undefined : await currentCopy(scope, stats, carried, ownerHint);
    const type = scope.resourceType;
    const inventory = finish(scope, stats, startedAt, [], { snapshot: 'none', change: data ? 'updated' : 'absent' });
    inventory.partial = [`this audit read only the changed resource ${scope.name}, not the rest of mesh ${scope.mesh}, so its clients and servers are unknown`];
    if (data) inventory.appmeshApi.push({ doc: { type, data }, source: { file: (data as { metadata?: { arn?: string } }).metadata?.arn ?? `appmesh://${scope.mesh}/${type}/${scope.name}`, line: 1 } });
    return inventory;
  };

  /**
   * The changed resource as App Mesh holds it now, for an audit with no fresh snapshot.
   *
   * Why a Describe even when the event carried the resource: nothing here tells whether that
   * copy is still current. A late one (SQS redelivers a failed message after its 30-minute
   * visibility timeout, past any snapshot's age; another container handled a newer change
   * first) would be audited as read at the hub's clock, so its findings would outrank the
   * newer audits' and reopen, or newly report, what a later change fixed: a wrong "new" Slack
   * message. Dating that audit by the event's time instead would still create such a finding
   * wherever the ledger holds no record to outrank it (the newer audit saw nothing wrong).
   * One call per cold event buys the truth. The event's copy is kept where it is the newest
   * (the same incarnation at a higher version: a read lagging the write), and where App Mesh
   * refuses the Describe (IAM naming some meshes only), as before this call was made.
   */
  const currentCopy = async (
    scope: Extract<AuditScope, { kind: 'appmesh-resource' }>,
    stats: CallStats,
    carried: ReturnType<typeof asApiData>,
    ownerHint: string | undefined,
  ): Promise<Record<string, unknown> | undefined> => {
    const address = { meshName: scope.mesh, name: scope.name, parentName: scope.parentName, meshOwner: ownerHint ?? options.accountId };
    try {
      return newerOfSameResource(await api.describe(scope.resourceType, address, stats), carried);
    } catch (err) {
      if (carried && isRefused(err)) return carried;
      throw err;
    }
  };

  return {
    client,
    cache,
    get lastCollect() {
      return lastCollect;
    },
    async collect(scope: AuditScope): Promise<Inventory> {
      const startedAt = now();
      const stats = new CallStats();
      if (scope.kind === 'all') {
        if (!scope.providers.includes('appmesh')) return finish(scope, stats, startedAt, []);
        return collectAll(scope, stats, startedAt);
      }
      if (scope.kind === 'appmesh-resource') return collectResource(scope, stats, startedAt);
      // Istio namespaces and certificate lookups hold nothing App Mesh.
      return finish(scope, stats, startedAt, []);
    },
  };
}

/** Sets the client's connection and request timeouts; a request timeout only warns unless told to throw. */
function boundHttpCalls(client: AppMeshClient, timeouts: NonNullable<AppMeshSourceOptions['httpTimeouts']>): void {
  const handler = client.config.requestHandler as { updateHttpClientConfig?: (key: string, value: unknown) => void };
  if (typeof handler.updateHttpClientConfig !== 'function') return;
  if (timeouts.connectionTimeoutMs !== undefined) handler.updateHttpClientConfig('connectionTimeout', timeouts.connectionTimeoutMs);
  if (timeouts.requestTimeoutMs !== undefined) {
    handler.updateHttpClientConfig('requestTimeout', timeouts.requestTimeoutMs);
    handler.updateHttpClientConfig('throwOnRequestTimeout', true);
  }
}

/** Snapshots of meshes a full listing no longer shows (deleted, or no longer shared). */
function forgetUnlisted(cache: MeshSnapshotCache, listed: ListedRef[], wanted: string[] | undefined): void {
  const present = new Set(listed.map((m) => `${m.meshOwner ?? ''}/${m.name}`));
  for (const key of cache.keys()) {
    const slash = key.indexOf('/');
    const [owner, name] = [key.slice(0, slash), key.slice(slash + 1)];
    if (wanted && !wanted.includes(name)) continue;
    if (!present.has(key)) cache.delete(name, owner);
  }
}

/** The uid of the resource a Delete event carried, so a newer resource of the same name survives. */
function deletedUid(data: unknown): string | undefined {
  const uid = (data as { metadata?: { uid?: unknown } } | undefined)?.metadata?.uid;
  return typeof uid === 'string' ? uid : undefined;
}

/**
 * `live` (App Mesh now), unless `carried` is the same incarnation (uid) at a higher version.
 * A copy without a uid or version (a Config item's) never outranks what App Mesh returns.
 */
function newerOfSameResource(live: Record<string, any> | undefined, carried: Record<string, any> | undefined): Record<string, any> | undefined {
  if (!live || !carried) return live;
  const [l, c] = [live.metadata ?? {}, carried.metadata ?? {}];
  const same = typeof l.uid === 'string' && l.uid === c.uid;
  return same && typeof l.version === 'number' && typeof c.version === 'number' && c.version > l.version ? carried : live;
}

/** The credentials may not read this (App Mesh's ForbiddenException, or IAM's AccessDeniedException before App Mesh sees the call). */
function isRefused(err: unknown): err is AppMeshCallError {
  return err instanceof AppMeshCallError && (err.errorName === 'ForbiddenException' || err.errorName === 'AccessDeniedException');
}
