import type { AcmService } from './awsJsonErrors';

/**
 * The operations the emulator serves, keyed by their `X-Amz-Target` header. The prefixes are
 * the models' `serviceTarget` (ACM: `CertificateManager`, API version 2015-12-08; ACM-PCA:
 * `ACMPrivateCA`, API version 2017-08-22), the suffix the operation name.
 */
export type OperationName = 'DescribeCertificate' | 'ListCertificates' | 'DescribeCertificateAuthority' | 'GetCertificateAuthorityCertificate';

export const OPERATION_NAMES: readonly OperationName[] = [
  'DescribeCertificate',
  'ListCertificates',
  'DescribeCertificateAuthority',
  'GetCertificateAuthorityCertificate',
];

export interface OperationTarget {
  service: AcmService;
  operation: OperationName;
}

const TARGETS: Record<string, OperationTarget> = {
  'CertificateManager.DescribeCertificate': { service: 'acm', operation: 'DescribeCertificate' },
  'CertificateManager.ListCertificates': { service: 'acm', operation: 'ListCertificates' },
  'ACMPrivateCA.DescribeCertificateAuthority': { service: 'acm-pca', operation: 'DescribeCertificateAuthority' },
  'ACMPrivateCA.GetCertificateAuthorityCertificate': { service: 'acm-pca', operation: 'GetCertificateAuthorityCertificate' },
};

/** The service a target prefix belongs to, for errors about operations the emulator does not serve. */
export function serviceOfTarget(target: string): AcmService | undefined {
  if (target.startsWith('CertificateManager.')) return 'acm';
  if (target.startsWith('ACMPrivateCA.')) return 'acm-pca';
  return undefined;
}

export function operationOfTarget(target: string): OperationTarget | undefined {
  return Object.prototype.hasOwnProperty.call(TARGETS, target) ? TARGETS[target] : undefined;
}
