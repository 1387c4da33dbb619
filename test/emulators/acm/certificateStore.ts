import type { CertificateDetail } from '@aws-sdk/client-acm';
import type { CertificateAuthority } from '@aws-sdk/client-acm-pca';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The emulator's state: ACM certificates and ACM-PCA certificate authorities, stored in the
 * SDKs' own output shapes (`CertificateDetail`, `CertificateAuthority`, dates as `Date`) and
 * keyed by ARN. Seeds fill the fields a real describe call returns, so a test only states what
 * it cares about (the name and the dates).
 */

/** An ACM certificate to seed: `DomainName` at least; anything else overrides the defaults. */
export type AcmCertificateSeed = Partial<CertificateDetail> & { DomainName: string };

/** A private CA to seed; its PEM (for GetCertificateAuthorityCertificate) is made on demand when omitted. */
export type CertificateAuthoritySeed = Partial<CertificateAuthority> & {
  /** PEM of the CA certificate, as GetCertificateAuthorityCertificate returns it. */
  CertificatePem?: string;
  /** PEM of the chain above a subordinate CA. */
  CertificateChainPem?: string;
};

export interface StoredAuthority {
  authority: CertificateAuthority;
  certificatePem?: string;
  certificateChainPem?: string;
}

const DAY_MS = 86_400_000;
/** ACM issues public and private certificates for 395 days (13 months) by default. */
const ACM_VALIDITY_DAYS = 395;
/** Statuses of a certificate ACM has issued, so it has validity dates. */
const ISSUED_STATUSES = new Set(['ISSUED', 'INACTIVE', 'EXPIRED', 'REVOKED']);
/** Statuses of a CA that holds a CA certificate. */
const CA_WITH_CERTIFICATE = new Set(['ACTIVE', 'DISABLED', 'EXPIRED', 'DELETED']);

