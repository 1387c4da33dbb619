import { ALL_MESH_SCOPED_KINDS, type MeshScopedKind, type ResourceKind } from './resourceKinds';
import { resourceKey, type ResourceAddress, type StoredResource } from './storedResource';

/**
 * The emulator's in-memory App Mesh state. It only stores and finds; the rules of the API
 * (ownership, conflicts, paging) live in the operation handlers.
 */
export class MeshStore {
  private readonly resources = new Map<string, StoredResource>();

  get(address: ResourceAddress): StoredResource | undefined {
    return this.resources.get(resourceKey(address));
  }

  put(resource: StoredResource): void {
    this.resources.set(resourceKey(resource), resource);
  }

  remove(address: ResourceAddress): void {
    this.resources.delete(resourceKey(address));
  }

  clear(): void {
    this.resources.clear();
  }

  /**
   * Meshes of every account, sorted by name then owner. The emulator does not model AWS RAM:
   * a mesh of another account is treated as shared with the caller.
   */
  meshes(): StoredResource[] {
    return [...this.resources.values()]
      .filter((r) => r.kind === 'mesh')
      .sort((a, b) => compare(a.name, b.name) || compare(a.meshOwner, b.meshOwner));
  }

  /** Resources of one kind in one mesh (and under one parent for routes), sorted by name. */
  list(kind: MeshScopedKind, meshOwner: string, meshName: string, parentName?: string): StoredResource[] {
    return [...this.resources.values()]
      .filter(
        (r) =>
          r.kind === kind &&
          r.meshOwner === meshOwner &&
          r.meshName === meshName &&
          (parentName === undefined || r.parentName === parentName),
      )
      .sort((a, b) => compare(a.parentName ?? '', b.parentName ?? '') || compare(a.name, b.name));
  }

  /** Every resource of a kind across all meshes, for introspection. */
  all(kind: ResourceKind): StoredResource[] {
    return [...this.resources.values()]
      .filter((r) => r.kind === kind)
      .sort(
        (a, b) =>
          compare(a.meshName, b.meshName) ||
          compare(a.meshOwner, b.meshOwner) ||
          compare(a.parentName ?? '', b.parentName ?? '') ||
          compare(a.name, b.name),
      );
  }

  /** How many resources of any mesh-scoped kind the mesh still holds. */
  countInMesh(meshOwner: string, meshName: string): number {
    return ALL_MESH_SCOPED_KINDS.reduce((n, d) => n + this.list(d.kind, meshOwner, meshName).length, 0);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
