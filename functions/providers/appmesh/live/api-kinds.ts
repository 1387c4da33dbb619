/**
 * The seven App Mesh resource types as the live reader calls them: the List paginator and the
 * Describe command of each, the member that carries the list or the `*Data`, and the name
 * fields (App Mesh API Reference; `DescribeVirtualNodeOutput.virtualNode`, `ListRoutesInput.virtualRouterName`, …).
 */
import {
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  paginateListGatewayRoutes,
  paginateListMeshes,
  paginateListRoutes,
  paginateListVirtualGateways,
  paginateListVirtualNodes,
  paginateListVirtualRouters,
  paginateListVirtualServices,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { APPMESH_LIST_MEMBER, type AppMeshApiType } from '../../../core/model/inventory';

/** Where one resource lives. `meshOwner` is omitted for a mesh of the caller's own account. */
export interface ResourceAddress {
  meshName: string;
  meshOwner?: string;
  /** `virtualRouterName` of a route, `virtualGatewayName` of a gateway route. */
  parentName?: string;
  name: string;
}

/** What a List item tells about one resource (the API's `*Ref`). */
export interface ListedRef {
  name: string;
  meshOwner?: string;
  resourceOwner?: string;
  version?: number;
  createdAt?: Date;
}

type Page = Record<string, unknown> & { $metadata?: unknown };

export interface ApiKind {
  type: AppMeshApiType;
  /** `virtualNodeName`, `routeName`, … in `*Data`, `*Ref` and the request. */
  nameField: string;
  /** `virtualRouterName` / `virtualGatewayName` for the two child types. */
  parentField?: string;
  /** The type listed under the parent (routes under routers, gateway routes under gateways). */
  childOf?: AppMeshApiType;
  listOperation: string;
  describeOperation: string;
  /** Pages of `*Ref`s; `parentName` for the child types. */
  pages(client: AppMeshClient, where: { meshName?: string; meshOwner?: string; parentName?: string }): AsyncIterator<Page>;
  refsOf(page: Page): Array<Record<string, unknown>>;
  describe(client: AppMeshClient, address: ResourceAddress): Promise<{ data: unknown; output: unknown }>;
}

/** Page size: the API's maximum ("limit … 1 and 100"). */
export const PAGE_SIZE = 100;

function meshInput(where: { meshName?: string; meshOwner?: string }): { meshName: string; meshOwner?: string } {
  return where.meshOwner ? { meshName: where.meshName!, meshOwner: where.meshOwner } : { meshName: where.meshName! };
}

function iterate<T>(pages: AsyncIterable<T>): AsyncIterator<Page> {
  return pages[Symbol.asyncIterator]() as unknown as AsyncIterator<Page>;
}

function refs(member: string): (page: Page) => Array<Record<string, unknown>> {
  return (page) => (Array.isArray(page[member]) ? (page[member] as Array<Record<string, unknown>>) : []);
}

export const API_KINDS: Record<AppMeshApiType, ApiKind> = {
  mesh: {
    type: 'mesh',
    nameField: 'meshName',
    listOperation: 'ListMeshes',
    describeOperation: 'DescribeMesh',
    pages: (client) => iterate(paginateListMeshes({ client, pageSize: PAGE_SIZE }, {})),
    refsOf: refs(APPMESH_LIST_MEMBER.mesh),
    describe: async (client, a) => {
      const output = await client.send(new DescribeMeshCommand(meshInput(a)));
      return { data: output.mesh, output };
    },
  },
  virtualNode: {
    type: 'virtualNode',
    nameField: 'virtualNodeName',
    listOperation: 'ListVirtualNodes',
    describeOperation: 'DescribeVirtualNode',
    pages: (client, w) => iterate(paginateListVirtualNodes({ client, pageSize: PAGE_SIZE }, meshInput(w))),
    refsOf: refs(APPMESH_LIST_MEMBER.virtualNode),
    describe: async (client, a) => {
      const output = await client.send(new DescribeVirtualNodeCommand({ ...meshInput(a), virtualNodeName: a.name }));
      return { data: output.virtualNode, output };
    },
  },
  virtualGateway: {
    type: 'virtualGateway',
    nameField: 'virtualGatewayName',
    listOperation: 'ListVirtualGateways',
    describeOperation: 'DescribeVirtualGateway',
    pages: (client, w) => iterate(paginateListVirtualGateways({ client, pageSize: PAGE_SIZE }, meshInput(w))),
    refsOf: refs(APPMESH_LIST_MEMBER.virtualGateway),
    describe: async (client, a) => {
      const output = await client.send(new DescribeVirtualGatewayCommand({ ...meshInput(a), virtualGatewayName: a.name }));
      return { data: output.virtualGateway, output };
    },
  },
  virtualService: {
    type: 'virtualService',
    nameField: 'virtualServiceName',
    listOperation: 'ListVirtualServices',
    describeOperation: 'DescribeVirtualService',
    pages: (client, w) => iterate(paginateListVirtualServices({ client, pageSize: PAGE_SIZE }, meshInput(w))),
    refsOf: refs(APPMESH_LIST_MEMBER.virtualService),
    describe: async (client, a) => {
      const output = await client.send(new DescribeVirtualServiceCommand({ ...meshInput(a), virtualServiceName: a.name }));
      return { data: output.virtualService, output };
    },
  },
  virtualRouter: {
    type: 'virtualRouter',
    nameField: 'virtualRouterName',
    listOperation: 'ListVirtualRouters',
    describeOperation: 'DescribeVirtualRouter',
    pages: (client, w) => iterate(paginateListVirtualRouters({ client, pageSize: PAGE_SIZE }, meshInput(w))),
    refsOf: refs(APPMESH_LIST_MEMBER.virtualRouter),
    describe: async (client, a) => {
      const output = await client.send(new DescribeVirtualRouterCommand({ ...meshInput(a), virtualRouterName: a.name }));
      return { data: output.virtualRouter, output };
    },
  },
  route: {
    type: 'route',
    nameField: 'routeName',
    parentField: 'virtualRouterName',
    childOf: 'virtualRouter',
    listOperation: 'ListRoutes',
    describeOperation: 'DescribeRoute',
    pages: (client, w) => iterate(paginateListRoutes({ client, pageSize: PAGE_SIZE }, { ...meshInput(w), virtualRouterName: w.parentName! })),
    refsOf: refs(APPMESH_LIST_MEMBER.route),
    describe: async (client, a) => {
      const output = await client.send(new DescribeRouteCommand({ ...meshInput(a), virtualRouterName: a.parentName!, routeName: a.name }));
      return { data: output.route, output };
    },
  },
  gatewayRoute: {
    type: 'gatewayRoute',
    nameField: 'gatewayRouteName',
    parentField: 'virtualGatewayName',
    childOf: 'virtualGateway',
    listOperation: 'ListGatewayRoutes',
    describeOperation: 'DescribeGatewayRoute',
    pages: (client, w) =>
      iterate(paginateListGatewayRoutes({ client, pageSize: PAGE_SIZE }, { ...meshInput(w), virtualGatewayName: w.parentName! })),
    refsOf: refs(APPMESH_LIST_MEMBER.gatewayRoute),
    describe: async (client, a) => {
      const output = await client.send(
        new DescribeGatewayRouteCommand({ ...meshInput(a), virtualGatewayName: a.parentName!, gatewayRouteName: a.name }),
      );
      return { data: output.gatewayRoute, output };
    },
  },
};

/** The mesh-scoped types a full read lists directly under the mesh; routes and gateway routes follow their parents. */
export const MESH_LEVEL_TYPES: AppMeshApiType[] = ['virtualNode', 'virtualGateway', 'virtualService', 'virtualRouter'];

/** Child type listed under each parent type. */
export const CHILD_TYPE: Partial<Record<AppMeshApiType, AppMeshApiType>> = { virtualRouter: 'route', virtualGateway: 'gatewayRoute' };

/** A List item as a ListedRef, or undefined when it names nothing. */
export function listedRef(kind: ApiKind, ref: Record<string, unknown>): ListedRef | undefined {
  const name = ref[kind.nameField];
  if (typeof name !== 'string' || name === '') return undefined;
  const out: ListedRef = { name };
  if (typeof ref.meshOwner === 'string') out.meshOwner = ref.meshOwner;
  if (typeof ref.resourceOwner === 'string') out.resourceOwner = ref.resourceOwner;
  if (typeof ref.version === 'number') out.version = ref.version;
  if (ref.createdAt instanceof Date) out.createdAt = ref.createdAt;
  return out;
}
