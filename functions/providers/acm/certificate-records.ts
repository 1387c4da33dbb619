import type { CertificateDetail } from '@aws-sdk/client-acm';
import type { CertificateAuthority } from '@aws-sdk/client-acm-pca';
import type { CertificateRecord, ConfigProblem, ResourceRef } from '../../core/model/types';
import type { AcmArn } from './arn';
import { describeUsers } from './used-by';

/**
 * ACM's describe answers → certificate records. ACM gives no PEM here, so there is no
 * fingerprint: the ARN is the identity (`acm:<arn>`), and the dates are the service's own.
 */

export const ACM_DATE_SOURCE = 'ACM DescribeCertificate';
export const PCA_DATE_SOURCE = 'ACM-PCA DescribeCertificateAuthority';

/** A record may come with problems of its own (a stuck renewal, a type App Mesh cannot serve) that its dates do not show. */
export type RecordOrProblem = { record: CertificateRecord; problems?: ConfigProblem[] } | { problem: ConfigProblem };

/** `0a:1b:…` (ACM's notation) → `0A1B…`, the form Node's X509Certificate gives the x509 provider's records. */
export function normalizeSerial(serial: string | undefined): string {
  return (serial ?? '').replace(/:/g, '').toUpperCase();
}

/** The CN of an ACM `Subject` string such as `CN=payments-api.payments.svc.cluster.local,O=Example Corp`. */
function commonNameOf(subject: string | undefined): string | undefined {
  const match = /(?:^|,)\s*CN=([^,]+)/.exec(subject ?? '');
  return match?.[1].trim();
}

/** X.500 order of the PCA `ASN1Subject` members that make up a readable subject. */
const SUBJECT_PARTS: Array<[string, keyof NonNullable<NonNullable<CertificateAuthority['CertificateAuthorityConfiguration']>['Subject']>]> = [
  ['CN', 'CommonName'],
  ['OU', 'OrganizationalUnit'],
  ['O', 'Organization'],
  ['L', 'Locality'],
  ['ST', 'State'],
  ['C', 'Country'],
];

function origin(arn: AcmArn) {
  return { kind: arn.kind, name: arn.id, arn: arn.arn, source: { file: arn.arn, line: 1 } };
}

export function problemFor(arn: AcmArn | { arn: string; kind?: AcmArn['kind']; id?: string }, field: string, message: string, usedBy: ResourceRef[]): ConfigProblem {
  return {
    file: arn.arn,
    line: 1,
    field,
    message: `${message}${usedBy.length ? `; used by ${describeUsers(usedBy)}` : ''}`,
    ...(arn.kind ? { kind: arn.kind } : {}),
    ...(arn.id ? { name: arn.id } : {}),
    provider: 'acm',
  };
}

/**
 * A DescribeCertificate `Certificate` → a record; a certificate without validity dates (not
 * issued) → a problem; a REVOKED or INACTIVE one → a problem only, since its dates would call
 * it healthy or merely expiring.
 */
export function recordFromCertificateDetail(arn: AcmArn, detail: CertificateDetail, usedBy: ResourceRef[]): RecordOrProblem {
  if (!detail.NotBefore || !detail.NotAfter) {
    return {
      problem: problemFor(arn, 'NotAfter', `ACM certificate ${arn.arn} has no validity dates (Status ${detail.Status ?? 'unknown'}): ACM has not issued it`, usedBy),
    };
  }
  const unusable = unusableStatus(arn, detail);
  if (unusable) return { problem: problemFor(arn, 'Status', unusable, usedBy) };
  const cn = detail.DomainName ?? commonNameOf(detail.Subject) ?? '';
  return {
    record: {
      id: `acm:${arn.arn}`,
      provider: 'acm',
      subjectCN: cn,
      subject: detail.Subject ?? (cn ? `CN=${cn}` : ''),
      issuer: detail.Issuer ?? '',
      serialNumber: normalizeSerial(detail.Serial),
      fingerprint256: '',
      notBefore: detail.NotBefore,
      notAfter: detail.NotAfter,
      isCA: false,
      chainIndex: 0,
      origin: origin(arn),
      ...(usedBy.length ? { usedBy } : {}),
      dateSource: ACM_DATE_SOURCE,
      ...renewalOf(detail),
    },
    problems: [renewalProblem(arn, detail, usedBy), importedProblem(arn, detail, usedBy)].filter((p): p is ConfigProblem => p !== undefined),
  };
}

