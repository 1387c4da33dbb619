import { AppMeshError } from './appMeshErrors';
import { validateClientToken } from './idempotencyCache';
import { queryValue, requireMesh, requireOwnedByCaller, type OperationContext } from './operationContext';
import type { MatchedOperation } from './operationRoutes';
import { paginate, withNextToken } from './paging';
import { toData, toRef } from './renderResource';
import { applyUpdate, buildResource } from './resourceFactory';
import { inUseReason } from './resourceInUse';
import type { MeshScopedKindDescriptor } from './resourceKinds';
import { optionalTags, requireName, requireSpec } from './requestValidation';
import { resourceKey, type JsonObject, type ResourceAddress, type StoredResource } from './storedResource';

/**
 * List, Describe, Create, Update and Delete of the mesh-scoped kinds (virtual nodes,
 * services, routers, gateways, routes, gateway routes). All of them take `meshOwner` as a
 * query parameter and behave alike; the kind descriptor supplies the names.
 */
export function runMeshScopedOperation(match: MatchedOperation, ctx: OperationContext): JsonObject {
  const descriptor = match.descriptor!;
  const mesh = requireMesh(ctx, match.meshName!);
  const parentName = match.parentName;
  if (descriptor.parent) requireParent(ctx, descriptor, mesh, parentName!);
  const at = (name: string): ResourceAddress => ({
    kind: descriptor.kind,
    meshName: mesh.meshName,
    meshOwner: mesh.meshOwner,
    parentName,
    name,
  });

  switch (match.verb) {
    case 'List':
      return list(ctx, descriptor, mesh, parentName);
    case 'Describe':
      return toData(requireResource(ctx, descriptor, at(match.name!)));
    case 'Create':
      return create(ctx, match, descriptor, at(requireName(ctx.body[descriptor.nameField], descriptor.nameField)));
    case 'Update':
      return update(ctx, match, descriptor, at(match.name!));
    case 'Delete':
      return remove(ctx, descriptor, at(match.name!));
  }
}

function list(ctx: OperationContext, descriptor: MeshScopedKindDescriptor, mesh: StoredResource, parentName?: string): JsonObject {
  const items = ctx.store.list(descriptor.kind, mesh.meshOwner, mesh.meshName, parentName);
  const scope = [descriptor.kind, mesh.meshOwner, mesh.meshName, parentName ?? ''].join('/');
  const page = paginate(
    items,
    (r) => r.name,
    { limit: queryValue(ctx, 'limit'), nextToken: queryValue(ctx, 'nextToken') },
    scope,
  );
  return withNextToken({ [descriptor.collection]: page.items.map(toRef) }, page.nextToken);
}

function create(ctx: OperationContext, match: MatchedOperation, descriptor: MeshScopedKindDescriptor, address: ResourceAddress): JsonObject {
  const spec = requireSpec(ctx.body.spec);
  const tags = optionalTags(ctx.body.tags);
  const clientToken = validateClientToken(ctx.body.clientToken);
  const scope = `${match.operation}\u0000${resourceKey(address)}`;
  const request = { name: address.name, spec, tags };
  const replayed = ctx.idempotency.replay(scope, clientToken, request);
  if (replayed) return replayed;
  if (ctx.store.get(address)) {
    throw new AppMeshError('ConflictException', `${descriptor.singular} with name ${address.name} already exists ${where(address)}`);
  }
  const resource = buildResource({
    address,
    spec,
    tags,
    resourceOwner: ctx.callerAccount,
    region: ctx.region,
    nowMs: ctx.nowMs,
  });
  ctx.store.put(resource);
  const response = toData(resource);
  ctx.idempotency.remember(scope, clientToken, request, response);
  return response;
}

/** UpdateX replaces the whole spec (it is not a patch) and bumps `metadata.version`. */
function update(ctx: OperationContext, match: MatchedOperation, descriptor: MeshScopedKindDescriptor, address: ResourceAddress): JsonObject {
  const spec = requireSpec(ctx.body.spec);
  const clientToken = validateClientToken(ctx.body.clientToken);
  const scope = `${match.operation}\u0000${resourceKey(address)}`;
  const replayed = ctx.idempotency.replay(scope, clientToken, { spec });
  if (replayed) return replayed;
  const resource = requireResource(ctx, descriptor, address);
  requireOwnedByCaller(ctx, resource, descriptor.singular);
  applyUpdate(resource, spec, ctx.nowMs);
  const response = toData(resource);
  ctx.idempotency.remember(scope, clientToken, { spec }, response);
  return response;
}

function remove(ctx: OperationContext, descriptor: MeshScopedKindDescriptor, address: ResourceAddress): JsonObject {
  const resource = requireResource(ctx, descriptor, address);
  requireOwnedByCaller(ctx, resource, descriptor.singular);
  const reason = inUseReason(ctx.store, resource);
  if (reason) throw new AppMeshError('ResourceInUseException', `${reason}; it cannot be deleted.`);
  ctx.store.remove(resource);
  return toData(resource, 'DELETED');
}

function requireResource(ctx: OperationContext, descriptor: MeshScopedKindDescriptor, address: ResourceAddress): StoredResource {
  const resource = ctx.store.get(address);
  if (!resource) {
    // The service's wording, e.g. "VirtualNode with name app-a is not present under mesh m for account 1234…".
    throw new AppMeshError('NotFoundException', `${descriptor.singular} with name ${address.name} is not present ${where(address)}`);
  }
  return resource;
}

function requireParent(ctx: OperationContext, descriptor: MeshScopedKindDescriptor, mesh: StoredResource, parentName: string): void {
  const parent = descriptor.parent!;
  const address: ResourceAddress = { kind: parent.kind, meshName: mesh.meshName, meshOwner: mesh.meshOwner, name: parentName };
  if (!ctx.store.get(address)) {
    const noun = parent.kind === 'virtualRouter' ? 'VirtualRouter' : 'VirtualGateway';
    throw new AppMeshError('NotFoundException', `${noun} with name ${parentName} is not present ${where(address)}`);
  }
}

function where(address: ResourceAddress): string {
  const parentNoun = address.kind === 'route' ? 'virtual router' : address.kind === 'gatewayRoute' ? 'virtual gateway' : undefined;
  const underParent = parentNoun && address.parentName ? `under ${parentNoun} ${address.parentName} ` : '';
  return `${underParent}under mesh ${address.meshName} for account ${address.meshOwner}`;
}
