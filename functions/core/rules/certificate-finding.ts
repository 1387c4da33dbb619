import type { CertificateRecord, ResourceRef } from '../model/types';

const DAY_MS = 86_400_000;

/** Whole days left before notAfter (negative once expired), rounded down as a person counts them. */
export function daysLeft(cert: CertificateRecord, now: Date): number {
  return Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** CONTRACT.md: a certificate finding names the subject CN and the file, and the namespace of a namespaced source. */
export function certificateResource(cert: CertificateRecord): ResourceRef {
  return {
    kind: 'Certificate',
    name: cert.subjectCN || cert.subject || cert.origin.name,
    ...(cert.origin.namespace !== undefined ? { namespace: cert.origin.namespace } : {}),
    file: cert.origin.source.file,
    line: cert.origin.source.line,
  };
}

export function certificateDetail(cert: CertificateRecord, now: Date): Record<string, unknown> {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256 || undefined,
    notBefore: knownNotBefore(cert)?.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    expiresAt: cert.notAfter.toISOString(),
    daysLeft: daysLeft(cert, now),
    chainIndex: cert.chainIndex,
    isCA: cert.isCA,
    origin: { kind: cert.origin.kind, name: cert.origin.name, namespace: cert.origin.namespace, key: cert.origin.key, ...(cert.origin.alsoKeys ? { alsoKeys: cert.origin.alsoKeys } : {}), ...(cert.origin.copies ? { copies: cert.origin.copies } : {}), ...(cert.origin.defaultCaPackageOf ? { defaultCaPackageOf: cert.origin.defaultCaPackageOf } : {}), arn: cert.origin.arn },
    usedBy: cert.usedBy,
    dateSource: cert.dateSource,
    renewal: cert.renewal && { by: cert.renewal.by, at: cert.renewal.at?.toISOString(), blocked: cert.renewal.blocked },
  };
}

/**
 * The advice for a certificate of trust-manager's default CA package (a public root): it is
 * updated with the package, and a target copy is rewritten on every sync, so editing it does nothing.
 */
export function defaultCaPackageAdvice(cert: CertificateRecord, advice: string): string {
  const bundle = cert.origin.defaultCaPackageOf;
  if (bundle === undefined) return advice;
  return `it is in no source of Bundle ${bundle} that was read, so it most likely comes from trust-manager's default CA package, which that Bundle adds (useDefaultCAs: true): update the package (trust-manager's trust-packages image) or set useDefaultCAs: false, since trust-manager rewrites this copy`;
}

/**
 * What the certificate's manager says about renewing it, as the end of a finding's message: a
 * stuck renewal is the thing to fix; a planned one tells whether waiting is enough. `advice` is
 * the message's own ending, used when the manager says nothing.
 */
export function renewalSentence(cert: CertificateRecord, now: Date, advice: string): string {
  const r = cert.renewal;
  if (r?.blocked) return `${r.by} is not renewing it (${r.blocked}); fix that, or ${advice}`;
  if (r?.issuing) return `${r.by} is issuing a new one now; if it does not arrive, find out why (its CertificateRequest, its issuer), or ${advice}`;
  if (r?.at && r.at.getTime() < cert.notAfter.getTime()) {
    return r.at.getTime() > now.getTime() ? `${r.by} means to renew it on ${r.at.toISOString()}` : `${r.by} was to renew it on ${r.at.toISOString()} and has not; ${advice}`;
  }
  return advice;
}

/**
 * notBefore, unless the record does not know it. CertificateRecord.notBefore is required, so a
 * source without a start date (cert-manager status without `notBefore`) stores the epoch, which
 * never makes a certificate "not yet valid"; the report leaves it out rather than showing 1970.
 * Only records dated by their source (dateSource) can hold it: a parsed certificate has a real one.
 */
export function knownNotBefore(cert: CertificateRecord): Date | undefined {
  return cert.dateSource !== undefined && cert.notBefore.getTime() === 0 ? undefined : cert.notBefore;
}

export function describeOrigin(cert: CertificateRecord): string {
  const o = cert.origin;
  if (o.kind === 'File') return `file ${o.source.file}`;
  if (o.arn) return o.arn;
  const keys = o.key ? ` key ${o.key}${o.alsoKeys?.length ? ` (also in ${o.alsoKeys.join(', ')})` : ''}` : '';
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}${keys}${copiesOf(o.copies)}`;
}

export function chainRole(cert: CertificateRecord): string {
  if (cert.chainIndex === 0 && !cert.isCA) return 'certificate';
  return cert.isCA ? 'CA certificate' : `certificate #${cert.chainIndex + 1} of the chain`;
}

/** Copies beside the place to fix, shown by their first few names: a root CA is published into every namespace. */
function copiesOf(copies: string[] | undefined): string {
  if (!copies?.length) return '';
  const shown = copies.length > 4 ? `${copies.slice(0, 3).join(', ')} and ${copies.length - 3} more` : copies.join(', ');
  return ` (copied to ${copies.length === 1 ? '' : `${copies.length} places: `}${shown})`;
}
