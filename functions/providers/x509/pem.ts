import { X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import type { Located, PemInput } from '../../core/model/inventory';
import type { CertificateRecord, ConfigProblem } from '../../core/model/types';
import { validityOf } from './certificate-date';
import { commonNameOf, firstAltNameOf, oneLine } from './distinguished-name';

/**
 * The labels OpenSSL reads as a certificate: `CERTIFICATE`, the old `X509 CERTIFICATE`, and
 * `TRUSTED CERTIFICATE` (`openssl x509 -trustout`, the ca-bundle.trust.crt of Red Hat systems,
 * read by OpenSSL and Envoy CA files), whose trust settings after the certificate Node ignores.
 */
const LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const BEGIN_LINE = new Map(LABELS.map((l) => [`-----BEGIN ${l}-----`, l]));
/** A BEGIN marker anywhere in a text: the ones not alone on their line are reported, never skipped silently. */
export const ANY_BEGIN = new RegExp(`-----BEGIN (${LABELS.join('|')})-----`);
const EVERY_BEGIN = new RegExp(ANY_BEGIN.source, 'g');

export interface PemReadOptions {
  /**
   * The file line on which `text` starts. Block lines count from it. Defaults to
   * `origin.source.line`. Pass `null` when the text does not appear verbatim in the file (it
   * was base64-decoded from a Secret): every record then points at `origin.source.line`.
   */
  textFirstLine?: number | null;
  /** The field problems name, e.g. `stringData["tls.crt"]`; defaults to `data["<origin.key>"]` when there is a key. */
  field?: string;
  /** How record ids name a file (Inventory.fileIdentity); its base name by default. */
  fileIdentity?: (file: string) => string;
}

export interface PemReadResult {
  certificates: CertificateRecord[];
  problems: ConfigProblem[];
}

/**
 * Every `-----BEGIN CERTIFICATE-----` block of a text (and `TRUSTED CERTIFICATE`, `X509
 * CERTIFICATE`), in order: the first is the leaf
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
    if (block.malformed) {
      problems.push(problem(block.lineOffset, `${where} ${block.malformed}`));
      continue;
    }
    if (block.body === undefined) {
      problems.push(problem(block.lineOffset, `${where} has no -----END ${block.label}----- line`));
      continue;
    }
    let cert: X509Certificate;
    try {
      cert = certificateOf(block.body, block.label);
    } catch (err) {
      problems.push(problem(block.lineOffset, `${where} cannot be parsed: ${(err as Error).message}`));
      continue;
    }
    // Reading the fields of an odd certificate must not abort the audit: it becomes a problem here.
    let record: CertificateRecord | string;
    try {
      record = recordOf(cert, block.index, provider, origin, lineOf(block.lineOffset), options.fileIdentity ?? basename);
    } catch (err) {
      record = `cannot be read: ${(err as Error).message}`;
    }
    if (typeof record === 'string') {
      problems.push(problem(block.lineOffset, `${where} ${record}`));
      continue;
    }
    if (seenIds.has(record.id)) record.id = `${record.id}#${block.index}`;
    seenIds.add(record.id);
    certificates.push(record);
  }
  return { certificates, problems };
}

/**
 * The certificates of a PEM text that parse, leaf first, read block by block as
 * `certificatesFromPem` reads them; blocks that do not parse are left out (that reader reports them).
 */
export function parsedCertificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of pemBlocks(text)) {
    if (block.body === undefined) continue;
    try {
      out.push(certificateOf(block.body, block.label));
    } catch {
      // Reported by certificatesFromPem, which reads every PEM file.
    }
  }
  return out;
}