/** Statuses of an issued certificate that no listener should serve (ACM API Reference, CertificateDetail.Status). */
function unusableStatus(arn: AcmArn, detail: CertificateDetail): string | undefined {
  if (detail.Status === 'REVOKED') {
    const when = detail.RevokedAt ? ` on ${detail.RevokedAt.toISOString()}` : '';
    const why = detail.RevocationReason ? ` (${detail.RevocationReason})` : '';
    return `ACM certificate ${arn.arn} was revoked${when}${why}: clients that check revocation refuse it; issue a new certificate and point the listener at it`;
  }
  if (detail.Status === 'INACTIVE') {
    return `ACM certificate ${arn.arn} has Status INACTIVE: it is not in service; issue a new certificate and point the listener at it`;
  }
  return undefined;
}

/**
 * ACM's managed renewal is stuck (RenewalSummary.RenewalStatus FAILED or PENDING_VALIDATION):
 * the dates still look fine, but ACM will not replace the certificate before NotAfter unless
 * someone acts. No day count in the message, so the finding id stays the same day to day.
 */
function renewalProblem(arn: AcmArn, detail: CertificateDetail, usedBy: ResourceRef[]): ConfigProblem | undefined {
  const stuck = stuckRenewal(detail);
  if (!stuck) return undefined;
  return problemFor(arn, 'RenewalSummary.RenewalStatus', `ACM's managed renewal of ${arn.arn} is ${stuck.status} and it expires on ${detail.NotAfter!.toISOString()}: ${stuck.action}`, usedBy);
}

/** For the expiry findings: ACM's word when its managed renewal is stuck (they then say waiting will not renew it). */
function renewalOf(detail: CertificateDetail): Pick<CertificateRecord, 'renewal'> {
  const stuck = stuckRenewal(detail);
  return stuck ? { renewal: { by: 'ACM', blocked: `managed renewal ${stuck.status}: ${stuck.action}` } } : {};
}

/** A stuck managed renewal: its status (with ACM's reason) and what to do; undefined unless FAILED or PENDING_VALIDATION. */
function stuckRenewal(detail: CertificateDetail): { status: string; action: string } | undefined {
  const renewal = detail.RenewalSummary;
  const status = renewal?.RenewalStatus;
  if (status !== 'FAILED' && status !== 'PENDING_VALIDATION') return undefined;
  const action =
    detail.Type === 'PRIVATE'
      ? `fix what stops the private CA${detail.CertificateAuthorityArn ? ` ${detail.CertificateAuthorityArn}` : ''} from issuing (it must be ACTIVE and allow ACM to issue, acm-pca:CreatePermission), then run acm:RenewCertificate`
      : 'complete the domain validation ACM waits for (the DNS records in RenewalSummary.DomainValidationOptions)';
  return { status: `${status}${renewal?.RenewalStatusReason ? ` (${renewal.RenewalStatusReason})` : ''}`, action };
}

/**
 * An imported certificate on an App Mesh listener: ACM never renews it, and App Mesh hands Envoy
 * only what acm:ExportCertificate exports, which imported certificates are not.
 */
function importedProblem(arn: AcmArn, detail: CertificateDetail, usedBy: ResourceRef[]): ConfigProblem | undefined {
  if (detail.Type !== 'IMPORTED' || usedBy.length === 0) return undefined;
  return problemFor(
    arn,
    'Type',
    `ACM certificate ${arn.arn} is IMPORTED: ACM does not renew it (re-import a new one before ${detail.NotAfter!.toISOString()}) and App Mesh cannot export it to Envoy; use a private certificate from AWS Private CA, which ACM renews itself`,
    usedBy,
  );
}

/** A DescribeCertificateAuthority `CertificateAuthority` → a CA record; a CA without a CA certificate yet → a problem. */
export function recordFromCertificateAuthority(arn: AcmArn, ca: CertificateAuthority, usedBy: ResourceRef[]): RecordOrProblem {
  if (!ca.NotBefore || !ca.NotAfter) {
    return {
      problem: problemFor(
        arn,
        'NotAfter',
        `ACM Private CA ${arn.arn} has no CA certificate (Status ${ca.Status ?? 'unknown'}): nothing it would sign can be trusted yet`,
        usedBy,
      ),
    };
  }
  const subject = ca.CertificateAuthorityConfiguration?.Subject ?? {};
  const subjectText = SUBJECT_PARTS.flatMap(([label, key]) => (subject[key] ? [`${label}=${String(subject[key])}`] : [])).join(',');
  return {
    record: {
      id: `acm:${arn.arn}`,
      provider: 'acm',
      subjectCN: subject.CommonName ?? '',
      subject: subjectText,
      // A root CA signs itself; for a subordinate the issuer is not part of the describe answer.
      issuer: ca.Type === 'ROOT' ? subjectText : '',
      serialNumber: normalizeSerial(ca.Serial),
      fingerprint256: '',
      notBefore: ca.NotBefore,
      notAfter: ca.NotAfter,
      isCA: true,
      chainIndex: 0,
      origin: origin(arn),
      ...(usedBy.length ? { usedBy } : {}),
      dateSource: PCA_DATE_SOURCE,
    },
  };
}
