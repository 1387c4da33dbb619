/**
 * Every App Mesh operation the emulator answers. The names are the Smithy operation names,
 * which is also what `calls()` and `failNext()` key on.
 */
export const OPERATION_NAMES = [
  'ListMeshes',
  'DescribeMesh',
  'CreateMesh',
  'UpdateMesh',
  'DeleteMesh',
  'ListVirtualNodes',
  'DescribeVirtualNode',
  'CreateVirtualNode',
  'UpdateVirtualNode',
  'DeleteVirtualNode',
  'ListVirtualServices',
  'DescribeVirtualService',
  'CreateVirtualService',
  'UpdateVirtualService',
  'DeleteVirtualService',
  'ListVirtualRouters',
  'DescribeVirtualRouter',
  'CreateVirtualRouter',
  'UpdateVirtualRouter',
  'DeleteVirtualRouter',
  'ListVirtualGateways',
  'DescribeVirtualGateway',
  'CreateVirtualGateway',
  'UpdateVirtualGateway',
  'DeleteVirtualGateway',
  'ListRoutes',
  'DescribeRoute',
  'CreateRoute',
  'UpdateRoute',
  'DeleteRoute',
  'ListGatewayRoutes',
  'DescribeGatewayRoute',
  'CreateGatewayRoute',
  'UpdateGatewayRoute',
  'DeleteGatewayRoute',
] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];

export type OperationVerb = 'List' | 'Describe' | 'Create' | 'Update' | 'Delete';

export function isOperationName(value: string): value is OperationName {
  return (OPERATION_NAMES as readonly string[]).includes(value);
}
