/**
 * One safe whole-spec write of a virtual node or gateway: App Mesh has no conditional update,
 * so meshgov reads the resource immediately before writing and aborts when it changed since the
 * audit, refuses another account's resource, writes with a clientToken, reads it back, and
 * restores the spec it replaced when the write did not achieve what it was for.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { ApplyResult, WriteReport } from '../../../core/pipeline/ports';
import { errorNameOf, httpStatusOf } from './errors';
import type { MeshSnapshotCache } from './mesh-snapshot';
import type { WriteTarget } from './spec-change';
import { describeCallError as describeError, describeResource as describe, readOwnResource, updateResource as update, type Data, type Spec } from './resource-io';
import { sameJson } from '../../../core/approvals/same-json';
import type { SpecCheck } from './tls-checks';

export interface ReplaceSpecRequest {
  target: WriteTarget;
  /** The `metadata.version` the audit read; the write aborts when the resource is at any other. */
  expectedVersion?: number;
  /** Without a version: the spec the resource must still have (an undo checks meshgov's own spec is still there). */
  expectedSpec?: Spec;
  /**
   * The `metadata.uid` the audit read (a fix) or meshgov wrote to (an undo): a deleted and
   * re-created resource restarts its versions, so the version alone cannot tell it apart.
   */
  expectedUid?: string;
  /** What the uid was read at, for the abort's detail: "the audit" (a fix); default "meshgov's change" (an undo). */
  uidReadAt?: string;
  /** The owner the audit saw (`change.resourceOwner`). */
  claimedOwner?: string;
  newSpec: Spec;
  clientToken: string;
  rollbackToken: string;
  /** The check the read-back must pass, built from the spec as read just before writing; undefined when the write would change nothing that matters. */
  checkFor: (before: Spec) => SpecCheck | undefined;
  /** For details: "listener TLS", "client policy", … */
  subject: string;
}

export interface WriterDeps {
  client: AppMeshClient;
  /** The account meshgov runs as, when known without a call. */
  callerAccount: () => Promise<string | undefined>;
  cache?: MeshSnapshotCache;
}

