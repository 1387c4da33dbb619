import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real X.509 certificates for tests, made offline by the system `openssl` binary (Debian's
 * OpenSSL 3). `openssl ca` is used rather than `openssl x509 -req` because only `ca` can set
 * both notBefore and notAfter on OpenSSL 3.0 (`-startdate`/`-enddate`), which the expiry
 * tests need: certificates that are not yet valid, or already expired.
 *
 * @example
 *   const chain = makeCertChain({ leafCN: 'payments-api', dnsNames: ['payments-api.payments.svc.cluster.local'],
 *                                 notBefore: new Date('2026-01-01Z'), notAfter: new Date('2026-12-01Z') });
 *   tls.createServer({ cert: chain.chainPem, key: chain.keyPem, ca: chain.rootPem, requestCert: true });
 */

export interface CertificateSpec {
  /** Subject common name. */
  cn: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  dnsNames?: string[];
  /** URI SANs, e.g. SPIFFE ids `spiffe://cluster.local/ns/shop/sa/payments`. */
  uris?: string[];
  ipAddresses?: string[];
  /** Key algorithm: EC P-256 (default, fast) or RSA 2048. */
  keyType?: 'ec' | 'rsa';
}

export interface IssueSpec extends CertificateSpec {
  /** Make a CA certificate (an intermediate); `pathLength` bounds the CAs below it. */
  isCA?: boolean;
  pathLength?: number;
}

/** A certificate and its private key, both PEM. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface CertChainOptions {
  leafCN: string;
  /** Leaf validity; defaults: from 2026-01-01 (or a day ago, if earlier) to one year ahead. */
  notBefore?: Date;
  notAfter?: Date;
  dnsNames?: string[];
  uris?: string[];
  ipAddresses?: string[];
  rootCN?: string;
  intermediateCN?: string;
  /** Root validity; defaults: from 2026-01-01 (or two days ago, if earlier) to ten years ahead. */
  root?: { notBefore?: Date; notAfter?: Date };
  /** Intermediate validity; defaults: from 2026-01-01 (or two days ago, if earlier) to five years ahead. */
  intermediate?: { notBefore?: Date; notAfter?: Date };
  keyType?: 'ec' | 'rsa';
}

export interface CertChain {
  rootPem: string;
  rootKeyPem: string;
  intermediatePem: string;
  intermediateKeyPem: string;
  leafPem: string;
  /** The leaf's private key. */
  keyPem: string;
  /** Leaf then intermediate: what a server sends (`cert-chain.pem`, `tls.crt`). */
  chainPem: string;
  /** Leaf, intermediate and root. */
  bundlePem: string;
}

const DAY_MS = 86_400_000;

/** Before the fixed clocks tests audit at (2026-11-20 and later). */
const BEFORE_TEST_CLOCKS = Date.parse('2026-01-01T00:00:00Z');

/**
 * The default start of validity: some days before now, and no later than 2026-01-01. A start
 * taken from the real clock alone moves past a test's fixed clock as the days go by, and the
 * certificate then reads as not yet valid there (cert-expired).
 */
function defaultNotBefore(daysAgo: number): Date {
  return new Date(Math.min(Date.now() - daysAgo * DAY_MS, BEFORE_TEST_CLOCKS));
}

/** A root CA, an intermediate signed by it, and a leaf (serverAuth + clientAuth) signed by the intermediate. */
export function makeCertChain(options: CertChainOptions): CertChain {
  const now = Date.now();
  const root = makeRootCa({
    cn: options.rootCN ?? 'meshgov test root CA',
    organization: 'meshgov tests',
    notBefore: options.root?.notBefore ?? defaultNotBefore(2),
    notAfter: options.root?.notAfter ?? new Date(now + 3650 * DAY_MS),
    keyType: options.keyType,
  });
  const intermediate = issueCertificate(root, {
    cn: options.intermediateCN ?? 'meshgov test intermediate CA',
    organization: 'meshgov tests',
    isCA: true,
    pathLength: 0,
    notBefore: options.intermediate?.notBefore ?? defaultNotBefore(2),
    notAfter: options.intermediate?.notAfter ?? new Date(now + 1825 * DAY_MS),
    keyType: options.keyType,
  });
  const leaf = issueCertificate(intermediate, {
    cn: options.leafCN,
    notBefore: options.notBefore ?? defaultNotBefore(1),
    notAfter: options.notAfter ?? new Date(now + 365 * DAY_MS),
    dnsNames: options.dnsNames,
    uris: options.uris,
    ipAddresses: options.ipAddresses,
    keyType: options.keyType,
  });
  return {
    rootPem: root.certPem,
    rootKeyPem: root.keyPem,
    intermediatePem: intermediate.certPem,
    intermediateKeyPem: intermediate.keyPem,
    leafPem: leaf.certPem,
    keyPem: leaf.keyPem,
    chainPem: leaf.certPem + intermediate.certPem,
    bundlePem: leaf.certPem + intermediate.certPem + root.certPem,
  };
}

