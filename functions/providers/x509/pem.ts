import { X509Certificate } from 'node:crypto';
import type { CertificateRecord, ConfigProblem } from '../../core/model/types';
import { validityOf } from './certificate-date';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

export interface PemReadOptions {
  /**
   * The file line on which `text` starts. Block lines count from it. Defaults to
   * `origin.source.line`. Pass `null` when the text does not appear verbatim in the file (it
   * was base64-decoded from a Secret): every record then points at `origin.source.line`.
   */
  textFirstLine?: number | null;
  /** The field problems name, e.g. `stringData["tls.crt"]`; defaults to `data["<origin.key>"]` when there is a key. */
  field?: string;
}

export interface PemReadResult {
  certificates: CertificateRecord[];
  problems: ConfigProblem[];
}

/**
 * Every `-----BEGIN CERTIFICATE-----` block of a text, in order: the first is the leaf
 * (chainIndex 0), then its issuers. A block that does not parse becomes a problem at its BEGIN
 * line, and the others are still read.
 *
 * @example
 *   const { certificates } = certificatesFromPem(text, { kind: 'File', name: 'tls.crt', source: { file: 'certs/tls.crt', line: 1 } });
 *   certificates[0].notAfter; // the leaf's expiry
 */
export function certificatesFromPem(
  text: string,
  origin: CertificateRecord['origin'],
  provider: 'x509' | 'acm' = 'x509',
  options: PemReadOptions = {},
): PemReadResult {
  const firstLine = options.textFirstLine === undefined ? origin.source.line : options.textFirstLine;
  const field = options.field ?? (origin.key !== undefined ? `data["${origin.key}"]` : undefined);
  const lineOf = (offset: number) => (firstLine === null ? origin.source.line : firstLine + offset);
  const problem = (offset: number, message: string): ConfigProblem => ({
    file: origin.source.file,
    line: lineOf(offset),
    ...(field !== undefined ? { field } : {}),
    message,
    kind: origin.kind,
    name: origin.name,
  });

  const certificates: CertificateRecord[] = [];
  const problems: ConfigProblem[] = [];
  const seenIds = new Set<string>();
  for (const block of pemBlocks(text)) {
    const where = `certificate #${block.index}${field ? ` in ${field}` : ''}`;
    if (block.body === undefined) {
      problems.push(problem(block.lineOffset, `${where} has no ${END} line`));
      continue;
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(`${BEGIN}\n${block.body}\n${END}\n`);
    } catch (err) {
      problems.push(problem(block.lineOffset, `${where} cannot be parsed: ${(err as Error).message}`));
      continue;
    }
    const { notBefore, notAfter } = validityOf(cert);
    if (!notBefore || !notAfter) {
      problems.push(problem(block.lineOffset, `${where} has a validity period that cannot be read (${cert.validFrom} – ${cert.validTo})`));
      continue;
    }
    let id = `x509:${cert.fingerprint256}@${origin.kind}/${origin.namespace ?? ''}/${origin.name}/${origin.key ?? origin.source.file}`;
    if (seenIds.has(id)) id = `${id}#${block.index}`;
    seenIds.add(id);
    certificates.push({
      id,
      provider,
      subjectCN: commonNameOf(cert),
      subject: oneLine(cert.subject),
      issuer: oneLine(cert.issuer),
      serialNumber: cert.serialNumber,
      fingerprint256: cert.fingerprint256,
      notBefore,
      notAfter,
      isCA: cert.ca,
      chainIndex: block.index,
      origin: { ...origin, source: { file: origin.source.file, line: lineOf(block.lineOffset) } },
    });
  }
  return { certificates, problems };
}

/** True when the text holds at least one certificate block. */
export function holdsPemCertificate(text: string): boolean {
  return text.includes(BEGIN);
}

interface PemBlock {
  /** Position among the certificate blocks of the text, from 0. */
  index: number;
  /** Lines from the start of the text to the BEGIN line. */
  lineOffset: number;
  /** The base64 lines, or undefined when the END line is missing. */
  body?: string;
}

function pemBlocks(text: string): PemBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  let open: { lineOffset: number; body: string[] } | undefined;
  const close = (body: string | undefined) => {
    if (open) blocks.push({ index: blocks.length, lineOffset: open.lineOffset, ...(body !== undefined ? { body } : {}) });
    open = undefined;
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === BEGIN) {
      if (open) close(undefined);
      open = { lineOffset: i, body: [] };
    } else if (line === END && open) {
      close(open.body.join('\n'));
    } else if (open) {
      open.body.push(line);
    }
  });
  if (open) close(undefined);
  return blocks;
}

/** Node prints a distinguished name one attribute per line: `CN=payments-api\nO=Shop`. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

/**
 * The subject CN; for certificates without one (Istio workload certificates carry only a
 * SPIFFE URI SAN), the first subject alternative name, so that findings still name something.
 */
function commonNameOf(cert: X509Certificate): string {
  const cn = cert.subject.split('\n').find((attr) => attr.startsWith('CN='));
  if (cn) return cn.slice(3);
  const firstSan = cert.subjectAltName?.split(', ')[0];
  return firstSan ? firstSan.replace(/^[A-Za-z ]+:/, '') : '';
}
