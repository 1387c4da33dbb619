import type { Trigger } from '../core/pipeline/trigger';
import { slosOfPolicy, type SloDefinition } from '../core/slo/definition';
import { readSloTopology } from '../core/slo/read-topology';
import { describeReadProblems, type SloSource } from '../core/slo/reading';
import { sweepSlos } from '../core/slo/sweep';
import type { AgentDeps } from './agent-deps';
import { reportAsAgent } from './hub-client';
import type { Logger } from './log';

/**
 * The scheduled read of every Istio SLO (sweepSlos), after the scheduled full audit: one batched
 * Prometheus query, then one report per SLO to the hub, which governs it as an incident's (a burn
 * names its suspect and offers its rollback; what no longer holds resolves). Each report has its
 * own trigger id (`<message id>:slo:<name>`), so the hub governs each once. An SLO that could not
 * be read is not reported, so its findings stay as they are, and the run throws after reporting
 * the others, so Pub/Sub redelivers.
 */
export async function sweepIstioSlos(trigger: Trigger, agent: AgentDeps, prometheus: SloSource, log: Logger): Promise<void> {
  const slos = slosOfPolicy(agent.policy).filter((s) => s.mesh === 'istio');
  if (slos.length === 0) return;
  const warn = (message: string, fields?: Record<string, unknown>) => log.warning(message, fields);
  // Each SLO's report under its own event id, so the hub governs each once.
  const sloTrigger = (slo: SloDefinition): Trigger => ({ ...trigger, eventId: `${trigger.eventId}:slo:${slo.name}`, summary: `scheduled SLO sweep (${slo.name})` });
  const sweep = await sweepSlos(slos, sloTrigger, {
    policy: agent.policy,
    sources: { prometheus },
    at: agent.clock(),
    readTopology: (slo) => readSloTopology(slo, { source: agent.source, builders: agent.builders }, agent.clock(), warn),
  });
  for (const run of sweep.runs) await reportAsAgent({ agent: agent.config.identity, scopedReport: run.scoped }, agent, log);
  log.notice('SLO sweep reported to the hub', { slos: slos.length, read: sweep.runs.length, queries: sweep.queries, findings: sweep.runs.reduce((n, r) => n + r.scoped.report.findings.length, 0) });
  if (sweep.problems.length > 0) {
    log.error('the SLO sweep could not read every SLO; failing so Pub/Sub redelivers', { problems: sweep.problems });
    throw new Error(describeReadProblems(sweep.problems));
  }
}
