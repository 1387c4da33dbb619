/**
 * Certificates test/support/certs.ts cannot make, made the same way (the system `openssl`, in a
 * temporary directory): an Istio workload certificate, whose subject is empty and whose identity
 * is its SPIFFE URI SAN, and self-signed certificates with a raw `-subj` (several CNs, a
 * multi-valued RDN). Validity starts now; tests that need fixed dates use test/support/certs.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IssuedCertificate } from '../../../../test/support/certs';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function inWorkDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-x509-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A self-signed certificate with exactly this `openssl -subj` (`/` for an empty subject), multi-valued RDNs allowed. */
export function selfSigned(subject: string, options: { days?: number; isCA?: boolean; sans?: string[] } = {}): IssuedCertificate {
  return inWorkDir((dir) => {
    const ext = [options.isCA ? 'basicConstraints=critical,CA:true' : 'basicConstraints=critical,CA:false'];
    if (options.sans?.length) ext.push(`subjectAltName=${options.sans.join(',')}`);
    openssl([
      'req', '-x509', ...EC_KEY, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', subject, '-multivalue-rdn', '-utf8', '-days', String(options.days ?? 30),
      ...ext.flatMap((e) => ['-addext', e]),
    ]);
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  });
}

/** Istio's self-signed root as istiod makes it: `O=cluster.local`, no CN. */
export function istioRootCa(): IssuedCertificate {
  return selfSigned('/O=cluster.local', { days: 3650, isCA: true });
}

/**
 * A workload certificate as istiod issues it: empty subject, the SPIFFE id as a critical URI
 * SAN, 24 hours of validity.
 */
export function istioWorkloadCertificate(issuer: IssuedCertificate, spiffeId: string): IssuedCertificate {
  return inWorkDir((dir) => {
    writeFileSync(join(dir, 'issuer.pem'), issuer.certPem);
    writeFileSync(join(dir, 'issuer-key.pem'), issuer.keyPem, { mode: 0o600 });
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        'basicConstraints = critical, CA:false',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = serverAuth, clientAuth',
        `subjectAltName = critical, URI:${spiffeId}`,
        '',
      ].join('\n'),
    );
    openssl(['req', '-new', ...EC_KEY, '-keyout', join(dir, 'key.pem'), '-subj', '/', '-out', join(dir, 'req.csr')]);
    openssl([
      'x509', '-req', '-in', join(dir, 'req.csr'), '-CA', join(dir, 'issuer.pem'), '-CAkey', join(dir, 'issuer-key.pem'),
      '-set_serial', '0x' + 'a1b2c3d4e5f60718293a4b5c6d7e8f90', '-days', '1', '-sha256', '-extfile', join(dir, 'ext.cnf'), '-out', join(dir, 'cert.pem'),
    ]);
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  });
}

/**
 * The same certificate as `openssl x509 -trustout` writes it: a `TRUSTED CERTIFICATE` block, the
 * certificate followed by its trust settings, as in Red Hat's ca-bundle.trust.crt.
 */
export function trustedCertificate(certPem: string, trust: string[] = ['serverAuth']): string {
  return inWorkDir((dir) => {
    writeFileSync(join(dir, 'cert.pem'), certPem);
    openssl(['x509', '-in', join(dir, 'cert.pem'), '-trustout', ...trust.flatMap((t) => ['-addtrust', t]), '-out', join(dir, 'trusted.pem')]);
    return readFileSync(join(dir, 'trusted.pem'), 'utf8');
  });
}
