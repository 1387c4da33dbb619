/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`), after the Kubernetes
 * field manager (https://kubernetes.io/docs/reference/using-api/server-side-apply/):
 * - the applied configuration is merged into the live object field by field (lists atomic);
 * - the applier's `Apply` entry in managedFields becomes exactly the set of fields it sent;
 * - a field it owned before and no longer sends is removed, unless another manager owns it too;
 * - changing a value that another manager owns is a conflict (409) unless `force=true`, which
 *   moves the ownership to the applier; sending the same value shares ownership instead.
 */
import { deleteAt, formatPath, fromFieldsV1, isPrefixOf, leafValues, pathKey, pathsOverlap, setAt, valueAt, type FieldPath, type FieldScope } from './field-paths';
import { jsonEqual } from './json-equality';
import { newEntry, sameOwner, withoutPaths, type FieldOwner } from './managed-fields';
import { applyConflict } from './status-errors';
import type { JsonObject, ManagedFieldsEntry } from './types';

export interface ApplyRequest {
  /** The live object, or a stub `{apiVersion, kind, metadata: {name, namespace}}` when apply creates it. */
  live: JsonObject;
  applied: JsonObject;
  owner: FieldOwner;
  apiVersion: string;
  time: string;
  force: boolean;
  scope: FieldScope;
}

function entriesOf(object: JsonObject): ManagedFieldsEntry[] {
  const metadata = object['metadata'] as { managedFields?: ManagedFieldsEntry[] } | undefined;
  return metadata?.managedFields ?? [];
}

/** Returns the object after the apply, with its managedFields updated; throws a 409 StatusError on conflicts. */
export function serverSideApply(request: ApplyRequest): JsonObject {
  const { live, applied, owner } = request;
  const entries = entriesOf(live);
  const appliedLeaves = [...leafValues(applied, request.scope).values()];
  const appliedPaths = appliedLeaves.map((leaf) => leaf.path);

  const previouslyMine = entries.filter((e) => sameOwner(e, owner)).flatMap((e) => fromFieldsV1(e.fieldsV1));
  const others = entries.filter((e) => !sameOwner(e, owner));
  const ownedByOthers = others.flatMap((e) => fromFieldsV1(e.fieldsV1));

  const candidate = structuredClone(live);
  const appliedKeys = new Set(appliedPaths.map(pathKey));
  for (const stale of previouslyMine) {
    // Still sent: the same field, or something inside it (a map the applier keeps filling).
    const stillSent = appliedPaths.some((p) => isPrefixOf(stale, p));
    if (!stillSent && !ownedByOthers.some((p) => pathsOverlap(p, stale))) deleteAt(candidate, stale);
  }
  for (const leaf of appliedLeaves) setAt(candidate, leaf.path, leaf.value);

  // Another manager's field conflicts when this apply changes its value.
  const changedBy = (path: FieldPath): boolean => !jsonEqual(valueAt(live, path), valueAt(candidate, path));
  const conflicts: { manager: string; apiVersion: string; field: string }[] = [];
  const nextEntries: ManagedFieldsEntry[] = [];
  let mineAt = -1;
  for (const entry of entries) {
    if (sameOwner(entry, owner)) {
      if (mineAt < 0) mineAt = nextEntries.length;
      continue;
    }
    const contested = fromFieldsV1(entry.fieldsV1).filter((p) => appliedPaths.some((a) => pathsOverlap(a, p)) && changedBy(p));
    if (contested.length === 0) {
      nextEntries.push(entry);
    } else if (request.force) {
      const kept = withoutPaths(entry, contested);
      if (kept !== undefined) nextEntries.push(kept);
    } else {
      for (const path of contested) conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, field: formatPath(path) });
    }
  }
  if (conflicts.length > 0) throw applyConflict(conflicts);

  const sameFields = previouslyMine.length === appliedPaths.length && previouslyMine.every((p) => appliedKeys.has(pathKey(p)));
  const unchanged = sameFields && jsonEqual(stripManaged(candidate), stripManaged(live)) && nextEntries.length === others.length;
  if (unchanged) return live;

  if (appliedPaths.length > 0) {
    const mine = newEntry(owner, request.apiVersion, request.time, appliedPaths);
    if (mineAt < 0) nextEntries.push(mine);
    else nextEntries.splice(mineAt, 0, mine);
  }
  const metadata = (candidate['metadata'] ?? {}) as JsonObject;
  candidate['metadata'] = metadata;
  if (nextEntries.length > 0) metadata['managedFields'] = nextEntries as unknown as JsonObject[];
  else delete metadata['managedFields'];
  return candidate;
}

function stripManaged(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  const metadata = copy['metadata'] as JsonObject | undefined;
  if (metadata !== undefined) delete metadata['managedFields'];
  return copy;
}
