/**
 * A small PEM → CertificateRecord reader for the certificate files App Mesh listeners and client
 * policies name (`file.certificateChain`). The general x509 provider reads every PEM file; this
 * one only links the files App Mesh uses to the listener or client that uses them. The core
 * dedupes records with the same fingerprint and file, merging `usedBy`.
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateRecord, ConfigProblem, ResourceRef, SourceRef } from '../../core/model/types';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The value of the last `CN=` line of a distinguished name as node:crypto prints it. */
function commonNameOf(distinguishedName: string): string {
  const cn = distinguishedName
    .split('\n')
    .filter((part) => part.startsWith('CN='))
    .pop();
  return cn ? cn.slice(3) : '';
}

/** Every certificate in a PEM text, leaf first (chainIndex 0). */
export function certificatesFromPem(
  text: string,
  source: SourceRef,
  problems: ConfigProblem[],
): Array<Omit<CertificateRecord, 'usedBy'>> {
  const records: Array<Omit<CertificateRecord, 'usedBy'>> = [];
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  blocks.forEach((block, chainIndex) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (err) {
      problems.push({ file: source.file, line: source.line, message: `PEM block ${chainIndex} is not a readable X.509 certificate: ${(err as Error).message}` });
      return;
    }
    const name = basenameOf(source.file);
    records.push({
      id: `x509:${source.file}#${chainIndex}:${cert.fingerprint256}`,
      provider: 'x509',
      subjectCN: commonNameOf(cert.subject),
      subject: cert.subject,
      issuer: cert.issuer,
      serialNumber: cert.serialNumber,
      fingerprint256: cert.fingerprint256,
      notBefore: new Date(cert.validFrom),
      notAfter: new Date(cert.validTo),
      isCA: cert.ca,
      chainIndex,
      origin: { kind: 'File', name, source },
    });
  });
  return records;
}

/** `a\b//c/./d` → segments [a, b, c, d]. */
export function pathSegments(path: string): string[] {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}

/**
 * The last segment of `pathSegments(path)` (the path itself when it has none). Every certificate
 * path of a fleet is asked: the usual path, whose last segment is a name, is answered without
 * splitting.
 */
export function basenameOf(path: string): string {
  const start = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1;
  const last = path.slice(start);
  if (last !== '' && last !== '.') return last;
  const segments = pathSegments(path);
  return segments[segments.length - 1] ?? path;
}

/**
 * True when one path ends with the other, segment by segment: the file read as
 * `examples/appmesh/certs/payments-api/cert_chain.pem` is the proxy's
 * `/certs/payments-api/cert_chain.pem`, and a file read as `cert_chain.pem` is too.
 */
export function samePathBySuffix(a: string, b: string): boolean {
  const sa = pathSegments(a);
  const sb = pathSegments(b);
  const n = Math.min(sa.length, sb.length);
  if (n === 0) return false;
  for (let i = 1; i <= n; i++) {
    if (sa[sa.length - i] !== sb[sb.length - i]) return false;
  }
  return true;
}

export interface CertificateFileUse {
  /** The path as the App Mesh spec names it. */
  path: string;
  usedBy: ResourceRef;
}
