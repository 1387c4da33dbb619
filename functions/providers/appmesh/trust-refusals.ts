/**
 * Handshakes a validation trust refuses, whatever the TLS modes say: Envoy checks the peer's
 * chain against the trust (API `TlsValidationContextTrust`, `ListenerTlsValidationContextTrust`)
 * and fails the handshake when it does not lead there (CERTIFICATE_VERIFY_FAILED, App Mesh User
 * Guide, "Troubleshooting App Mesh security"). Both directions:
 * - the client policy's trust and the certificate the listener serves (any listener serving TLS);
 * - a STRICT listener's trust and the client certificate (PERMISSIVE with a validation is left
 *   out, as in server-mode.ts: what App Mesh generates for it is not documented).
 * Known only where `trustValidates` can tell (caller-trust.ts): PEM files of both sides read, or a
 * SPIFFE trust domain and a SPIFFE ID. ACM, and files not read, are never called a refusal.
 */
import { spiffeVerdict, trustValidates, type TrustVerdict } from './caller-trust';
import type { CertificateFiles } from './destination-trust';
import type { AppMeshListener, ClientPolicyTls, TlsCertificate, ValidationTrust } from './types';

/** The names of a trust and a certificate it is known to refuse. */
interface Refused {
  trust: string;
  certificate: string;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

export class TrustRefusals {
  /** Verdicts of file trusts by trust and certificate path: a fleet repeats a few pairs, and a file check verifies signatures. */
  private readonly verdicts = new Map<string, Map<string, TrustVerdict>>();

  constructor(private readonly files: CertificateFiles) {}

  /**
   * Why the handshakes between a client with `tls` and `listener` fail, when a trust is known to
   * refuse; undefined otherwise. Runs for every TLS client and listener it reaches, so it reads
   * names in place and builds nothing unless a trust refuses.
   * @param sendsCertificate the client presents its certificate (it sends mTLS)
   */
  reasonFor(tls: ClientPolicyTls | undefined, listener: AppMeshListener, sendsCertificate: boolean): string | undefined {
    const listenerTls = listener.tls;
    // No TLS served (no tls, or DISABLED): no handshake to refuse, and the modes already conflict.
    if (!listenerTls || listenerTls.mode === 'DISABLED') return undefined;
    let clientSide: string | undefined;
    let listenerSide: string | undefined;
    const byClient = this.refused(tls?.validation?.trust, listenerTls.certificate);
    if (byClient) {
      clientSide = `the client validates server certificates with ${byClient.trust}, which does not validate the listener certificate ${byClient.certificate}, so its TLS handshakes fail`;
    }
    if (sendsCertificate && listenerTls.mode === 'STRICT') {
      const byListener = this.refused(listenerTls.validation?.trust, tls?.certificate);
      if (byListener) {
        listenerSide = `the listener validates client certificates with ${byListener.trust}, which does not validate the client certificate ${byListener.certificate}, so the listener refuses its TLS handshakes`;
      }
    }
    return clientSide && listenerSide ? `${clientSide}; and ${listenerSide}` : clientSide || listenerSide;
  }

  /**
   * The names, when `trust` is known to refuse `certificate`: both as PEM files that were read
   * (the chain checked), or a SPIFFE trust domain and a SPIFFE ID. ACM, and files not read, never.
   */
  private refused(trust: ValidationTrust | undefined, certificate: TlsCertificate | undefined): Refused | undefined {
    if (!trust || !certificate) return undefined;
    const anchors = trust.file?.certificateChain;
    const chain = certificate.file?.certificateChain;
    if (nonEmpty(anchors) && nonEmpty(chain)) return this.fileVerdict(anchors, chain) === 'refuses' ? { trust: anchors, certificate: chain } : undefined;
    const domain = trust.sds?.secretName;
    const identity = certificate.sds?.secretName;
    if (nonEmpty(domain) && typeof identity === 'string') return spiffeVerdict(domain, identity) === 'refuses' ? { trust: domain, certificate: identity } : undefined;
    return undefined;
  }

  private fileVerdict(anchors: string, chain: string): TrustVerdict {
    let byChain = this.verdicts.get(anchors);
    if (!byChain) this.verdicts.set(anchors, (byChain = new Map()));
    let verdict = byChain.get(chain);
    if (verdict === undefined) {
      verdict = trustValidates({ file: { certificateChain: anchors } }, { file: { certificateChain: chain } }, this.files);
      byChain.set(chain, verdict);
    }
    return verdict;
  }
}
