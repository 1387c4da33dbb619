import { MESH_SCOPED_KINDS, type MeshScopedKind } from './resourceKinds';
import type { JsonObject, StoredResource } from './storedResource';

/**
 * Renders stored resources to the wire shapes of the App Mesh API: `*Data` (Describe, Create,
 * Update, Delete payloads) and `*Ref` (List items). Timestamps are epoch seconds as JSON
 * numbers, the restJson1 default for `timestamp` members without a format trait.
 */

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** `MeshData`, `VirtualNodeData`, `RouteData`, …: what Describe returns. */
export function toData(resource: StoredResource, status = resource.status): JsonObject {
  const data: JsonObject = { meshName: resource.meshName };
  if (resource.kind !== 'mesh') {
    const descriptor = MESH_SCOPED_KINDS[resource.kind as MeshScopedKind];
    if (descriptor.parent) data[descriptor.parent.nameField] = resource.parentName;
    data[descriptor.nameField] = resource.name;
  }
  data.spec = structuredClone(resource.spec);
  data.metadata = {
    arn: resource.arn,
    version: resource.version,
    uid: resource.uid,
    createdAt: epochSeconds(resource.createdAtMs),
    lastUpdatedAt: epochSeconds(resource.lastUpdatedAtMs),
    meshOwner: resource.meshOwner,
    resourceOwner: resource.resourceOwner,
  };
  data.status = { status };
  return data;
}

/** `MeshRef`, `VirtualNodeRef`, `RouteRef`, …: what List returns per item. */
export function toRef(resource: StoredResource): JsonObject {
  const ref: JsonObject = { meshName: resource.meshName };
  if (resource.kind !== 'mesh') {
    const descriptor = MESH_SCOPED_KINDS[resource.kind as MeshScopedKind];
    if (descriptor.parent) ref[descriptor.parent.nameField] = resource.parentName;
    ref[descriptor.nameField] = resource.name;
  }
  ref.meshOwner = resource.meshOwner;
  ref.resourceOwner = resource.resourceOwner;
  ref.arn = resource.arn;
  ref.version = resource.version;
  ref.createdAt = epochSeconds(resource.createdAtMs);
  ref.lastUpdatedAt = epochSeconds(resource.lastUpdatedAtMs);
  return ref;
}
