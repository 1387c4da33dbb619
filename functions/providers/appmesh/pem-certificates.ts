/**
 * The certificate files App Mesh listeners and client policies name (`file.certificateChain`),
 * and how their paths match the files read. The certificates themselves are read by the x509
 * provider's PEM reader, so a file gives the same records (ids, lines, names) whichever
 * provider reads it, and the core's dedupe merges their `usedBy`.
 */
import type { ResourceRef } from '../../core/model/types';

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
