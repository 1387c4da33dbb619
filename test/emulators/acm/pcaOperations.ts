import type { CertificateAuthority } from '@aws-sdk/client-acm-pca';
import { issueCertificate, makeRootCa } from '../../support/certs';
import type { Caller } from './acmOperations';
import { awsJsonError } from './awsJsonErrors';
import type { CertificateStore, StoredAuthority } from './certificateStore';
import { PCA_ARN, arnParts, requireArn } from './requestValidation';

/**
 * ACM Private CA operations (API version 2017-08-22): DescribeCertificateAuthority and
 * GetCertificateAuthorityCertificate, with the request and response members of the AWS
 * Private CA API Reference.
 */

function findAuthority(store: CertificateStore, caller: Caller, arn: string): StoredAuthority {
  const { region, account, resource } = arnParts(arn);
  if (!/^certificate-authority\/[\w+=,.@-]+$/.test(resource)) {
    throw awsJsonError('acm-pca', 'InvalidArnException', `${arn} is not a valid certificate authority ARN.`);
  }
  const stored = store.authorities.get(arn);
  if (!stored || region !== caller.region || account !== caller.accountId) {
    throw awsJsonError('acm-pca', 'ResourceNotFoundException', `Could not find certificate authority ${arn}.`);
  }
  return stored;
}

/** DescribeCertificateAuthority: `{CertificateAuthorityArn}` → `{CertificateAuthority}`. */
export function describeCertificateAuthority(
  store: CertificateStore,
  caller: Caller,
  input: Record<string, unknown>,
): { CertificateAuthority: CertificateAuthority } {
  const arn = requireArn('acm-pca', input, 'CertificateAuthorityArn', PCA_ARN);
  return { CertificateAuthority: findAuthority(store, caller, arn).authority };
}

/** States in which a CA has no CA certificate yet (or never got one). */
const WITHOUT_CERTIFICATE = new Set(['CREATING', 'PENDING_CERTIFICATE', 'FAILED']);

/**
 * GetCertificateAuthorityCertificate: `{CertificateAuthorityArn}` → `{Certificate, CertificateChain?}`.
 * A root CA has no chain; a subordinate's chain is the certificates above it. Without a seeded
 * PEM, a real certificate with the CA's name and dates is made once (by openssl).
 */
export function getCertificateAuthorityCertificate(
  store: CertificateStore,
  caller: Caller,
  input: Record<string, unknown>,
): { Certificate: string; CertificateChain?: string } {
  const arn = requireArn('acm-pca', input, 'CertificateAuthorityArn', PCA_ARN);
  const stored = findAuthority(store, caller, arn);
  const ca = stored.authority;
  if (WITHOUT_CERTIFICATE.has(ca.Status ?? '')) {
    throw awsJsonError('acm-pca', 'InvalidStateException', `The certificate authority ${arn} is in the ${ca.Status} state and has no CA certificate.`);
  }
  if (!stored.certificatePem) makeAuthorityPem(stored);
  return {
    Certificate: stored.certificatePem!,
    ...(ca.Type === 'SUBORDINATE' && stored.certificateChainPem ? { CertificateChain: stored.certificateChainPem } : {}),
  };
}

function makeAuthorityPem(stored: StoredAuthority): void {
  const ca = stored.authority;
  const cn = ca.CertificateAuthorityConfiguration?.Subject?.CommonName ?? 'Private CA';
  const organization = ca.CertificateAuthorityConfiguration?.Subject?.Organization;
  const rsa = ca.CertificateAuthorityConfiguration?.KeyAlgorithm?.startsWith('RSA') ?? false;
  const spec = { cn, organization, notBefore: ca.NotBefore, notAfter: ca.NotAfter, keyType: rsa ? ('rsa' as const) : ('ec' as const) };
  if (ca.Type === 'SUBORDINATE') {
    const parent = makeRootCa({ ...spec, cn: `${cn} parent`, notAfter: ca.NotAfter && new Date(ca.NotAfter.getTime() + 86_400_000) });
    stored.certificatePem = issueCertificate(parent, { ...spec, isCA: true }).certPem;
    stored.certificateChainPem = parent.certPem;
  } else {
    stored.certificatePem = makeRootCa(spec).certPem;
  }
}