/** ACM prints serials as colon-separated lowercase hex bytes (`0a:1b:…`). */
function acmSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export class CertificateStore {
  readonly certificates = new Map<string, CertificateDetail>();
  readonly authorities = new Map<string, StoredAuthority>();

  constructor(
    readonly accountId: string,
    readonly region: string,
    private readonly now: () => number,
  ) {}

  certificateArn(id: string = randomUUID(), region = this.region, account = this.accountId): string {
    return `arn:aws:acm:${region}:${account}:certificate/${id}`;
  }

  authorityArn(id: string = randomUUID(), region = this.region, account = this.accountId): string {
    return `arn:aws:acm-pca:${region}:${account}:certificate-authority/${id}`;
  }

  seedCertificate(seed: AcmCertificateSeed): CertificateDetail {
    const { DomainName: domainName, ...overrides } = seed;
    const arn = seed.CertificateArn ?? this.certificateArn();
    const caArn = seed.CertificateAuthorityArn;
    const type = seed.Type ?? (caArn ? 'PRIVATE' : 'AMAZON_ISSUED');
    const status = seed.Status ?? 'ISSUED';
    const issued = ISSUED_STATUSES.has(status);
    const notBefore = seed.NotBefore ?? (issued ? new Date(this.now() - DAY_MS) : undefined);
    const notAfter = seed.NotAfter ?? (issued && notBefore ? new Date(notBefore.getTime() + ACM_VALIDITY_DAYS * DAY_MS) : undefined);
    const caName = caArn ? this.authorities.get(caArn)?.authority.CertificateAuthorityConfiguration?.Subject?.CommonName : undefined;
    const createdAt = seed.CreatedAt ?? (notBefore ? new Date(notBefore.getTime() - 60_000) : new Date(this.now()));
    const sans = seed.SubjectAlternativeNames ?? [seed.DomainName];

    const detail: CertificateDetail = {
      CertificateArn: arn,
      DomainName: domainName,
      SubjectAlternativeNames: sans,
      ...(type === 'AMAZON_ISSUED'
        ? {
            DomainValidationOptions: sans.map((name) => ({
              DomainName: name,
              ValidationDomain: name,
              ValidationStatus: issued ? ('SUCCESS' as const) : ('PENDING_VALIDATION' as const),
              ValidationMethod: 'DNS' as const,
            })),
          }
        : {}),
      ...(issued
        ? {
            Serial: acmSerial(),
            Subject: `CN=${seed.DomainName}`,
            Issuer: type === 'AMAZON_ISSUED' ? 'Amazon' : type === 'PRIVATE' ? (caName ?? 'Private CA') : undefined,
            IssuedAt: type === 'IMPORTED' ? undefined : notBefore,
            ImportedAt: type === 'IMPORTED' ? notBefore : undefined,
            NotBefore: notBefore,
            NotAfter: notAfter,
            SignatureAlgorithm: 'SHA256WITHRSA',
            KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' as const }, { Name: 'KEY_ENCIPHERMENT' as const }],
            ExtendedKeyUsages: [
              { Name: 'TLS_WEB_SERVER_AUTHENTICATION' as const, OID: '1.3.6.1.5.5.7.3.1' },
              { Name: 'TLS_WEB_CLIENT_AUTHENTICATION' as const, OID: '1.3.6.1.5.5.7.3.2' },
            ],
          }
        : {}),
      CreatedAt: createdAt,
      Status: status,
      KeyAlgorithm: 'RSA_2048',
      InUseBy: [],
      Type: type,
      RenewalEligibility: type === 'IMPORTED' ? 'INELIGIBLE' : 'ELIGIBLE',
      ...(caArn ? { CertificateAuthorityArn: caArn } : {}),
      Options: { CertificateTransparencyLoggingPreference: type === 'AMAZON_ISSUED' ? 'ENABLED' : 'DISABLED' },
      ...overrides,
    };
    for (const key of Object.keys(detail) as Array<keyof CertificateDetail>) {
      if (detail[key] === undefined) delete detail[key];
    }
    this.certificates.set(arn, detail);
    return detail;
  }

  seedCertificateAuthority(seed: CertificateAuthoritySeed): CertificateAuthority {
    const { CertificatePem, CertificateChainPem, ...fields } = seed;
    const arn = fields.Arn ?? this.authorityArn();
    const status = fields.Status ?? 'ACTIVE';
    const hasCertificate = CA_WITH_CERTIFICATE.has(status);
    const notBefore = fields.NotBefore ?? (hasCertificate ? new Date(this.now() - DAY_MS) : undefined);
    // AWS Private CA's default CA validity is ten years.
    const notAfter = fields.NotAfter ?? (hasCertificate && notBefore ? new Date(notBefore.getTime() + 3650 * DAY_MS) : undefined);
    const createdAt = fields.CreatedAt ?? (notBefore ? new Date(notBefore.getTime() - 60_000) : new Date(this.now()));
    const authority: CertificateAuthority = {
      Arn: arn,
      OwnerAccount: arn.split(':')[4] || this.accountId,
      CreatedAt: createdAt,
      LastStateChangeAt: createdAt,
      Type: 'ROOT',
      ...(hasCertificate ? { Serial: acmSerial().replace(/:/g, '') } : {}),
      Status: status,
      NotBefore: notBefore,
      NotAfter: notAfter,
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: 'RSA_2048',
        SigningAlgorithm: 'SHA256WITHRSA',
        Subject: { CommonName: 'Example Corp Root CA', Organization: 'Example Corp', Country: 'US' },
      },
      RevocationConfiguration: { CrlConfiguration: { Enabled: false }, OcspConfiguration: { Enabled: false } },
      KeyStorageSecurityStandard: 'FIPS_140_2_LEVEL_3_OR_HIGHER',
      UsageMode: 'GENERAL_PURPOSE',
      ...fields,
    };
    for (const key of Object.keys(authority) as Array<keyof CertificateAuthority>) {
      if (authority[key] === undefined) delete authority[key];
    }
    this.authorities.set(arn, { authority, certificatePem: CertificatePem, certificateChainPem: CertificateChainPem });
    return authority;
  }

  clear(): void {
    this.certificates.clear();
    this.authorities.clear();
  }
}
