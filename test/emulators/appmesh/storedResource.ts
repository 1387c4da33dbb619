import type { ResourceKind } from './resourceKinds';

export type JsonObject = { [key: string]: unknown };

/** `status.status` of every App Mesh resource (MeshStatusCode, VirtualNodeStatusCode, …). */
export type ResourceStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** Where a resource lives: meshes are identified by owner account and name. */
export interface ResourceAddress {
  kind: ResourceKind;
  meshName: string;
  /** Account that owns the mesh (App Mesh `meshOwner`). */
  meshOwner: string;
  /** `virtualRouterName` of a route, `virtualGatewayName` of a gateway route. */
  parentName?: string;
  /** The resource's own name; for a mesh, its mesh name. */
  name: string;
}

/** One resource as the emulator keeps it; rendered to the API shapes on the way out. */
export interface StoredResource extends ResourceAddress {
  spec: JsonObject;
  tags: JsonObject[];
  arn: string;
  uid: string;
  /** App Mesh `metadata.version`: 1 at creation, +1 on every update. */
  version: number;
  createdAtMs: number;
  lastUpdatedAtMs: number;
  /** Account that created the resource (differs from meshOwner in a shared mesh). */
  resourceOwner: string;
  status: ResourceStatusCode;
}

export function resourceKey(address: ResourceAddress): string {
  return [address.meshOwner, address.meshName, address.kind, address.parentName ?? '', address.name].join('\u0000');
}

/** ARN layout: `arn:aws:appmesh:<region>:<mesh owner>:mesh/<mesh>[/<parent kind>/<parent>]/<kind>/<name>`. */
export function arnOf(region: string, address: ResourceAddress, parentKind?: string): string {
  const meshPath = `mesh/${address.meshName}`;
  if (address.kind === 'mesh') return `arn:aws:appmesh:${region}:${address.meshOwner}:${meshPath}`;
  const parentPath = parentKind && address.parentName ? `/${parentKind}/${address.parentName}` : '';
  return `arn:aws:appmesh:${region}:${address.meshOwner}:${meshPath}${parentPath}/${address.kind}/${address.name}`;
}
