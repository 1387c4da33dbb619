/**
 * Whether the trust a STRICT fix gives a listener validates the client certificates its known
 * callers present. A listener that has no `validation` yet gets a trust the mesh already uses
 * (listener-fix.ts), but that is a guess: if it is not the CA that signs a caller's certificate,
 * STRICT refuses that caller. The answer is known only from the certificates themselves:
 * - a file trust and a file certificate whose PEM files were both read: the chain is checked
 *   against the trust (signature, not only the issuer name);
 * - an SDS trust named by a SPIFFE trust domain (`spiffe://<domain>`, App Mesh's SPIRE
 *   integration) and an SDS certificate named by a SPIFFE ID: the SPIRE agent validates only
 *   identities of that trust domain.
 * - a caller that already presents the same certificate to a STRICT listener validating with
 *   the same trust: its calls there succeed only if the trust validates it.
 * Anything else is unknown, and the fix says so.
 */
import type { ResourceRef } from '../../core/model/types';
import { describeResource } from '../../core/rules/rule';
import { chainsTo, type CertificateFiles, spiffeTrustDomain } from './destination-trust';
import { describeTrust, sameTrust } from './trust-pool';
import type { TlsCertificate, ValidationTrust } from './types';

/** One caller of listeners that sends them mTLS, with the certificate it presents. */
export interface CallerCertificate {
  caller: ResourceRef;
  certificate: TlsCertificate;
  /** Trusts of STRICT listeners this caller sends the certificate to (each validates it), as their specs hold them. */
  validatedBy: ValidationTrust[];
}

/** The callers that send mTLS to each listener, by server id, filled while clients are built. */
export class ListenerCallers {
  private readonly byServer = new Map<string, CallerCertificate[]>();
  /** One record per caller (its shared ResourceRef) and certificate. */
  private readonly byCaller = new Map<ResourceRef, Map<string, CallerCertificate>>();
  /** The record added last: a caller's clients come in a row, each reaching one or two listeners. */
  private last: CallerCertificate | undefined;

  /**
   * `caller` sends mTLS with `certificate` to `serverId`; `strictTrust` is that listener's own
   * trust (the object in its spec) when it is STRICT.
   */
  add(serverId: string, caller: ResourceRef, certificate: TlsCertificate, strictTrust: ValidationTrust | undefined): void {
    const key = describeCertificate(certificate);
    let record = this.last;
    if (record === undefined || record.caller !== caller || describeCertificate(record.certificate) !== key) {
      let certificates = this.byCaller.get(caller);
      if (!certificates) this.byCaller.set(caller, (certificates = new Map()));
      record = certificates.get(key);
      if (!record) certificates.set(key, (record = { caller, certificate, validatedBy: [] }));
      this.last = record;
    }
    if (strictTrust && !record.validatedBy.includes(strictTrust)) record.validatedBy.push(strictTrust);
    const list = this.byServer.get(serverId);
    if (!list) this.byServer.set(serverId, [record]);
    // A caller reaches a listener once per backend that routes to it.
    else if (!list.includes(record)) list.push(record);
  }

  of(serverId: string): readonly CallerCertificate[] {
    return this.byServer.get(serverId) ?? [];
  }
}

export type TrustVerdict = 'validates' | 'refuses' | 'unknown';

/** Whether `trust` validates `certificate`, as far as the files read and the names tell. */
export function trustValidates(trust: ValidationTrust, certificate: TlsCertificate, files: CertificateFiles): TrustVerdict {
  const anchorsPath = trust.file?.certificateChain;
  const chainPath = certificate.file?.certificateChain;
  if (anchorsPath && chainPath) {
    const anchors = files.at(anchorsPath);
    const chain = files.at(chainPath);
    if (anchors.length === 0 || chain.length === 0) return 'unknown';
    return chainsTo(chain, anchors) ? 'validates' : 'refuses';
  }
  const trustName = trust.sds?.secretName;
  const identity = certificate.sds?.secretName;
  return trustName && identity ? spiffeVerdict(trustName, identity) : 'unknown';
}

/** Whether an SDS trust named by a SPIFFE trust domain (`spiffe://prod-mesh`) takes the SPIFFE ID `identity`. */
export function spiffeVerdict(trustName: string, identity: string): TrustVerdict {
  if (!/^spiffe:\/\/[^/]+$/.test(trustName)) return 'unknown';
  const domain = spiffeTrustDomain(identity);
  if (domain === undefined) return 'unknown';
  return domain === trustName ? 'validates' : 'refuses';
}

export function describeCertificate(certificate: TlsCertificate): string {
  // `||`: a spec may hold an empty file path beside the SDS secret it uses.
  return certificate.file?.certificateChain || certificate.sds?.secretName || 'a certificate';
}

/** The blocker for a caller whose client certificate `trust` refuses: STRICT on `server` would refuse it. */
export function refusedCallerBlocker(caller: ResourceRef, certificate: TlsCertificate, trust: ValidationTrust, server: string): string {
  return `${describeResource(caller)} presents client certificate ${describeCertificate(certificate)}, which ${describeTrust(trust)} does not validate: STRICT on ${server} would refuse it`;
}

/** At most this many callers are named in one blocker. */
const NAMED_CALLERS = 3;

/**
 * The blockers of a chosen trust: each caller whose certificate it refuses, and one for the
 * callers it cannot tell about. None when every known caller is validated, or none is known.
 */
export function chosenTrustBlockers(trust: ValidationTrust, server: string, callers: readonly CallerCertificate[], files: CertificateFiles): string[] {
  const blockers: string[] = [];
  const unknown: string[] = [];
  for (const { caller, certificate, validatedBy } of callers) {
    let verdict = trustValidates(trust, certificate, files);
    if (verdict === 'unknown' && validatedBy.some((t) => sameTrust(t, trust))) verdict = 'validates';
    if (verdict === 'refuses') {
      blockers.push(refusedCallerBlocker(caller, certificate, trust, server));
    } else if (verdict === 'unknown') {
      const name = describeResource(caller);
      if (!unknown.includes(name)) unknown.push(name);
    }
  }
  if (unknown.length > 0) {
    const named = unknown.slice(0, NAMED_CALLERS).join(', ');
    const more = unknown.length > NAMED_CALLERS ? ` and ${unknown.length - NAMED_CALLERS} more` : '';
    blockers.push(
      `meshgov chose trust ${describeTrust(trust)} for ${server} from the rest of the mesh, and cannot tell whether it validates the client certificates of ${named}${more}: confirm it`,
    );
  }
  return blockers;
}
