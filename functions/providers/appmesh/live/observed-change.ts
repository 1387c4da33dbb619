/**
 * A change someone else made to App Mesh (a person's `UpdateRoute`, Terraform's
 * `DeleteVirtualNode`), as the hub sees it in CloudTrail, turned into a ledger change record so
 * that an SLO burn can name it as the suspect and offer its rollback.
 *
 * A rollback needs the spec from before the change, and App Mesh keeps no history: Describe
 * returns only the current spec and the CloudTrail record carries only the new one. So the
 * previous spec is captured when meshgov sees the event, before the reader applies it:
 * 1. the reader's snapshot copy, when its `metadata.version` is exactly one below the version the
 *    change produced (App Mesh bumps the version by one per update, API Reference `ResourceMetadata`);
 * 2. else the `after` of the ledger's record of the change that produced that version (one
 *    meshgov made or observed before);
 * 3. else it is unknown, and the record says why: a rollback is then manual, never a guess
 *    (a copy several versions old would also undo the edits in between).
 */
import { isLooseRecord as isObject } from '../../../core/is-record';
import type { AppMeshApiType } from '../../../core/model/inventory';
import type { ChangeRecord, Ledger } from '../../../core/ledger/types';
import { expiresAt } from '../../../core/pipeline/observe-findings';
import { GATEWAY_ROUTE_KINDS, ROUTE_KINDS } from '../route-targets';
import type { MeshSnapshot, MeshSnapshotCache } from './mesh-snapshot';
import { KIND_OF_TYPE, observedAction, type ObservedVerb } from './observed-actions';
import { readCloudTrailEvent } from './scope-from-cloudtrail';

type Data = Record<string, any>;

export interface ObservedChangeDeps {
  ledger: Ledger;
  /** The reader's snapshots (the cache appMeshSource and appMeshExecutor share); without them only the ledger can tell the previous spec. */
  snapshots?: MeshSnapshotCache;
  /** The caller's account: picks its own mesh when the event names no owner. */
  accountId?: string;
}

/** An observed change between capture (before the reader applies the event) and its record (after). */
export interface ObservedChange {
  /** `chg-cloudtrail-<event id>`: a redelivered event finds its record and writes no second one. */
  id: string;
  /**
   * True when the event carries the resource it produced (CloudTrail `responseElements`), so the
   * record needs nothing from the audit: write it before, and a failed audit cannot lose the
   * previous spec (the reader may already have replaced its copy when the audit fails later).
   */
  readonly complete: boolean;
  /** Writes the change record; without `complete`, after the scoped audit, which reads the new copy into the snapshot. */
  record(now: Date): Promise<ChangeRecord>;
}

/** How far back the ledger is searched for the record of the previous version (the ledger keeps 90 days). */
const LEDGER_LOOKBACK_DAYS = 90;

/**
 * Captures what a CloudTrail App Mesh write replaced. Returns undefined for an event that is no
 * App Mesh write (see readCloudTrailEvent) or that is already on record.
 *
 * @example
 * const observed = await observeChange(event, { ledger, snapshots: cache });
 * if (observed?.complete) await observed.record(clock());
 * const scoped = await auditScope(trigger, scope, deps); // the reader applies the change here
 * if (observed && !observed.complete) await observed.record(clock());
 */
