/**
 * DynamoDB refuses an item over 400 KB (ValidationException "Item size has exceeded the maximum
 * allowed size"), and MemoryLedger has no such limit: a change to a large ServiceEntry, with both
 * specs, or a finding listing thousands of hosts would be lost. So an item near the limit has its
 * bulky fields (specs, details; never a key, a condition or a filter attribute) moved into one
 * gzip'd JSON binary attribute, and reading puts them back. Ordinary items stay plain.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

type Item = Record<string, unknown>;
export type FieldPath = readonly string[];

export const PACKED_ATTRIBUTE = 'packed';
/** DynamoDB's item size limit (names and values, as the developer guide's "Item sizes and formats" counts). */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Items above this are packed; the margin is for what later updates add (a transition's outcome, a Slack ref). */
export const PACK_ABOVE_BYTES = 300 * 1024;

export class LedgerItemTooLargeError extends Error {
  override readonly name = 'LedgerItemTooLargeError';
}

/** The item, or, when it is large, the item with the fields at `paths` packed into PACKED_ATTRIBUTE. */
export function packIfLarge(item: Item, paths: readonly FieldPath[]): Item {
  if (itemBytes(item) <= PACK_ABOVE_BYTES) return item;
  const packed: Array<[FieldPath, unknown]> = [];
  let rest = item;
  for (const path of paths) {
    const [value, without] = takeAt(rest, path);
    if (value === undefined) continue;
    packed.push([path, value]);
    rest = without;
  }
  const out = { ...rest, [PACKED_ATTRIBUTE]: gzipSync(JSON.stringify(packed)) };
  const size = itemBytes(out);
  if (size > MAX_ITEM_BYTES) throw new LedgerItemTooLargeError(`ledger item ${String(item.pk)} is ${size} bytes even compressed; DynamoDB stores at most ${MAX_ITEM_BYTES}`);
  return out;
}

/** The item with its packed fields back in place. A field an update has since set plainly wins over its packed copy. */
export function unpack(item: Item): Item {
  const blob = item[PACKED_ATTRIBUTE];
  if (!(blob instanceof Uint8Array)) return item;
  const { [PACKED_ATTRIBUTE]: _packed, ...rest } = item;
  let out: Item = rest;
  for (const [path, value] of JSON.parse(gunzipSync(blob).toString('utf8')) as Array<[string[], unknown]>) out = putIfAbsent(out, path, value);
  return out;
}

/** An upper estimate of DynamoDB's size of an item: UTF-8 names and values, 3 bytes per map or list and 1 per element. */
export function itemBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) size += Buffer.byteLength(name) + valueBytes(value);
  return size;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  // About one byte per two significant digits, plus one; the digit count of the decimal form bounds it.
  if (typeof value === 'number' || typeof value === 'bigint') return Math.ceil(String(value).replace(/\D/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce<number>((n, v) => n + valueBytes(v), 0);
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + (v === undefined ? 0 : 1 + valueBytes(v)), 3);
  if (typeof value === 'object') return 3 + Object.entries(value as Item).reduce((n, [k, v]) => n + (v === undefined ? 0 : 1 + Buffer.byteLength(k) + valueBytes(v)), 0);
  return 0;
}

const isMap = (v: unknown): v is Item => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Set);

/** The value at `path` and a copy of `obj` without it; the original is not touched. */
function takeAt(obj: Item, path: FieldPath): [unknown, Item] {
  const [head, ...tail] = path;
  if (head === undefined || !(head in obj)) return [undefined, obj];
  if (tail.length === 0) {
    const { [head]: value, ...rest } = obj;
    return [value, rest];
  }
  const child = obj[head];
  if (!isMap(child)) return [undefined, obj];
  const [value, without] = takeAt(child, tail);
  return value === undefined ? [undefined, obj] : [value, { ...obj, [head]: without }];
}

function putIfAbsent(obj: Item, path: FieldPath, value: unknown): Item {
  const [head, ...tail] = path;
  if (head === undefined) return obj;
  if (tail.length === 0) return head in obj ? obj : { ...obj, [head]: value };
  const child = obj[head];
  if (child !== undefined && !isMap(child)) return obj;
  return { ...obj, [head]: putIfAbsent(child ?? {}, tail, value) };
}
