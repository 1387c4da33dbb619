/**
 * What the API server's generic registry does to every create and update before it reaches
 * etcd, in its order: fill or keep the system metadata, enforce the resourceVersion
 * precondition, split main resource and status subresource, validate, record field
 * ownership, skip no-op writes (they keep their resourceVersion), bump `generation` on spec
 * changes, then stamp the next resourceVersion and store.
 */
import { randomUUID } from 'node:crypto';
import type { FieldScope } from './field-paths';
import { canonicalJson } from './json-equality';
import { recordUpdate, type FieldOwner } from './managed-fields';
import { namespaceNotFound, conflict, invalid, alreadyExists } from './status-errors';
import { groupVersionOf, RESOURCE_TYPES, resolveResourceName, type ResourceType } from './resource-catalog';
import type { ObjectStore } from './object-store';
import type { Json, KubernetesObject, ObjectMeta } from './types';
import { validateObject } from './validation';

export interface WriteContext {
  store: ObjectStore;
  resource: ResourceType;
  /** The version the request came in; managedFields entries record it. */
  version: string;
  subresource?: 'status';
  owner: FieldOwner;
  /** Current time, RFC 3339. */
  now: string;
  dryRun: boolean;
  /** Server-side apply has already written managedFields into the candidate. */
  managedFieldsDone?: boolean;
}

const IDENTITY_FIELDS = ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

function scopeOf(context: WriteContext): FieldScope {
  if (context.subresource === 'status') return 'status';
  return context.resource.hasStatusSubresource ? 'main' : 'all';
}

/** Everything but metadata and status: what `generation` tracks. */
function specPart(object: KubernetesObject): string {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return canonicalJson(rest);
}

function withoutResourceVersion(object: KubernetesObject): string {
  const copy = structuredClone(object);
  delete copy.metadata.resourceVersion;
  return canonicalJson({ ...copy, apiVersion: '', kind: '' });
}

const NAMESPACE_RESOURCE = (): ResourceType => resolveResourceName('namespaces');

export function namespaceExists(store: ObjectStore, namespace: string): boolean {
  return store.get(NAMESPACE_RESOURCE(), undefined, namespace) !== undefined;
}

function applySystemLabels(resource: ResourceType, metadata: ObjectMeta): void {
  if (resource.systemLabels === undefined) return;
  metadata.labels = { ...(metadata.labels ?? {}), ...resource.systemLabels(metadata.name ?? '') };
}

/** Creates `candidate` (name already resolved). Status is reset, as registry strategies do on create. */
export function commitCreate(context: WriteContext, candidate: KubernetesObject): KubernetesObject {
  const { store, resource } = context;
  const metadata = candidate.metadata;
  const name = metadata.name!;
  if (resource.namespaced && !namespaceExists(store, metadata.namespace ?? '')) throw namespaceNotFound(metadata.namespace ?? '');
  if (store.get(resource, metadata.namespace, name) !== undefined) throw alreadyExists(resource, name);

  const object: KubernetesObject = { ...structuredClone(candidate), apiVersion: groupVersionOf(resource.group, context.version), kind: resource.kind };
  const meta = object.metadata;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  meta.uid = randomUUID();
  meta.creationTimestamp = context.now;
  if (resource.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  applySystemLabels(resource, meta);
  if (resource.hasStatusSubresource) delete object['status'];
  if (resource.kind === 'Namespace') {
    object['spec'] = { finalizers: ['kubernetes'] };
    object['status'] = { phase: 'Active' };
  }

  const errors = validateObject(resource, object);
  if (errors.length > 0) throw invalid(resource, name, errors);

  if (!context.managedFieldsDone) {
    const entries = recordUpdate([], undefined, object as unknown as Json, context.owner, object.apiVersion, context.now, scopeOf(context));
    if (entries.length > 0) meta.managedFields = entries;
    else delete meta.managedFields;
  }
  if (!context.dryRun) {
    meta.resourceVersion = store.nextResourceVersion();
    store.put(resource, object);
  }
  return object;
}

/** Updates `existing` to `candidate`; answers the stored object (unchanged for a no-op). */
export function commitUpdate(context: WriteContext, existing: KubernetesObject, candidate: KubernetesObject): KubernetesObject {
  const { store, resource } = context;
  const name = existing.metadata.name!;
  const requested = candidate.metadata?.resourceVersion;
  if (requested !== undefined && requested !== '' && requested !== existing.metadata.resourceVersion) throw conflict(resource, name);

  let next: KubernetesObject;
  if (context.subresource === 'status') {
    // A status write changes status only (plus the ownership of it).
    next = structuredClone(existing);
    if (candidate['status'] === undefined) delete next['status'];
    else next['status'] = structuredClone(candidate['status']);
    if (context.managedFieldsDone && candidate.metadata.managedFields !== undefined) next.metadata.managedFields = candidate.metadata.managedFields;
  } else {
    next = structuredClone(candidate);
    next.metadata = next.metadata ?? {};
    const nextMeta = next.metadata as Record<string, unknown>;
    for (const field of IDENTITY_FIELDS) {
      if (existing.metadata[field] === undefined) delete nextMeta[field];
      else nextMeta[field] = existing.metadata[field];
    }
    if (resource.hasStatusSubresource) {
      if (existing['status'] === undefined) delete next['status'];
      else next['status'] = structuredClone(existing['status']);
    }
    applySystemLabels(resource, next.metadata);
  }
  next.apiVersion = existing.apiVersion;
  next.kind = resource.kind;
  next.metadata.resourceVersion = existing.metadata.resourceVersion!;
  if (existing.metadata.generation === undefined) delete next.metadata.generation;
  else next.metadata.generation = existing.metadata.generation;
  if (!context.managedFieldsDone) delete next.metadata.managedFields;

  const errors = validateObject(resource, next);
  if (errors.length > 0) throw invalid(resource, name, errors);

  if (!context.managedFieldsDone) {
    const before = existing.metadata.managedFields ?? [];
    const entries = recordUpdate(before, existing as unknown as Json, next as unknown as Json, context.owner, groupVersionOf(resource.group, context.version), context.now, scopeOf(context));
    if (entries.length > 0) next.metadata.managedFields = entries;
  }
  if (withoutResourceVersion(next) === withoutResourceVersion(existing)) return existing;

  if (resource.tracksGeneration && specPart(next) !== specPart(existing)) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
  if (context.dryRun) return next;

  next.metadata.resourceVersion = store.nextResourceVersion();
  // An update that clears the last finalizer of an object being deleted completes the deletion.
  if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
    store.remove(resource, next.metadata.namespace, name);
    if (resource.kind === 'Namespace') store.removeNamespaceContents(name, RESOURCE_TYPES);
    return next;
  }
  store.put(resource, next);
  return next;
}
