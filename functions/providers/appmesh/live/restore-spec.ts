/**
 * The Undo of an observed App Mesh update (observed-change.ts): put the recorded previous spec
 * back on a route, virtual router, virtual node, virtual service, virtual gateway, gateway route
 * or mesh, with the same care as the writer's fixes (replace-spec.ts), which App Mesh's lack of
 * a conditional update forces:
 * 1. refuse another account's resource;
 * 2. Describe right before writing and abort unless the resource is still at the version the
 *    observed change produced (without a version: still has the spec it wrote), so an edit made
 *    after the suspect is never overwritten;
 * 3. Update with the whole previous spec (every App Mesh Update replaces the spec) and the undo's
 *    change id as clientToken, so a retried write lands once;
 * 4. Describe again: `verified` when the live spec holds every field of the previous spec (App
 *    Mesh may add defaults) and is no longer the replaced one; otherwise put back the spec it
 *    replaced and return `rolled-back`. A later write after ours
 *    is never rolled back over.
 */
import { isLooseRecord as isObject } from '../../../core/is-record';
import type { AppMeshApiType } from '../../../core/model/inventory';
import type { ChangeRecord } from '../../../core/ledger/types';
import type { ApplyResult, WriteReport } from '../../../core/pipeline/ports';
import { API_KINDS } from './api-kinds';
import { clientTokenFor } from './client-token';
import { errorNameOf } from './errors';
import { KIND_OF_TYPE, parseObservedAction } from './observed-actions';
import { updateMayHaveLanded, type WriterDeps } from './replace-spec';
import { describeCallError as describeError, describeResource as describe, readOwnResource, updateResource as update, type Data, type MeshResource, type Spec } from './resource-io';
import { sameJson } from '../../../core/approvals/same-json';

export type RestoreTarget = MeshResource;

/**
 * Restores `change.before` over the resource `change.target` names.
 *
 * @example
 * const result = await restoreObservedChange(change, { changeId: 'chg-0007' }, deps);
 * result.outcome; // 'verified' | 'rolled-back' | 'aborted' | 'failed'
 */
export async function restoreObservedChange(change: ChangeRecord, context: { changeId: string }, deps: WriterDeps): Promise<WriteReport> {
  const action = parseObservedAction(change.action);
  if (!action) return { outcome: 'failed', detail: `${change.action} is not an observed App Mesh change`, target: change.target, wrote: false };
  if (action.verb !== 'update') {
    return { outcome: 'failed', detail: `change ${change.id} ${action.verb === 'create' ? 'created' : 'deleted'} a resource; meshgov restores only updated specs`, target: change.target, wrote: false };
  }
  const parsed = restoreTargetOf(action.type, change.target);
  if (typeof parsed === 'string') return { outcome: 'failed', detail: parsed, target: change.target, wrote: false };
  const before = change.before;
  if (!isObject(before)) return { outcome: 'failed', detail: `change ${change.id} recorded no previous spec to restore (${change.detail ?? 'unknown'})`, target: change.target, wrote: false };
  const version = typeof change.target.version === 'number' ? change.target.version : undefined;
  const after = isObject(change.after) ? change.after : undefined;
  return restoreSpec(
    {
      target: parsed,
      expectedVersion: version,
      expectedSpec: version === undefined ? after : undefined,
      ...(typeof change.target.uid === 'string' && change.target.uid ? { expectedUid: change.target.uid } : {}),
      claimedOwner: typeof change.target.resourceOwner === 'string' ? change.target.resourceOwner : undefined,
      spec: before,
      clientToken: clientTokenFor(context.changeId),
      rollbackToken: clientTokenFor(context.changeId, 'rollback'),
      of: `change ${change.id}`,
    },
    deps,
  );
}

export interface RestoreRequest {
  target: RestoreTarget;
  /** The version the change to undo produced: the resource must still be at it. */
  expectedVersion?: number;
  /** Without a version: the spec the resource must still have. */
  expectedSpec?: Spec;
  /** The `metadata.uid` the change was made to: a re-created resource restarts its versions at 1. */
  expectedUid?: string;
  claimedOwner?: string;
  spec: Spec;
  clientToken: string;
  rollbackToken: string;
  /** For details: "change chg-…". */
  of: string;
}

