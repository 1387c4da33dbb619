/**
 * The seven App Mesh resource kinds, described once so that routing, storage, ARNs and
 * response rendering all derive from the same table.
 *
 * Source: the App Mesh Smithy model (API version 2019-01-25) as compiled into
 * `@aws-sdk/client-app-mesh` (`dist-cjs/schemas/schemas_0.js`): the HTTP bindings
 * (`/v20190125/meshes/{meshName}/virtualNodes/{virtualNodeName}`, and the singular parent
 * segment in `/virtualRouter/{virtualRouterName}/routes` and
 * `/virtualGateway/{virtualGatewayName}/gatewayRoutes`), the `*Data` / `*Ref` member names,
 * and the ARN layout `arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>`.
 */

export type MeshScopedKind =
  | 'virtualNode'
  | 'virtualService'
  | 'virtualRouter'
  | 'virtualGateway'
  | 'route'
  | 'gatewayRoute';

export type ResourceKind = 'mesh' | MeshScopedKind;

/** The parent a route or gateway route lives under. */
export interface ParentKind {
  kind: 'virtualRouter' | 'virtualGateway';
  /** Member name of the parent in requests, Data and Ref shapes. */
  nameField: 'virtualRouterName' | 'virtualGatewayName';
  /** The parent's URL segment: singular here, unlike the parent's own collection path. */
  urlSegment: 'virtualRouter' | 'virtualGateway';
}

export interface MeshScopedKindDescriptor {
  kind: MeshScopedKind;
  /** `VirtualNode`: the noun in operation names (`DescribeVirtualNode`) and messages. */
  singular: string;
  /** `VirtualNodes`: the noun in `ListVirtualNodes`. */
  plural: string;
  /** `virtualNodeName`: the member holding the resource's own name. */
  nameField: string;
  /** `virtualNodes`: the URL collection segment, also the list member of `List*Output`. */
  collection: string;
  /** `virtualNode`: the ARN path segment, also the payload member of `Describe*Output`. */
  arnSegment: string;
  parent?: ParentKind;
}

const VIRTUAL_ROUTER_PARENT: ParentKind = {
  kind: 'virtualRouter',
  nameField: 'virtualRouterName',
  urlSegment: 'virtualRouter',
};

const VIRTUAL_GATEWAY_PARENT: ParentKind = {
  kind: 'virtualGateway',
  nameField: 'virtualGatewayName',
  urlSegment: 'virtualGateway',
};

export const MESH_SCOPED_KINDS: Record<MeshScopedKind, MeshScopedKindDescriptor> = {
  virtualNode: {
    kind: 'virtualNode',
    singular: 'VirtualNode',
    plural: 'VirtualNodes',
    nameField: 'virtualNodeName',
    collection: 'virtualNodes',
    arnSegment: 'virtualNode',
  },
  virtualService: {
    kind: 'virtualService',
    singular: 'VirtualService',
    plural: 'VirtualServices',
    nameField: 'virtualServiceName',
    collection: 'virtualServices',
    arnSegment: 'virtualService',
  },
  virtualRouter: {
    kind: 'virtualRouter',
    singular: 'VirtualRouter',
    plural: 'VirtualRouters',
    nameField: 'virtualRouterName',
    collection: 'virtualRouters',
    arnSegment: 'virtualRouter',
  },
  virtualGateway: {
    kind: 'virtualGateway',
    singular: 'VirtualGateway',
    plural: 'VirtualGateways',
    nameField: 'virtualGatewayName',
    collection: 'virtualGateways',
    arnSegment: 'virtualGateway',
  },
  route: {
    kind: 'route',
    singular: 'Route',
    plural: 'Routes',
    nameField: 'routeName',
    collection: 'routes',
    arnSegment: 'route',
    parent: VIRTUAL_ROUTER_PARENT,
  },
  gatewayRoute: {
    kind: 'gatewayRoute',
    singular: 'GatewayRoute',
    plural: 'GatewayRoutes',
    nameField: 'gatewayRouteName',
    collection: 'gatewayRoutes',
    arnSegment: 'gatewayRoute',
    parent: VIRTUAL_GATEWAY_PARENT,
  },
};

export const ALL_MESH_SCOPED_KINDS = Object.values(MESH_SCOPED_KINDS);
