import type { MeshStore } from './meshStore';
import { buildResource, withMeshDefaults } from './resourceFactory';
import { MESH_SCOPED_KINDS, type MeshScopedKind } from './resourceKinds';
import type { AppMeshSeed, SeedMetadata } from './seedTypes';
import type { JsonObject, ResourceAddress, ResourceStatusCode } from './storedResource';

export interface SeedDefaults {
  region: string;
  accountId: string;
  nowMs: number;
}

/** Seed order: parents before children, so routes find their router. */
const SEED_ORDER: Array<[keyof AppMeshSeed, MeshScopedKind]> = [
  ['virtualRouters', 'virtualRouter'],
  ['virtualGateways', 'virtualGateway'],
  ['virtualNodes', 'virtualNode'],
  ['virtualServices', 'virtualService'],
  ['routes', 'route'],
  ['gatewayRoutes', 'gatewayRoute'],
];

/**
 * Puts API-shaped objects into the store, replacing any resource at the same address.
 * A resource whose mesh is not seeded gets that mesh created (owned by its `meshOwner`);
 * a route or gateway route whose parent is missing is a test-authoring error and throws.
 */
export function seedStore(store: MeshStore, seed: AppMeshSeed, defaults: SeedDefaults): void {
  for (const mesh of seed.meshes ?? []) {
    const meshName = requireSeedName(mesh.meshName, 'meshes[].meshName');
    const meshOwner = mesh.metadata?.meshOwner ?? defaults.accountId;
    putSeed(store, defaults, { kind: 'mesh', meshName, meshOwner, name: meshName }, withMeshDefaults(asJson(mesh.spec)), mesh.metadata, mesh.status);
  }
  for (const [seedKey, kind] of SEED_ORDER) {
    const descriptor = MESH_SCOPED_KINDS[kind];
    for (const item of (seed[seedKey] ?? []) as Array<JsonObject & { metadata?: SeedMetadata; status?: { status?: string } }>) {
      const meshName = requireSeedName(item.meshName, `${seedKey}[].meshName`);
      const name = requireSeedName(item[descriptor.nameField], `${seedKey}[].${descriptor.nameField}`);
      const meshOwner = item.metadata?.meshOwner ?? defaults.accountId;
      ensureMesh(store, defaults, meshName, meshOwner);
      let parentName: string | undefined;
      if (descriptor.parent) {
        parentName = requireSeedName(item[descriptor.parent.nameField], `${seedKey}[].${descriptor.parent.nameField}`);
        const parent = { kind: descriptor.parent.kind, meshName, meshOwner, name: parentName };
        if (!store.get(parent)) {
          throw new Error(`seed: ${descriptor.singular} ${name} needs ${descriptor.parent.kind} ${parentName} in mesh ${meshName}; seed it first`);
        }
      }
      putSeed(store, defaults, { kind, meshName, meshOwner, parentName, name }, asJson(item.spec), item.metadata, item.status);
    }
  }
}

function putSeed(
  store: MeshStore,
  defaults: SeedDefaults,
  address: ResourceAddress,
  spec: JsonObject,
  metadata: SeedMetadata | undefined,
  status: { status?: string } | undefined,
): void {
  store.put(
    buildResource({
      address,
      spec,
      resourceOwner: metadata?.resourceOwner ?? address.meshOwner,
      region: defaults.region,
      nowMs: defaults.nowMs,
      arn: metadata?.arn,
      uid: metadata?.uid,
      version: metadata?.version,
      createdAtMs: toEpochMs(metadata?.createdAt, 'createdAt'),
      lastUpdatedAtMs: toEpochMs(metadata?.lastUpdatedAt, 'lastUpdatedAt'),
      status: toStatus(status?.status),
    }),
  );
}

function ensureMesh(store: MeshStore, defaults: SeedDefaults, meshName: string, meshOwner: string): void {
  const address: ResourceAddress = { kind: 'mesh', meshName, meshOwner, name: meshName };
  if (!store.get(address)) putSeed(store, defaults, address, withMeshDefaults(undefined), undefined, undefined);
}

function requireSeedName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`seed: ${where} is required`);
  return value;
}

function asJson(spec: unknown): JsonObject {
  return spec && typeof spec === 'object' ? (JSON.parse(JSON.stringify(spec)) as JsonObject) : {};
}

/** Epoch seconds (wire form), a Date, or a parseable date string, to epoch milliseconds. */
function toEpochMs(value: Date | number | string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`seed: metadata.${field} ${String(value)} is not a date`);
  return ms;
}

function toStatus(value: string | undefined): ResourceStatusCode | undefined {
  if (value === undefined) return undefined;
  if (value === 'ACTIVE' || value === 'INACTIVE' || value === 'DELETED') return value;
  throw new Error(`seed: status ${value} is not ACTIVE, INACTIVE or DELETED`);
}