/** A self-signed CA certificate. */
export function makeRootCa(spec: CertificateSpec): IssuedCertificate {
  return withWorkDir((dir) => sign(dir, spec, { selfSigned: true, isCA: true }));
}

/** A certificate signed by `issuer` (which must be a CA): a leaf, or an intermediate with `isCA`. */
export function issueCertificate(issuer: IssuedCertificate, spec: IssueSpec): IssuedCertificate {
  return withWorkDir((dir) => {
    writeFileSync(join(dir, 'issuer.pem'), issuer.certPem);
    writeFileSync(join(dir, 'issuer-key.pem'), issuer.keyPem, { mode: 0o600 });
    return sign(dir, spec, { selfSigned: false, isCA: spec.isCA === true, pathLength: spec.pathLength });
  });
}

/** OpenSSL's GeneralizedTime form, accepted by `openssl ca -startdate/-enddate`: YYYYMMDDHHMMSSZ. */
export function opensslTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:T]/g, '');
}

function sign(dir: string, spec: CertificateSpec, how: { selfSigned: boolean; isCA: boolean; pathLength?: number }): IssuedCertificate {
  const keyFile = join(dir, 'key.pem');
  const csrFile = join(dir, 'req.csr');
  const certFile = join(dir, 'cert.pem');
  const config = join(dir, 'ca.cnf');
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(config, caConfig(dir, spec, how));

  const keyArgs = spec.keyType === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...keyArgs, '-out', keyFile]);
  openssl(['req', '-new', '-key', keyFile, '-subj', subjectOf(spec), '-out', csrFile, '-config', config]);

  const notBefore = spec.notBefore ?? defaultNotBefore(1);
  // A year from the start given, else a year from now: the default start may lie far back.
  const notAfter = spec.notAfter ?? new Date((spec.notBefore ?? new Date()).getTime() + 365 * DAY_MS);
  const signer = how.selfSigned ? ['-selfsign', '-keyfile', keyFile] : ['-cert', join(dir, 'issuer.pem'), '-keyfile', join(dir, 'issuer-key.pem')];
  openssl(['ca', '-batch', '-notext', '-config', config, '-in', csrFile, '-out', certFile, '-extensions', 'ext', '-startdate', opensslTime(notBefore), '-enddate', opensslTime(notAfter), ...signer]);
  return { certPem: pemOnly(readFileSync(certFile, 'utf8')), keyPem: readFileSync(keyFile, 'utf8') };
}

function caConfig(dir: string, spec: CertificateSpec, how: { isCA: boolean; pathLength?: number }): string {
  const ext = how.isCA
    ? [`basicConstraints = critical, CA:true${how.pathLength !== undefined ? `, pathlen:${how.pathLength}` : ''}`, 'keyUsage = critical, keyCertSign, cRLSign']
    : ['basicConstraints = critical, CA:false', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth, clientAuth'];
  const sans = [...(spec.dnsNames ?? []).map((d) => `DNS:${d}`), ...(spec.uris ?? []).map((u) => `URI:${u}`), ...(spec.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
  if (sans.length > 0) ext.push(`subjectAltName = ${sans.join(', ')}`);
  ext.push('subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always');
  return [
    '[ req ]',
    'distinguished_name = req_dn',
    'prompt = no',
    '[ req_dn ]',
    '[ ca ]',
    'default_ca = test_ca',
    '[ test_ca ]',
    `dir = ${dir}`,
    `database = ${join(dir, 'index.txt')}`,
    `new_certs_dir = ${join(dir, 'newcerts')}`,
    'rand_serial = yes',
    'default_md = sha256',
    'policy = policy_any',
    'preserve = yes',
    'unique_subject = no',
    'email_in_dn = no',
    'copy_extensions = none',
    '[ policy_any ]',
    'organizationName = optional',
    'commonName = supplied',
    '[ ext ]',
    ...ext,
    '',
  ].join('\n');
}

function subjectOf(spec: CertificateSpec): string {
  const escape = (v: string) => v.replace(/([/+=\\])/g, '\\$1');
  return `${spec.organization ? `/O=${escape(spec.organization)}` : ''}/CN=${escape(spec.cn)}`;
}

/** `openssl ca` may write text before the PEM block; keep the block only. */
function pemOnly(text: string): string {
  const start = text.indexOf('-----BEGIN CERTIFICATE-----');
  const endMarker = '-----END CERTIFICATE-----';
  const end = text.indexOf(endMarker, start);
  return `${text.slice(start, end + endMarker.length)}\n`;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer; message: string };
    if (e.code === 'ENOENT') throw new Error('test/support/certs: the openssl binary is not installed (Debian package openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

function withWorkDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-certs-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