export async function replaceSpec(req: ReplaceSpecRequest, deps: WriterDeps): Promise<WriteReport> {
  const { target } = req;
  const label = `${target.kind} ${target.meshName}/${target.name}`;
  const report = (outcome: ApplyResult['outcome'], detail: string, wrote: boolean, extra: Partial<ApplyResult> = {}): WriteReport => ({
    outcome,
    detail,
    target: targetOf(target),
    ...extra,
    wrote,
  });
  // Before the Update is sent.
  const unwritten = (outcome: ApplyResult['outcome'], detail: string, extra: Partial<ApplyResult> = {}): WriteReport => report(outcome, detail, false, extra);

  const read = await readOwnResource(deps.client, deps.callerAccount, target, label, { claimedOwner: req.claimedOwner, reading: 'before writing', gone: 'nothing was changed' });
  const current = read.live;
  if (!current) return unwritten(read.refusal!.outcome, read.refusal!.detail);
  const before: Spec = current.spec ?? {};
  const arn: string | undefined = current.metadata?.arn;
  const version: number | undefined = current.metadata?.version;
  const uid: string | undefined = typeof current.metadata?.uid === 'string' ? current.metadata.uid : undefined;
  const targetAt = (v: number | undefined) => targetOf(target, arn, v, uid);
  const withArn = (extra: Partial<ApplyResult> = {}): Partial<ApplyResult> => ({ target: targetAt(version), before, ...extra });
  if (read.refusal) return unwritten(read.refusal.outcome, read.refusal.detail, withArn());
  if (req.expectedUid !== undefined && uid !== req.expectedUid) {
    return unwritten('aborted', `${label} was deleted and re-created since ${req.uidReadAt ?? "meshgov's change"} (uid ${req.expectedUid}, now ${uid ?? 'unknown'}): not writing a spec recorded from another resource`, withArn());
  }
  if (req.expectedVersion !== undefined) {
    if (version !== req.expectedVersion) {
      return unwritten('aborted', `${label} changed since the audit read it (version ${req.expectedVersion}, now ${version}): not overwriting a change meshgov has not audited`, withArn());
    }
  } else if (req.expectedSpec !== undefined) {
    if (!sameJson(before, req.expectedSpec)) {
      return unwritten('aborted', `${label} changed since meshgov's change (its spec differs): not overwriting a later change`, withArn());
    }
  } else {
    return unwritten('aborted', `no expected version for ${label}: without one a whole-spec write could overwrite an unaudited change`, withArn());
  }
  const check = req.checkFor(before);
  if (!check) return unwritten('aborted', `the change would not alter the ${req.subject} of ${label}: nothing to apply`, withArn());

  let written: Data;
  try {
    written = await update(deps.client, target, req.newSpec, req.clientToken);
  } catch (error) {
    const name = errorNameOf(error);
    if (name === 'ForbiddenException') return report('aborted', `App Mesh refused the write to ${label} (${describeError(error)}): not this account's to change`, updateMayHaveLanded(error), withArn());
    // IAM's denial (not in the App Mesh model): refused before App Mesh saw it, so nothing was written.
    if (name === 'AccessDeniedException') return report('aborted', `meshgov's role may not update ${label} (${describeError(error)}); nothing was changed: grant it the Update call, or apply the fix by hand`, updateMayHaveLanded(error), withArn());
    if (name === 'NotFoundException') return report('aborted', `${label} was deleted before the write; nothing was changed`, updateMayHaveLanded(error), withArn());
    const after = await stateAfterFailedWrite(deps.client, target, version, error);
    return report('failed', `the write to ${label} failed after retries: ${describeError(error)}; ${after.detail}`, after.mayHaveLanded, withArn());
  }
  // The Update landed: every result from here on wrote, whatever its check says.
  const writtenVersion: number | undefined = written.metadata?.version;
  deps.cache?.record(target.type, written);
  // App Mesh adds exactly one version per update: a larger jump is another writer between our read and our write.
  const raced = typeof version === 'number' && typeof writtenVersion === 'number' && writtenVersion > version + 1;

  let live: Data | undefined;
  try {
    live = await describe(deps.client, target);
  } catch (error) {
    // After a race the write replaced another writer's change too: an Undo would restore a spec older than theirs, so a person reviews it.
    return raced
      ? report(
          'failed',
          `wrote ${label} (version ${writtenVersion}) but could not read it back: ${describeError(error)}; another writer updated it between meshgov's read (version ${version}) and its write, and that change was overwritten: review the resource`,
          true,
          withArn({ after: req.newSpec, target: targetAt(writtenVersion) }),
        )
      : report('failed', `wrote ${label} (version ${writtenVersion}) but could not read it back: ${describeError(error)}`, true, withArn({ after: req.newSpec, afterWritten: true, target: targetAt(writtenVersion) }));
  }
  if (!live) return report('failed', `wrote ${label} (version ${writtenVersion}) but it was deleted right after`, true, withArn({ after: req.newSpec }));
  deps.cache?.record(target.type, live);
  const liveVersion: number | undefined = live.metadata?.version;
  const shortfall = check(live.spec ?? {});
  const after = live.spec ?? req.newSpec;

  if (liveVersion !== writtenVersion) {
    // Someone wrote after us: restoring our `before` would undo their change too. Either way the
    // record names the version meshgov's write produced, and its spec, so that an Undo (or the
    // rollback of an SLO burn, which may suspect a failed change) aborts rather than restore over the later write.
    return shortfall
      ? report('failed', `wrote ${label} (version ${writtenVersion}), but a later write (version ${liveVersion}) replaced it and ${shortfall}; not rolled back over the later write`, true, withArn({ after: written.spec ?? req.newSpec, target: targetAt(writtenVersion) }))
      : report('verified', `wrote ${label} (version ${writtenVersion}); a later write (version ${liveVersion}) kept the ${req.subject} as intended`, true, withArn({ after: written.spec ?? req.newSpec, target: targetAt(writtenVersion) }));
  }
  if (!shortfall) {
    if (raced) {
      return report(
        'failed',
        `wrote ${label} and verified its ${req.subject}, but another writer updated it between meshgov's read (version ${version}) and its write (which became version ${writtenVersion}): that change was overwritten; review the resource`,
        true,
        withArn({ after, target: targetAt(writtenVersion) }),
      );
    }
    return report('verified', `wrote ${label} (version ${version} → ${writtenVersion}) and read it back: ${req.subject} as intended`, true, withArn({ after, target: targetAt(writtenVersion) }));
  }

  // The write landed but did not do what it was for: put the previous spec back.
  try {
    const restored = await update(deps.client, target, before, req.rollbackToken);
    deps.cache?.record(target.type, restored);
    return report(
      'rolled-back',
      `wrote ${label} (version ${writtenVersion}) but read back ${shortfall}; restored the previous spec (version ${restored.metadata?.version})`,
      true,
      withArn({ after: req.newSpec, target: targetAt(restored.metadata?.version) }),
    );
  } catch (error) {
    return report(
      'failed',
      `wrote ${label} (version ${writtenVersion}) but read back ${shortfall}, and restoring the previous spec failed: ${describeError(error)}; restore it by hand`,
      true,
      withArn({ after: req.newSpec, target: targetAt(writtenVersion) }),
    );
  }
}

function targetOf(t: WriteTarget, arn?: string, version?: number, uid?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { mesh: t.meshName, kind: t.kind, name: t.name };
  if (t.meshOwner) out.meshOwner = t.meshOwner;
  if (arn) out.arn = arn;
  if (version !== undefined) out.version = version;
  if (uid) out.uid = uid;
  return out;
}

/** After a write that failed with no answer we can trust: did it land? A fresh read tells; without one, the error does. */
async function stateAfterFailedWrite(client: AppMeshClient, t: WriteTarget, versionBefore: number | undefined, writeError: unknown): Promise<{ detail: string; mayHaveLanded: boolean }> {
  try {
    const now = await describe(client, t);
    const version = now?.metadata?.version;
    if (version === versionBefore) return { detail: `the resource is unchanged (version ${version})`, mayHaveLanded: false };
    return { detail: `the resource is now at version ${version ?? 'unknown'}: the write may have landed; review it`, mayHaveLanded: true };
  } catch (error) {
    return { detail: `its state could not be read (${describeError(error)}); review it`, mayHaveLanded: updateMayHaveLanded(writeError) };
  }
}

/** Network failures that happen before a request is sent: the connection was never made. */
const UNSENT_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an Update that failed with `error` may have landed, when no read says. App Mesh refuses
 * a 4xx before storing anything (IAM's denial never reaches it), and a connection never made
 * sent nothing; a 5xx, a timeout or a dropped connection may come after the spec was stored. An
 * Update the SDK sent more than once may have landed on an earlier try whatever the last one said.
 */
export function updateMayHaveLanded(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  if (typeof attempts === 'number' && attempts > 1) return true;
  const status = httpStatusOf(error);
  if (status !== undefined) return status < 400 || status >= 500;
  const code = (error as { code?: unknown } | undefined)?.code;
  return !(typeof code === 'string' && UNSENT_NETWORK_ERRORS.has(code));
}
