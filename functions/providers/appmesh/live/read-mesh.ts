/**
 * A full read of one mesh: its Describe, every List page of the mesh-level types (100 per
 * page), the routes of every router and the gateway routes of every gateway, and one Describe
 * per resource. With an earlier snapshot, a resource whose listed `version` and `createdAt`
 * match the held copy is taken from it instead of described again: App Mesh bumps
 * `metadata.version` on every update, so an equal version means an equal spec, and a
 * resource deleted and created again has a new `createdAt` (List items carry no `uid`). That
 * is how a scoped audit revalidates a held snapshot; a held resource the lists no longer show
 * is left out.
 */
import type { AppMeshApiType } from '../../../core/model/inventory';
import { CHILD_TYPE, MESH_LEVEL_TYPES, type ListedRef, type ResourceAddress } from './api-kinds';
import type { CallStats } from './call-stats';
import { AppMeshCallError } from './errors';
import type { MeshApi } from './mesh-api';
import { MeshSnapshot } from './mesh-snapshot';
import { TaskGroup } from './task-group';

export interface MeshToRead {
  meshName: string;
  /** Omitted: the caller's own mesh (App Mesh's default); the Describe then says who owns it. */
  meshOwner?: string;
  /** The mesh's List item, when ListMeshes gave one (its version spares a Describe). */
  listed?: ListedRef;
}

/**
 * @returns the new snapshot, or undefined when the mesh does not exist (any more).
 */
export async function readMesh(
  api: MeshApi,
  mesh: MeshToRead,
  stats: CallStats,
  options: { previous?: MeshSnapshot; startedAt: number },
): Promise<MeshSnapshot | undefined> {
  const meshData = reusable(options.previous, 'mesh', mesh.meshName, undefined, mesh.listed) ??
    (await api.describe('mesh', { meshName: mesh.meshName, meshOwner: mesh.meshOwner, name: mesh.meshName }, stats));
  if (!meshData) return undefined;
  const meshOwner: string = mesh.meshOwner ?? meshData.metadata?.meshOwner ?? '';
  const snapshot = new MeshSnapshot(mesh.meshName, meshOwner, options.startedAt);
  snapshot.put('mesh', meshData);

  const where = { meshName: mesh.meshName, meshOwner: meshOwner || undefined };
  const group = new TaskGroup();

  const take = (type: AppMeshApiType, ref: ListedRef, parentName?: string) => {
    const held = reusable(options.previous, type, ref.name, parentName, ref);
    if (held) {
      snapshot.put(type, held);
      return;
    }
    // After a failure the read is lost anyway: spend no more of the quota on it.
    if (group.failed) return;
    const address: ResourceAddress = { ...where, parentName, name: ref.name };
    group.add(
      api.describe(type, address, stats).then((data) => {
        // Gone between its List and its Describe: it is not part of the mesh any more.
        if (data) snapshot.put(type, data);
      }),
    );
  };

  const listAll = (type: AppMeshApiType, parentName?: string) =>
    api
      .list(type, { ...where, parentName }, stats, (refs) => {
        const child = CHILD_TYPE[type];
        for (const ref of refs) {
          take(type, ref, parentName);
          if (child) group.add(listAll(child, ref.name));
        }
      })
      .catch((error: unknown) => {
        // A router or gateway (or the mesh) deleted while it was being read has nothing to list.
        if (error instanceof AppMeshCallError && error.errorName === 'NotFoundException') return;
        throw error;
      });

  for (const type of MESH_LEVEL_TYPES) group.add(listAll(type));
  await group.settle();
  return snapshot;
}

/** The held copy when the List item shows it is still current. */
function reusable(
  previous: MeshSnapshot | undefined,
  type: AppMeshApiType,
  name: string,
  parentName: string | undefined,
  ref: ListedRef | undefined,
): Record<string, any> | undefined {
  if (!previous || !ref || ref.version === undefined) return undefined;
  const held = previous.versionOf(type, name, parentName);
  if (!held || held.version !== ref.version) return undefined;
  if (held.createdAt !== undefined && ref.createdAt !== undefined && held.createdAt !== ref.createdAt.getTime()) return undefined;
  return previous.get(type, name, parentName);
}
