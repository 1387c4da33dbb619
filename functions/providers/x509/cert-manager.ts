import { apiGroupOf, type KubeObject } from '../../core/model/inventory';
import { isCalendarDate } from '../../core/calendar';
import { isLooseRecord as isObject } from '../../core/is-record';
import type { CertificateRecord, CertificateRenewal, ConfigProblem, SourceRef } from '../../core/model/types';
import { namespaceOf, ownerLabels } from './kubernetes-sources';

/** RFC 3339 date-time, as metav1.Time serialises (`2026-12-01T00:00:00Z`). */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * The instant of an RFC 3339 time, or undefined. Fields out of range are refused as Go's
 * time.Parse (metav1.Time) refuses them: `Date` would roll `02-30` into March and `T24:00` into
 * the next day, and gives an invalid Date for `T25:00`, on which the expiry rules fail.
 */
function rfc3339Date(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function isCertManagerCertificate(obj: KubeObject): boolean {
  return apiGroupOf(obj.apiVersion) === 'cert-manager.io' && obj.kind === 'Certificate';
}

export interface CertManagerRead {
  certificate?: CertificateRecord;
  problems: ConfigProblem[];
  /** `spec.secretName`: the Secret cert-manager writes the certificate into. */
  secretName?: string;
  /** What the status says about renewing it, for the Secret's certificate when that is the one read. */
  renewal?: CertificateRenewal;
}

/**
 * cert-manager's word on renewing: `status.renewalTime`, and why it is not happening. A failed
 * issuance leaves Ready True until expiry (the old certificate is still valid) and shows in
 * `failedIssuanceAttempts`, `lastFailureTime` and an Issuing condition False with reason Failed;
 * Ready False is the other way it says so.
 */
function renewalOf(rawStatus: unknown, at: Date | undefined): CertificateRenewal | undefined {
  const status = isObject(rawStatus) ? rawStatus : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
  const condition = (type: string) => conditions.find((c) => c.type === type);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const attempts = typeof status.failedIssuanceAttempts === 'number' ? status.failedIssuanceAttempts : 0;
  const issuing = condition('Issuing');
  const ready = condition('Ready');
  let blocked: string | undefined;
  if (attempts > 0 || (issuing?.status === 'False' && issuing.reason === 'Failed')) {
    const last = text(status.lastFailureTime);
    const why = text(issuing?.message);
    blocked = `${attempts > 0 ? `${attempts} failed issuance attempt${attempts === 1 ? '' : 's'}` : 'a failed issuance'}${last ? `, the last at ${last}` : ''}${why ? `: ${why}` : ''}`;
  } else if (ready?.status === 'False' && issuing?.status !== 'True') {
    const why = text(ready.message);
    const reason = text(ready.reason);
    // "not Ready (Expired)" would only say again what the finding says.
    blocked = reason === 'Expired' ? `no new certificate was issued before this one expired (Ready False, Expired)` : `not Ready (${reason ?? 'no reason given'})${why ? `: ${why}` : ''}`;
  }
  const renewing = !blocked && issuing?.status === 'True';
  if (!at && !blocked && !renewing) return undefined;
  // Ready with a renewal still ahead: cert-manager replaces it then, whatever the windows say.
  const scheduled = at !== undefined && !blocked && !renewing && ready?.status === 'True';
  return { by: 'cert-manager', ...(at ? { at } : {}), ...(blocked ? { blocked } : {}), ...(renewing ? { issuing: true } : {}), ...(scheduled ? { rotatesBeforeExpiry: true } : {}) };
}

/**
 * A cert-manager `Certificate` (cert-manager.io/v1) as a certificate record, dated by its
 * status (`status.notBefore`, `status.notAfter`, set by cert-manager from the issued
 * certificate). There is no PEM here, so no fingerprint. A Certificate not issued yet (no
 * `status.notAfter`) has nothing to expire and yields no record.
 */
export function certificateFromCertManager(obj: KubeObject, source: SourceRef): CertManagerRead {
  const namespace = namespaceOf(obj);
  const name = obj.metadata.name;
  const spec = (obj.spec ?? {}) as { commonName?: unknown; dnsNames?: unknown; uris?: unknown; secretName?: unknown; isCA?: unknown; issuerRef?: { name?: unknown; kind?: unknown; group?: unknown } };
  const status = (obj.status ?? {}) as { notBefore?: unknown; notAfter?: unknown; renewalTime?: unknown };
  const secretName = typeof spec.secretName === 'string' ? spec.secretName : undefined;
  const problems: ConfigProblem[] = [];
  const date = (field: 'notBefore' | 'notAfter' | 'renewalTime'): Date | undefined => {
    const v = status[field];
    if (v === undefined || v === null) return undefined;
    const parsed = typeof v === 'string' ? rfc3339Date(v) : undefined;
    if (parsed) return parsed;
    problems.push({ file: source.file, line: source.line, field: `status.${field}`, message: `status.${field} of Certificate ${name} is not an RFC 3339 time: ${JSON.stringify(v)}`, kind: 'Certificate', name });
    return undefined;
  };
  const notAfter = date('notAfter');
  const notBefore = date('notBefore');
  const renewal = renewalOf(obj.status, date('renewalTime'));
  if (!notAfter) return { problems, ...(secretName ? { secretName } : {}), ...(renewal ? { renewal } : {}) };

  const cn = typeof spec.commonName === 'string' && spec.commonName !== '' ? spec.commonName : firstString(spec.dnsNames) ?? firstString(spec.uris) ?? name;
  const issuerRef = spec.issuerRef ?? {};
  const certificate: CertificateRecord = {
    id: `certmanager:${namespace}/${name}`,
    provider: 'x509',
    subjectCN: cn,
    subject: typeof spec.commonName === 'string' ? `CN=${spec.commonName}` : '',
    issuer: typeof issuerRef.name === 'string' ? `${typeof issuerRef.kind === 'string' ? issuerRef.kind : 'Issuer'}/${issuerRef.name}` : '',
    serialNumber: '',
    fingerprint256: '',
    // Without status.notBefore (older cert-manager releases do not set it) the start is unknown.
    // The record type requires a date: the epoch never makes a certificate "not yet valid", and
    // findings leave an epoch start of a record with a dateSource out of their detail.
    notBefore: notBefore ?? new Date(0),
    notAfter,
    isCA: spec.isCA === true,
    chainIndex: 0,
    origin: { kind: 'Certificate', name, namespace, source, ...ownerLabels(obj) },
    dateSource: 'cert-manager status',
    ...(renewal ? { renewal } : {}),
  };
  return { certificate, problems, ...(secretName ? { secretName } : {}), ...(renewal ? { renewal } : {}) };
}

function firstString(v: unknown): string | undefined {
  return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}
