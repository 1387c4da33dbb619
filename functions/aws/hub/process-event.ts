import { auditScope } from '../../core/pipeline/audit-scope';
import { govern, type GovernResult } from '../../core/pipeline/govern';
import { MeshSnapshotCache } from '../../providers/appmesh/live/mesh-snapshot';
import { observeChange } from '../../providers/appmesh/live/observed-change';
import { classifyEvent } from '../events/classify-event';
import type { EventBridgeEvent } from '../events/parse-eventbridge';
import { governDepsOf, type HubDeps } from './hub-deps';

export type ProcessOutcome =
  | { status: 'ignored'; eventId: string; reason: string }
  | { status: 'audited'; eventId: string; findings: number; result: GovernResult };

/**
 * What lets the hub record the spec a person's App Mesh change replaced (observed-change.ts):
 * the reader's snapshots. By default those the App Mesh executor shares with the reader
 * (wireHubDeps gives both one cache); without any, the previous spec is known only when the
 * ledger holds the change that produced it.
 */
export interface ObservedChangeOptions {
  snapshots?: MeshSnapshotCache;
  accountId?: string;
}

function sharedSnapshots(executors: HubDeps['executors']): MeshSnapshotCache | undefined {
  for (const e of executors) {
    const snapshots = (e as { snapshots?: unknown }).snapshots;
    if (snapshots instanceof MeshSnapshotCache) return snapshots;
  }
  return undefined;
}

/**
 * One EventBridge event through the whole pipeline on the hub: trigger → collect → model →
 * evaluate → plan → gate → act → verify → record + notify. Throws on anything that must be
 * retried or dead-lettered (an EventError for a bad event, an SDK error for an outage).
 * An App Mesh write by anyone but meshgov is also recorded as a change (`appmesh.route.update`,
 * …, id `chg-cloudtrail-<event id>`) with the spec it replaced, captured before the scoped audit
 * applies it, so that a latency burn can name it and offer its rollback.
 */
export async function processEvent(event: EventBridgeEvent, deps: HubDeps & ObservedChangeOptions): Promise<ProcessOutcome> {
  const classified = classifyEvent(event, deps);
  if (classified.kind === 'ignored') {
    deps.log('info', 'event ignored', { eventId: event.id, reason: classified.reason, trigger: classified.trigger.summary });
    return { status: 'ignored', eventId: event.id, reason: classified.reason };
  }
  const snapshots = deps.snapshots ?? sharedSnapshots(deps.executors);
  const observed =
    classified.trigger.source === 'cloudtrail' && classified.scope.kind === 'appmesh-resource'
      ? await observeChange(event, { ledger: deps.ledger, ...(snapshots ? { snapshots } : {}), ...(deps.accountId ? { accountId: deps.accountId } : {}) })
      : undefined;
  const recorded = observed?.complete ? await observed.record(deps.clock()) : undefined;
  const scoped = await auditScope(classified.trigger, classified.scope, deps);
  const change = recorded ?? (observed ? await observed.record(deps.clock()) : undefined);
  if (change) deps.log('info', 'observed change recorded', { eventId: event.id, changeId: change.id, action: change.action, detail: change.detail });
  const result = await govern(scoped, governDepsOf(deps));
  deps.log('info', 'event audited', {
    eventId: event.id,
    trigger: classified.trigger.summary,
    scope: classified.scope.kind,
    findings: scoped.report.findings.length,
    resolved: result.resolved.length,
    changes: result.changes.length,
    approvalsRequested: result.approvalsRequested.length,
    approvalsExpired: result.approvalsExpired.length,
    expiryRedrawsAbandoned: result.expiryRedrawsAbandoned.length,
  });
  return { status: 'audited', eventId: event.id, findings: scoped.report.findings.length, result };
}
