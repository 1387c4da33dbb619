import type { ScopedReport } from '../pipeline/audit-scope';
import type { Trigger } from '../pipeline/trigger';
import { burnSeverities, sloScopedReport, type SloRunDeps } from './alarm-run';
import type { SloDefinition } from './definition';
import type { SloTopology } from './dependencies';
import { evaluateSlos } from './evaluate';
import { sloIndicatorId } from './indicator';
import type { SloReadProblem } from './reading';

/**
 * A scheduled measurement of every SLO, beside the alarm-triggered runs. Alarms only speak when
 * their state changes: a lost or mis-set alarm, or an SLO whose names match no traffic (its alarm
 * sits in INSUFFICIENT_DATA or OK and never fires), would otherwise go unseen until the next
 * change of state. So the schedule reads each SLO as an alarm run would, burn and no-data alike,
 * and clears what no longer holds.
 */
export interface SloSweep {
  /** One report per SLO that was read, each scoped to its SLO: its findings, and its resource as audited. */
  runs: Array<{ slo: SloDefinition; scoped: ScopedReport }>;
  /** SLOs that could not be read. They have no run, so their open findings are left as they are. */
  problems: SloReadProblem[];
  queries: number;
}

export interface SloSweepDeps extends SloRunDeps {
  /** Reads an SLO's topology, called only for an SLO whose run reports a burn. */
  readTopology?: (slo: SloDefinition) => Promise<SloTopology | undefined>;
}

/**
 * Reads the SLOs in one batch per back end (evaluateSlos) and makes one scoped report per SLO,
 * started by `trigger`: one Trigger for all, or one per SLO (an agent reports each to the hub
 * under its own event id).
 *
 * @example
 *   const sweep = await sweepSlos(slosOfPolicy(policy).filter((s) => s.mesh === 'appmesh'), trigger, { policy, sources: { cloudwatch }, at: new Date() });
 *   for (const run of sweep.runs) await governSloBurn(run.scoped, deps);
 */
export async function sweepSlos(slos: SloDefinition[], trigger: Trigger | ((slo: SloDefinition) => Trigger), deps: SloSweepDeps): Promise<SloSweep> {
  const evaluation = await evaluateSlos(slos, deps.sources, deps.at, burnSeverities(deps.policy));
  const failed = new Set(evaluation.problems.map((p) => p.slo));
  const indicators = new Map(evaluation.indicators.map((i) => [i.id, i]));
  const runs: SloSweep['runs'] = [];
  for (const slo of slos) {
    const indicator = indicators.get(sloIndicatorId(slo.name));
    if (failed.has(slo.name) || !indicator) continue;
    const readTopology = deps.readTopology ? () => deps.readTopology!(slo) : undefined;
    runs.push({ slo, scoped: await sloScopedReport(slo, [indicator], typeof trigger === 'function' ? trigger(slo) : trigger, deps, readTopology) });
  }
  return { runs, problems: evaluation.problems, queries: evaluation.queries };
}