export async function restoreSpec(req: RestoreRequest, deps: WriterDeps): Promise<WriteReport> {
  const { target } = req;
  const label = labelOf(target);
  let arn: string | undefined;
  let version: number | undefined;
  let uid: string | undefined;
  let current: Spec | undefined;
  const report = (outcome: ApplyResult['outcome'], detail: string, wrote: boolean, extra: Partial<ApplyResult> = {}): WriteReport => ({
    outcome,
    detail,
    target: targetOf(target, arn, version, uid),
    ...(current ? { before: current } : {}),
    ...extra,
    wrote,
  });
  // Before the Update is sent.
  const unwritten = (outcome: ApplyResult['outcome'], detail: string): WriteReport => report(outcome, detail, false);

  const read = await readOwnResource(deps.client, deps.callerAccount, target, label, { claimedOwner: req.claimedOwner, reading: 'before restoring it', gone: 'nothing was restored' });
  const live = read.live;
  if (!live) return unwritten(read.refusal!.outcome, read.refusal!.detail);
  arn = live.metadata?.arn;
  version = live.metadata?.version;
  uid = typeof live.metadata?.uid === 'string' ? live.metadata.uid : undefined;
  current = live.spec ?? {};
  if (read.refusal) return unwritten(read.refusal.outcome, read.refusal.detail);
  if (req.expectedUid !== undefined && uid !== req.expectedUid) {
    return unwritten('aborted', `${label} was deleted and re-created after ${req.of} (uid ${req.expectedUid}, now ${uid ?? 'unknown'}): not restoring a spec recorded from another resource`);
  }

  if (req.expectedVersion !== undefined) {
    if (version !== req.expectedVersion) {
      return unwritten('aborted', `${label} was changed again after ${req.of} (version ${req.expectedVersion}, now ${version}): not overwriting the later edit; review it by hand`);
    }
  } else if (req.expectedSpec !== undefined) {
    if (!sameJson(current, req.expectedSpec)) return unwritten('aborted', `${label} was changed again after ${req.of} (its spec differs): not overwriting the later edit; review it by hand`);
  } else {
    return unwritten('aborted', `${req.of} recorded neither the version nor the spec it produced: without one, restoring could overwrite a later edit`);
  }
  if (sameJson(req.spec, current)) return unwritten('aborted', `${label} already has the previous spec: nothing to restore`);

  let written: Data;
  try {
    written = await update(deps.client, target, req.spec, req.clientToken);
  } catch (error) {
    const name = errorNameOf(error);
    if (name === 'ForbiddenException') return report('aborted', `App Mesh refused the write to ${label} (${describeError(error)}): not this account's to change`, updateMayHaveLanded(error));
    // IAM: the role may update only what the deployment lets it (cdk grantAppMeshAccess); nothing was written.
    if (name === 'AccessDeniedException') return report('aborted', `meshgov's role may not update ${label} (${describeError(error)}); nothing was changed: grant it the Update call, or restore by hand`, updateMayHaveLanded(error));
    if (name === 'NotFoundException') return report('aborted', `${label} was deleted before the write; nothing was restored`, updateMayHaveLanded(error));
    return report('failed', `restoring ${label} failed after retries: ${describeError(error)}; check whether it is at version ${version} still`, updateMayHaveLanded(error));
  }
  // The Update landed: every result from here on wrote, whatever its check says.
  deps.cache?.record(target.type, written);
  const writtenVersion: number | undefined = written.metadata?.version;
  const raced = typeof version === 'number' && typeof writtenVersion === 'number' && writtenVersion > version + 1;
  const replaced: Spec = live.spec ?? {};

  let readBack: Data | undefined;
  try {
    readBack = await describe(deps.client, target);
  } catch (error) {
    version = writtenVersion;
    return report('failed', `restored ${label} (version ${writtenVersion}) but could not read it back: ${describeError(error)}`, true, { after: req.spec });
  }
  if (!readBack) return report('failed', `restored ${label} (version ${writtenVersion}) but it was deleted right after`, true, { after: req.spec });
  deps.cache?.record(target.type, readBack);
  const liveVersion: number | undefined = readBack.metadata?.version;
  const after: Spec = readBack.spec ?? {};
  const holds = restored(req.spec, replaced, after);
  version = liveVersion;

  if (liveVersion !== writtenVersion) {
    return holds
      ? report('verified', `restored ${label} (version ${writtenVersion}); a later write (version ${liveVersion}) kept the previous spec`, true, { after })
      : report('failed', `restored ${label} (version ${writtenVersion}), but a later write (version ${liveVersion}) replaced it; not rolled back over the later write`, true, { after });
  }
  if (holds) {
    if (raced) {
      return report('failed', `restored ${label}, but another writer updated it between meshgov's read (version ${req.expectedVersion}) and its write (which became version ${writtenVersion}): that change was overwritten; review the resource`, true, { after });
    }
    return report('verified', `restored the spec from before ${req.of} on ${label} (version ${req.expectedVersion ?? '?'} → ${writtenVersion}) and read it back`, true, { after });
  }
  try {
    const putBack = await update(deps.client, target, replaced, req.rollbackToken);
    deps.cache?.record(target.type, putBack);
    version = putBack.metadata?.version;
    return report('rolled-back', `restored ${label} (version ${writtenVersion}) but read back a different spec; put back the spec it replaced (version ${version})`, true, { after: req.spec });
  } catch (error) {
    return report('failed', `restored ${label} (version ${writtenVersion}) but read back a different spec, and putting back the replaced spec failed: ${describeError(error)}; review it by hand`, true, { after: req.spec });
  }
}

