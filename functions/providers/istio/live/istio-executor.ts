/**
 * The live Istio writer: applies the PeerAuthentication and DestinationRule fixes the Istio
 * provider plans, verifies them, and restores the previous spec when they do not hold.
 *
 * Why a JSON merge patch with a resourceVersion precondition, and not server-side apply:
 * - The fixes are planned as merge patches (serverFixes.ts, clientFixes.ts), including `null`s
 *   that clear TLS fields ISTIO_MUTUAL does not use. Apply cannot clear a field another
 *   manager owns; it would have to take ownership first.
 * - The fields we change are owned by whoever wrote the policy (`kubectl-client-side-apply`,
 *   Argo CD, Helm). Apply without `force` answers 409 on every such field, so every fix would
 *   abort; apply with `force` silently takes the fields from that owner, and the next sync of
 *   the GitOps tool fights us. A merge patch changes the value and records `meshgov` as the
 *   manager of just those fields (`?fieldManager=meshgov`), visible in managedFields.
 * - The precondition we need is "unchanged since the audit judged it": a merge patch whose
 *   body carries `metadata.resourceVersion` is refused with 409 Conflict when the object has
 *   moved on (the API server's optimistic concurrency, apiserver registry/rest/update.go),
 *   which is exactly that check, atomically on the server.
 *
 * Every write also sets the annotation `meshgov.io/change-id`, so a change is recognisable on
 * the object and in the audit log (where the trigger adapter skips meshgov's own changes),
 * and a retried write can tell its own earlier success from someone else's edit.
 */
import type { Remediation } from '../../../core/findings';
import type { ChangeRecord } from '../../../core/ledger/types';
import type { RemediationExecutor, WriteReport } from '../../../core/pipeline/ports';
import { undoneActionOf } from '../../../core/remediation/undo-action';
import { CREATE_STRICT_ACTION, SET_STRICT_ACTION } from '../serverFixes';
import { CREATE_ISTIO_MUTUAL_ACTION, SET_ISTIO_MUTUAL_ACTION } from '../clientFixes';
import { isKubeApiError, KubeApiError } from './api-error';
import { readIstioChange, readSnapshot, snapshotOf, writableType, type IstioChange, type ObjectSnapshot, type ObjectTarget } from './istio-change';
import type { KubeConnection } from './kube-client';
import { applyMergePatch, changedPaths, isEmptyPatch, jsonEqual, MERGE_PATCH, mergePatchBetween, patchSetting, unheldFields, valueAt } from './merge-patch';
import { apiVersionOf, collectionPath, objectPath } from './resource-types';
import { isObservedIstioAction } from './observed-actions';
import { restoreObservedChange } from './restore-observed-change';
import { KubeRestClient, readObject, type RestClientOptions } from './rest-client';
import { ServedVersions } from './served-versions';

export const MESHGOV_FIELD_MANAGER = 'meshgov';
export const CHANGE_ID_ANNOTATION = 'meshgov.io/change-id';
/** The actions this writer applies. */
export const ISTIO_WRITER_ACTIONS: readonly string[] = [SET_STRICT_ACTION, CREATE_STRICT_ACTION, SET_ISTIO_MUTUAL_ACTION, CREATE_ISTIO_MUTUAL_ACTION];

export interface IstioExecutorOptions extends KubeConnection, RestClientOptions {
  /** Field manager recorded for our writes (default `meshgov`). */
  fieldManager?: string;
}

type KubeObjectJson = Record<string, any>;

interface Context {
  changeId: string;
}

/** An observed change's action (`istio.destinationrule.update`), or its Undo (`….undo`). */
function undoesObservedChange(action: string): boolean {
  return isObservedIstioAction(undoneActionOf(action) ?? action);
}

/**
 * @example
 *   const executor = istioExecutor({ kubeConfig: kubeConfigForGke(gkeSettingsFromEnv()) });
 *   const result = await executor.apply(finding.remediation, { trigger, changeId: 'chg-1' });
 *   // result.outcome: 'verified' | 'rolled-back' | 'aborted' | 'failed'
 */
