import type { ChangeRecord, Ledger } from '../ledger/types';
import type { SloDefinition } from './definition';

/**
 * The configuration change that most likely made an SLO burn: the ledger's changes within the
 * alert window (meshgov's own remediations included, since they are change records too), the
 * most recent one to the service itself first, else the most recent one to a dependency. A
 * change that never took effect (aborted, failed, rolled back) cannot have caused anything.
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
}

const EFFECTIVE: ReadonlySet<ChangeRecord['outcome']> = new Set(['applied', 'verified']);

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
    .filter((c) => EFFECTIVE.has(c.outcome) && c.service !== undefined && Date.parse(c.at) <= until)
    // An undo restores an earlier state; it is not a new configuration to blame.
    .filter((c) => !c.action.endsWith('.undo'))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const mine = changes.find((c) => own.has(c.service!));
  if (mine) return describe(mine, 'service');
  const theirs = changes.find((c) => deps.has(c.service!));
  return theirs ? describe(theirs, 'dependency') : undefined;
}

function describe(change: ChangeRecord, relation: Suspect['relation']): Suspect {
  const byMeshgov = change.approvedBy === undefined && change.trigger.source !== 'slack' && change.findingId !== undefined;
  const who = change.approvedBy ? `approved by ${change.approvedBy}` : (change.trigger.actor ?? (byMeshgov ? 'meshgov (automatic remediation)' : 'unknown'));
  return {
    change,
    relation,
    who,
    when: change.at,
    what: `${change.action} on ${change.service}: ${change.reason}`,
    byMeshgov,
  };
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
  };
}
