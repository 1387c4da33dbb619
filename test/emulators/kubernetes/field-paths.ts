/**
 * Field paths inside an object, the unit of ownership in `metadata.managedFields`.
 *
 * A leaf is a scalar, an array, or an empty map. Arrays are atomic: the emulator owns and
 * replaces them whole, which is exact for Istio and cert-manager CRDs (their schemas set no
 * x-kubernetes-list-type, so lists are atomic) and a simplification for built-in keyed lists
 * such as `containers`. Fields the API server owns itself (name, uid, resourceVersion, …) are
 * never part of a field set.
 */
import { isJsonObject } from './merge-patch';
import type { Json, JsonObject } from './types';

export type FieldPath = string[];

const SYSTEM_METADATA = new Set([
  'name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName',
]);

/** Which part of an object a write may own: the main resource (all but status) or the status subresource. */
export type FieldScope = 'main' | 'status' | 'all';

function inScope(path: FieldPath, scope: FieldScope): boolean {
  const top = path[0];
  if (top === 'apiVersion' || top === 'kind') return false;
  if (top === 'metadata' && path.length > 1 && SYSTEM_METADATA.has(path[1]!)) return false;
  if (scope === 'main') return top !== 'status';
  if (scope === 'status') return top === 'status';
  return true;
}

/** Every leaf of `object` in scope, with its value. Keyed by `pathKey`. */
export function leafValues(object: Json, scope: FieldScope): Map<string, { path: FieldPath; value: Json }> {
  const leaves = new Map<string, { path: FieldPath; value: Json }>();
  const walk = (node: Json, path: FieldPath): void => {
    if (path.length > 0 && !inScope(path, scope)) return;
    if (isJsonObject(node) && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
    } else if (path.length > 0) {
      leaves.set(pathKey(path), { path, value: node });
    }
  };
  walk(object, []);
  return leaves;
}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/** `.spec.mtls.mode`, the notation apply conflicts use. */
export function formatPath(path: FieldPath): string {
  return path.map((segment) => `.${segment}`).join('');
}

/** True when `prefix` is `path` or one of its ancestors. */
export function isPrefixOf(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/** True when one path is the other or lies inside it. */
export function pathsOverlap(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

export function valueAt(object: Json, path: FieldPath): Json | undefined {
  let node: Json | undefined = object;
  for (const segment of path) {
    if (!isJsonObject(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/** Sets a leaf, creating the maps on the way; an empty map leaf only ensures the map exists. */
export function setAt(object: JsonObject, path: FieldPath, value: Json): void {
  let node: JsonObject = object;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (!isJsonObject(next)) node[segment] = {};
    node = node[segment] as JsonObject;
  }
  const last = path[path.length - 1]!;
  if (isJsonObject(value) && Object.keys(value).length === 0 && isJsonObject(node[last])) return;
  node[last] = structuredClone(value);
}

/** Removes a leaf, then any map the removal left empty (SSA does not keep emptied maps around). */
export function deleteAt(object: JsonObject, path: FieldPath): void {
  const parents: JsonObject[] = [];
  let node: Json | undefined = object;
  for (const segment of path.slice(0, -1)) {
    if (!isJsonObject(node)) return;
    parents.push(node);
    node = node[segment];
  }
  if (!isJsonObject(node)) return;
  delete node[path[path.length - 1]!];
  for (let i = parents.length - 1; i >= 0; i -= 1) {
    const child = parents[i]![path[i]!];
    const keepsMetadata = i === 0 && path[0] === 'metadata';
    if (isJsonObject(child) && Object.keys(child).length === 0 && !keepsMetadata) delete parents[i]![path[i]!];
    else break;
  }
}

/** Field set → FieldsV1 (`{"f:spec":{"f:mtls":{"f:mode":{}}}}`). */
export function toFieldsV1(paths: Iterable<FieldPath>): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const key = `f:${segment}`;
      if (!isJsonObject(node[key])) node[key] = {};
      node = node[key] as JsonObject;
    }
  }
  return root;
}

/** FieldsV1 → field set. List-item keys (`k:`, `v:`, `i:`) make their list an atomic leaf. */
export function fromFieldsV1(fields: JsonObject): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: JsonObject, path: FieldPath): void => {
    const keys = Object.keys(node).filter((k) => k !== '.');
    const childKeys = keys.filter((k) => k.startsWith('f:'));
    if (keys.some((k) => !k.startsWith('f:')) || childKeys.length === 0) {
      if (path.length > 0) paths.push(path);
      return;
    }
    for (const key of childKeys) walk(isJsonObject(node[key]) ? (node[key] as JsonObject) : {}, [...path, key.slice(2)]);
  };
  walk(fields, []);
  return paths;
}
