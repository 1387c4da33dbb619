import { isUtf8 } from 'node:buffer';
import type { ParsedFile, RawDocument } from './parse-documents';

/** Where a byte sequence that is not UTF-8 starts: 1-based line and column, and its first byte. */
export interface InvalidUtf8Site {
  line: number;
  column: number;
  byte: number;
}

/**
 * Every place where the bytes of a file are not UTF-8 (a Latin-1 `ü` in a comment, a file saved
 * as Windows-1252, a truncated multi-byte character), at most `limit` of them. Decoding replaces
 * such bytes with U+FFFD without a word, so a name read from them is not the name in the cluster,
 * and YAML readers that apply manifests (go-yaml under kubectl) refuse the document instead.
 * Valid files, nearly all, cost one native check.
 */
export function invalidUtf8Sites(buf: Uint8Array, limit = 100): InvalidUtf8Site[] {
  if (isUtf8(buf)) return [];
  const sites: InvalidUtf8Site[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  while (i < buf.length && sites.length < limit) {
    const b = buf[i]!;
    // A lone CR ends a line too, as withLineFeeds makes it.
    if (b === 0x0a || (b === 0x0d && buf[i + 1] !== 0x0a)) {
      line++;
      column = 1;
      i++;
      continue;
    }
    const length = sequenceLength(buf, i);
    if (length === 0) {
      sites.push({ line, column, byte: b });
      i++;
    } else {
      i += length;
    }
    column++;
  }
  return sites;
}

/** The length of the well-formed UTF-8 sequence at `i` (RFC 3629, table 3-7 of Unicode), or 0. */
function sequenceLength(buf: Uint8Array, i: number): number {
  const b = buf[i]!;
  if (b < 0x80) return 1;
  const continuation = (k: number, low = 0x80, high = 0xbf): boolean => {
    const c = buf[i + k];
    return c !== undefined && c >= low && c <= high;
  };
  if (b >= 0xc2 && b <= 0xdf) return continuation(1) ? 2 : 0;
  if (b === 0xe0) return continuation(1, 0xa0) && continuation(2) ? 3 : 0;
  if (b === 0xed) return continuation(1, 0x80, 0x9f) && continuation(2) ? 3 : 0;
  if (b >= 0xe1 && b <= 0xef) return continuation(1) && continuation(2) ? 3 : 0;
  if (b === 0xf0) return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
  if (b === 0xf4) return continuation(1, 0x80, 0x8f) && continuation(2) && continuation(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  return 0;
}

/**
 * Leaves out of a parsed file each document holding bytes that are not UTF-8, and reports it
 * where the first such byte is: what kubectl does, which refuses the document and applies the
 * others. PEM blocks are kept: openssl reads them whatever the header text around them holds.
 */
export function setAsideNonUtf8Documents(file: string, buf: Uint8Array, parsed: ParsedFile): void {
  const sites = invalidUtf8Sites(buf);
  if (sites.length === 0) return;
  const reported = new Set<RawDocument | undefined>();
  for (const site of sites) {
    const doc = documentHolding(parsed.documents, site.line);
    if (doc?.format === 'pem' || reported.has(doc)) continue;
    reported.add(doc);
    const byte = `0x${site.byte.toString(16).toUpperCase().padStart(2, '0')}`;
    const what = doc === undefined ? '' : ', so this document is not audited';
    parsed.problems.push({
      file,
      line: site.line,
      message: `not UTF-8: byte ${byte} at column ${site.column}; YAML and JSON are read as UTF-8 (kubectl refuses such a document)${what}. Save the file as UTF-8`,
      identity: `not UTF-8: byte ${byte} at column ${site.column}`,
    });
  }
  parsed.documents = parsed.documents.filter((d) => !reported.has(d));
}

/** The document a line belongs to: the last one starting at or before it; text before the first belongs to the first. */
function documentHolding(documents: readonly RawDocument[], line: number): RawDocument | undefined {
  let holder = documents[0];
  for (const d of documents) if (d.line <= line) holder = d;
  return holder;
}