export function istioExecutor(options: IstioExecutorOptions): RemediationExecutor {
  const rest = new KubeRestClient(options, options);
  const fieldManager = options.fieldManager ?? MESHGOV_FIELD_MANAGER;
  const writer = new IstioWriter(rest, fieldManager);
  return {
    // A change someone else made (istio.destinationrule.update, …) is handled too: only its Undo runs (revert), never an apply.
    handles: (remediation: Remediation) =>
      (ISTIO_WRITER_ACTIONS.includes(remediation.action) && !('error' in readIstioChange(remediation.change))) || undoesObservedChange(remediation.action),
    apply: (remediation, context) =>
      undoesObservedChange(remediation.action)
        ? Promise.resolve({ outcome: 'failed', detail: `${remediation.action} is the Undo of a recorded change: it runs as a revert of that change`, target: {}, wrote: false })
        : writer.apply(remediation, context),
    revert: (change, context) =>
      isObservedIstioAction(change.action) ? restoreObservedChange(change, context, { rest, fieldManager, changeIdAnnotation: CHANGE_ID_ANNOTATION }) : writer.revert(change, context),
  };
}

function targetRecord(target: ObjectTarget, path: string, resourceVersion?: string): Record<string, unknown> {
  return { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, path, ...(resourceVersion ? { resourceVersion } : {}) };
}

function annotationOf(object: KubeObjectJson | undefined): string | undefined {
  return object?.['metadata']?.['annotations']?.[CHANGE_ID_ANNOTATION];
}

class IstioWriter {
  constructor(
    private readonly rest: KubeRestClient,
    private readonly fieldManager: string,
  ) {}

  async apply(remediation: Remediation, context: Context): Promise<WriteReport> {
    const change = readIstioChange(remediation.change);
    if ('error' in change) return { outcome: 'failed', detail: `cannot apply ${remediation.action}: ${change.error}`, target: {}, wrote: false };
    return change.operation === 'create' ? this.create(change, context) : this.patch(change, context);
  }

  // ---- merge patch ----

  private async patch(change: Extract<IstioChange, { operation: 'merge-patch' }>, context: Context): Promise<WriteReport> {
    const { target, patch } = change;
    const path = this.pathOf(target);
    const record = (resourceVersion?: string) => targetRecord(target, path, resourceVersion);

    const current = await this.read(path);
    if (current instanceof KubeApiError) return this.failedRead(current, record());
    if (current === undefined) return { outcome: 'aborted', detail: `${target.kind} ${target.namespace}/${target.name} no longer exists`, target: record(), wrote: false };
    const before = snapshotOf(current);
    // An earlier attempt of this very change (the hub re-sends a change whose answer it lost) moved the
    // resourceVersion itself: not a conflict. The spec from before it is unknown here, so none is reported.
    if (annotationOf(current) === context.changeId && unheldFields(patch, current).length === 0) {
      return {
        outcome: 'verified',
        detail: `already applied by an earlier attempt of change ${context.changeId} (annotation ${CHANGE_ID_ANNOTATION}); that attempt saw the previous spec, this one cannot record it, so an Undo of it is by hand`,
        after: before,
        target: record(before.metadata.resourceVersion),
        // That attempt's write is this change's: it counts, though this attempt sent nothing.
        wrote: true,
      };
    }
    const seenVersion = target.resourceVersion ?? before.metadata.resourceVersion;
    if (target.resourceVersion && target.resourceVersion !== before.metadata.resourceVersion) {
      return {
        outcome: 'aborted',
        detail: `${target.kind} ${target.namespace}/${target.name} changed since the audit read it (resourceVersion ${target.resourceVersion}, now ${before.metadata.resourceVersion}); the next audit re-plans it`,
        before,
        target: record(before.metadata.resourceVersion),
        wrote: false,
      };
    }
    if (unheldFields(patch, current).length === 0) {
      return { outcome: 'verified', detail: 'the change is already in place; nothing was written', before, after: before, target: record(before.metadata.resourceVersion), wrote: false };
    }

    const body = withMetadata(patch, { resourceVersion: seenVersion, annotations: { [CHANGE_ID_ANNOTATION]: context.changeId } });
    // The object as our write left it, at the version it made; unknown when the answer was lost.
    let written: KubeObjectJson | undefined;
    try {
      written = storedObject(await this.rest.request<KubeObjectJson | undefined>('PATCH', path, { body, contentType: MERGE_PATCH, query: { fieldManager: this.fieldManager } }));
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      // Our annotation and the patched fields say whether it landed.
      const ours = await this.landedAnyway(path, (landed) => annotationOf(landed) === context.changeId && unheldFields(patch, landed).length === 0);
      if (ours !== true) return this.failedWrite(error, before, record(seenVersion), `merge patch of ${target.kind} ${target.namespace}/${target.name}`, ours === undefined && mayHaveLanded(error));
    }
    return this.verifyPatch(target, patch, before, written, record);
  }

