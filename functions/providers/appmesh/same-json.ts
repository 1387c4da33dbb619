/**
 * `JSON.stringify(a) === JSON.stringify(b)`, without serialising what `a` and `b` share. A fix's
 * new spec shares everything but the changed path with the spec as read (changes.ts), and
 * serialising whole `listeners` and `backends` lists twice per fix was a large part of building
 * fixes. Plain objects and arrays are compared member by member, in the order JSON.stringify
 * writes them; a shared member is equal without a look; anything else (strings, numbers, Dates,
 * …) is compared by its serialisation, as before.
 *
 * Why member by member gives the same answer: JSON text is unambiguous, so two serialisations of
 * an array are equal exactly when they have as many elements and each element's text is equal
 * (an element that serialises to nothing is written `null`); two serialisations of an object are
 * equal exactly when they list the same keys in the same order with equal value texts (a member
 * that serialises to nothing is left out).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isPlainArray(a) && isPlainArray(b)) return sameArrays(a, b);
  if (isPlainRecord(a) && isPlainRecord(b)) return sameRecords(a, b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** No `toJSON` anywhere on the prototype chain: JSON.stringify writes its members. */
function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

function sameArrays(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if ((isPlainArray(x) || isPlainRecord(x)) && (isPlainArray(y) || isPlainRecord(y))) {
      if (!sameJson(x, y)) return false;
    } else if ((JSON.stringify(x) ?? 'null') !== (JSON.stringify(y) ?? 'null')) {
      return false;
    }
  }
  return true;
}

function sameRecords(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keysA = writtenKeys(a);
  const keysB = writtenKeys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i];
    if (key !== keysB[i]) return false;
    if (!sameJson(a[key], b[key])) return false;
  }
  return true;
}

/** The keys JSON.stringify writes: own enumerable keys whose value serialises to something. */
function writtenKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let written: string[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    if (writesSomething(record[keys[i]])) {
      written?.push(keys[i]);
    } else {
      written ??= keys.slice(0, i);
    }
  }
  return written ?? keys;
}

function writesSomething(value: unknown): boolean {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
  if (value === null || typeof value !== 'object' || isPlainArray(value) || isPlainRecord(value)) return true;
  return JSON.stringify(value) !== undefined;
}
