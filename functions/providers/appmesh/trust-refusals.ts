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
import { describeCertificate, trustValidates, type TrustVerdict } from './caller-trust';
import { clientCertificateOf } from './client-policy';
import type { CertificateFiles } from './destination-trust';
import { listenerTrustOf } from './server-mode';
import { describeTrust } from './trust-pool';
import type { AppMeshListener, ClientPolicyTls, TlsCertificate, ValidationTrust } from './types';

/** The one member of a trust that `trustValidates` can judge against `certificate`; undefined when none can be. */
function judgeable(trust: ValidationTrust | undefined, certificate: TlsCertificate | undefined): ValidationTrust | undefined {
  if (!trust || !certificate) return undefined;
  const anchors = trust.file?.certificateChain;
  if (typeof anchors === 'string' && anchors && typeof certificate.file?.certificateChain === 'string' && certificate.file.certificateChain) {
    return { file: { certificateChain: anchors } };
  }
  const domain = trust.sds?.secretName;
  if (typeof domain === 'string' && typeof certificate.sds?.secretName === 'string') return { sds: { secretName: domain } };
  return undefined;
}

export class TrustRefusals {
  /** Verdicts of file trusts by trust and certificate: a fleet repeats a few pairs, and a file check verifies signatures. */
  private readonly verdicts = new Map<string, Map<string, TrustVerdict>>();

  constructor(private readonly files: CertificateFiles) {}

  /**
   * Why the handshakes between a client with `tls` and `listener` fail, when a trust is known to
   * refuse; undefined otherwise.
   * @param sendsCertificate the client presents its certificate (it sends mTLS)
   */
  reasonFor(tls: ClientPolicyTls | undefined, listener: AppMeshListener, sendsCertificate: boolean): string | undefined {
    const listenerTls = listener.tls;
    // No TLS served (no tls, or DISABLED): no handshake to refuse, and the modes already conflict.
    if (!listenerTls || listenerTls.mode === 'DISABLED') return undefined;
    let clientSide: string | undefined;
    let listenerSide: string | undefined;
    const serverCertificate = listenerTls.certificate;
    const clientTrust = judgeable(tls?.validation?.trust, serverCertificate);
    if (clientTrust && this.verdict(clientTrust, serverCertificate!) === 'refuses') {
      clientSide = `the client validates server certificates with ${describeTrust(clientTrust)}, which does not validate the listener certificate ${describeCertificate(serverCertificate!)}, so its TLS handshakes fail`;
    }
    if (sendsCertificate && listenerTls.mode === 'STRICT') {
      const clientCertificate = clientCertificateOf(tls);
      const listenerTrust = judgeable(listenerTrustOf(listenerTls), clientCertificate);
      if (listenerTrust && this.verdict(listenerTrust, clientCertificate!) === 'refuses') {
        listenerSide = `the listener validates client certificates with ${describeTrust(listenerTrust)}, which does not validate the client certificate ${describeCertificate(clientCertificate!)}, so the listener refuses its TLS handshakes`;
      }
    }
    return clientSide && listenerSide ? `${clientSide}; and ${listenerSide}` : clientSide || listenerSide;
  }

  private verdict(trust: ValidationTrust, certificate: TlsCertificate): TrustVerdict {
    // A SPIFFE check is a comparison of names, cheaper than a cache lookup.
    if (!trust.file) return trustValidates(trust, certificate, this.files);
    // By path, then path: no key string built per client and listener.
    const trustPath = describeTrust(trust);
    let byCertificate = this.verdicts.get(trustPath);
    if (!byCertificate) this.verdicts.set(trustPath, (byCertificate = new Map()));
    const certificatePath = describeCertificate(certificate);
    let verdict = byCertificate.get(certificatePath);
    if (verdict === undefined) {
      verdict = trustValidates(trust, certificate, this.files);
      byCertificate.set(certificatePath, verdict);
    }
    return verdict;
  }

}
