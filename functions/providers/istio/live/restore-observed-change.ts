/**
 * The Undo of an observed Istio update or patch (record-observed-change.ts): put the recorded
 * previous spec back on the PeerAuthentication or DestinationRule, without ever overwriting an
 * edit made after the suspect:
 * 1. read the object; abort when it is gone, was re-created (another uid), or its spec is no
 *    longer the one the change left (a later edit: a person reviews it). A resourceVersion that
 *    moved while the spec did not (a label, an annotation, istiod's status) is no later edit;
 * 2. write the previous spec as a JSON merge patch carrying the resourceVersion just read, so the
 *    API server refuses it with 409 Conflict when anything wrote in between (apiserver
 *    optimistic concurrency), which aborts the restore with nothing written;
 * 3. read it back: `verified` when the spec is the previous one; when our write did not hold,
 *    put back the spec it replaced (same precondition) and return `rolled-back`; a later write
 *    after ours is never rolled back over.
 * Creates and deletes are not restored: a rollback of those is a person's job.
 */
import type { ChangeRecord } from '../../../core/ledger/types';
import type { ApplyResult } from '../../../core/pipeline/ports';
import { KubeApiError } from './api-error';
import { readSnapshot, snapshotOf, writableType, type ObjectSnapshot } from './istio-change';
import { jsonEqual, MERGE_PATCH, mergePatchBetween } from './merge-patch';
import { parseObservedIstioAction } from './observed-actions';
import { objectPath } from './resource-types';
import { readObject, type KubeRestClient } from './rest-client';

type KubeObjectJson = Record<string, any>;

export interface RestoreDeps {
  rest: KubeRestClient;
  fieldManager: string;
  /** The annotation every meshgov write sets to its change id (istio-executor.ts). */
  changeIdAnnotation: string;
}

/**
 * @example
 * const result = await restoreObservedChange(change, { changeId: 'chg-0007' }, deps);
 * result.outcome; // 'verified' | 'rolled-back' | 'aborted' | 'failed'
 */
