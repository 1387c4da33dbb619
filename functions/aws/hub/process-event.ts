import { auditScope } from '../../core/pipeline/audit-scope';
import { govern, type GovernResult } from '../../core/pipeline/govern';
import { classifyEvent } from '../events/classify-event';
import type { EventBridgeEvent } from '../events/parse-eventbridge';
import { governDepsOf, type HubDeps } from './hub-deps';

export type ProcessOutcome =
  | { status: 'ignored'; eventId: string; reason: string }
  | { status: 'audited'; eventId: string; findings: number; result: GovernResult };

/**
 * One EventBridge event through the whole pipeline on the hub: trigger → collect → model →
 * evaluate → plan → gate → act → verify → record + notify. Throws on anything that must be
 * retried or dead-lettered (an EventError for a bad event, an SDK error for an outage).
 */
export async function processEvent(event: EventBridgeEvent, deps: HubDeps): Promise<ProcessOutcome> {
  const classified = classifyEvent(event, deps);
  if (classified.kind === 'ignored') {
    deps.log('info', 'event ignored', { eventId: event.id, reason: classified.reason, trigger: classified.trigger.summary });
    return { status: 'ignored', eventId: event.id, reason: classified.reason };
  }
  const scoped = await auditScope(classified.trigger, classified.scope, deps);
  const result = await govern(scoped, governDepsOf(deps));
  deps.log('info', 'event audited', {
    eventId: event.id,
    trigger: classified.trigger.summary,
    scope: classified.scope.kind,
    findings: scoped.report.findings.length,
    resolved: result.resolved.length,
    changes: result.changes.length,
    approvalsRequested: result.approvalsRequested.length,
  });
  return { status: 'audited', eventId: event.id, findings: scoped.report.findings.length, result };
}
