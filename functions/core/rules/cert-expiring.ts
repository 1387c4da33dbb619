import { certificateDetail, certificateResource, chainRole, daysLeft, defaultCaPackageAdvice, describeOrigin, renewalSentence } from './certificate-finding';
import type { CertificateRecord } from '../model/types';
import { cappedSeverity, makeFinding, withLabels, type Rule, type RuleFinding } from './rule';

/**
 * cert-expiring: a certificate expires within the largest configured window. The smallest
 * window that holds sets the severity, up to the rule's own. Expired certificates belong to
 * cert-expired only.
 */
export const certExpiring: Rule = {
  id: 'cert-expiring',
  evaluate({ model, settings, now }) {
    const tiers = [...settings.tiers].sort((a, b) => a.withinDays - b.withinDays);
    const widest = tiers[tiers.length - 1]?.withinDays ?? 0;
    const out: RuleFinding[] = [];
    for (const c of model.certificates) {
      const msLeft = c.notAfter.getTime() - now.getTime();
      // An unreadable date is its provider's problem to report; here it must not stop every other rule.
      if (!Number.isFinite(msLeft) || msLeft < 0 || c.notBefore.getTime() > now.getTime()) continue;
      if (msLeft > widest * 86_400_000) continue;
      if (rotationAhead(c, now)) continue;
      const tier = tiers.find((t) => msLeft <= t.withinDays * 86_400_000);
      if (!tier) continue;
      const left = timeLeft(daysLeft(c, now), msLeft, tiers);
      out.push(
        makeFinding(
          'cert-expiring',
          cappedSeverity(tier.severity, settings.severity),
          c.provider,
          certificateResource(c),
          `The ${chainRole(c)} for ${c.subjectCN || c.subject} in ${describeOrigin(c)} expires in ${left} (${c.notAfter.toISOString()}); ${renewalSentence(c, now, defaultCaPackageAdvice(c, 'renew it before then'))}.`,
          withLabels({ ...certificateDetail(c, now), withinDays: tier.withinDays }, c.origin.labels),
          c.id,
        ),
      );
    }
    return out;
  },
};

/**
 * Whole days as a person counts them; under a day, hours, since "0 days" reads as already gone.
 * On the day just past a tier's edge (7 days and some hours, outside the 7-day tier) the hours
 * are said too: "7 days" alone would read as inside the tier it missed.
 */
function timeLeft(days: number, msLeft: number, tiers: ReadonlyArray<{ withinDays: number }>): string {
  const hours = Math.floor((msLeft % 86_400_000) / 3_600_000);
  if (days > 0) {
    // Under an hour past the edge, minutes: "7 days" would still read as inside the tier.
    const minutes = Math.max(1, Math.floor((msLeft % 3_600_000) / 60_000));
    const pastEdge = msLeft > days * 86_400_000 && tiers.some((t) => t.withinDays === days);
    const extra = hours > 0 ? plural(hours, 'hour') : plural(minutes, 'minute');
    return `${plural(days, 'day')}${pastEdge ? ` and ${extra}` : ''}`;
  }
  if (hours > 0) return plural(hours, 'hour');
  return 'less than an hour';
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A short-lived certificate its manager has not yet been due to replace: nothing to do yet. */
function rotationAhead(c: CertificateRecord, now: Date): boolean {
  const r = c.renewal;
  return r?.rotatesBeforeExpiry === true && r.blocked === undefined && r.at !== undefined && r.at.getTime() > now.getTime();
}
