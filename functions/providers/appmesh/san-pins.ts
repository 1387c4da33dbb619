/**
 * A client policy's `validation.subjectAlternativeNames.match.exact` (API
 * `SubjectAlternativeNames` / `SubjectAlternativeNameMatchers`): the client's proxy accepts the
 * destination only when its certificate carries one of those names, so a pin the destination's
 * certificate does not carry fails every call (App Mesh User Guide, "Troubleshooting App Mesh
 * security": CERTIFICATE_VERIFY_FAILED). meshgov reports it only where it knows the names the
 * certificate carries:
 * - an SDS certificate named by its SPIFFE ID: an X.509-SVID holds exactly one URI SAN, that ID
 *   (SPIFFE X509-SVID specification, section 2). It may hold DNS names too (SPIRE registration
 *   `dns_names`), so only pins that are all `spiffe://` URIs can be known to miss;
 * - a file certificate whose PEM file was read: the leaf's subjectAltName;
 * - an ACM certificate, or a file not read: unknown, nothing is reported.
 */
import type { X509Certificate } from 'node:crypto';
import type { CertificateFiles } from './destination-trust';
import type { AppMeshListener, ClientPolicyTls } from './types';

/** What the model knows of the names a listener's certificate carries. */
interface KnownNames {
  /** `spiffe`: only the URI SAN is known (the SVID's ID); `all`: every SAN of a read PEM. */
  scope: 'spiffe' | 'all';
  names: string[];
}

/** The pinned names, when the validation pins any. */
export function pinnedNames(tls: ClientPolicyTls | undefined): string[] | undefined {
  const exact = (tls?.validation?.subjectAlternativeNames as any)?.match?.exact;
  if (!Array.isArray(exact) || exact.length === 0) return undefined;
  return exact.filter((n: unknown): n is string => typeof n === 'string');
}

/** `DNS:a.example, URI:spiffe://x/y, IP Address:10.0.0.1` → the values. */
function altNamesOf(cert: X509Certificate): string[] {
  const raw = cert.subjectAltName;
  if (!raw) return [];
  return raw.split(', ').map((entry) => entry.slice(entry.indexOf(':') + 1));
}

/** A DNS SAN `*.apps.local` matches one label in its place (RFC 6125 6.4.3, as Envoy's `dnsNameMatch`). */
function dnsMatches(san: string, name: string): boolean {
  if (san === name) return true;
  if (!san.startsWith('*.')) return false;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot) === san.slice(1);
}

export class SanPins {
  private readonly known = new Map<AppMeshListener, KnownNames | null>();
  constructor(private readonly files: CertificateFiles) {}

  /**
   * Why the pins miss the listener's certificate, when that is known; undefined when a pin
   * matches or the names are not known.
   */
  missReason(pins: string[], listener: AppMeshListener): string | undefined {
    const known = this.namesOf(listener);
    if (!known) return undefined;
    if (known.scope === 'spiffe') {
      // Only a URI pin can be judged against an SVID: its DNS names are not in any spec.
      if (!pins.every((p) => p.startsWith('spiffe://'))) return undefined;
      return pins.includes(known.names[0]) ? undefined : `its certificate is the SVID ${known.names[0]}`;
    }
    if (pins.some((p) => known.names.some((san) => dnsMatches(san, p)))) return undefined;
    const carried = known.names.length > 0 ? known.names.join(', ') : 'no subject alternative name';
    return `its certificate ${listener.tls?.certificate?.file?.certificateChain} carries ${carried}`;
  }

  private namesOf(listener: AppMeshListener): KnownNames | undefined {
    let known = this.known.get(listener);
    if (known === undefined) {
      known = this.findNames(listener) ?? null;
      this.known.set(listener, known);
    }
    return known ?? undefined;
  }

  private findNames(listener: AppMeshListener): KnownNames | undefined {
    const cert = listener.tls?.certificate;
    const secret = cert?.sds?.secretName;
    if (typeof secret === 'string' && /^spiffe:\/\/[^/]+\/./.test(secret)) return { scope: 'spiffe', names: [secret] };
    const chain = cert?.file?.certificateChain;
    if (typeof chain !== 'string' || !chain) return undefined;
    const certs = this.files.at(chain);
    return certs.length > 0 ? { scope: 'all', names: altNamesOf(certs[0]) } : undefined;
  }
}
