import type { Remediation } from '../../../../functions/core/findings';
import type { ChangeRecord } from '../../../../functions/core/ledger/types';
import type { ApplyResult, RemediationExecutor } from '../../../../functions/core/pipeline/ports';
import type { Trigger } from '../../../../functions/core/pipeline/trigger';

/** One App Mesh object the double holds: its spec and version, as the API would. */
export interface HeldResource {
  spec: Record<string, any>;
  version: number;
}

/**
 * A RemediationExecutor test double over specs held in memory, with App Mesh's concurrency rule:
 * an `update-virtual-node` change applies only at its `expectedVersion`, and a revert only while
 * the resource is still at the version its change produced. It records every call, so tests can
 * count how many times a fix ran.
 */
export class RecordingExecutor implements RemediationExecutor {
  readonly calls: Array<{ kind: 'apply' | 'revert'; action: string; changeId: string; trigger: Trigger }> = [];
  /** Set to make the next apply end this way (after writing), e.g. a failed post-check. */
  nextOutcome?: 'rolled-back' | 'failed';
  /** Set to make apply throw (a network failure mid-call). */
  throwOnApply?: Error;

  constructor(
    readonly resources: Map<string, HeldResource>,
    private readonly actions: string[] = ['appmesh.listener.set-strict', 'appmesh.client-policy.enforce'],
  ) {}

  handles(remediation: Remediation): boolean {
    const action = remediation.action.replace(/\.undo$/, '');
    return this.actions.includes(action);
  }

  async apply(remediation: Remediation, context: { trigger: Trigger; changeId: string }): Promise<ApplyResult> {
    this.calls.push({ kind: 'apply', action: remediation.action, changeId: context.changeId, trigger: context.trigger });
    if (this.throwOnApply) throw this.throwOnApply;
    const change = remediation.change as { meshName: string; virtualNodeName: string; expectedVersion?: number; spec: Record<string, any> };
    const key = `${change.meshName}/${change.virtualNodeName}`;
    const held = this.resources.get(key);
    const target = { kind: 'VirtualNode', mesh: change.meshName, name: change.virtualNodeName };
    if (!held) return { outcome: 'failed', detail: `${key} not found`, target };
    if (change.expectedVersion !== undefined && held.version !== change.expectedVersion) {
      return { outcome: 'aborted', detail: `${key} is at version ${held.version}, not ${change.expectedVersion}`, target };
    }
    const before = structuredClone(held.spec);
    if (this.nextOutcome === 'rolled-back') {
      this.nextOutcome = undefined;
      return { outcome: 'rolled-back', detail: 'listener TLS did not read back STRICT; previous spec restored', before, after: before, target: { ...target, version: held.version } };
    }
    if (this.nextOutcome === 'failed') {
      this.nextOutcome = undefined;
      return { outcome: 'failed', detail: 'UpdateVirtualNode: ServiceUnavailableException', target };
    }
    held.spec = structuredClone(change.spec);
    held.version++;
    return { outcome: 'verified', detail: `${key} updated to version ${held.version}`, before, after: structuredClone(held.spec), target: { ...target, version: held.version } };
  }

  async revert(change: ChangeRecord, context: { trigger: Trigger; changeId: string }): Promise<ApplyResult> {
    this.calls.push({ kind: 'revert', action: change.action, changeId: context.changeId, trigger: context.trigger });
    const target = change.target as { mesh: string; name: string; version?: number };
    const key = `${target.mesh}/${target.name}`;
    const held = this.resources.get(key);
    if (!held) return { outcome: 'failed', detail: `${key} not found`, target: change.target };
    if (target.version !== undefined && held.version !== target.version) {
      return { outcome: 'aborted', detail: `${key} changed since meshgov wrote it (version ${held.version}, not ${target.version})`, target: change.target };
    }
    const before = structuredClone(held.spec);
    held.spec = structuredClone(change.before as Record<string, any>);
    held.version++;
    return { outcome: 'verified', detail: `${key} restored to its spec before ${change.id}`, before, after: structuredClone(held.spec), target: { ...change.target, version: held.version } };
  }
}