  /**
   * Everything from here on follows a patch that landed: each result wrote. Every result records
   * as `after` what our write produced (`written`, else what the patch set), not the re-read,
   * which may hold another writer's later edit: an Undo restores what differs between `before`
   * and `after`, and must not take that edit back with ours. The one exception is a verified
   * patch whose answer was lost, whose re-read spec is exactly what the patch set (it then gives
   * the real version). The re-read otherwise only tells whether the change holds; when it does
   * not, its version and generation tell whose write that is.
   */
  private async verifyPatch(
    target: ObjectTarget,
    patch: Record<string, unknown>,
    before: ObjectSnapshot,
    written: KubeObjectJson | undefined,
    record: (rv?: string) => Record<string, unknown>,
  ): Promise<WriteReport> {
    const path = this.pathOf(target);
    const ours: ObjectSnapshot = written ? snapshotOf(written) : { ...before, metadata: withoutVersion(before.metadata), spec: applyMergePatch(before.spec, patch['spec'] ?? {}) as ObjectSnapshot['spec'] };
    const writtenVersion = ours.metadata.resourceVersion;
    const now = await this.read(path);
    if (now instanceof KubeApiError) return { outcome: 'failed', detail: `patched, but the re-read failed: ${now.describe()}`, before, after: ours, afterWritten: true, target: record(writtenVersion), wrote: true };
    if (now === undefined) return { outcome: 'failed', detail: `patched, but ${target.kind} ${target.namespace}/${target.name} was gone on re-read`, before, after: ours, afterWritten: true, target: record(writtenVersion), wrote: true };
    const unheld = unheldFields(patch, now);
    if (unheld.length === 0) {
      // With the answer lost, the re-read is our write's record only when its spec is exactly what
      // the patch made (then its version and generation are real, which the next change's
      // "before" is found by); otherwise it may hold another writer's edit, which an Undo must not take back.
      const after = written || !jsonEqual(now['spec'] ?? {}, ours.spec ?? {}) ? ours : snapshotOf(now);
      return { outcome: 'verified', detail: `patched and re-read: ${describePatch(patch)}`, before, after, target: record(after.metadata.resourceVersion), wrote: true };
    }
    const why = `the re-read object does not hold ${unheld.join(', ')}`;
    const nowVersion: string | undefined = now['metadata']?.['resourceVersion'];
    // Still as our write left it: our write itself did not hold (a mutating admission webhook), so it is ours to undo.
    if (written && stillAsWritten(written, now)) return this.rollBack(now, before, ours, why, record);
    return {
      outcome: 'failed',
      detail: `${why}: another writer changed ${target.kind} ${target.namespace}/${target.name} after meshgov's patch (${versionMove(writtenVersion, nowVersion)}); not rolled back over that write: review it by hand`,
      before,
      after: ours,
      afterWritten: true,
      target: record(nowVersion),
      wrote: true,
    };
  }

  /**
   * Restores `before.spec` over our own write, conditional on the version just read, which is the
   * one our write made (never called once another writer moved it on). `ours` is what our write
   * produced: a rollback that fails records it as the change's `after`.
   */
  private async rollBack(current: KubeObjectJson, before: ObjectSnapshot, ours: ObjectSnapshot, why: string, record: (rv?: string) => Record<string, unknown>): Promise<WriteReport> {
    const path = this.pathOf({ ...before.metadata, apiVersion: current['apiVersion'], kind: current['kind'] });
    const restore = mergePatchBetween(current['spec'], before.spec);
    if (!isEmptyPatch(restore)) {
      try {
        await this.rest.request('PATCH', path, {
          body: { metadata: { resourceVersion: current['metadata']?.['resourceVersion'] }, spec: restore },
          contentType: MERGE_PATCH,
          query: { fieldManager: this.fieldManager },
        });
      } catch (error) {
        if (!(error instanceof KubeApiError)) throw error;
        const restoredAnyway = await this.landedAnyway(path, (landed) => jsonEqual(landed['spec'] ?? {}, before.spec));
        if (restoredAnyway !== true) {
          return { outcome: 'failed', detail: `${why}, and restoring the previous spec failed: ${error.describe()}`, before, after: ours, afterWritten: true, target: record(current['metadata']?.['resourceVersion']), wrote: true };
        }
      }
    }
    const restored = await this.read(path);
    if (restored instanceof KubeApiError || restored === undefined || !jsonEqual(restored['spec'] ?? {}, before.spec)) {
      const seen = restored instanceof KubeApiError ? restored.describe() : restored === undefined ? 'the object is gone' : 'the spec still differs';
      return { outcome: 'failed', detail: `${why}; the previous spec was sent back but the re-read shows otherwise (${seen})`, before, target: record(), wrote: true };
    }
    return { outcome: 'rolled-back', detail: `${why}; the previous spec was restored`, before, after: snapshotOf(restored), target: record(restored['metadata']?.['resourceVersion']), wrote: true };
  }

