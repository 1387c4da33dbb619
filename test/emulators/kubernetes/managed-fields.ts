/**
 * Bookkeeping of `metadata.managedFields` for non-apply writes (create, update, patch), after
 * the Kubernetes field manager: the writer becomes the owner of every field it changed, with
 * operation `Update`, and previous owners lose those fields. A write that changes nothing
 * leaves the entries alone, so a no-op stays a no-op.
 * https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
 */
import { formatPath, fromFieldsV1, leafValues, pathKey, pathsOverlap, toFieldsV1, type FieldPath, type FieldScope } from './field-paths';
import { jsonEqual } from './json-equality';
import type { Json, ManagedFieldsEntry } from './types';

export interface FieldOwner {
  manager: string;
  operation: 'Apply' | 'Update';
  /** `status` for writes through the status subresource. */
  subresource?: string;
}

export function sameOwner(entry: ManagedFieldsEntry, owner: FieldOwner): boolean {
  return entry.manager === owner.manager && entry.operation === owner.operation && (entry.subresource ?? '') === (owner.subresource ?? '');
}

export function newEntry(owner: FieldOwner, apiVersion: string, time: string, paths: FieldPath[]): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager: owner.manager, operation: owner.operation, apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(paths) };
  if (owner.subresource !== undefined) entry.subresource = owner.subresource;
  return entry;
}

/** Drops `taken` paths (and anything overlapping them) from an entry; undefined when nothing is left. */
export function withoutPaths(entry: ManagedFieldsEntry, taken: FieldPath[]): ManagedFieldsEntry | undefined {
  const paths = fromFieldsV1(entry.fieldsV1);
  const kept = paths.filter((p) => !taken.some((t) => pathsOverlap(t, p)));
  if (kept.length === 0) return undefined;
  return kept.length === paths.length ? entry : { ...entry, fieldsV1: toFieldsV1(kept) };
}

/** The managedFields after `owner` turned `before` into `after` with an Update operation. */
export function recordUpdate(
  entries: ManagedFieldsEntry[],
  before: Json | undefined,
  after: Json,
  owner: FieldOwner,
  apiVersion: string,
  time: string,
  scope: FieldScope,
): ManagedFieldsEntry[] {
  const oldLeaves = before === undefined ? new Map<string, { path: FieldPath; value: Json }>() : leafValues(before, scope);
  const newLeaves = leafValues(after, scope);
  const changed = [...newLeaves.entries()]
    .filter(([key, leaf]) => !oldLeaves.has(key) || !jsonEqual(oldLeaves.get(key)!.value, leaf.value))
    .map(([, leaf]) => leaf.path);
  const removed = [...oldLeaves.keys()].filter((key) => !newLeaves.has(key)).map((key) => oldLeaves.get(key)!.path);
  if (changed.length === 0 && removed.length === 0) return entries;

  const touched = [...changed, ...removed];
  const result: ManagedFieldsEntry[] = [];
  let mine: FieldPath[] = [];
  let mineAt = -1;
  for (const entry of entries) {
    if (sameOwner(entry, owner)) {
      mine = fromFieldsV1(entry.fieldsV1);
      mineAt = result.length;
      continue;
    }
    const kept = withoutPaths(entry, touched);
    if (kept !== undefined) result.push(kept);
  }
  const owned = new Map<string, FieldPath>();
  for (const path of [...mine, ...changed]) if (newLeaves.has(pathKey(path))) owned.set(pathKey(path), path);
  if (owned.size > 0) {
    const entry = newEntry(owner, apiVersion, time, [...owned.values()]);
    if (mineAt < 0) result.push(entry);
    else result.splice(mineAt, 0, entry);
  }
  return result;
}

/** Who owns which field, for assertions: `{ meshgov: ['.spec.mtls.mode'] }`. */
export function ownersByField(entries: ManagedFieldsEntry[] | undefined): Record<string, string[]> {
  const owners: Record<string, string[]> = {};
  for (const entry of entries ?? []) owners[entry.manager] = [...(owners[entry.manager] ?? []), ...fromFieldsV1(entry.fieldsV1).map(formatPath)];
  return owners;
}
