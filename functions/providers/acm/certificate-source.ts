import { DescribeCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import { DescribeCertificateAuthorityCommand, type ACMPCAClient } from '@aws-sdk/client-acm-pca';
import type { CertificateRecord, ConfigProblem, ResourceRef } from '../../core/model/types';
import { parseAcmArn, type AcmArn } from './arn';
import { awsErrorFacts, type AwsErrorFacts } from './aws-errors';
import { mapWithConcurrency } from './bounded-map';
import { createAcmClient, createPcaClient, RegionalClients, type ClientChoice } from './clients';
import { problemFor, recordFromCertificateAuthority, recordFromCertificateDetail, type RecordOrProblem } from './certificate-records';
import { mergeUsedBy } from './used-by';

/** An ARN to look up, with the resources that use it (an App Mesh listener, a client policy). */
export interface CertificateArnUse {
  arn: string;
  usedBy?: ResourceRef | ResourceRef[];
}

export interface AcmCertificateSourceOptions {
  /** ACM client(s); made with adaptive retry for each ARN's region when omitted. */
  acm?: ClientChoice<ACMClient>;
  /** ACM Private CA client(s); likewise. */
  pca?: ClientChoice<ACMPCAClient>;
  /**
   * Pins the lookups to one region: the clients made are for it, and an ARN of another region
   * is reported as a problem without a call. Without it each ARN is read in its own region.
   */
  region?: string;
  /** Describe calls in flight at once, over both services; default 4. */
  concurrency?: number;
  /**
   * A call still throttled or failing (5xx, network) after the SDK's retries: `throw` (the
   * default) fails the whole lookup with AcmUnavailableError so the event is retried and nothing
   * is lost; `problem` reports it with the other problems (a best-effort CLI run).
   */
  onUnavailable?: 'throw' | 'problem';
}

export interface AcmDescribeResult {
  /** One record per ARN that could be read, in the order the ARNs were first given. */
  certificates: CertificateRecord[];
  /** One problem per ARN that could not: missing, malformed, not readable, not issued yet. */
  problems: ConfigProblem[];
  /**
   * Each ACM certificate ACM described → the ACM Private CA that issued it (DescribeCertificate
   * `CertificateAuthorityArn`), or null for one no private CA issued (public, imported). Known
   * even when the certificate became a problem (revoked, not issued); absent for a certificate
   * ACM did not describe (not found, access denied, another region).
   */
  issuers?: Record<string, string | null>;
}

export interface DescribeOptions {
  /**
   * Users of a private CA, by its ARN (App Mesh client policies that trust it): a private
   * certificate that CA issued counts them as its own users too, since those clients validate
   * whatever it issued. Merged into the record's (or problem's) `usedBy`.
   */
  issuerUsers?: ReadonlyMap<string, readonly ResourceRef[]>;
}

export interface AcmCertificateSource {
  describeCertificates(arns: ReadonlyArray<string | CertificateArnUse>, options?: DescribeOptions): Promise<AcmDescribeResult>;
}

/** Describe calls that still failed after every retry; the run should be retried later. */
export class AcmUnavailableError extends Error {
  constructor(readonly failures: Array<{ arn: string; error: AwsErrorFacts }>) {
    super(
      `ACM could not be read for ${failures.length} ARN${failures.length === 1 ? '' : 's'} after retries: ` +
        failures.map((f) => `${f.arn} (${f.error.name}: ${f.error.message})`).join('; '),
    );
    this.name = 'AcmUnavailableError';
  }
}

export const DEFAULT_CONCURRENCY = 4;

interface Lookup {
  arn: string;
  usedBy: ResourceRef[];
}

type Outcome = RecordOrProblem | { unavailable: AwsErrorFacts };

/**
 * Reads ACM certificates (DescribeCertificate) and ACM Private CAs (DescribeCertificateAuthority)
 * by ARN, at bounded concurrency, into certificate records with provider `acm`, so the
 * cert-expiring and cert-expired rules see them next to the PEM certificates.
 *
 * @example
 *   const source = acmCertificateSource({ region: 'us-west-2' });
 *   const { certificates, problems } = await source.describeCertificates(appMeshCertificateArns(inventory));
 *   const report = auditModel(acmModelBuilder(certificates, problems)(inventory, { now }), policy, now);
 */
export function acmCertificateSource(options: AcmCertificateSourceOptions = {}): AcmCertificateSource {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const pinned = options.region;
  const acmClients = new RegionalClients(options.acm, (region) => createAcmClient({ region: pinned ?? region }));
  const pcaClients = new RegionalClients(options.pca, (region) => createPcaClient({ region: pinned ?? region }));

  async function describe(arn: AcmArn, usedBy: ResourceRef[], context: { issuers: Record<string, string | null>; options: DescribeOptions }): Promise<Outcome> {
    try {
      if (arn.kind === 'AcmCertificate') {
        const out = await acmClients.forRegion(arn.region).send(new DescribeCertificateCommand({ CertificateArn: arn.arn }));
        if (!out.Certificate) return { problem: problemFor(arn, 'Certificate', `ACM answered DescribeCertificate for ${arn.arn} without a certificate`, usedBy) };
        const issuer = out.Certificate.CertificateAuthorityArn || null;
        context.issuers[arn.arn] = issuer;
        if (issuer) {
          const trusting = context.options.issuerUsers?.get(issuer);
          if (trusting?.length) usedBy = mergeUsedBy([...usedBy], trusting);
        }
        return recordFromCertificateDetail(arn, out.Certificate, usedBy);
      }
      const out = await pcaClients.forRegion(arn.region).send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: arn.arn }));
      if (!out.CertificateAuthority) {
        return { problem: problemFor(arn, 'CertificateAuthority', `ACM-PCA answered DescribeCertificateAuthority for ${arn.arn} without a CA`, usedBy) };
      }
      return recordFromCertificateAuthority(arn, out.CertificateAuthority, usedBy);
    } catch (err) {
      const facts = awsErrorFacts(err);
      if (facts.transient && options.onUnavailable !== 'problem') return { unavailable: facts };
      return { problem: problemFor(arn, arnField(arn), failureMessage(arn, facts), usedBy) };
    }
  }

  return {
    async describeCertificates(arns, describeOptions = {}) {
      const lookups = groupByArn(arns);
      const context = { issuers: {} as Record<string, string | null>, options: describeOptions };
      const outcomes = await mapWithConcurrency(lookups, concurrency, async ({ arn, usedBy }): Promise<Outcome> => {
        const parsed = parseAcmArn(arn);
        if (!parsed) {
          return {
            problem: problemFor(
              { arn },
              'arn',
              `${JSON.stringify(arn)} is neither an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) nor an ACM Private CA ARN (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>)`,
              usedBy,
            ),
          };
        }
        if (pinned && parsed.region !== pinned) {
          return { problem: problemFor(parsed, arnField(parsed), `${parsed.arn} is in region ${parsed.region}, but this audit reads ${pinned}`, usedBy) };
        }
        return describe(parsed, usedBy, context);
      });

      const certificates: CertificateRecord[] = [];
      const problems: ConfigProblem[] = [];
      const unavailable: Array<{ arn: string; error: AwsErrorFacts }> = [];
      outcomes.forEach((outcome, i) => {
        if ('record' in outcome) {
          certificates.push(outcome.record);
          problems.push(...(outcome.problems ?? []));
        } else if ('problem' in outcome) problems.push(outcome.problem);
        else unavailable.push({ arn: lookups[i].arn, error: outcome.unavailable });
      });
      if (unavailable.length > 0) throw new AcmUnavailableError(unavailable);
      return { certificates, problems, issuers: context.issuers };
    },
  };
}