/**
 * Whether the live spec is the restored one: it holds every field of the previous spec and is
 * no longer the spec it replaced (a field the change added must be gone, not merely tolerated).
 */
function restored(previous: Spec, replaced: Spec, live: Spec): boolean {
  return specHolds(previous, live) && (sameJson(previous, live) || !specHolds(replaced, live));
}

/**
 * Whether `live` holds every field `expected` sets: App Mesh may fill defaults the recorded spec
 * left out, so equality would be too strict; lists must match element by element (weights, targets).
 */
export function specHolds(expected: unknown, live: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(live) && live.length === expected.length && expected.every((e, i) => specHolds(e, live[i]));
  if (isObject(expected)) {
    if (!isObject(live)) return false;
    return Object.entries(expected).every(([k, v]) => v === undefined || v === null || specHolds(v, live[k]));
  }
  return expected === live;
}

/** The resource a change record targets, or what is missing. */
function restoreTargetOf(type: AppMeshApiType, target: Record<string, unknown>): RestoreTarget | string {
  if (target.kind !== KIND_OF_TYPE[type]) return `target.kind: expected ${KIND_OF_TYPE[type]}, got ${JSON.stringify(target.kind)}`;
  if (typeof target.mesh !== 'string' || target.mesh === '') return 'target.mesh: missing';
  if (typeof target.name !== 'string' || target.name === '') return 'target.name: missing';
  const out: RestoreTarget = { type, meshName: target.mesh, name: target.name };
  if (API_KINDS[type].parentField) {
    if (typeof target.parentName !== 'string' || target.parentName === '') return `target.parentName: missing (the ${type === 'route' ? 'virtual router' : 'virtual gateway'})`;
    out.parentName = target.parentName;
  }
  if (typeof target.meshOwner === 'string' && target.meshOwner) out.meshOwner = target.meshOwner;
  return out;
}

function labelOf(t: RestoreTarget): string {
  return `${KIND_OF_TYPE[t.type]} ${t.meshName}/${t.parentName ? `${t.parentName}/` : ''}${t.name}`;
}

function targetOf(t: RestoreTarget, arn?: string, version?: number, uid?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { mesh: t.meshName, kind: KIND_OF_TYPE[t.type], name: t.name };
  if (t.parentName) out.parentName = t.parentName;
  if (t.meshOwner) out.meshOwner = t.meshOwner;
  if (arn) out.arn = arn;
  if (version !== undefined) out.version = version;
  if (uid) out.uid = uid;
  return out;
}
