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

export type RecordOrProblem = { record: CertificateRecord } | { problem: ConfigProblem };

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

/** A DescribeCertificate `Certificate` → a record; a certificate without validity dates (not issued) → a problem. */
export function recordFromCertificateDetail(arn: AcmArn, detail: CertificateDetail, usedBy: ResourceRef[]): RecordOrProblem {
  if (!detail.NotBefore || !detail.NotAfter) {
    return {
      problem: problemFor(arn, 'NotAfter', `ACM certificate ${arn.arn} has no validity dates (Status ${detail.Status ?? 'unknown'}): ACM has not issued it`, usedBy),
    };
  }
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
    },
  };
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
