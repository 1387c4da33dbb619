/**
 * The hub's half of recording a person's Istio change (observe-change.ts is the agent's): the
 * ObservedIstioChange of an agent report becomes a ledger change record, with the spec the
 * change replaced when that can be known, so that a latency burn can name it as the suspect and
 * offer its rollback (restore-observed-change.ts).
 *
 * Kubernetes keeps no history, and resourceVersions are opaque (they may be compared for
 * equality only: Kubernetes API concepts, "Resource versions"), so "the record before this one"
 * cannot be told by ordering versions. `metadata.generation` can: the API server raises it by
 * exactly one on every write that changes a custom resource's spec, and never otherwise
 * (apiextensions-apiserver, customresource strategy PrepareForUpdate), and `metadata.uid` tells a
 * deleted and re-created object from the old one. Every snapshot the ledger holds of an Istio
 * object (meshgov's own changes keep `before` and `after` as read from the API server; observed
 * changes keep theirs) is the object's spec at one (uid, generation). So the previous spec is:
 * 1. the snapshot at the resourceVersion the request was conditional on, when it named one;
 * 2. else the snapshot of the same uid at the generation the change produced, when there is one:
 *    the change did not change the spec (a no-op apply, a label edit);
 * 3. else the snapshot of the same uid at the generation just below;
 * 4. else unknown, and the record says why: a rollback is then manual, never a guess (an older
 *    copy would also undo the edits in between).
 * A change that left the spec as it was touches no service, so it is never an SLO suspect.
 */
import type { ObservedIstioChange, ObservedIstioObject } from '../../../core/link/messages';
import type { ChangeRecord, Ledger } from '../../../core/ledger/types';
import { expiresAt } from '../../../core/pipeline/observe-findings';
import type { Trigger } from '../../../core/pipeline/trigger';
import { readSnapshot } from './istio-change';
import { jsonEqual } from './merge-patch';
import { observedIstioAction } from './observed-actions';
import { istioServiceKey } from './touched-services';

/** How far back the ledger is searched for snapshots of the object (the ledger keeps 90 days). */
const LEDGER_LOOKBACK_DAYS = 90;

export type RecordOutcome = { status: 'recorded'; change: ChangeRecord } | { status: 'already-recorded'; change: ChangeRecord };

/**
 * Records `observed` once: a redelivered report finds its record and writes nothing.
 *
 * @example
 * const outcome = await recordObservedIstioChange(report.observedChange, report.scopedReport.trigger, ledger, clock());
 * outcome.change.before; // the spec it replaced, or undefined (outcome.change.detail says why)
 */
export async function recordObservedIstioChange(observed: ObservedIstioChange, trigger: Trigger, ledger: Ledger, now: Date): Promise<RecordOutcome> {
  const existing = await ledger.getChange(observed.id);
  if (existing) return { status: 'already-recorded', change: existing };

  const after: ObservedIstioObject | null = observed.verb === 'delete' ? null : (observed.object ?? null);
  const prior = await priorSnapshot(observed, after, ledger, now);
  const noOp = after !== null && prior.before != null && jsonEqual(prior.before.spec, after.spec);
  const services = noOp ? [] : [...observed.services];

  const target: Record<string, unknown> = { kind: observed.kind, apiVersion: observed.apiVersion, namespace: observed.namespace, name: observed.name, services };
  const versions = after ?? observed.deleted;
  if (versions?.metadata.uid) target.uid = versions.metadata.uid;
  if (after?.metadata.resourceVersion) target.resourceVersion = after.metadata.resourceVersion;
  if (after?.metadata.generation !== undefined) target.generation = after.metadata.generation;

  const from = observed.objectFrom === 'live-read' ? '; the object as the agent read it right after the event' : observed.objectFrom === 'audit-request' ? '; the spec from the update request' : '';
  const change: ChangeRecord = {
    id: observed.id,
    provider: 'istio',
    action: observedIstioAction(observed.kind, observed.verb),
    target,
    before: prior.before,
    after,
    reason: `${trigger.summary}, outside meshgov`,
    trigger,
    at: observed.at,
    outcome: 'applied',
    detail: `previous spec ${prior.how}${from}${noOp ? '; the change left the spec as it was, so it touches no service' : ''}`,
    expiresAt: expiresAt(now),
  };
  // One service: its key; several (a namespace-wide policy) or none: the object's own key, as serviceOf names Istio findings.
  if (!noOp) change.service = services.length === 1 ? services[0]! : istioServiceKey(observed.namespace, observed.name);
  await ledger.recordChange(change);
  return { status: 'recorded', change };
}

