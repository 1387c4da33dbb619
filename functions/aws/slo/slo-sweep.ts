import type { Trigger } from '../../core/pipeline/trigger';
import { slosOfPolicy } from '../../core/slo/definition';
import { readSloTopology, type MeshReader } from '../../core/slo/read-topology';
import { describeReadProblems, type SloSource } from '../../core/slo/reading';
import { sweepSlos } from '../../core/slo/sweep';
import { EventError } from '../events/event-error';
import { FreshQueryError } from './fresh-query-error';
import { governSloBurn, type SloBurnDeps } from './govern-slo-burn';

export interface SloSweepDeps extends SloBurnDeps {
  cloudwatch: SloSource;
  mesh?: MeshReader;
}

export interface SloSweepOutcome {
  status: 'swept';
  /** App Mesh SLOs in rules/, and how many of them were read. */
  slos: number;
  read: number;
  /** Burn and no-data findings the sweep reported. */
  findings: string[];
  resolved: string[];
}

/** The EventBridge "Scheduled Event" of the SLO sweep rule. */
export function isScheduledEvent(value: unknown): boolean {
  const event = value as { source?: unknown; 'detail-type'?: unknown } | null;
  return typeof event === 'object' && event !== null && event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
}

/**
 * The scheduled sweep of the App Mesh SLOs (sweepSlos): one batched GetMetricData read, then each
 * SLO's report governed as an alarm run's is (a burn names its suspect and offers its rollback; a
 * finding that no longer holds resolves). An SLO that could not be read keeps its findings as
 * they are, and the run throws after governing the others, so Lambda retries it and then the SLO
 * dead-letter queue keeps it.
 */
export async function sweepAppMeshSlos(value: unknown, deps: SloSweepDeps): Promise<SloSweepOutcome> {
  const event = value as { id?: unknown; time?: unknown };
  if (typeof event.id !== 'string' || event.id === '') throw new EventError('id', 'missing or not a string');
  if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time))) throw new EventError('time', 'missing or not an ISO time', event.id);
  const trigger: Trigger = { source: 'schedule', eventId: event.id, eventTime: event.time, summary: 'scheduled SLO sweep' };
  const slos = slosOfPolicy(deps.policy).filter((s) => s.mesh === 'appmesh');
  const mesh = deps.mesh;
  const warn = (message: string, fields?: Record<string, unknown>) => deps.log('warn', message, fields);
  const sweep = await sweepSlos(slos, trigger, {
    policy: deps.policy,
    sources: { cloudwatch: deps.cloudwatch },
    at: deps.clock(),
    ...(mesh ? { readTopology: (slo) => readSloTopology(slo, mesh, deps.clock(), warn) } : {}),
  });
  const findings: string[] = [];
  const resolved: string[] = [];
  for (const run of sweep.runs) {
    const result = await governSloBurn(run.scoped, deps);
    findings.push(...run.scoped.report.findings.map((f) => f.id));
    resolved.push(...result.governed.resolved);
  }
  deps.log('info', 'SLO sweep done', { eventId: event.id, slos: slos.length, read: sweep.runs.length, queries: sweep.queries, findings, resolved, problems: sweep.problems });
  if (sweep.problems.length > 0) throw new FreshQueryError(describeReadProblems(sweep.problems), event.id);
  return { status: 'swept', slos: slos.length, read: sweep.runs.length, findings, resolved };
}
