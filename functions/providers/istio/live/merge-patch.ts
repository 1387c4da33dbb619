/**
 * JSON merge patch (RFC 7386) arithmetic for the writer: whether a patch holds on an object
 * (verification), and the patch that turns one document into another (rollback, revert).
 * Objects merge key by key, `null` deletes, and anything else — lists included — is replaced
 * whole, so a list is compared whole.
 */
import { isRecord as isObject } from '../../../core/is-record';

/** The content type of a JSON merge patch request to the API server. */
export const MERGE_PATCH = 'application/merge-patch+json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
}

/**
 * The fields of `patch` that `target` does not show: `spec.mtls.mode` when the patch set it
 * to STRICT and the object says PERMISSIVE, `spec.trafficPolicy.tls.sni` when the patch
 * cleared it and it is still there. Empty when the patch holds.
 */
export function unheldFields(patch: unknown, target: unknown, path = ''): string[] {
  if (!isObject(patch)) return jsonEqual(patch, target) ? [] : [path || '.'];
  const out: string[] = [];
  const object = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    const at = path ? `${path}.${key}` : key;
    if (value === null) {
      if (object[key] !== undefined && object[key] !== null) out.push(at);
    } else if (isObject(value)) {
      out.push(...unheldFields(value, object[key], at));
    } else if (!jsonEqual(value, object[key])) {
      out.push(at);
    }
  }
  return out;
}

/** The merge patch that turns `from` into `to` (both objects); `{}` when they are equal. */
export function mergePatchBetween(from: unknown, to: unknown): Record<string, Json> {
  const source = isObject(from) ? from : {};
  const target = isObject(to) ? to : {};
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(source)) {
    if (!(key in target) || target[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(target)) {
    if (value === undefined) continue;
    const before = source[key];
    if (jsonEqual(before, value)) continue;
    patch[key] = isObject(value) && isObject(before) ? mergePatchBetween(before, value) : (value as Json);
  }
  return patch;
}

/** `patch` applied to `target` (RFC 7386 MergePatch), as a new document; `target` is left as it is. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

export function isEmptyPatch(patch: Record<string, unknown>): boolean {
  return Object.keys(patch).length === 0;
}

/**
 * The dotted paths where `from` and `to` differ, down to the first level where either side is
 * not an object (lists count as one value). Revert uses them to undo exactly what a change
 * set, leaving later edits of other fields alone.
 */
export function changedPaths(from: unknown, to: unknown, path = ''): string[] {
  if (!isObject(from) || !isObject(to)) return jsonEqual(from, to) ? [] : [path || '.'];
  const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
  const out: string[] = [];
  for (const key of keys) out.push(...changedPaths(from[key], to[key], path ? `${path}.${key}` : key));
  return out;
}

/** The value at a dotted path (`spec.mtls.mode`); undefined when any step is missing. */
export function valueAt(document: unknown, path: string): unknown {
  let node: unknown = document;
  for (const key of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A merge patch setting each path to its value in `source` (`null` where `source` lacks it). */
export function patchSetting(paths: string[], source: unknown): Record<string, Json> {
  const patch: Record<string, Json> = {};
  for (const path of paths) {
    const keys = path.split('.');
    let node = patch;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      node = (isObject(next) ? next : (node[key] = {})) as Record<string, Json>;
    }
    const value = valueAt(source, path);
    node[keys[keys.length - 1]!] = value === undefined ? null : (value as Json);
  }
  return patch;
}