function certificateOf(body: string, label: string): X509Certificate {
  return new X509Certificate(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`);
}

/** True when the text holds at least one certificate block. */
export function holdsPemCertificate(text: string): boolean {
  return ANY_BEGIN.test(text);
}

interface PemBlock {
  /** Position among the certificate blocks of the text, from 0. */
  index: number;
  /** Lines from the start of the text to the BEGIN line. */
  lineOffset: number;
  /** The PEM label: `CERTIFICATE`, `X509 CERTIFICATE` or `TRUSTED CERTIFICATE`. */
  label: string;
  /** The base64 lines, or undefined when the END line is missing. */
  body?: string;
  /** Why the block cannot be read as PEM at all. */
  malformed?: string;
}

function pemBlocks(text: string): PemBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  let open: { lineOffset: number; label: string; body: string[]; indented?: true } | undefined;
  const close = (body: string | undefined) => {
    if (open) blocks.push({ index: blocks.length, lineOffset: open.lineOffset, label: open.label, ...(body !== undefined ? { body } : {}) });
    open = undefined;
  };
  // A PEM folded onto one line (a multi-line single-quoted YAML value, a pasted environment
  // value) or with bare CR line endings: OpenSSL and Go read no certificate there either.
  const notOnOwnLines = (text: string, lineOffset: number) => {
    for (const m of text.matchAll(EVERY_BEGIN)) {
      blocks.push({ index: blocks.length, lineOffset, label: m[1]!, malformed: 'is not on lines of its own: its BEGIN line, base64 lines and END line must each end with a line break' });
    }
  };
  // OpenSSL (and BoringSSL in Envoy) and Go find a block only where its BEGIN and END lines start a line.
  const indented = (raw: string) => raw.length > 0 && (raw.charCodeAt(0) === 32 || raw.charCodeAt(0) === 9);
  const INDENTED = 'is indented: its BEGIN and END lines must start in the first column, or OpenSSL, Envoy and Go read no certificate there';
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const label = BEGIN_LINE.get(line);
    if (label !== undefined) {
      if (open) close(undefined);
      open = { lineOffset: i, label, body: [], ...(indented(raw) ? { indented: true } : {}) };
    } else if (open && line === `-----END ${open.label}-----`) {
      if (open.indented || indented(raw)) {
        blocks.push({ index: blocks.length, lineOffset: open.lineOffset, label: open.label, malformed: INDENTED });
        open = undefined;
      } else {
        close(open.body.join('\n'));
      }
    } else if (open && line.startsWith(`-----END ${open.label}-----`)) {
      // `cat leaf.pem ca.pem` when leaf.pem lacks its final line break: OpenSSL ("bad end line")
      // and Go read neither block, and the END marker is there, so "no END line" would mislead.
      const end = `-----END ${open.label}-----`;
      blocks.push({ index: blocks.length, lineOffset: open.lineOffset, label: open.label, malformed: `has text after its ${end} marker on the same line: the END marker must end its line (a file concatenated without its final line break?)` });
      open = undefined;
      notOnOwnLines(line.slice(end.length), i);
    } else if (ANY_BEGIN.test(line)) {
      if (open) close(undefined);
      notOnOwnLines(line, i);
    } else if (open) {
      open.body.push(line);
    }
  });
  if (open) close(undefined);
  return blocks;
}

/**
 * The record of one parsed block, or why it has none.
 *
 * The id of a certificate from a Secret or ConfigMap names the object and key. A file's names
 * the file as `fileIdentity` does (its path in the repository, from the file source) and the
 * block's place in it, never the path as written: finding ids hash the record id, and must not
 * change with the directory the audit runs from (finding-id.ts).
 */
function recordOf(
  cert: X509Certificate,
  index: number,
  provider: CertificateRecord['provider'],
  origin: CertificateRecord['origin'],
  line: number,
  fileIdentity: (file: string) => string,
): CertificateRecord | string {
  const { notBefore, notAfter } = validityOf(cert);
  if (!notBefore || !notAfter) return `has a validity period that cannot be read (${cert.validFrom} – ${cert.validTo})`;
  const fingerprint = cert.fingerprint256;
  const id =
    origin.key !== undefined
      ? `x509:${fingerprint}@${origin.kind}/${origin.namespace ?? ''}/${origin.name}/${origin.key}`
      : `x509:${fingerprint}#${index}@${origin.kind}/${origin.namespace ?? ''}/${fileIdentity(origin.source.file)}`;
  return {
    id,
    provider,
    subjectCN: nameOf(cert),
    // Node 20 gives undefined for an empty subject or issuer (Istio workload certificates).
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serialNumber: cert.serialNumber,
    fingerprint256: fingerprint,
    notBefore,
    notAfter,
    isCA: cert.ca,
    chainIndex: index,
    origin: { ...origin, source: { file: origin.source.file, line } },
  };
}

/**
 * The certificates of a PEM file as the file source reads it (a PemInput is the whole file).
 * The one reader of PEM files: the App Mesh provider links the same records to the listeners
 * that name the file.
 */
export function certificatesFromPemFile(file: Located<PemInput>, fileIdentity?: (file: string) => string, provider: CertificateRecord['provider'] = 'x509'): PemReadResult {
  const origin: CertificateRecord['origin'] = { kind: 'File', name: basename(file.source.file), source: file.source };
  return certificatesFromPem(file.doc.text, origin, provider, fileIdentity ? { textFirstLine: 1, fileIdentity } : { textFirstLine: 1 });
}

/**
 * The subject CN; for certificates without one (Istio workload certificates carry only a
 * SPIFFE URI SAN), the first subject alternative name, so that findings still name something.
 */
function nameOf(cert: X509Certificate): string {
  return commonNameOf(cert.subject) ?? firstAltNameOf(cert.subjectAltName) ?? '';
}
