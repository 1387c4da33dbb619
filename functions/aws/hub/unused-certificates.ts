import type { Finding } from '../../core/findings';
import { decidedByLaterAudit, resolveFinding } from '../../core/pipeline/observe-findings';
import { routeFor } from '../../core/pipeline/route';
import type { HubDeps } from './hub-deps';

/** Why an unused certificate's earlier findings are resolved, as the hub logs it (a finding record keeps no reason). */
export const NO_LONGER_USED = 'no longer used by a governed mesh';

/**
 * The ACM certificate an `acm` finding is about: a certificate finding and a problem of the ACM
 * provider both name it as their file (certificate-records.ts).
 */
export function certificateArnOf(finding: Finding): string | undefined {
  if (finding.provider !== 'acm') return undefined;
  const origin = (finding.detail.origin as { arn?: unknown } | undefined)?.arn;
  return typeof origin === 'string' ? origin : finding.resource.file;
}

/**
 * Resolves the open findings of certificates no governed mesh uses: findings an earlier run
 * recorded (before the hub looked for users, while a mesh could not be read, or while a mesh
 * still used the certificate). Matched by the certificate's ARN, never by its name, so that a
 * used certificate of the same name keeps its findings. A finding already posted to Slack has
 * its message updated; when Slack fails, the update stays owed and a later run sends it.
 *
 * @returns the ids of the findings this call resolved.
 */
export async function resolveUnusedCertificateFindings(
  arns: readonly string[],
  deps: Pick<HubDeps, 'ledger' | 'notifier' | 'policy' | 'clock' | 'log'>,
  context: { eventId: string },
): Promise<string[]> {
  if (arns.length === 0) return [];
  const unused = new Set(arns);
  const open = await deps.ledger.listOpenFindings({ provider: 'acm' });
  const now = deps.clock();
  const resolved: string[] = [];
  for (const record of open) {
    const arn = certificateArnOf(record.finding);
    if (arn === undefined || !unused.has(arn)) continue;
    // The hub read the certificates' users just now: that read is what decides the record (and a
    // record another container's later read decided, its clock a little ahead, is left to it).
    if (decidedByLaterAudit(record, now.getTime())) continue;
    const done = await resolveFinding(deps.ledger, record, now, now.getTime());
    // Another run changed it first: that run's view stands.
    if (!done) continue;
    resolved.push(done.id);
    deps.log('info', `finding resolved: certificate ${arn} is ${NO_LONGER_USED}`, { eventId: context.eventId, findingId: done.id, rule: done.finding.rule });
    if (!done.slack || !deps.notifier) continue;
    try {
      const slack = await deps.notifier.notifyFinding(done, routeFor(done.finding, deps.policy), 'resolved');
      await deps.ledger.updateFinding({
        ...done,
        notificationPending: false,
        lastNotifiedAt: deps.clock().toISOString(),
        notifiedSeverity: done.finding.severity,
        slack,
        version: done.version + 1,
      });
    } catch (err) {
      deps.log('warn', 'notification not delivered; it stays owed', { eventId: context.eventId, findingId: done.id, error: String(err) });
    }
  }
  return resolved;
}