export async function observeChange(event: unknown, deps: ObservedChangeDeps): Promise<ObservedChange | undefined> {
  const read = readCloudTrailEvent(event);
  if (read.kind !== 'scope') return undefined;
  const { scope, trigger } = read;
  const detail = (event as { detail?: Data }).detail ?? (event as Data);
  const verb = String(detail.eventName ?? '').match(/^(Create|Update|Delete)/)?.[1]?.toLowerCase() as ObservedVerb | undefined;
  if (!verb) return undefined;
  const id = `chg-cloudtrail-${trigger.eventId}`;
  if (await deps.ledger.getChange(id)) return undefined;

  const type = scope.resourceType;
  const snapshotOf = () => deps.snapshots?.find(scope.mesh, scope.meshOwner, deps.accountId);
  const held = structuredClone(snapshotOf()?.get(type, scope.name, scope.parentName));

  return {
    id,
    complete: scope.data !== undefined || verb === 'delete',
    async record(now: Date): Promise<ChangeRecord> {
      const requested = detail.requestParameters?.spec;
      // The event's response, else the copy the scoped audit just put in the snapshot, else the request's spec (no version).
      const applied = snapshotOf()?.get(type, scope.name, scope.parentName);
      const response = (scope.data as Data | undefined) ?? (applied && isNewer(applied, held) ? applied : undefined);
      const after: Data | null = verb === 'delete' ? null : (response?.spec ?? (isObject(requested) ? requested : null));
      const version: number | undefined = verb === 'delete' ? undefined : response?.metadata?.version;
      const prior = verb === 'create' ? { before: null, how: 'none: the change created the resource' } : await priorSpec(type, scope, held, verb === 'delete' ? (scope.data as Data | undefined) : undefined, version, deps.ledger, now, response?.metadata?.uid);

      const metadata = (response ?? held)?.metadata ?? {};
      const touched = servicesTouched(type, scope.mesh, scope.name, scope.parentName, [prior.before, after], snapshotOf());
      const target: Record<string, unknown> = { kind: KIND_OF_TYPE[type], mesh: scope.mesh, name: scope.name, services: touched.services };
      if (scope.parentName) target.parentName = scope.parentName;
      if (scope.meshOwner) target.meshOwner = scope.meshOwner;
      if (typeof metadata.resourceOwner === 'string') target.resourceOwner = metadata.resourceOwner;
      if (typeof metadata.arn === 'string') target.arn = metadata.arn;
      // The incarnation changed: an Undo must not restore it over a re-created resource (restore-spec.ts).
      if (typeof metadata.uid === 'string' && metadata.uid) target.uid = metadata.uid;
      if (version !== undefined) target.version = version;

      const change: ChangeRecord = {
        id,
        provider: 'appmesh',
        action: observedAction(type, verb),
        target,
        before: prior.before,
        after,
        reason: `${trigger.summary}, outside meshgov`,
        trigger,
        at: trigger.eventTime,
        outcome: 'applied',
        detail: `previous spec ${prior.how}`,
        service: touched.service,
        expiresAt: expiresAt(now),
      };
      await deps.ledger.recordChange(change);
      return change;
    },
  };
}

type Prior = { before: Data | undefined | null; how: string };

async function priorSpec(
  type: AppMeshApiType,
  scope: { mesh: string; name: string; parentName?: string },
  held: Data | undefined,
  deleted: Data | undefined,
  version: number | undefined,
  ledger: Ledger,
  now: Date,
  uid?: unknown,
): Promise<Prior> {
  // A Delete's response is the resource as it was deleted.
  if (deleted && isObject(deleted.spec)) return { before: deleted.spec, how: 'from the Delete response' };
  const heldVersion: unknown = held?.metadata?.version;
  if (held && isObject(held.spec) && typeof heldVersion === 'number') {
    if (version === undefined) return { before: undefined, how: `unknown: the event carries no version, so meshgov cannot tell whether its copy (version ${heldVersion}) came right before` };
    const sameIncarnation = typeof uid !== 'string' || typeof held.metadata?.uid !== 'string' || held.metadata.uid === uid;
    if (heldVersion === version - 1 && sameIncarnation) return { before: held.spec, how: `from meshgov's copy of version ${heldVersion}` };
  }
  if (version === undefined) return { before: undefined, how: 'unknown: meshgov held no copy and the event carries no version' };
  const since = new Date(now.getTime() - LEDGER_LOOKBACK_DAYS * 86_400_000).toISOString();
  const kind = KIND_OF_TYPE[type];
  const previous = (await ledger.listChanges(since)).find(
    (c) =>
      c.provider === 'appmesh' &&
      c.target.kind === kind &&
      c.target.mesh === scope.mesh &&
      c.target.name === scope.name &&
      (c.target.parentName ?? undefined) === scope.parentName &&
      c.target.version === version - 1 &&
      // A record of an earlier incarnation (deleted and re-created since) has another uid.
      (typeof uid !== 'string' || typeof c.target.uid !== 'string' || c.target.uid === uid) &&
      (c.outcome === 'applied' || c.outcome === 'verified') &&
      isObject(c.after),
  );
  if (previous) return { before: previous.after as Data, how: `from change ${previous.id}, which produced version ${version - 1}` };
  const known =
    typeof heldVersion !== 'number'
      ? 'meshgov held no copy of it'
      : heldVersion >= version
        ? `meshgov's copy (version ${heldVersion}) was read after it`
        : `meshgov's copy is version ${heldVersion}, and the changes in between were not seen`;
  return { before: undefined, how: `unknown: the change made version ${version}, ${known}` };
}