  // ---- create ----

  private async create(change: Extract<IstioChange, { operation: 'create' }>, context: Context): Promise<WriteReport> {
    const { type } = writableType(change.target)!;
    // Fixes plan new objects in v1, which a cluster before Istio 1.22 does not serve for these
    // kinds (the POST would answer 404): create in the newest version it serves, same spec.
    let version: string | undefined;
    try {
      version = await new ServedVersions(this.rest).versionFor(type);
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      return { outcome: 'failed', detail: `cannot tell which version of ${type.kind} the cluster serves: ${error.describe()}`, target: targetRecord(change.target, this.pathOf(change.target)), wrote: false };
    }
    if (version === undefined) {
      return { outcome: 'failed', detail: `the cluster serves no ${type.group} ${type.kind} (${type.versions.join(', ')}): is Istio installed?`, target: targetRecord(change.target, this.pathOf(change.target)), wrote: false };
    }
    const apiVersion = apiVersionOf(type.group, version);
    const target = { ...change.target, apiVersion };
    const path = this.pathOf(target);
    const record = (resourceVersion?: string) => targetRecord(target, path, resourceVersion);
    const object = withMetadata({ ...change.object, apiVersion }, { annotations: { [CHANGE_ID_ANNOTATION]: context.changeId } });
    // The object as our create left it, at the version it made; unknown when the answer was lost.
    let written: KubeObjectJson | undefined;
    try {
      written = storedObject(await this.rest.request<KubeObjectJson | undefined>('POST', collectionPath(type, version, target.namespace), { body: object, query: { fieldManager: this.fieldManager } }));
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      const existing = await this.read(path);
      const ours = !(existing instanceof KubeApiError) && existing !== undefined && annotationOf(existing) === context.changeId;
      if (!ours) {
        // Unread, the object may be the one an earlier try of this create made.
        const mayBeOurs = existing instanceof KubeApiError && mayHaveLanded(error);
        if (error.status === 409) {
          const before = existing instanceof KubeApiError || existing === undefined ? undefined : snapshotOf(existing);
          return { outcome: 'aborted', detail: `${target.kind} ${target.namespace}/${target.name} already exists; the next audit re-plans against it`, ...(before ? { before } : {}), target: record(before?.metadata.resourceVersion), wrote: mayBeOurs };
        }
        return this.failedWrite(error, undefined, record(), `create of ${target.kind} ${target.namespace}/${target.name}`, mayBeOurs);
      }
    }

    const created = await this.read(path);
    if (created instanceof KubeApiError) return { outcome: 'failed', detail: `created, but the re-read failed: ${created.describe()}`, before: null, target: record(), wrote: true };
    if (created === undefined) return { outcome: 'failed', detail: `created, but ${target.kind} ${target.namespace}/${target.name} was gone on re-read`, before: null, target: record(), wrote: true };
    // As for a patch: `after` is what our create made, not a re-read that may hold a later edit (an
    // Undo deletes only while the spec is still that); the re-read only when the create's answer was lost.
    const ours = snapshotOf(written ?? created);
    const unheld = unheldFields({ spec: change.object['spec'] }, created);
    if (unheld.length === 0) {
      return { outcome: 'verified', detail: `created and re-read: ${describePatch({ spec: change.object['spec'] })}`, before: null, after: ours, target: record(ours.metadata.resourceVersion), wrote: true };
    }
    const why = `the re-read object does not hold ${unheld.join(', ')}`;
    const writtenVersion = written?.['metadata']?.['resourceVersion'];
    const nowVersion: string | undefined = created['metadata']?.['resourceVersion'];
    // Moved on from what our create made (or that is unknown): the object may hold another writer's edit, which a delete would destroy.
    if (!written || !stillAsWritten(written, created)) {
      const label = `${target.kind} ${target.namespace}/${target.name}`;
      const whose =
        writtenVersion === undefined
          ? `the answer to meshgov's create was lost, so whether ${label} (now resourceVersion ${nowVersion ?? 'unknown'}) holds another writer's edit is unknown`
          : `another writer changed ${label} after meshgov created it (resourceVersion ${writtenVersion}, now ${nowVersion ?? 'unknown'})`;
      return {
        outcome: 'failed',
        detail: `${why}: ${whose}; not deleted: review it by hand`,
        before: null,
        ...(written ? { after: ours, afterWritten: true } : {}),
        target: record(nowVersion),
        wrote: true,
      };
    }
    const removal = await this.remove(path, created);
    return removal === undefined
      ? { outcome: 'rolled-back', detail: `${why}; the created object was deleted`, before: null, after: null, target: record(), wrote: true }
      : { outcome: 'failed', detail: `${why}, and deleting it failed: ${removal.describe()}`, before: null, after: ours, afterWritten: true, target: record(nowVersion), wrote: true };
  }