/** One lookup per ARN, whatever the number of users; users merged, first-seen order kept. */
function groupByArn(arns: ReadonlyArray<string | CertificateArnUse>): Lookup[] {
  const byArn = new Map<string, Lookup>();
  for (const entry of arns) {
    const use = typeof entry === 'string' ? { arn: entry } : entry;
    const arn = use.arn.trim();
    const users = use.usedBy === undefined ? [] : Array.isArray(use.usedBy) ? use.usedBy : [use.usedBy];
    const lookup = byArn.get(arn);
    if (lookup) mergeUsedBy(lookup.usedBy, users);
    else byArn.set(arn, { arn, usedBy: mergeUsedBy([], users) });
  }
  return [...byArn.values()];
}

function arnField(arn: AcmArn): string {
  return arn.kind === 'AcmCertificate' ? 'CertificateArn' : 'CertificateAuthorityArn';
}

function failureMessage(arn: AcmArn, error: AwsErrorFacts): string {
  const cause = `(${error.name}: ${error.message})`;
  const acm = arn.kind === 'AcmCertificate';
  switch (error.name) {
    case 'ResourceNotFoundException':
      return acm
        ? `ACM has no certificate ${arn.arn} in account ${arn.account}, region ${arn.region} ${cause}`
        : `ACM Private CA has no certificate authority ${arn.arn} in account ${arn.account}, region ${arn.region} ${cause}`;
    case 'InvalidArnException':
      return `${acm ? 'ACM' : 'ACM Private CA'} rejects the ARN ${arn.arn} ${cause}`;
    case 'AccessDeniedException':
      return `meshgov may not call ${acm ? 'acm:DescribeCertificate' : 'acm-pca:DescribeCertificateAuthority'} on ${arn.arn}: allow it in the function's role ${cause}`;
    default:
      return `${acm ? 'DescribeCertificate' : 'DescribeCertificateAuthority'} failed for ${arn.arn} ${cause}`;
  }
}
