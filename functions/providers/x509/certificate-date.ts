/**
 * Dates as Node's `X509Certificate` gives them (`validFrom`/`validTo`, OpenSSL's
 * ASN1_TIME_print form: `Jan  1 00:00:00 2027 GMT`). Node 20 has no `validFromDate` (newer
 * releases add it), and `Date.parse` of that form is implementation-defined, so we read it
 * ourselves.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// OpenSSL prints the year unpadded: Go's zero time (`notBefore` 0001-01-01) is `Jan  1 00:00:00 1 GMT`.
const OPENSSL_TIME = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{1,4}) GMT$/;

/** The instant an OpenSSL-printed certificate time denotes, or undefined when it is not one. */
export function parseCertificateDate(text: string): Date | undefined {
  const m = OPENSSL_TIME.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return undefined;
  const date = new Date(Date.UTC(2000, 0, 1, Number(m[3]), Number(m[4]), Number(m[5])));
  // Date.UTC would read years 0–99 as 1900–1999; setUTCFullYear takes them as written.
  date.setUTCFullYear(Number(m[6]), month, Number(m[2]));
  return date;
}

/** The `*Date` accessors that newer Node versions add to X509Certificate, when present. */
interface WithDateAccessors {
  validFromDate?: Date;
  validToDate?: Date;
}

/** notBefore/notAfter of a parsed certificate, preferring Node's own Date accessors when the runtime has them. */
export function validityOf(cert: { validFrom: string; validTo: string }): { notBefore?: Date; notAfter?: Date } {
  const native = cert as WithDateAccessors;
  return {
    notBefore: native.validFromDate instanceof Date ? native.validFromDate : parseCertificateDate(cert.validFrom),
    notAfter: native.validToDate instanceof Date ? native.validToDate : parseCertificateDate(cert.validTo),
  };
}