  /** Deletes exactly the object that was read (uid and resourceVersion preconditions); the error, or undefined once it is gone. */
  private async remove(path: string, object: KubeObjectJson): Promise<KubeApiError | undefined> {
    const metadata = object['metadata'] ?? {};
    try {
      await this.rest.request('DELETE', path, { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: metadata.uid, resourceVersion: metadata.resourceVersion } } });
    } catch (error) {
      if (isKubeApiError(error, 404)) return undefined;
      if (error instanceof KubeApiError) return error;
      throw error;
    }
    return undefined;
  }

  // ---- revert ----

  async revert(change: ChangeRecord, context: Context): Promise<WriteReport> {
    const after = readSnapshot(change.after);
    // Only an explicit null means "meshgov created it": a record without `before` must never lead to a delete.
    const before = change.before === null ? null : readSnapshot(change.before);
    const raw = change.target as Partial<ObjectTarget>;
    const target: ObjectTarget | undefined =
      after && writableType(after)
        ? { apiVersion: after.apiVersion, kind: after.kind, namespace: after.metadata.namespace, name: after.metadata.name }
        : raw.apiVersion && raw.kind && raw.namespace && raw.name && writableType({ apiVersion: raw.apiVersion, kind: raw.kind })
          ? { apiVersion: raw.apiVersion, kind: raw.kind, namespace: raw.namespace, name: raw.name }
          : undefined;
    if (target === undefined || after === undefined || before === undefined) {
      return { outcome: 'failed', detail: `change ${change.id} does not record the Istio object before and after it`, target: change.target, wrote: false };
    }
    const path = this.pathOf(target);
    const record = (resourceVersion?: string) => targetRecord(target, path, resourceVersion);
    const current = await this.read(path);
    if (current instanceof KubeApiError) return this.failedRead(current, record());
    return before === null ? this.revertCreate(change, after, current, path, record) : this.revertPatch(change, before, after, current, path, record, context);
  }

  private async revertCreate(
    change: ChangeRecord,
    after: ObjectSnapshot,
    current: KubeObjectJson | undefined,
    path: string,
    record: (rv?: string) => Record<string, unknown>,
  ): Promise<WriteReport> {
    if (current === undefined) return { outcome: 'verified', detail: `the object change ${change.id} created is already gone`, before: after, after: null, target: record(), wrote: false };
    const now = snapshotOf(current);
    if ((after.metadata.uid && now.metadata.uid !== after.metadata.uid) || !jsonEqual(now.spec, after.spec)) {
      return { outcome: 'aborted', detail: `the object change ${change.id} created has been replaced or edited since; it is left in place`, before: now, target: record(now.metadata.resourceVersion), wrote: false };
    }
    const failure = await this.remove(path, current);
    if (failure !== undefined) return this.failedWrite(failure, now, record(now.metadata.resourceVersion), `delete of the object change ${change.id} created`, mayHaveLanded(failure));
    const gone = await this.read(path);
    return gone === undefined
      ? { outcome: 'verified', detail: `deleted the object change ${change.id} created`, before: now, after: null, target: record(), wrote: true }
      : { outcome: 'failed', detail: `the object change ${change.id} created is still there after the delete`, before: now, target: record(), wrote: true };
  }

  private async revertPatch(
    change: ChangeRecord,
    before: ObjectSnapshot,
    after: ObjectSnapshot,
    current: KubeObjectJson | undefined,
    path: string,
    record: (rv?: string) => Record<string, unknown>,
    context: Context,
  ): Promise<WriteReport> {
    if (current === undefined) return { outcome: 'aborted', detail: `the object change ${change.id} patched no longer exists`, target: record(), wrote: false };
    const now = snapshotOf(current);
    if (after.metadata.uid && now.metadata.uid && now.metadata.uid !== after.metadata.uid) {
      return { outcome: 'aborted', detail: `the object change ${change.id} patched was deleted and created again since; not restoring an older object's spec over it`, before: now, target: record(now.metadata.resourceVersion), wrote: false };
    }
    // Only what the change set is put back, and only while it still holds: a later edit of the same field wins.
    const paths = changedPaths(before.spec, after.spec);
    const moved = paths.filter((p) => !jsonEqual(valueAt(now.spec, p), valueAt(after.spec, p)));
    if (moved.length > 0) {
      return { outcome: 'aborted', detail: `spec.${moved.join(', spec.')} changed again since change ${change.id}; not overwriting that edit`, before: now, target: record(now.metadata.resourceVersion), wrote: false };
    }
    if (paths.length === 0) return { outcome: 'verified', detail: `change ${change.id} changed no spec field; nothing to revert`, before: now, after: now, target: record(now.metadata.resourceVersion), wrote: false };

    const restore = { spec: patchSetting(paths, before.spec) };
    try {
      await this.rest.request('PATCH', path, {
        body: withMetadata(restore, { resourceVersion: now.metadata.resourceVersion, annotations: { [CHANGE_ID_ANNOTATION]: context.changeId } }),
        contentType: MERGE_PATCH,
        query: { fieldManager: this.fieldManager },
      });
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      // Our annotation and the restored fields say whether it landed.
      const ours = await this.landedAnyway(path, (landed) => annotationOf(landed) === context.changeId && paths.every((p) => jsonEqual(valueAt(landed['spec'], p), valueAt(before.spec, p))));
      if (ours !== true) return this.failedWrite(error, now, record(now.metadata.resourceVersion), `revert of change ${change.id}`, ours === undefined && mayHaveLanded(error));
    }
    const reverted = await this.read(path);
    if (reverted instanceof KubeApiError || reverted === undefined) {
      return { outcome: 'failed', detail: `reverted, but the re-read failed: ${reverted instanceof KubeApiError ? reverted.describe() : 'the object is gone'}`, before: now, target: record(), wrote: true };
    }
    const unheld = paths.filter((p) => !jsonEqual(valueAt(reverted['spec'], p), valueAt(before.spec, p)));
    return unheld.length === 0
      ? { outcome: 'verified', detail: `restored spec.${paths.join(', spec.')} as before change ${change.id}`, before: now, after: snapshotOf(reverted), target: record(reverted['metadata']?.['resourceVersion']), wrote: true }
      : { outcome: 'failed', detail: `reverted, but the re-read does not hold spec.${unheld.join(', spec.')}`, before: now, after: snapshotOf(reverted), target: record(reverted['metadata']?.['resourceVersion']), wrote: true };
  }

  // ---- helpers ----

  private pathOf(target: Pick<ObjectTarget, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
    const { type, version } = writableType(target)!;
    return objectPath(type, version, target.namespace, target.name);
  }

  /** The object, undefined when absent, or the error of the read. */
  private read(path: string): Promise<KubeObjectJson | undefined | KubeApiError> {
    return readObject<KubeObjectJson>(this.rest, path);
  }

  /**
   * After a write that failed: whether an earlier try of it landed anyway (the client resends on a
   * 5xx or a timeout, and the resend then meets 409 on the version it moved), as `holds` tells
   * from a fresh read; undefined when that read fails too.
   */
  private async landedAnyway(path: string, holds: (object: KubeObjectJson) => boolean): Promise<boolean | undefined> {
    const landed = await this.read(path);
    if (landed instanceof KubeApiError) return undefined;
    return landed !== undefined && holds(landed);
  }

  private failedRead(error: KubeApiError, target: Record<string, unknown>): WriteReport {
    return { outcome: 'failed', detail: `cannot read the object: ${error.describe()}`, target, wrote: false };
  }

  /**
   * 409 (someone else wrote first) and 404 (deleted meanwhile) abort; any other refusal fails.
   * `wrote`: whether a try of it may have landed, which no read has ruled out.
   */
  private failedWrite(error: KubeApiError, before: ObjectSnapshot | undefined, target: Record<string, unknown>, what: string, wrote: boolean): WriteReport {
    const outcome = error.status === 409 || error.status === 404 ? 'aborted' : 'failed';
    const why =
      error.status === 409
        ? wrote
          ? 'the object changed since it was read (409 Conflict), perhaps by an earlier try of this write that got no answer: it could not be read back to tell'
          : 'the object changed since it was read (409 Conflict); nothing was written'
        : error.status === 404
          ? 'the object or its namespace no longer exists (404)'
          : error.describe();
    return { outcome, detail: `${what}: ${why}`, ...(before ? { before } : {}), target, wrote };
  }
}

