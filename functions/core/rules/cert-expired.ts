import { certificateDetail, certificateResource, chainRole, defaultCaPackageAdvice, describeOrigin, renewalSentence } from './certificate-finding';
import { makeFinding, withLabels, type Rule } from './rule';
import { copyName } from '../model/certificate-copies';
import type { CertificateRecord } from '../model/types';

/** cert-expired: a certificate is past notAfter, or before notBefore (not yet valid). */
export const certExpired: Rule = {
  id: 'cert-expired',
  evaluate({ model, settings, now }) {
    const validRoots = validRootsByPlace(model.certificates, now);
    return model.certificates
      .filter((c) => c.notAfter.getTime() < now.getTime() || c.notBefore.getTime() > now.getTime())
      .map((c) => {
        const notYet = c.notBefore.getTime() > now.getTime();
        const what = notYet ? `is not valid until ${c.notBefore.toISOString()}` : `expired on ${c.notAfter.toISOString()}`;
        return makeFinding(
          'cert-expired',
          settings.severity,
          c.provider,
          certificateResource(c),
          `The ${chainRole(c)} for ${c.subjectCN || c.subject} in ${describeOrigin(c)} ${what}; ${notYet ? 'check the issuer clock or the rollout' : renewalSentence(c, now, defaultCaPackageAdvice(c, expiredAdvice(c, validRoots)))}.`,
          withLabels({ ...certificateDetail(c, now), state: notYet ? 'not-yet-valid' : 'expired' }, c.origin.labels),
          c.id,
        );
      });
  },
};

/** The place a certificate is written: one file, or one key of one object. */
function placeOf(c: CertificateRecord): string {
  const o = c.origin;
  return `${o.source.file}\0${o.kind}\0${o.namespace ?? ''}\0${o.name}\0${o.key ?? ''}`;
}

function isRoot(c: CertificateRecord): boolean {
  return c.isCA && c.subject !== '' && c.subject === c.issuer;
}

/**
 * How many roots valid now each place holds: a trust bundle mid rotation, or a system CA bundle.
 * A root folded into the CA Secret that holds it is still in each of its copies (istiod's
 * `istio-ca-root-cert` of every namespace), so it counts there too.
 */
function validRootsByPlace(certificates: readonly CertificateRecord[], now: Date): Map<string, number> {
  const out = new Map<string, number>();
  const add = (place: string) => out.set(place, (out.get(place) ?? 0) + 1);
  for (const c of certificates) {
    if (!isRoot(c) || c.notAfter.getTime() < now.getTime() || c.notBefore.getTime() > now.getTime()) continue;
    add(placeOf(c));
    for (const copy of new Set(c.origin.copies ?? [])) add(`copy\0${copy}`);
  }
  return out;
}

/**
 * An expired root beside valid ones in one bundle verifies nothing any more, and no one renews a
 * retired or third-party root: the fix is to take it out (what still chains to it is already
 * refused). A root alone, or a leaf or intermediate, is renewed.
 */
function expiredAdvice(c: CertificateRecord, validRoots: ReadonlyMap<string, number>): string {
  const others = isRoot(c) ? (validRoots.get(placeOf(c)) ?? 0) + (validRoots.get(`copy\0${copyName(c)}`) ?? 0) : 0;
  if (others === 0) return 'renew it and roll it out';
  return `the bundle still holds ${others} valid root${others === 1 ? '' : 's'}, so take this one out of it (whatever still chains to it is refused already: re-issue that from a valid root)`;
}
