/**
 * The text of a file with a UTF-16 byte order mark, as Windows PowerShell's `>` writes it; its
 * NUL bytes would otherwise make it look binary. Undefined for any other file.
 */
export function utf16Text(buf: Buffer): string | undefined {
  if (buf.length < 2) return undefined;
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff && buf.length % 2 === 0) return Buffer.from(buf).swap16().toString('utf16le');
  return undefined;
}