/** Network failures that happen before a request is sent: the connection was never made. */
const UNSENT_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether a write that ended in `error` may have landed. The API server refuses a 4xx before
 * storing anything, and a connection never made sent nothing; a 5xx, a timeout, a dropped
 * connection or an unreadable answer may come after the write was stored. A write that was sent
 * more than once may have landed on an earlier try whatever the last one answered.
 */
function mayHaveLanded(error: KubeApiError): boolean {
  if (error.attempts > 1) return true;
  if (error.status === 0) return !UNSENT_NETWORK_ERRORS.has(error.reason);
  return error.status < 400 || error.status >= 500;
}

/** `patch` with metadata fields merged in (a patch's own metadata keys are kept). */
function withMetadata(patch: Record<string, any>, metadata: { resourceVersion?: string | undefined; annotations?: Record<string, string> }): Record<string, any> {
  const own = patch['metadata'] ?? {};
  const merged: Record<string, any> = { ...own };
  if (metadata.resourceVersion !== undefined) merged['resourceVersion'] = metadata.resourceVersion;
  if (metadata.annotations) merged['annotations'] = { ...(own.annotations ?? {}), ...metadata.annotations };
  return { ...patch, metadata: merged };
}

/** `spec.mtls.mode=STRICT` */
function describePatch(patch: unknown, path = ''): string {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return `${path}=${JSON.stringify(patch)}`;
  return Object.entries(patch)
    .map(([k, v]) => describePatch(v, path ? `${path}.${k}` : k))
    .join(', ');
}

