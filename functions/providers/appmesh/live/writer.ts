/**
 * The App Mesh writer: applies `appmesh.listener.set-strict` and `appmesh.client-policy.enforce`
 * to virtual nodes and gateways read from the App Mesh API, and undoes them. It also undoes the
 * App Mesh updates the hub observed in CloudTrail (`appmesh.route.update.undo`, …): the
 * previous spec recorded with the change goes back, guarded by the version the change produced
 * (restore-spec.ts).
 *
 * Every write goes through replaceSpec: read right before writing, abort on a version other
 * than the audit's, on a uid other than the audit's (a resource deleted and re-created since,
 * whose versions started again at 1) or on another account's resource, send the whole spec
 * (UpdateVirtualNode replaces it) with the change id as clientToken, read back, and restore the
 * previous spec when the listener or client policy did not end up with the intended TLS. A
 * throttled or 5xx write is retried by the client's adaptive retry strategy with the same
 * clientToken, so it is applied once. Changes to App Mesh CRDs (merge patches) belong to the
 * Kubernetes writer.
 */
import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { Remediation } from '../../../core/findings';
import type { ChangeRecord } from '../../../core/ledger/types';
import type { RemediationExecutor, WriteReport } from '../../../core/pipeline/ports';
import { isUndoAction, undoneActionOf } from '../../../core/remediation/undo-action';
import { ENFORCE_ACTION, SET_STRICT_ACTION } from '../index';
import { appMeshClientFrom } from './client';
import { clientTokenFor } from './client-token';
import type { MeshSnapshotCache } from './mesh-snapshot';
import { isObservedAction } from './observed-actions';
import { replaceSpec, type WriterDeps } from './replace-spec';
import { restoreObservedChange } from './restore-spec';
import { isSpecChange, parseRecordedTarget, parseSpecChange } from './spec-change';
import { sameJson } from '../../../core/approvals/same-json';
import { enforcedClientsCheck, samePostureCheck, strictListenersCheck, type SpecCheck } from './tls-checks';

const ACTIONS = new Set([SET_STRICT_ACTION, ENFORCE_ACTION]);

export interface AppMeshExecutorOptions {
  client?: AppMeshClient;
  region?: string;
  /**
   * The account meshgov runs as (e.g. from the Lambda context's invokedFunctionArn). Without
   * it the writer uses the credentials' `accountId` when the SDK knows it, else refuses to
   * write into a mesh it cannot tell is its own.
   */
  accountId?: string;
  /** The reader's snapshots: the writer puts the resources it wrote there, so the next scoped audit sees them. */
  cache?: MeshSnapshotCache;
  requestsPerSecond?: number;
  burst?: number;
}

export interface AppMeshExecutor extends RemediationExecutor {
  readonly client: AppMeshClient;
  /** The snapshots it shares with the reader, when given: the hub reads from them the spec a person's change replaced (observed-change.ts). */
  readonly snapshots?: MeshSnapshotCache;
}

/**
 * @example
 * const executor = appMeshExecutor({ region: 'us-west-2', accountId: context.invokedFunctionArn.split(':')[4], cache: source.cache });
 * if (executor.handles(finding.remediation)) {
 *   const applied = await executor.apply(finding.remediation, { trigger, changeId: 'chg-4f1a2b' });
 *   applied.outcome; // 'verified' | 'rolled-back' | 'aborted' | 'failed'
 * }
 */
