/**
 * The ACM provider: certificates from AWS Certificate Manager (DescribeCertificate) and CAs
 * from ACM Private CA (DescribeCertificateAuthority), for the ARNs App Mesh listeners serve and
 * client policies trust, as certificate records with provider `acm`.
 *
 * @example
 *   const uses = appMeshCertificateArns(inventory);
 *   const { certificates, problems } = await acmCertificateSource({ region: 'us-west-2' }).describeCertificates(uses);
 *   const report = auditModel(acmModelBuilder(certificates, problems)(inventory, { now }), loadPolicy(), now);
 */
export {
  acmCertificateSource,
  AcmUnavailableError,
  DEFAULT_CONCURRENCY,
  type AcmCertificateSource,
  type AcmCertificateSourceOptions,
  type AcmDescribeResult,
  type DescribeOptions as AcmDescribeOptions,
  type CertificateArnUse,
} from './certificate-source';
export { appMeshCertificateArns, type AppMeshArnUse } from './appmesh-arns';
export { acmModelBuilder } from './model-builder';
export {
  findingFromAcmExpiryEvent,
  readAcmExpiryEvent,
  AcmEventError,
  ACM_EXPIRY_SOURCE,
  ACM_EXPIRY_DETAIL_TYPE,
  type AcmExpiryEvent,
} from './expiry-event';
export { parseAcmArn, type AcmArn, type AcmResourceKind } from './arn';
export { createAcmClient, createPcaClient, DEFAULT_MAX_ATTEMPTS, type ClientChoice } from './clients';
export { ACM_DATE_SOURCE, PCA_DATE_SOURCE } from './certificate-records';
