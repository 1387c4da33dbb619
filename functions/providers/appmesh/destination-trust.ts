/**
 * Which CA signs a destination listener's certificate, when the model knows it, as the client
 * policy trust that validates it (API `TlsValidationContextTrust`). Known only from the
 * destination's certificate itself:
 * - an SDS certificate named by its SPIFFE ID (App Mesh's SPIRE integration): the SPIRE agent
 *   serves the bundle that validates it under the trust domain's ID, `spiffe://<trust domain>`;
 * - a file certificate whose PEM file was read: a trust file the mesh already uses, also read,
 *   holding the CA that issued it (signature checked, not only the issuer name).
 * Anything else (an ACM certificate, whose Private CA the App Mesh objects do not name) is unknown:
 * a trust then proposed is a guess, and client-fix.ts says so. The listener's own
 * `validation.trust` is no evidence: it names the CA of its callers' client certificates, which
 * need not be the one that signs its own (a separate client CA is common).
 */
import { X509Certificate } from 'node:crypto';
import type { Located, PemInput } from '../../core/model/inventory';
import { parsedCertificates } from '../x509/pem';
import { basenameOf, samePathBySuffix } from './pem-certificates';
import type { MeshTrustPool } from './trust-pool';
import type { AppMeshListener, ValidationTrust } from './types';

/** `spiffe://<trust domain>/<path>` → `spiffe://<trust domain>`. */
export function spiffeTrustDomain(id: string): string | undefined {
  const m = /^spiffe:\/\/([^/]+)\/./.exec(id);
  return m ? `spiffe://${m[1]}` : undefined;
}

/** The PEM files read, by the path an App Mesh spec names them by (in the proxy's file system). */
export class CertificateFiles {
  private readonly byName = new Map<string, Located<PemInput>[]>();
  private readonly parsed = new Map<string, X509Certificate[]>();

  /** `identity` names a file by its path inside its checkout (Inventory.fileIdentity), whatever directory meshgov runs from. */
  constructor(
    pem: Located<PemInput>[],
    private readonly identity: (file: string) => string = (file) => file,
  ) {
    for (let i = 0; i < pem.length; i++) {
      const name = basenameOf(pem[i].source.file);
      const list = this.byName.get(name);
      if (list) list.push(pem[i]);
      else this.byName.set(name, [pem[i]]);
    }
  }

  /**
   * The certificates of the one PEM file read as `path`, leaf first; none when no file or
   * several different ones match (then which one the proxy holds is not known).
   */
  at(path: string): X509Certificate[] {
    let certs = this.parsed.get(path);
    if (certs) return certs;
    const files = (this.byName.get(basenameOf(path)) ?? []).filter((f) => samePathBySuffix(this.identity(f.source.file), path));
    certs = files.length > 0 && files.every((f) => f.doc.text === files[0].doc.text) ? parsedCertificates(files[0].doc.text) : [];
    this.parsed.set(path, certs);
    return certs;
  }
}

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** True when the chain (leaf first) leads to one of the anchors, through its own intermediates. */
export function chainsTo(chain: X509Certificate[], anchors: X509Certificate[]): boolean {
  let current = chain[0];
  for (let step = 0; step < chain.length; step++) {
    for (const anchor of anchors) {
      if (anchor.fingerprint256 === current.fingerprint256 || issuedBy(current, anchor)) return true;
    }
    const next = chain.find((c) => c !== current && issuedBy(current, c));
    if (!next) return false;
    current = next;
  }
  return false;
}

/** Known trusts of destination listeners, worked out once per listener. */
export class DestinationTrusts {
  private readonly known = new Map<AppMeshListener, ValidationTrust | null>();

  constructor(private readonly files: CertificateFiles) {}

  /** The trust that validates the listener's certificate, when the model knows it. */
  knownTrustOf(listener: AppMeshListener, pool: MeshTrustPool): ValidationTrust | undefined {
    let trust = this.known.get(listener);
    if (trust === undefined) {
      trust = this.findKnownTrust(listener, pool) ?? null;
      this.known.set(listener, trust);
    }
    return trust ?? undefined;
  }

  private findKnownTrust(listener: AppMeshListener, pool: MeshTrustPool): ValidationTrust | undefined {
    const cert = listener.tls?.certificate;
    const secret = cert?.sds?.secretName;
    if (typeof secret === 'string') {
      const domain = spiffeTrustDomain(secret);
      return domain ? { sds: { secretName: domain } } : undefined;
    }
    const chainPath = cert?.file?.certificateChain;
    if (typeof chainPath !== 'string' || !chainPath) return undefined;
    const chain = this.files.at(chainPath);
    if (chain.length === 0) return undefined;
    for (const candidate of [...pool.listenerTrusts.valuesOf('file'), ...pool.clientTrusts.valuesOf('file')]) {
      const path = candidate.file?.certificateChain;
      if (!path) continue;
      const anchors = this.files.at(path);
      if (anchors.length > 0 && chainsTo(chain, anchors)) return { file: { certificateChain: path } };
    }
    return undefined;
  }
}