export function appMeshExecutor(options: AppMeshExecutorOptions = {}): AppMeshExecutor {
  const client = appMeshClientFrom(options);
  let knownAccount: Promise<string | undefined> | undefined;
  const deps: WriterDeps = {
    client,
    cache: options.cache,
    callerAccount: () => (knownAccount ??= options.accountId ? Promise.resolve(options.accountId) : accountFromCredentials(client)),
  };

  return {
    client,
    ...(options.cache ? { snapshots: options.cache } : {}),
    handles(remediation: Remediation): boolean {
      const undone = undoneActionOf(remediation.action);
      // meshgov's own fixes, and the App Mesh changes the hub observed in CloudTrail (observed-change.ts).
      if (undone !== undefined) return ACTIONS.has(undone) || isObservedAction(undone);
      return ACTIONS.has(remediation.action) && isSpecChange(remediation.change);
    },

    async apply(remediation, context): Promise<WriteReport> {
      if (isUndoAction(remediation.action)) {
        return { outcome: 'failed', detail: `${remediation.action} needs the recorded change: call revert(change)`, target: { ...remediation.change }, wrote: false };
      }
      if (!ACTIONS.has(remediation.action)) {
        return { outcome: 'failed', detail: `the App Mesh writer does not apply ${remediation.action}`, target: {}, wrote: false };
      }
      const parsed = parseSpecChange(remediation.change);
      if (!parsed.ok) return { outcome: 'failed', detail: `${parsed.field}: ${parsed.message}`, target: {}, wrote: false };
      const change = parsed.value;
      // One change carries every edit meshgov proposes for the object (changes.ts joinObjectFixes),
      // whichever finding's action it comes with: what it alters is checked, listeners and clients.
      const altered = (before: Record<string, any>) => ({ listeners: strictListenersCheck(before, change.spec), clients: enforcedClientsCheck(before, change.spec) });
      return replaceSpec(
        {
          target: change.target,
          expectedVersion: change.expectedVersion,
          // A resource deleted and re-created since the audit restarts at version 1: its uid tells it apart.
          ...(change.expectedUid !== undefined ? { expectedUid: change.expectedUid, uidReadAt: 'the audit' } : {}),
          claimedOwner: change.resourceOwner,
          newSpec: change.spec,
          clientToken: clientTokenFor(context.changeId),
          rollbackToken: clientTokenFor(context.changeId, 'rollback'),
          checkFor: (before) => bothChecks(altered(before)),
          subject: remediation.action === SET_STRICT_ACTION ? 'listener TLS' : 'client policy TLS',
        },
        deps,
      );
    },

    async revert(change: ChangeRecord, context): Promise<WriteReport> {
      // A change someone else made: restore the spec recorded from before it, on any resource type.
      if (isObservedAction(change.action)) return restoreObservedChange(change, context, deps);
      const parsed = parseRecordedTarget(change.target);
      if (!parsed.ok) return { outcome: 'failed', detail: `${parsed.field}: ${parsed.message}`, target: change.target, wrote: false };
      const before = change.before;
      if (!before || typeof before !== 'object' || Array.isArray(before)) {
        return { outcome: 'failed', detail: `change ${change.id} recorded no previous spec to restore`, target: change.target, wrote: false };
      }
      const after = change.after && typeof change.after === 'object' ? (change.after as Record<string, any>) : undefined;
      const { version, uid, ...target } = parsed.value;
      return replaceSpec(
        {
          target,
          // Undo only what meshgov wrote: the resource must still be at the version its change produced.
          expectedVersion: version,
          expectedSpec: version === undefined ? after : undefined,
          // Records made before the uid was kept have none: the version check alone applies then.
          ...(uid ? { expectedUid: uid } : {}),
          newSpec: before as Record<string, any>,
          clientToken: clientTokenFor(context.changeId),
          rollbackToken: clientTokenFor(context.changeId, 'rollback'),
          checkFor: (current) => (sameJson(current, before) ? undefined : samePostureCheck(before as Record<string, any>)),
          subject: 'TLS',
        },
        deps,
      );
    },
  };
}

/** The account in the credentials, when the provider reports it (Lambda and container credentials can). */
async function accountFromCredentials(client: AppMeshClient): Promise<string | undefined> {
  try {
    const credentials = await client.config.credentials();
    return typeof credentials.accountId === 'string' && credentials.accountId ? credentials.accountId : undefined;
  } catch {
    return undefined;
  }
}

/** The listener and client checks of one change as one: undefined when it alters neither. */
function bothChecks({ listeners, clients }: { listeners: SpecCheck | undefined; clients: SpecCheck | undefined }): SpecCheck | undefined {
  if (!listeners || !clients) return listeners ?? clients;
  return (live) => [listeners(live), clients(live)].filter((p) => p !== undefined).join('; ') || undefined;
}
