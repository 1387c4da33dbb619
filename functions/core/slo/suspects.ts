import { wroteToMesh } from '../ledger/meshgov-changes';
import type { ChangeRecord, Ledger } from '../ledger/types';
import { isUndoAction } from '../remediation/undo-action';
import type { SloDefinition } from './definition';

/**
 * The configuration change that most likely made an SLO burn: the ledger's changes within the
 * alert window (meshgov's own remediations and the changes people made that the hub observed,
 * both change records), the most recent one to the service itself first, else the most recent
 * one to a dependency. A change that never took effect (aborted, rolled back, or failed before it
 * wrote) cannot have caused anything; one that failed after writing (its read-back failed, its
 * answer was lost, putting it back failed) may be in effect, and is a suspect marked `uncertain`.
 * A change may touch several services (a route shifts traffic between
 * the virtual nodes it targets): it matches on any of them (see touchedServices).
 */

export interface SuspectQuery {
  /** Ledger service keys of the SLO's own service (see sloServiceKeys). */
  service: string[];
  /** Ledger service keys of the services it calls. */
  dependencies?: string[];
  /** Start of the alert window (the long window before the alarm). */
  since: Date;
  /** The alarm time: a change after it cannot be its cause. */
  until: Date;
  /**
   * The latest the burn can have begun (see estimateBurnOnset): a change up to it is preferred;
   * one after it is named only when there is no other, marked `afterOnset`.
   */
  onsetBy?: Date;
}

export interface Suspect {
  change: ChangeRecord;
  /** Whether the change touched the service itself or one of its dependencies. */
  relation: 'service' | 'dependency';
  /** Who made it: the approver, the triggering actor, or meshgov itself. */
  who: string;
  when: string;
  what: string;
  /** True when meshgov made the change on its own (no approver, not a person's edit). */
  byMeshgov: boolean;
  /** Set when no change precedes the burn's estimated onset and this one came after it: a weak suspect. */
  afterOnset?: boolean;
  /** Set when the change failed after it wrote: it may or may not be in effect. */
  uncertain?: boolean;
}

const EFFECTIVE: ReadonlySet<ChangeRecord['outcome']> = new Set(['applied', 'verified']);

/**
 * Whether a change may be in effect: it landed, or it failed after writing (or may have: a
 * record from before `wrote` that failed counts, see wroteToMesh). A rolled-back change was put back.
 */
export function mayBeInEffect(change: ChangeRecord): boolean {
  return EFFECTIVE.has(change.outcome) || (change.outcome === 'failed' && wroteToMesh(change));
}

/**
 * The keys under which change records name an SLO's service: serviceOf() in the govern stage
 * writes `<provider>:<namespace or mesh>/<name>`, and an App Mesh SLO is served by its virtual node.
 */
export function sloServiceKeys(slo: SloDefinition): string[] {
  if (slo.mesh === 'istio') return [`istio:${slo.namespace ?? ''}/${slo.service}`];
  const keys = new Set([`appmesh:${slo.meshName ?? ''}/${slo.virtualNode ?? slo.service}`, `appmesh:${slo.meshName ?? ''}/${slo.service}`]);
  return [...keys];
}

export async function findSuspect(ledger: Ledger, query: SuspectQuery): Promise<Suspect | undefined> {
  const own = new Set(query.service);
  const deps = new Set((query.dependencies ?? []).filter((k) => !own.has(k)));
  const until = query.until.getTime();
  const changes = (await ledger.listChanges(query.since.toISOString()))
    .filter((c) => mayBeInEffect(c) && touchedServices(c).length > 0 && Date.parse(c.at) <= until)
    // An undo restores an earlier state; it is not a new configuration to blame.
    .filter((c) => !isUndoAction(c.action))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const onsetBy = query.onsetBy?.getTime() ?? until;
  const before = changes.filter((c) => Date.parse(c.at) <= onsetBy);
  return mostLikely(before, own, deps) ?? flagAfterOnset(before.length === changes.length ? undefined : mostLikely(changes, own, deps));
}

/** The most recent change to the service itself, else the most recent one to a dependency. */
function mostLikely(changes: ChangeRecord[], own: ReadonlySet<string>, deps: ReadonlySet<string>): Suspect | undefined {
  const mine = changes.find((c) => touchedServices(c).some((k) => own.has(k)));
  if (mine) return describe(mine, 'service');
  const theirs = changes.find((c) => touchedServices(c).some((k) => deps.has(k)));
  return theirs ? describe(theirs, 'dependency') : undefined;
}

function flagAfterOnset(suspect: Suspect | undefined): Suspect | undefined {
  return suspect ? { ...suspect, afterOnset: true } : undefined;
}

/**
 * Every ledger service key a change touched: its `service`, and the keys an observed change
 * lists in `target.services` (a route change: its router, the virtual services the router
 * provides, and the virtual nodes the route sends to before and after).
 */
export function touchedServices(change: ChangeRecord): string[] {
  const keys = new Set<string>();
  if (change.service) keys.add(change.service);
  const listed = change.target?.services;
  if (Array.isArray(listed)) for (const k of listed) if (typeof k === 'string' && k !== '') keys.add(k);
  return [...keys];
}

function describe(change: ChangeRecord, relation: Suspect['relation']): Suspect {
  const byMeshgov = change.approvedBy === undefined && change.trigger.source !== 'slack' && change.findingId !== undefined;
  const actor = change.trigger.actor ? personOf(change.trigger.actor) : undefined;
  const who = change.approvedBy ? `approved by ${change.approvedBy}` : (actor ?? (byMeshgov ? 'meshgov (automatic remediation)' : 'unknown'));
  return {
    change,
    relation,
    who,
    when: change.at,
    what: `${change.action} on ${change.service}: ${change.reason}${change.outcome === 'failed' ? ` (it failed after writing, so it may be in effect: ${change.detail ?? 'no detail recorded'})` : ''}`,
    byMeshgov,
    ...(change.outcome === 'failed' ? { uncertain: true } : {}),
  };
}

/**
 * A person-readable actor: the session name of an assumed role or the user of an IAM ARN
 * (`arn:aws:sts::1:assumed-role/Role/alice@example.com` → `alice@example.com`), a Kubernetes
 * service account by namespace and name (`system:serviceaccount:argocd:argocd-application-controller`
 * → `argocd/argocd-application-controller`); anything else (a GKE principal's email) as given.
 */
export function personOf(actor: string): string {
  if (/^arn:aws[\w-]*:(sts|iam)::/.test(actor)) return actor.split('/').pop() ?? actor;
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(actor);
  return account ? `${account[1]}/${account[2]}` : actor;
}

/** The suspect as the finding's `detail.suspect` carries it (plain JSON for the report and Slack). */
export function suspectDetail(suspect: Suspect): Record<string, unknown> {
  return {
    changeId: suspect.change.id,
    relation: suspect.relation,
    who: suspect.who,
    when: suspect.when,
    what: suspect.what,
    action: suspect.change.action,
    service: suspect.change.service,
    byMeshgov: suspect.byMeshgov,
    ...(suspect.afterOnset ? { afterOnset: true } : {}),
    ...(suspect.uncertain ? { uncertain: true } : {}),
  };
}
