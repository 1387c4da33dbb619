import { AppMeshError } from './appMeshErrors';
import { validateClientToken } from './idempotencyCache';
import { queryValue, requireMesh, requireOwnedByCaller, type OperationContext } from './operationContext';
import type { MatchedOperation } from './operationRoutes';
import { paginate, withNextToken } from './paging';
import { toData, toRef } from './renderResource';
import { applyUpdate, buildResource, withMeshDefaults } from './resourceFactory';
import { isJsonObject, optionalTags, requireName } from './requestValidation';
import { resourceKey, type JsonObject, type ResourceAddress } from './storedResource';

/** ListMeshes, DescribeMesh, CreateMesh, UpdateMesh, DeleteMesh. */
export function runMeshOperation(match: MatchedOperation, ctx: OperationContext): JsonObject {
  switch (match.verb) {
    case 'List':
      return listMeshes(ctx);
    case 'Describe':
      return toData(requireMesh(ctx, match.meshName!));
    case 'Create':
      return createMesh(ctx);
    case 'Update':
      return updateMesh(match.meshName!, ctx);
    case 'Delete':
      return deleteMesh(match.meshName!, ctx);
  }
}

function listMeshes(ctx: OperationContext): JsonObject {
  const page = paginate(
    ctx.store.meshes(),
    (mesh) => `${mesh.name}\u0000${mesh.meshOwner}`,
    { limit: queryValue(ctx, 'limit'), nextToken: queryValue(ctx, 'nextToken') },
    'meshes',
  );
  return withNextToken({ meshes: page.items.map(toRef) }, page.nextToken);
}

function createMesh(ctx: OperationContext): JsonObject {
  const meshName = requireName(ctx.body.meshName, 'meshName');
  const clientToken = validateClientToken(ctx.body.clientToken);
  const address: ResourceAddress = { kind: 'mesh', meshName, meshOwner: ctx.callerAccount, name: meshName };
  const spec = ctx.body.spec === undefined ? undefined : isJsonObject(ctx.body.spec) ? ctx.body.spec : invalidSpec();
  const tags = optionalTags(ctx.body.tags);
  const scope = `CreateMesh\u0000${resourceKey(address)}`;
  const request = { meshName, spec, tags };
  const replayed = ctx.idempotency.replay(scope, clientToken, request);
  if (replayed) return replayed;
  if (ctx.store.get(address)) {
    throw new AppMeshError('ConflictException', `Mesh with name ${meshName} already exists for account ${ctx.callerAccount}`);
  }
  const mesh = buildResource({
    address,
    spec: withMeshDefaults(spec),
    tags,
    resourceOwner: ctx.callerAccount,
    region: ctx.region,
    nowMs: ctx.nowMs,
  });
  ctx.store.put(mesh);
  const response = toData(mesh);
  ctx.idempotency.remember(scope, clientToken, request, response);
  return response;
}

/** UpdateMesh has no `meshOwner`: only the owner may change a mesh. */
function updateMesh(meshName: string, ctx: OperationContext): JsonObject {
  const clientToken = validateClientToken(ctx.body.clientToken);
  const spec = ctx.body.spec === undefined ? undefined : isJsonObject(ctx.body.spec) ? ctx.body.spec : invalidSpec();
  const mesh = requireMesh(ctx, meshName, ctx.callerAccount);
  const scope = `UpdateMesh\u0000${resourceKey(mesh)}`;
  const replayed = ctx.idempotency.replay(scope, clientToken, { spec });
  if (replayed) return replayed;
  requireOwnedByCaller(ctx, mesh, 'Mesh');
  applyUpdate(mesh, withMeshDefaults(spec), ctx.nowMs);
  const response = toData(mesh);
  ctx.idempotency.remember(scope, clientToken, { spec }, response);
  return response;
}

function deleteMesh(meshName: string, ctx: OperationContext): JsonObject {
  const mesh = requireMesh(ctx, meshName, ctx.callerAccount);
  requireOwnedByCaller(ctx, mesh, 'Mesh');
  if (ctx.store.countInMesh(mesh.meshOwner, mesh.meshName) > 0) {
    throw new AppMeshError(
      'ResourceInUseException',
      `Mesh ${meshName} cannot be deleted because it still contains resources. Delete them first.`,
    );
  }
  ctx.store.remove(mesh);
  return toData(mesh, 'DELETED');
}

function invalidSpec(): never {
  throw new AppMeshError('BadRequestException', 'spec must be a structure.');
}
