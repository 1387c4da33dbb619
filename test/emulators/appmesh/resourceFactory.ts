import { randomUUID } from 'node:crypto';
import { MESH_SCOPED_KINDS, type MeshScopedKind } from './resourceKinds';
import { arnOf, type JsonObject, type ResourceAddress, type ResourceStatusCode, type StoredResource } from './storedResource';

export interface NewResource {
  address: ResourceAddress;
  spec: JsonObject;
  resourceOwner: string;
  region: string;
  nowMs: number;
  tags?: JsonObject[];
  /** The fields below are given when seeding from an existing API object. */
  arn?: string;
  uid?: string;
  version?: number;
  createdAtMs?: number;
  lastUpdatedAtMs?: number;
  status?: ResourceStatusCode;
}

/** A resource as App Mesh creates it: version 1, a fresh uid, ACTIVE, created and updated now. */
export function buildResource(input: NewResource): StoredResource {
  const { address } = input;
  const parentKind = address.kind === 'mesh' ? undefined : MESH_SCOPED_KINDS[address.kind as MeshScopedKind].parent?.kind;
  const createdAtMs = input.createdAtMs ?? input.nowMs;
  return {
    ...address,
    spec: structuredClone(input.spec),
    tags: structuredClone(input.tags ?? []),
    arn: input.arn ?? arnOf(input.region, address, parentKind),
    uid: input.uid ?? randomUUID(),
    version: input.version ?? 1,
    createdAtMs,
    lastUpdatedAtMs: input.lastUpdatedAtMs ?? createdAtMs,
    resourceOwner: input.resourceOwner,
    status: input.status ?? 'ACTIVE',
  };
}

/** An update as App Mesh applies it: the spec is replaced whole, the version goes up by one. */
export function applyUpdate(resource: StoredResource, spec: JsonObject, nowMs: number): void {
  resource.spec = structuredClone(spec);
  resource.version += 1;
  resource.lastUpdatedAtMs = Math.max(nowMs, resource.lastUpdatedAtMs);
}

/** Mesh spec defaults: "By default, the type is DROP_ALL" (EgressFilter, App Mesh API Reference). */
export function withMeshDefaults(spec: JsonObject | undefined): JsonObject {
  const copy = structuredClone(spec ?? {});
  if (copy.egressFilter === undefined) copy.egressFilter = { type: 'DROP_ALL' };
  return copy;
}
