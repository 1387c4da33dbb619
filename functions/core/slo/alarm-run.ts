import { auditModel } from '../audit';
import type { SloIndicator } from '../model/types';
import { emptyModel } from '../model/types';
import { resourceKey, type ScopedReport } from '../pipeline/audit-scope';
import type { AuditScope, Trigger } from '../pipeline/trigger';
import type { Policy, RuleSettings } from '../policy/types';
import { cappedSeverity } from '../rules/rule';
import { isFiring } from './burn-onset';
import type { SloDefinition } from './definition';
import type { SloTopology } from './dependencies';
import { evaluateSlos, type SloSources } from './evaluate';
import { sloResource, type IndicatorSeverities } from './indicator';
import type { SloReadProblem } from './reading';

/**
 * One alarm-triggered run for one SLO, cloud-agnostic: a firing alarm is confirmed with a fresh
 * query (the alarm's own datapoints are not trusted, so a p99 blip that has already passed
 * raises nothing), a resolved one (OK state, closed incident) reports the SLO's resource with no
 * burn, so the govern stage resolves the open finding and updates its message.
 *
 * A resolved run reads the SLO too. An OK alarm or a closed incident speaks for one condition
 * only: a Cloud Monitoring policy with a fast-burn and a slow-burn condition closes the fast
 * one's incident while the slow one stays open, and a CloudWatch composite may hold several
 * alarms. So a resolved run that reads a pair still firing keeps the burn, and the finding stays
 * open until the numbers stop. The same read catches slo-no-data: an SLO whose names match no
 * traffic never fires (missing data is not breaching), so its alarm's first OK, right after the
 * SLO is deployed, is the one moment the typo can be caught.
 *
 * A read that fails fails the run, resolved or firing, so the event is delivered again: without
 * the numbers, resolving would trust the one condition the event speaks for, and a burn another
 * condition still sees would be reported fixed until the next sweep.
 */

export type AlarmState = 'firing' | 'resolved';

export interface SloAlarmRun {
  scoped: ScopedReport;
  /** Reading problems of the fresh query, firing or resolved: the caller fails the run so the event is delivered again. */
  problems: SloReadProblem[];
  queries: number;
}

export interface SloRunDeps {
  policy: Policy;
  sources: SloSources;
  at: Date;
}

export interface SloAlarmDeps extends SloRunDeps {
  /**
   * Reads where the service sits in the mesh (sloTopology), given by the adapter that can read
   * the mesh, and called only when the run reports a burn. It travels on the finding as
   * `detail.topology`, so the hub's suspect search covers the service's dependencies even when
   * the run happened on the GCP agent.
   */
  readTopology?: () => Promise<SloTopology | undefined>;
}

export async function runSloAlarm(slo: SloDefinition, state: AlarmState, trigger: Trigger, deps: SloAlarmDeps): Promise<SloAlarmRun> {
  const evaluation = await evaluateSlos([slo], deps.sources, deps.at, burnSeverities(deps.policy));
  let indicators = evaluation.indicators;
  if (state === 'resolved') {
    indicators = [];
    for (const indicator of evaluation.indicators) {
      if (indicator.windows.some(isFiring)) indicators.push(indicator);
      // Nothing burns: keep only whether the SLO measured anything at all.
      else if (indicator.noData) indicators.push({ ...indicator, windows: [] });
    }
  }
  const scoped = await sloScopedReport(slo, indicators, trigger, deps, deps.readTopology);
  return { scoped, problems: evaluation.problems, queries: evaluation.queries };
}

/**
 * The severity of a page and of a ticket burn as rule slo-latency-burn grades its finding
 * (`pageSeverity`, `ticketSeverity`, each held to the rule's `severity`), for the indicator's
 * `windows[].severity`: the windows of a finding then say what the finding says. Undefined for a
 * policy without the rule's settings (the indicator's defaults apply).
 */
export function burnSeverities(policy: Pick<Policy, 'rules'>): IndicatorSeverities | undefined {
  const settings = policy.rules['slo-latency-burn'] as RuleSettings | undefined;
  if (!settings) return undefined;
  return { page: cappedSeverity(settings.pageSeverity, settings.severity), ticket: cappedSeverity(settings.ticketSeverity, settings.severity) };
}

/**
 * The report of one SLO's run: its burn and no-data findings from these indicators, with the
 * SLO's resource as the one audited, so a finding of the SLO that is not reported again resolves.
 * A reported burn carries the service's topology, read only then.
 */
export async function sloScopedReport(
  slo: SloDefinition,
  indicators: SloIndicator[],
  trigger: Trigger,
  deps: Pick<SloRunDeps, 'policy' | 'at'>,
  readTopology?: () => Promise<SloTopology | undefined>,
): Promise<ScopedReport> {
  const model = emptyModel();
  model.slos.push(...indicators);
  const audited = auditModel(model, deps.policy, deps.at);
  const burns = audited.findings.some((f) => f.rule === 'slo-latency-burn');
  const topology = burns ? await readTopology?.() : undefined;
  const report = topology
    ? { ...audited, findings: audited.findings.map((f) => (f.rule === 'slo-latency-burn' ? { ...f, detail: { ...f.detail, topology } } : f)) }
    : audited;
  const provider = slo.mesh === 'istio' ? 'prometheus' : 'cloudwatch';
  return { trigger, scope: sloScope(slo), report, auditedResources: [resourceKey(provider, sloResource(slo))], auditedSlos: [slo.name] };
}

/** The narrow scope of an SLO run: its service's namespace or virtual node; only auditedResources decide what resolves. */
export function sloScope(slo: SloDefinition): AuditScope {
  if (slo.mesh === 'istio') return { kind: 'istio-namespace', namespace: slo.namespace ?? '' };
  return { kind: 'appmesh-resource', mesh: slo.meshName ?? '', resourceType: 'virtualNode', name: slo.virtualNode ?? slo.service };
}
