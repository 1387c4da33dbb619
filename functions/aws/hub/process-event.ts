import { auditScope } from '../../core/pipeline/audit-scope';
import { govern, type GovernResult } from '../../core/pipeline/govern';
import { MeshSnapshotCache } from '../../providers/appmesh/live/mesh-snapshot';
import { observeChange } from '../../providers/appmesh/live/observed-change';
import type { AuditScope, Trigger } from '../../core/pipeline/trigger';
import { classifyEvent } from '../events/classify-event';
import type { EventBridgeEvent } from '../events/parse-eventbridge';
import { governDepsOf, type HubDeps } from './hub-deps';
import { isHubSource, type HubSource } from './hub-source';
import { resolveUnusedCertificateFindings } from './unused-certificates';

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
  let scope = classified.scope;
  let source = deps.source;
  if (scope.kind === 'certificates' && isHubSource(deps.source)) {
    const sorted = await sortCertificates(event.id, classified.trigger, scope, deps.source, deps);
    if (sorted.status === 'ignored') return sorted;
    ({ scope, source } = sorted);
  }
  const snapshots = deps.snapshots ?? sharedSnapshots(deps.executors);
  const observed =
    classified.trigger.source === 'cloudtrail' && classified.scope.kind === 'appmesh-resource'
      ? await observeChange(event, { ledger: deps.ledger, ...(snapshots ? { snapshots } : {}), ...(deps.accountId ? { accountId: deps.accountId } : {}) })
      : undefined;
  const recorded = observed?.complete ? await observed.record(deps.clock()) : undefined;
  let scoped = await auditScope(classified.trigger, scope, { ...deps, source });
  if (scope.kind === 'appmesh-resource' && !scope.revalidate && scoped.report.findings.some((f) => f.remediation?.mode === 'auto')) {
    // Planned on a snapshot that other containers and functions may have changed since: planned
    // again on the mesh as App Mesh lists it now, before anything runs on its own.
    scope = { ...scope, revalidate: true };
    scoped = await auditScope(classified.trigger, scope, { ...deps, source });
  }
  const change = recorded ?? (observed ? await observed.record(deps.clock()) : undefined);
  if (change) deps.log('info', 'observed change recorded', { eventId: event.id, changeId: change.id, action: change.action, detail: change.detail });
  const result = await govern(scoped, governDepsOf(deps));
  deps.log('info', 'event audited', {
    eventId: event.id,
    trigger: classified.trigger.summary,
    scope: scope.kind,
    findings: scoped.report.findings.length,
    resolved: result.resolved.length,
    changes: result.changes.length,
    approvalsRequested: result.approvalsRequested.length,
    approvalsExpired: result.approvalsExpired.length,
    expiryRedrawsAbandoned: result.expiryRedrawsAbandoned.length,
    outdated: result.outdated.length,
  });
  return { status: 'audited', eventId: event.id, findings: scoped.report.findings.length, result };
}

/**
 * ACM sends its expiry event for every certificate of the account and region (a website's, an
 * ALB's, CloudFront's), not only for those App Mesh uses: the hub reports only a certificate
 * that a resource of a governed mesh uses (a listener serves it, a client policy trusts it or
 * the private CA that issued it). An unused one is ignored, and the findings it still has open
 * from earlier runs are resolved. When the hub cannot tell (a governed mesh it may not read),
 * the certificate is reported as before; when App Mesh cannot be read at all, this throws and
 * the event is retried.
 */
async function sortCertificates(
  eventId: string,
  trigger: Trigger,
  scope: Extract<AuditScope, { kind: 'certificates' }>,
  hub: HubSource,
  deps: HubDeps,
): Promise<{ status: 'ignored'; eventId: string; reason: string } | { status: 'audit'; scope: AuditScope; source: HubDeps['source'] }> {
  const read = await hub.readCertificates(scope.arns);
  const governed = read.meshes.length ? read.meshes.join(', ') : 'none';
  const unusedReason = (arn: string) => `certificate ${arn} is used by no App Mesh resource of the meshes meshgov governs (${governed})`;
  for (const { arn, why } of read.undetermined) {
    deps.log('warn', `certificate ${arn}: its users could not be read (${why}); it is reported in case a resource there uses it`, {
      eventId,
      certificateArn: arn,
      unreadMeshes: read.unreadMeshes,
    });
  }
  for (const use of read.used) {
    deps.log('info', `certificate ${use.arn} is used by ${use.usedBy.length} App Mesh resource${use.usedBy.length === 1 ? '' : 's'}`, {
      eventId,
      certificateArn: use.arn,
      usedBy: use.usedBy,
      ...(use.trustedIssuer ? { trustedIssuer: use.trustedIssuer } : {}),
    });
  }
  const reported = [...read.used.map((u) => u.arn), ...read.undetermined.map((u) => u.arn)];
  if (reported.length > 0) {
    for (const arn of read.unused) deps.log('info', `${unusedReason(arn)}; not reported`, { eventId, certificateArn: arn });
  }
  await resolveUnusedCertificateFindings(read.unused, deps, { eventId });
  if (reported.length === 0) {
    const reason = read.unused.map(unusedReason).join('; ');
    deps.log('info', 'event ignored', { eventId, reason, trigger: trigger.summary });
    return { status: 'ignored', eventId, reason };
  }
  // The audit reads nothing again: the certificates to report are already read.
  return { status: 'audit', scope: { kind: 'certificates', arns: reported }, source: { collect: async () => read.inventory } };
}