export async function restoreObservedChange(change: ChangeRecord, context: { changeId: string }, deps: RestoreDeps): Promise<ApplyResult> {
  const action = parseObservedIstioAction(change.action);
  if (!action) return { outcome: 'failed', detail: `${change.action} is not an observed Istio change`, target: change.target, wrote: false };
  if (action.verb === 'create' || action.verb === 'delete') {
    return { outcome: 'failed', detail: `change ${change.id} ${action.verb}d an object; meshgov restores only updated specs: restore it by hand`, target: change.target, wrote: false };
  }
  const { apiVersion, kind, namespace, name } = change.target as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof namespace !== 'string' || typeof name !== 'string') {
    return { outcome: 'failed', detail: `change ${change.id} does not name the object it changed (target.apiVersion, kind, namespace, name)`, target: change.target, wrote: false };
  }
  const label = `${kind} ${namespace}/${name}`;
  const writable = writableType({ apiVersion, kind });
  if (!writable) return { outcome: 'failed', detail: `meshgov does not write ${apiVersion} ${kind}: restore ${label} by hand`, target: change.target, wrote: false };
  const before = readSnapshot(change.before);
  if (!before) return { outcome: 'failed', detail: `change ${change.id} recorded no previous spec to restore (${change.detail ?? 'unknown'})`, target: change.target, wrote: false };
  const after = readSnapshot(change.after);

  const path = objectPath(writable.type, writable.version, namespace, name);
  const target = (resourceVersion?: string): Record<string, unknown> => ({ apiVersion, kind, namespace, name, path, ...(resourceVersion ? { resourceVersion } : {}) });
  const recordedVersion = typeof change.target.resourceVersion === 'string' ? change.target.resourceVersion : after?.metadata.resourceVersion;

  const current = await readObject<KubeObjectJson>(deps.rest, path);
  if (current instanceof KubeApiError) return { outcome: 'failed', detail: `cannot read ${label} before restoring it: ${current.describe()}; nothing was changed`, target: target(), wrote: false };
  if (current === undefined) return { outcome: 'aborted', detail: `${label} no longer exists; nothing was restored`, target: target(), wrote: false };
  const found = snapshotOf(current);
  const seen = found.metadata.resourceVersion;
  // Whether the restoring write went out: until then nothing was written, whatever the outcome.
  let sent = false;
  const result = (outcome: ApplyResult['outcome'], detail: string, extra: Partial<ApplyResult> = {}): ApplyResult => ({ outcome, detail, before: found, target: target(seen), wrote: sent, ...extra });

  const uid = typeof change.target.uid === 'string' ? change.target.uid : after?.metadata.uid;
  if (uid && found.metadata.uid && uid !== found.metadata.uid) return result('aborted', `${label} was deleted and created again since change ${change.id}; not restoring an older object's spec over it`);
  if (!after) return result('aborted', `change ${change.id} recorded no spec it produced: without it, restoring could overwrite a later edit; restore by hand`);
  if (!jsonEqual(found.spec, after.spec)) {
    const versions = recordedVersion && seen ? ` (resourceVersion ${recordedVersion}, now ${seen})` : '';
    return result('aborted', `${label} was changed again after change ${change.id}${versions}: not overwriting the later edit; review it by hand`);
  }
  if (jsonEqual(found.spec, before.spec)) return result('aborted', `${label} already has the spec from before change ${change.id}: nothing to restore`);

  let written: string | undefined;
  sent = true;
  try {
    const response = await deps.rest.request<KubeObjectJson>('PATCH', path, {
      body: { metadata: { resourceVersion: seen, annotations: { [deps.changeIdAnnotation]: context.changeId } }, spec: mergePatchBetween(found.spec, before.spec) },
      contentType: MERGE_PATCH,
      query: { fieldManager: deps.fieldManager },
    });
    written = response?.['metadata']?.['resourceVersion'];
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    // A retried write may have landed the first time: our annotation and the previous spec say so.
    const landed = await readObject<KubeObjectJson>(deps.rest, path);
    const ours = !(landed instanceof KubeApiError) && landed !== undefined && landed['metadata']?.['annotations']?.[deps.changeIdAnnotation] === context.changeId && jsonEqual(landed['spec'] ?? {}, before.spec);
    if (!ours) {
      if (error.status === 409) return result('aborted', `${label} changed between meshgov's read (resourceVersion ${seen}) and its write (409 Conflict): nothing was written, the later edit is kept; review it by hand`, { wrote: false });
      if (error.status === 404) return result('aborted', `${label} was deleted before the write; nothing was restored`, { wrote: false });
      // Read back without our annotation, the write did not land; unread, it may have.
      return result('failed', `restoring ${label} failed: ${error.describe()}`, { wrote: landed instanceof KubeApiError });
    }
    written = landed['metadata']?.['resourceVersion'];
  }

  const readBack = await readObject<KubeObjectJson>(deps.rest, path);
  if (readBack instanceof KubeApiError || readBack === undefined) {
    return result('failed', `restored ${label}, but the re-read ${readBack === undefined ? 'found it gone' : `failed: ${readBack.describe()}`}`, { after: before });
  }
  const now = snapshotOf(readBack);
  if (jsonEqual(now.spec, before.spec)) {
    return result('verified', `restored the spec from before change ${change.id} on ${label} (resourceVersion ${seen} → ${now.metadata.resourceVersion}) and read it back`, { after: now, target: target(now.metadata.resourceVersion) });
  }
  if (written === undefined || now.metadata.resourceVersion !== written) {
    return result('failed', `restored ${label}, but a later write replaced it (resourceVersion ${now.metadata.resourceVersion}); not rolled back over the later write`, { after: now, target: target(now.metadata.resourceVersion) });
  }
  return putBack(deps, path, readBack, found, label, result);
}

/** Our write did not hold: the spec it replaced goes back, on the condition that nothing wrote since. */
async function putBack(deps: RestoreDeps, path: string, readBack: KubeObjectJson, replaced: ObjectSnapshot, label: string, result: (outcome: ApplyResult['outcome'], detail: string, extra?: Partial<ApplyResult>) => ApplyResult): Promise<ApplyResult> {
  const why = `restored ${label}, but the re-read does not show the previous spec`;
  try {
    await deps.rest.request('PATCH', path, {
      body: { metadata: { resourceVersion: readBack['metadata']?.['resourceVersion'] }, spec: mergePatchBetween(readBack['spec'] ?? {}, replaced.spec) },
      contentType: MERGE_PATCH,
      query: { fieldManager: deps.fieldManager },
    });
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    return result('failed', `${why}, and putting back the spec it replaced failed: ${error.describe()}; review it by hand`, { after: snapshotOf(readBack) });
  }
  const final = await readObject<KubeObjectJson>(deps.rest, path);
  const settled = final instanceof KubeApiError || final === undefined ? undefined : snapshotOf(final);
  return settled && jsonEqual(settled.spec, replaced.spec)
    ? result('rolled-back', `${why}; put back the spec it replaced`, { after: settled })
    : result('failed', `${why}; the spec it replaced was sent back but the re-read shows otherwise`, settled ? { after: settled } : {});
}
