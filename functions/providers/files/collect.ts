import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { emptyInventory, type Inventory } from '../../core/model/inventory';
import { classifyDocument, isRecognisedDocument, PKCS7_NOTE } from './classify';
import { fieldLineLocator } from './field-line';
import { fileIdentityResolver } from './file-identity';
import { mightBeConfiguration, parseFileText } from './parse-documents';
import { isStdinPath, walkPaths } from './walk';
import { setAsideRepeatedObjects } from './repeated-objects';
import { utf16Text } from './utf16-text';
import { setAsideNonUtf8Documents } from './invalid-utf8';
import { withLineFeeds } from '../../core/line-breaks';

/** Bytes inspected to tell text from binary, as git and grep do. */
const BINARY_SNIFF_BYTES = 8000;

/** Thrown when a path given by the user does not exist: a usage error, not a finding. */
export class InputPathError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'InputPathError';
  }
}

/**
 * The file source: reads every file under the given paths, parses each by its content and
 * sorts the documents into an inventory. Unreadable documents become problems (and later
 * `config-invalid` findings); the rest is still audited.
 *
 * @example
 *   const inventory = await collectFiles(['examples/']);
 */
export async function collectFiles(paths: string[]): Promise<Inventory> {
  stopAllocationSitePretenuring();
  const inventory = emptyInventory();
  // Texts the field locator cannot read again from the path (see fieldLineLocator).
  const kept = new Map<string, string>();
  inventory.fieldLine = fieldLineLocator(kept);
  inventory.fileIdentity = fileIdentityResolver();
  const walked = walkPaths(paths);
  if (walked.missing.length > 0) {
    const m = walked.missing[0];
    throw new InputPathError(m.path, m.message);
  }
  // A directory deeper in the tree that cannot be listed is a problem of its own; the rest is read.
  for (const u of walked.unreadable) inventory.problems.push({ file: u.path, line: 1, message: u.message, unread: true });
  // A link into /proc, /sys or /dev: not read, and said in the notice of what was skipped.
  for (const v of walked.virtual) inventory.unknown.push({ doc: null, source: { file: v.path, line: 1 }, note: v.note });
  const explicit = new Set(paths);
  for (const file of walked.files) {
    let buf: Buffer;
    try {
      // Synchronous reads: one file after another is what the parser needs, without event-loop hops.
      // Standard input by its descriptor: opening /dev/stdin fails (ENXIO) when it is a socket, as a spawning Node process makes it.
      buf = isStdinPath(file) ? readFileSync(0) : readFileSync(file);
    } catch (err) {
      inventory.problems.push({ file, line: 1, message: `cannot read file: ${(err as Error).message}`, unread: true });
      continue;
    }
    inventory.files.push(file);
    const utf16 = utf16Text(buf);
    if (utf16 === undefined && isBinary(buf)) {
      // A DER certificate (`.crt`, `.cer`, `.der` as many CAs hand them out) is one certificate at line 1.
      const pem = derCertificateAsPem(buf);
      if (pem !== undefined) {
        classifyDocument({ file, line: 1, format: 'pem', body: pem }, inventory);
        continue;
      }
      if (isDerPkcs7(buf)) {
        inventory.unknown.push({ doc: null, source: { file, line: 1 }, note: PKCS7_NOTE });
        continue;
      }
      // Binary files inside a directory are not configuration; one named directly is a mistake.
      if (explicit.has(file)) inventory.problems.push({ file, line: 1, message: 'binary file: not a configuration file', unread: true });
      continue;
    }
    const decoded = utf16 ?? buf.toString('utf8');
    const text = withLineFeeds(decoded);
    const parsed = parseFileText(file, text);
    if (utf16 === undefined) setAsideNonUtf8Documents(file, buf, parsed);
    // Providers find problems later, so these few texts are kept whatever the parse found.
    if (utf16 !== undefined || text !== decoded || walked.streams.has(file)) kept.set(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (parsed.problems.length > 0 && !explicit.has(file) && !mightBeConfiguration(text) && !parsed.documents.some(isRecognisedDocument)) {
      // A README or script beside the configuration: not a configuration file, not an error. A
      // file that starts with something else (`description: …`, an anchors-only document for
      // `<<: *base`) but holds an object meshgov reads is configuration: its other documents are
      // audited and the one that does not parse is reported.
      inventory.unknown.push({ doc: null, source: { file, line: 1 } });
      continue;
    }
    inventory.problems.push(...parsed.problems);
    for (const doc of parsed.documents) classifyDocument(doc, inventory);
  }
  setAsideRepeatedObjects(inventory);
  return inventory;
}

/**
 * Turns off V8's allocation-site pretenuring for this process. js-yaml's parser makes an event
 * object per scalar, dead as soon as its document is built. When the first young collection
 * after parsing starts finds a parser allocation site's few objects all alive, V8 decides that
 * site's objects live long and allocates every later one in the old generation, where they pile
 * up as garbage until a full collection: peak RSS at 10k workloads went from about 220 to 305 MB
 * in 3 of 30 runs (`--trace-pretenuring-statistics` shows the site's "=> tenure" decision at the
 * start of parsing). Without pretenuring: no such run in 40, and the same audit time (1,414
 * against 1,430 ms, medians). Node lets this flag change at run time; V8 reads it at every GC.
 */
function stopAllocationSitePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * The PEM form of a DER-encoded X.509 certificate, or undefined when the bytes are not one. Only
 * a buffer that starts as an ASN.1 SEQUENCE (0x30) is handed to the parser, so other binary
 * files cost one byte comparison.
 */
function derCertificateAsPem(buf: Buffer): string | undefined {
  if (buf.length < 2 || buf[0] !== 0x30) return undefined;
  try {
    return new X509Certificate(buf).toString();
  } catch {
    return undefined;
  }
}

/** PKCS #7 signedData (OID 1.2.840.113549.1.7.2) right inside the outer SEQUENCE: a DER .p7b certificate bundle. */
const PKCS7_SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

function isDerPkcs7(buf: Buffer): boolean {
  if (buf.length < 16 || buf[0] !== 0x30) return false;
  // The SEQUENCE's length takes 1 byte, or 1 + (low bits) bytes in the long form.
  const header = buf[1]! < 0x80 ? 2 : 2 + (buf[1]! & 0x7f);
  return buf.subarray(header, header + PKCS7_SIGNED_DATA_OID.length).equals(PKCS7_SIGNED_DATA_OID);
}

function isBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}
