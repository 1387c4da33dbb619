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
 * A STRICT listener's own `validation.subjectAlternativeNames` check its callers' client
 * certificates the same way (API `ListenerTlsValidationContext`).
 */
import type { X509Certificate } from 'node:crypto';
import type { CertificateFiles } from './destination-trust';
import type { AppMeshListener, ClientPolicyTls, TlsCertificate } from './types';

/** What the model knows of the names a listener's certificate carries. */
interface KnownNames {
  /** `spiffe`: only the URI SAN is known (the SVID's ID); `all`: every SAN of a read PEM. */
  scope: 'spiffe' | 'all';
  names: CertificateSan[];
}

/** The pinned names, when the validation (of a client policy or a listener) pins any. */
export function pinnedNames(tls: Pick<ClientPolicyTls, 'validation'> | undefined): string[] | undefined {
  const exact = (tls?.validation?.subjectAlternativeNames as any)?.match?.exact;
  if (!Array.isArray(exact) || exact.length === 0) return undefined;
  return exact.filter((n: unknown): n is string => typeof n === 'string');
}

/** The SPIFFE ID an SDS certificate is named by (an X.509-SVID); undefined for any other certificate. */
export function svidOf(cert: TlsCertificate | undefined): string | undefined {
  const secret = cert?.sds?.secretName;
  return typeof secret === 'string' && /^spiffe:\/\/[^/]+\/./.test(secret) ? secret : undefined;
}

/** One subject alternative name of a certificate; `dns` for a dNSName, which Envoy matches as a DNS name. */
export interface CertificateSan {
  dns: boolean;
  value: string;
}

/** `DNS:a.example, URI:spiffe://x/y, IP Address:10.0.0.1` → the names, typed. */
function altNamesOf(cert: X509Certificate): CertificateSan[] {
  const raw = cert.subjectAltName;
  if (!raw) return [];
  return raw.split(', ').map((entry) => ({ dns: entry.startsWith('DNS:'), value: entry.slice(entry.indexOf(':') + 1) }));
}

/** Envoy `labelWildcardMatch`: `*` is any label; one `*` inside a label stands for the rest of it. */
function labelMatches(label: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const star = pattern.indexOf('*');
  if (star < 0 || pattern.indexOf('*', star + 1) >= 0) return false;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return pattern.length <= label.length + 1 && label.startsWith(prefix) && label.endsWith(suffix);
}

/**
 * Whether Envoy accepts a certificate SAN for an exact pin. A dNSName goes through Envoy's
 * `Utility::dnsNameMatch` (an exact matcher on a DNS SAN follows DNS rules): compared without
 * letter case, and a `*` in the certificate name's left-most label (not an A-label `xn--`)
 * stands for one label or part of it. Every other SAN type is compared exactly.
 */
export function sanMatchesPin(san: CertificateSan, pin: string): boolean {
  if (!san.dns) return san.value === pin;
  const name = pin.toLowerCase();
  const pattern = san.value.toLowerCase();
  if (name === pattern) return true;
  const nameDot = name.indexOf('.');
  const patternDot = pattern.indexOf('.');
  if (nameDot < 0 || patternDot < 0) return false;
  const first = pattern.slice(0, patternDot);
  const rest = pattern.slice(patternDot + 1);
  if (!first.includes('*') || rest.includes('*') || first.startsWith('xn--')) return false;
  return name.slice(nameDot + 1) === rest && labelMatches(name.slice(0, nameDot), first);
}

export class SanPins {
  private readonly known = new Map<AppMeshListener, KnownNames | null>();
  /** Names of client certificates, by file path or SDS secret name. */
  private readonly knownClients = new Map<string, KnownNames | null>();
  constructor(private readonly files: CertificateFiles) {}

  /**
   * Why the pins miss the listener's certificate, when that is known; undefined when a pin
   * matches or the names are not known.
   */
  missReason(pins: string[], listener: AppMeshListener): string | undefined {
    let known = this.known.get(listener);
    if (known === undefined) {
      known = this.namesOfCertificate(listener.tls?.certificate) ?? null;
      this.known.set(listener, known);
    }
    return known ? missed(pins, known, listener.tls?.certificate, 'its certificate') : undefined;
  }

  /**
   * A listener's `validation.subjectAlternativeNames` check the client certificate the same way
   * (API `ListenerTlsValidationContext`): why the pins miss `certificate`, when known.
   */
  clientMissReason(pins: string[], certificate: TlsCertificate): string | undefined {
    const key = certificate.file?.certificateChain || certificate.sds?.secretName;
    if (!key) return undefined;
    let known = this.knownClients.get(key);
    if (known === undefined) {
      known = this.namesOfCertificate(certificate) ?? null;
      this.knownClients.set(key, known);
    }
    return known ? missed(pins, known, certificate, 'the client certificate') : undefined;
  }

  /**
   * Why a listener's own pins (`validation.subjectAlternativeNames`) refuse a caller's client
   * certificate, with the pins, when known: what STRICT enforces on every caller.
   */
  listenerPinMiss(listenerTls: Pick<ClientPolicyTls, 'validation'> | undefined, certificate: TlsCertificate | undefined): { pins: string[]; missed: string } | undefined {
    const pins = pinnedNames(listenerTls);
    if (!pins || pins.length === 0 || !certificate) return undefined;
    const missed = this.clientMissReason(pins, certificate);
    return missed ? { pins, missed } : undefined;
  }

  private namesOfCertificate(cert: TlsCertificate | undefined): KnownNames | undefined {
    const svid = svidOf(cert);
    if (svid !== undefined) return { scope: 'spiffe', names: [{ dns: false, value: svid }] };
    const chain = cert?.file?.certificateChain;
    if (typeof chain !== 'string' || !chain) return undefined;
    const certs = this.files.at(chain);
    return certs.length > 0 ? { scope: 'all', names: altNamesOf(certs[0]) } : undefined;
  }
}

/** Why `pins` miss a certificate whose names are `known`; `subject` names it in the sentence. */
function missed(pins: string[], known: KnownNames, cert: TlsCertificate | undefined, subject: string): string | undefined {
  if (known.scope === 'spiffe') {
    // Only a URI pin can be judged against an SVID: its DNS names are not in any spec.
    if (!pins.every((p) => p.startsWith('spiffe://'))) return undefined;
    return pins.includes(known.names[0].value) ? undefined : `${subject} is the SVID ${known.names[0].value}`;
  }
  if (pins.some((p) => known.names.some((san) => sanMatchesPin(san, p)))) return undefined;
  const carried = known.names.length > 0 ? known.names.map((n) => n.value).join(', ') : 'no subject alternative name';
  return `${subject} ${cert?.file?.certificateChain} carries ${carried}`;
}
