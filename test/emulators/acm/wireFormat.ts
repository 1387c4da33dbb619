/**
 * awsJson1_1 encodes timestamps as epoch seconds (a JSON number, fractions allowed), the
 * default `timestampFormat` of the protocol; the SDK turns them back into `Date`s. Undefined
 * members are left out, as the service leaves out members it has no value for.
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      if (member !== undefined) out[key] = toWire(member);
    }
    return out;
  }
  return value;
}
