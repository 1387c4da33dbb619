import type {
  GatewayRouteData,
  MeshData,
  RouteData,
  VirtualGatewayData,
  VirtualNodeData,
  VirtualRouterData,
  VirtualServiceData,
} from '@aws-sdk/client-app-mesh';

/**
 * Seed input: App Mesh API objects as Describe returns them (the SDK's `*Data` types), with
 * `metadata` and `status` optional. Missing metadata is filled in the way App Mesh would:
 * owners default to the emulator's account, version to 1, timestamps to now.
 */
export interface SeedMetadata {
  arn?: string;
  version?: number;
  uid?: string;
  /** A Date, epoch seconds (the wire form), or a date string. */
  createdAt?: Date | number | string;
  lastUpdatedAt?: Date | number | string;
  meshOwner?: string;
  resourceOwner?: string;
}

export type SeedOf<T> = Omit<T, 'metadata' | 'status'> & {
  metadata?: SeedMetadata;
  status?: { status?: string };
};

export interface AppMeshSeed {
  meshes?: Array<Omit<SeedOf<MeshData>, 'spec'> & { spec?: MeshData['spec'] }>;
  virtualNodes?: Array<SeedOf<VirtualNodeData>>;
  virtualServices?: Array<SeedOf<VirtualServiceData>>;
  virtualRouters?: Array<SeedOf<VirtualRouterData>>;
  virtualGateways?: Array<SeedOf<VirtualGatewayData>>;
  routes?: Array<SeedOf<RouteData>>;
  gatewayRoutes?: Array<SeedOf<GatewayRouteData>>;
}
