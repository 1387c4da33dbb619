/**
 * AWS Certificate Manager + ACM Private CA emulator for tests: one real HTTP server on loopback
 * speaking awsJson1_1 for `@aws-sdk/client-acm` and `@aws-sdk/client-acm-pca` with `endpoint`
 * set to its URL. See startAcmEmulator.ts for the API and README.md for the behaviour.
 */
export {
  startAcmEmulator,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  type AcmEmulator,
  type AcmEmulatorOptions,
  type RecordedCall,
} from './startAcmEmulator';
export type { AcmCertificateSeed, CertificateAuthoritySeed } from './certificateStore';
export type { OperationSelector, ThrottleOptions } from './faultInjector';
export type { OperationName } from './operationTargets';
export { acmClientFor, pcaClientFor, TEST_CREDENTIALS } from './clients';
