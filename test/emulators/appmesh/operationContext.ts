import { AppMeshError } from './appMeshErrors';
import type { IdempotencyCache } from './idempotencyCache';
import type { MeshStore } from './meshStore';
import type { JsonObject, StoredResource } from './storedResource';

/** Everything an operation handler may read or change for one request. */
export interface OperationContext {
  store: MeshStore;
  idempotency: IdempotencyCache;
  region: string;
  /** Account of the caller (from the SigV4 credential scope). */
  callerAccount: string;
  nowMs: number;
  query: URLSearchParams;
  body: JsonObject;
}

/** Optional query string member; an empty value counts as absent. */
export function queryValue(ctx: OperationContext, name: string): string | undefined {
  const value = ctx.query.get(name);
  return value === null || value === '' ? undefined : value;
}

/**
 * The mesh a request addresses. App Mesh looks a mesh up in the caller's own account unless
 * `meshOwner` names the account that shared it ("If the account ID is not your own, then it's
 * the ID of the account that shared the mesh with your account", API Reference).
 */
export function requireMesh(ctx: OperationContext, meshName: string, meshOwner = queryValue(ctx, 'meshOwner')): StoredResource {
  const owner = meshOwner ?? ctx.callerAccount;
  const mesh = ctx.store.get({ kind: 'mesh', meshName, meshOwner: owner, name: meshName });
  if (!mesh) {
    throw new AppMeshError('NotFoundException', `Mesh with name ${meshName} is not present for account ${owner}`);
  }
  return mesh;
}

/** Writes are allowed only to the account that owns the resource (App Mesh `resourceOwner`). */
export function requireOwnedByCaller(ctx: OperationContext, resource: StoredResource, label: string): void {
  if (resource.resourceOwner !== ctx.callerAccount) {
    throw new AppMeshError(
      'ForbiddenException',
      `Account ${ctx.callerAccount} is not authorized to modify ${label} ${resource.name}: ` +
        `it is owned by account ${resource.resourceOwner}`,
    );
  }
}