type Prior = { before: ObservedIstioObject | null | undefined; how: string };

async function priorSnapshot(observed: ObservedIstioChange, after: ObservedIstioObject | null, ledger: Ledger, now: Date): Promise<Prior> {
  if (observed.verb === 'create') return { before: null, how: 'none: the change created the object' };
  if (observed.verb === 'delete') {
    return observed.deleted ? { before: observed.deleted, how: 'from the delete response' } : { before: undefined, how: 'unknown: the delete response did not carry the object' };
  }
  const since = new Date(now.getTime() - LEDGER_LOOKBACK_DAYS * 86_400_000).toISOString();
  const snapshots = snapshotsOf(observed, await ledger.listChanges(since));

  const replaced = observed.replacedResourceVersion;
  if (replaced !== undefined) {
    const exact = snapshots.find((s) => s.snapshot.metadata.resourceVersion === replaced && sameUid(s.snapshot, after));
    if (exact) return { before: exact.snapshot, how: `from change ${exact.changeId}, at resourceVersion ${replaced}, which the request replaced` };
  }
  if (!after) return { before: undefined, how: 'unknown: the agent could not tell the object the change left' };
  const uid = after.metadata.uid;
  const generation = after.metadata.generation;
  if (uid === undefined || generation === undefined) {
    const what = observed.objectFrom === 'audit-request' ? 'the update request gives the spec, but not the uid and generation it produced' : 'the object carries no uid and generation';
    return { before: undefined, how: `unknown: ${what}, so the version before it cannot be found` };
  }
  const ofObject = snapshots.filter((s) => s.snapshot.metadata.uid === uid && typeof s.snapshot.metadata.generation === 'number');
  const same = ofObject.find((s) => s.snapshot.metadata.generation === generation);
  if (same) return { before: same.snapshot, how: `from change ${same.changeId}: generation ${generation} was already on record, so this change did not change the spec` };
  const previous = ofObject.find((s) => s.snapshot.metadata.generation === generation - 1);
  if (previous) return { before: previous.snapshot, how: `from change ${previous.changeId}, which recorded generation ${generation - 1}` };
  const known = ofObject.map((s) => s.snapshot.metadata.generation!).sort((a, b) => b - a)[0];
  const why =
    known === undefined
      ? 'meshgov holds no copy of the object (it saw no earlier change to it)'
      : known > generation
        ? `meshgov's copies are of later generations (${known})`
        : `meshgov's latest copy is generation ${known}, and the changes in between were not seen`;
  return { before: undefined, how: `unknown: the change made generation ${generation}, and ${why}` };
}

interface HeldSnapshot {
  changeId: string;
  snapshot: ObservedIstioObject;
}

/** Every snapshot of the object in the changes (their `after`, then their `before`), newest change first. */
function snapshotsOf(observed: ObservedIstioChange, changes: ChangeRecord[]): HeldSnapshot[] {
  const out: HeldSnapshot[] = [];
  for (const c of changes) {
    if (c.provider !== 'istio' || c.id === observed.id) continue;
    for (const value of [c.after, c.before]) {
      const snapshot = readSnapshot(value);
      if (!snapshot) continue;
      const m = snapshot.metadata;
      if (snapshot.kind === observed.kind && m.namespace === observed.namespace && m.name === observed.name) out.push({ changeId: c.id, snapshot });
    }
  }
  return out;
}

function sameUid(snapshot: ObservedIstioObject, after: ObservedIstioObject | null): boolean {
  const a = snapshot.metadata.uid;
  const b = after?.metadata.uid;
  return a === undefined || b === undefined || a === b;
}