/**
 * The ledger service keys a change touches (`appmesh:<mesh>/<name>`, as serviceOf names App
 * Mesh findings): the resource itself, and for what only routes traffic, where the traffic
 * goes. A route or router also touches the virtual services the router provides; a route the
 * virtual nodes it sends to (before and after); a virtual service its providers; a gateway
 * route the virtual services it targets. `service` is the resource, or a route's router.
 */
export function servicesTouched(
  type: AppMeshApiType,
  mesh: string,
  name: string,
  parentName: string | undefined,
  specs: unknown[],
  snapshot: MeshSnapshot | undefined,
): { service: string; services: string[] } {
  const key = (n: string) => `appmesh:${mesh}/${n}`;
  const owner = type === 'route' || type === 'gatewayRoute' ? (parentName ?? name) : name;
  const names = new Set<string>([owner]);
  for (const spec of specs.filter(isObject)) {
    if (type === 'route') for (const node of routeTargets(spec)) names.add(node);
    if (type === 'virtualService') for (const provider of providersOf(spec)) names.add(provider);
    if (type === 'gatewayRoute') for (const service of gatewayRouteTargets(spec)) names.add(service);
  }
  if ((type === 'route' || type === 'virtualRouter') && snapshot) {
    for (const service of snapshot.names('virtualService')) {
      if (snapshot.get('virtualService', service)?.spec?.provider?.virtualRouter?.virtualRouterName === owner) names.add(service);
    }
    if (type === 'virtualRouter') {
      for (const route of snapshot.names('route', owner)) for (const node of routeTargets(snapshot.get('route', route, owner)?.spec)) names.add(node);
    }
  }
  return { service: key(owner), services: [...names].map(key) };
}

function routeTargets(spec: any): string[] {
  const out: string[] = [];
  for (const kind of ROUTE_KINDS) {
    const targets = spec?.[kind]?.action?.weightedTargets;
    if (Array.isArray(targets)) for (const t of targets) if (typeof t?.virtualNode === 'string') out.push(t.virtualNode);
  }
  return out;
}

function providersOf(spec: any): string[] {
  const p = spec?.provider;
  return [p?.virtualNode?.virtualNodeName, p?.virtualRouter?.virtualRouterName].filter((n): n is string => typeof n === 'string');
}

function gatewayRouteTargets(spec: any): string[] {
  const out: string[] = [];
  for (const kind of GATEWAY_ROUTE_KINDS) {
    const service = spec?.[kind]?.action?.target?.virtualService?.virtualServiceName;
    if (typeof service === 'string') out.push(service);
  }
  return out;
}

/** Whether `copy` is a later version than `than` (or there is nothing to compare with). */
function isNewer(copy: Data, than: Data | undefined): boolean {
  const v = copy.metadata?.version;
  const w = than?.metadata?.version;
  return typeof v === 'number' && (typeof w !== 'number' || v > w);
}