/** A write's answer when it is the stored object (it names its version); undefined otherwise. */
/**
 * Whether the object is still as our write left it: at the version that write made, or at the
 * same generation with the same spec. A status writer (istiod's validation messages) moves the
 * resourceVersion but not the generation, which counts only spec changes on a custom resource.
 */
function stillAsWritten(written: KubeObjectJson, now: KubeObjectJson): boolean {
  if (written['metadata']?.['resourceVersion'] === now['metadata']?.['resourceVersion']) return true;
  const generation = written['metadata']?.['generation'];
  return generation !== undefined && generation === now['metadata']?.['generation'] && jsonEqual(written['spec'] ?? {}, now['spec'] ?? {});
}

function storedObject(answer: KubeObjectJson | undefined): KubeObjectJson | undefined {
  const version = answer?.['metadata']?.['resourceVersion'];
  return typeof version === 'string' && version !== '' ? answer : undefined;
}

/**
 * `resourceVersion 1042, now 1043`. When the patch's answer was lost, the version it made is
 * unknown, but the read that found it landed showed it holding: what no longer holds is a later write.
 */
function versionMove(written: string | undefined, now: string | undefined): string {
  return written === undefined ? `now resourceVersion ${now ?? 'unknown'}; the answer to meshgov's patch was lost, so the version it made is unknown` : `resourceVersion ${written}, now ${now ?? 'unknown'}`;
}

/** Metadata without the resourceVersion it was read at: the patch made a new one, unknown here. */
function withoutVersion(metadata: ObjectSnapshot['metadata']): ObjectSnapshot['metadata'] {
  const { resourceVersion: _unknown, ...rest } = metadata;
  return rest;
}
