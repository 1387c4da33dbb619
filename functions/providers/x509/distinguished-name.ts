/**
 * Reading the distinguished names and alternative names that node:crypto prints.
 *
 * `X509Certificate.subject` / `.issuer` print one RDN a line (`O=Shop\nCN=payments-api`), the
 * attributes of a multi-valued RDN joined by ` + ` (`CN=a + O=b`), and escape values as
 * RFC 2253 does (`,+"\<>;` and a leading `#` or space and a trailing space get a backslash,
 * control characters become `\XX` hex). On Node 20 both are undefined for an empty name.
 */

/** The attributes of a DN, in the certificate's order, with their values unescaped. */
export function attributesOf(dn: string | undefined): Array<{ type: string; value: string }> {
  if (!dn) return [];
  const out: Array<{ type: string; value: string }> = [];
  for (const line of dn.split('\n')) {
    for (const attribute of splitUnescaped(line, '+')) {
      const eq = attribute.indexOf('=');
      if (eq <= 0) continue;
      out.push({ type: attribute.slice(0, eq).trim(), value: unescapeValue(attribute.slice(eq + 1)) });
    }
  }
  return out;
}

/**
 * The subject CN, unescaped. With several CNs, the last one: the most specific, as OpenSSL's
 * host checks and Go's `pkix.Name.CommonName` take it. Undefined when there is none.
 */
export function commonNameOf(dn: string | undefined): string | undefined {
  const cns = attributesOf(dn).filter((a) => a.type === 'CN');
  return cns.length > 0 ? cns[cns.length - 1]!.value : undefined;
}

/** A DN on one line (`O=Shop, CN=payments-api`), values still escaped as Node printed them. */
export function oneLine(dn: string | undefined): string {
  return (dn ?? '').split('\n').filter(Boolean).join(', ');
}

/**
 * The value of the first subject alternative name (`spiffe://…`, a DNS name, an IP address).
 * Node prints `URI:spiffe://a, DNS:b`, and puts a value holding `,` or `"` in JSON quotes.
 */
export function firstAltNameOf(subjectAltName: string | undefined): string | undefined {
  if (!subjectAltName) return undefined;
  const m = /^[A-Za-z ]+:("(?:[^"\\]|\\.)*"|[^,]*)/.exec(subjectAltName);
  if (!m) return undefined;
  const raw = m[1]!;
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw;
    }
  }
  return raw.trim() || undefined;
}

/**
 * Splits at `sep` where it is not escaped, dropping the one space Node puts on each side of
 * ` + ` (a value's own leading or trailing space is escaped, `\ `, so it stays).
 */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  if (parts.length === 1) return parts;
  return parts.map((p, i) => {
    let s = p;
    if (i > 0 && s.startsWith(' ')) s = s.slice(1);
    if (i < parts.length - 1 && s.endsWith(' ')) s = s.slice(0, -1);
    return s;
  });
}

const HEX2 = /^[0-9A-Fa-f]{2}$/;

/** `Payments\, Inc.` → `Payments, Inc.`; `a\0Ab` → `a` newline `b`. */
function unescapeValue(value: string): string {
  if (!value.includes('\\')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '\\' || i === value.length - 1) {
      out += c;
      continue;
    }
    const next = value[i + 1]!;
    const hex = value.slice(i + 1, i + 3);
    // `\` before a special character is that character; before two hex digits, that byte.
    if (!',+"\\<>;#= '.includes(next) && HEX2.test(hex)) {
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else {
      out += next;
      i++;
    }
  }
  return out;
}
