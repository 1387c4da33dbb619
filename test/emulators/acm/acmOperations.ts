import type { CertificateDetail, CertificateSummary } from '@aws-sdk/client-acm';
import { awsJsonError } from './awsJsonErrors';
import type { CertificateStore } from './certificateStore';
import { ACM_ARN, arnParts, requireArn } from './requestValidation';

/**
 * ACM operations (API version 2015-12-08): DescribeCertificate and ListCertificates, with the
 * request and response members of the ACM API Reference.
 */

/** Who is calling: the account and the region of the SigV4 credential scope. */
export interface Caller {
  accountId: string;
  region: string;
}

/** The certificate an ARN names, as the caller's regional ACM sees it: a regional service only finds its own region's certificates. */
function findCertificate(store: CertificateStore, caller: Caller, arn: string): CertificateDetail {
  const { region, account, resource } = arnParts(arn);
  if (!/^certificate\/[\w+=,.@-]+$/.test(resource)) {
    throw awsJsonError('acm', 'InvalidArnException', `${arn} is not a valid certificate ARN.`);
  }
  const detail = store.certificates.get(arn);
  if (!detail || region !== caller.region || account !== caller.accountId) {
    throw awsJsonError('acm', 'ResourceNotFoundException', `Could not find certificate ${arn} in account ${caller.accountId}.`);
  }
  return detail;
}

/** DescribeCertificate: `{CertificateArn}` → `{Certificate: CertificateDetail}`. */
export function describeCertificate(store: CertificateStore, caller: Caller, input: Record<string, unknown>): { Certificate: CertificateDetail } {
  const arn = requireArn('acm', input, 'CertificateArn', ACM_ARN);
  return { Certificate: findCertificate(store, caller, arn) };
}

/** ListCertificates defaults: "Default filtering returns only RSA_1024 and RSA_2048 certificates" (API Reference, `Filters.keyTypes`). */
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];
const MAX_ITEMS_LIMIT = 1000;

function decodeNextToken(token: unknown): number {
  if (token === undefined || token === null) return 0;
  if (typeof token === 'string') {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
      if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
    } catch {
      // fall through to the error below
    }
  }
  throw awsJsonError('acm', 'InvalidArgsException', 'The NextToken is not valid.');
}

function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function summaryOf(detail: CertificateDetail): CertificateSummary {
  const sans = detail.SubjectAlternativeNames ?? [];
  return {
    CertificateArn: detail.CertificateArn,
    DomainName: detail.DomainName,
    // ACM summarises at most 100 names and flags the rest.
    SubjectAlternativeNameSummaries: sans.slice(0, 100),
    HasAdditionalSubjectAlternativeNames: sans.length > 100,
    Status: detail.Status,
    Type: detail.Type,
    KeyAlgorithm: detail.KeyAlgorithm,
    KeyUsages: (detail.KeyUsages ?? []).flatMap((k) => (k.Name ? [k.Name] : [])),
    ExtendedKeyUsages: (detail.ExtendedKeyUsages ?? []).flatMap((k) => (k.Name ? [k.Name] : [])),
    InUse: (detail.InUseBy ?? []).length > 0,
    Exported: false,
    RenewalEligibility: detail.RenewalEligibility,
    NotBefore: detail.NotBefore,
    NotAfter: detail.NotAfter,
    CreatedAt: detail.CreatedAt,
    IssuedAt: detail.IssuedAt,
    ImportedAt: detail.ImportedAt,
    RevokedAt: detail.RevokedAt,
  };
}

/** ListCertificates: the caller's certificates in its region, filtered by status and key type, paged by MaxItems/NextToken. */
export function listCertificates(
  store: CertificateStore,
  caller: Caller,
  input: Record<string, unknown>,
): { CertificateSummaryList: CertificateSummary[]; NextToken?: string } {
  const statuses = Array.isArray(input.CertificateStatuses) ? new Set(input.CertificateStatuses as string[]) : undefined;
  const includes = (input.Includes ?? {}) as { keyTypes?: string[] };
  const keyTypes = new Set(Array.isArray(includes.keyTypes) && includes.keyTypes.length > 0 ? includes.keyTypes : DEFAULT_KEY_TYPES);
  const maxItems = input.MaxItems ?? MAX_ITEMS_LIMIT;
  if (typeof maxItems !== 'number' || !Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS_LIMIT) {
    throw awsJsonError('acm', 'ValidationException', `1 validation error detected: Value '${String(maxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`);
  }
  const offset = decodeNextToken(input.NextToken);

  let selected = [...store.certificates.values()].filter((d) => {
    const { region, account } = arnParts(d.CertificateArn ?? '');
    return region === caller.region && account === caller.accountId && (!statuses || statuses.has(d.Status ?? '')) && keyTypes.has(d.KeyAlgorithm ?? '');
  });
  if (input.SortBy === 'CREATED_AT') {
    const sign = input.SortOrder === 'DESCENDING' ? -1 : 1;
    selected = selected.sort((a, b) => sign * ((a.CreatedAt?.getTime() ?? 0) - (b.CreatedAt?.getTime() ?? 0)));
  }
  const page = selected.slice(offset, offset + maxItems).map(summaryOf);
  const next = offset + maxItems < selected.length ? encodeNextToken(offset + maxItems) : undefined;
  return { CertificateSummaryList: page, ...(next ? { NextToken: next } : {}) };
}
