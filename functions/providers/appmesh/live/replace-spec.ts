/**
 * One safe whole-spec write of a virtual node or gateway: App Mesh has no conditional update,
 * so meshgov reads the resource immediately before writing and aborts when it changed since the
 * audit, refuses another account's resource, writes with a clientToken, reads it back, and
 * restores the spec it replaced when the write did not achieve what it was for.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { ApplyResult } from '../../../core/pipeline/ports';
import { errorNameOf } from './errors';
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

export async function replaceSpec(req: ReplaceSpecRequest, deps: WriterDeps): Promise<ApplyResult> {
  const { target } = req;
  const label = `${target.kind} ${target.meshName}/${target.name}`;
  const result = (outcome: ApplyResult['outcome'], detail: string, extra: Partial<ApplyResult> = {}): ApplyResult => ({
    outcome,
    detail,
    target: targetOf(target),
    ...extra,
  });

  const read = await readOwnResource(deps.client, deps.callerAccount, target, label, { claimedOwner: req.claimedOwner, reading: 'before writing', gone: 'nothing was changed' });
  const current = read.live;
  if (!current) return result(read.refusal!.outcome, read.refusal!.detail);
  const before: Spec = current.spec ?? {};
  const arn: string | undefined = current.metadata?.arn;
  const version: number | undefined = current.metadata?.version;
  const uid: string | undefined = typeof current.metadata?.uid === 'string' ? current.metadata.uid : undefined;
  const targetAt = (v: number | undefined) => targetOf(target, arn, v, uid);
  const withArn = (extra: Partial<ApplyResult> = {}): Partial<ApplyResult> => ({ target: targetAt(version), before, ...extra });
  if (read.refusal) return result(read.refusal.outcome, read.refusal.detail, withArn());
  if (req.expectedUid !== undefined && uid !== req.expectedUid) {
    return result('aborted', `${label} was deleted and re-created since ${req.uidReadAt ?? "meshgov's change"} (uid ${req.expectedUid}, now ${uid ?? 'unknown'}): not writing a spec recorded from another resource`, withArn());
  }
  if (req.expectedVersion !== undefined) {
    if (version !== req.expectedVersion) {
      return result('aborted', `${label} changed since the audit read it (version ${req.expectedVersion}, now ${version}): not overwriting a change meshgov has not audited`, withArn());
    }
  } else if (req.expectedSpec !== undefined) {
    if (!sameJson(before, req.expectedSpec)) {
      return result('aborted', `${label} changed since meshgov's change (its spec differs): not overwriting a later change`, withArn());
    }
  } else {
    return result('aborted', `no expected version for ${label}: without one a whole-spec write could overwrite an unaudited change`, withArn());
  }
  const check = req.checkFor(before);
  if (!check) return result('aborted', `the change would not alter the ${req.subject} of ${label}: nothing to apply`, withArn());

  let written: Data;
  try {
    written = await update(deps.client, target, req.newSpec, req.clientToken);
  } catch (error) {
    const name = errorNameOf(error);
    if (name === 'ForbiddenException') return result('aborted', `App Mesh refused the write to ${label} (${describeError(error)}): not this account's to change`, withArn());
    // IAM's denial (not in the App Mesh model): refused before App Mesh saw it, so nothing was written.
    if (name === 'AccessDeniedException') return result('aborted', `meshgov's role may not update ${label} (${describeError(error)}); nothing was changed: grant it the Update call, or apply the fix by hand`, withArn());
    if (name === 'NotFoundException') return result('aborted', `${label} was deleted before the write; nothing was changed`, withArn());
    return result('failed', `the write to ${label} failed after retries: ${describeError(error)}; ${await stateAfterFailedWrite(deps.client, target, version)}`, withArn());
  }
  const writtenVersion: number | undefined = written.metadata?.version;
  deps.cache?.record(target.type, written);
  // App Mesh adds exactly one version per update: a larger jump is another writer between our read and our write.
  const raced = typeof version === 'number' && typeof writtenVersion === 'number' && writtenVersion > version + 1;

  let live: Data | undefined;
  try {
    live = await describe(deps.client, target);
  } catch (error) {
    return result('failed', `wrote ${label} (version ${writtenVersion}) but could not read it back: ${describeError(error)}`, withArn({ after: req.newSpec, target: targetAt(writtenVersion) }));
  }
  if (!live) return result('failed', `wrote ${label} (version ${writtenVersion}) but it was deleted right after`, withArn({ after: req.newSpec }));
  deps.cache?.record(target.type, live);
  const liveVersion: number | undefined = live.metadata?.version;
  const shortfall = check(live.spec ?? {});
  const after = live.spec ?? req.newSpec;

  if (liveVersion !== writtenVersion) {
    // Someone wrote after us: restoring our `before` would undo their change too.
    return shortfall
      ? result('failed', `wrote ${label} (version ${writtenVersion}), but a later write (version ${liveVersion}) replaced it and ${shortfall}; not rolled back over the later write`, withArn({ after, target: targetAt(liveVersion) }))
      : // The record names the version meshgov's write produced, and its spec: an Undo must then abort rather than restore over the later write.
        result('verified', `wrote ${label} (version ${writtenVersion}); a later write (version ${liveVersion}) kept the ${req.subject} as intended`, withArn({ after: written.spec ?? req.newSpec, target: targetAt(writtenVersion) }));
  }
  if (!shortfall) {
    if (raced) {
      return result(
        'failed',
        `wrote ${label} and verified its ${req.subject}, but another writer updated it between meshgov's read (version ${version}) and its write (which became version ${writtenVersion}): that change was overwritten; review the resource`,
        withArn({ after, target: targetAt(writtenVersion) }),
      );
    }
    return result('verified', `wrote ${label} (version ${version} → ${writtenVersion}) and read it back: ${req.subject} as intended`, withArn({ after, target: targetAt(writtenVersion) }));
  }

  // The write landed but did not do what it was for: put the previous spec back.
  try {
    const restored = await update(deps.client, target, before, req.rollbackToken);
    deps.cache?.record(target.type, restored);
    return result(
      'rolled-back',
      `wrote ${label} (version ${writtenVersion}) but read back ${shortfall}; restored the previous spec (version ${restored.metadata?.version})`,
      withArn({ after: req.newSpec, target: targetAt(restored.metadata?.version) }),
    );
  } catch (error) {
    return result(
      'failed',
      `wrote ${label} (version ${writtenVersion}) but read back ${shortfall}, and restoring the previous spec failed: ${describeError(error)}; restore it by hand`,
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

/** After a write that failed with no answer we can trust: did it land? */
async function stateAfterFailedWrite(client: AppMeshClient, t: WriteTarget, versionBefore: number | undefined): Promise<string> {
  try {
    const now = await describe(client, t);
    const version = now?.metadata?.version;
    if (version === versionBefore) return `the resource is unchanged (version ${version})`;
    return `the resource is now at version ${version ?? 'unknown'}: the write may have landed; review it`;
  } catch (error) {
    return `its state could not be read (${describeError(error)}); review it`;
  }
}
