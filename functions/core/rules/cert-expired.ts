import { certificateDetail, certificateResource, chainRole, describeOrigin, renewalSentence } from './certificate-finding';
import { makeFinding, type Rule } from './rule';

/** cert-expired: a certificate is past notAfter, or before notBefore (not yet valid). */
export const certExpired: Rule = {
  id: 'cert-expired',
  evaluate({ model, settings, now }) {
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
          `The ${chainRole(c)} for ${c.subjectCN || c.subject} in ${describeOrigin(c)} ${what}; ${notYet ? 'check the issuer clock or the rollout' : renewalSentence(c, now, 'renew it and roll it out')}.`,
          { ...certificateDetail(c, now), state: notYet ? 'not-yet-valid' : 'expired' },
          c.id,
        );
      });
  },
};
