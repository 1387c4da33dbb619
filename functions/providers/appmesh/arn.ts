import type { AppMeshKind, AppMeshRef } from './types';

/**
 * App Mesh ARNs: `arn:<partition>:appmesh:<region>:<account>:mesh/<mesh>/<type>/<name>`, and for
 * routes `…:mesh/<mesh>/virtualRouter/<router>/route/<name>` (App Mesh User Guide, "Resource
 * types defined by AWS App Mesh" in the IAM service authorization reference).
 */
export interface AppMeshArn {
  mesh: string;
  kind: AppMeshKind;
  name: string;
  /** A route's virtual router, a gateway route's virtual gateway. */
  parentName?: string;
}

const TYPE_TO_KIND: Record<string, AppMeshKind> = {
  virtualNode: 'VirtualNode',
  virtualGateway: 'VirtualGateway',
  virtualService: 'VirtualService',
  virtualRouter: 'VirtualRouter',
};

export function parseAppMeshArn(arn: string): AppMeshArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'appmesh') return undefined;
  const resource = parts.slice(5).join(':').split('/');
  if (resource[0] !== 'mesh' || !resource[1]) return undefined;
  if (resource.length === 2) return { mesh: resource[1], kind: 'Mesh', name: resource[1] };
  const kind = TYPE_TO_KIND[resource[2]];
  if (!kind || !resource[3]) return undefined;
  if (resource.length === 4) return { mesh: resource[1], kind, name: resource[3] };
  if (resource.length !== 6 || !resource[5]) return undefined;
  if (kind === 'VirtualRouter' && resource[4] === 'route') return { mesh: resource[1], kind: 'Route', name: resource[5], parentName: resource[3] };
  if (kind === 'VirtualGateway' && resource[4] === 'gatewayRoute') return { mesh: resource[1], kind: 'GatewayRoute', name: resource[5], parentName: resource[3] };
  return undefined;
}

/** A reference built from an ARN, or undefined when the ARN is not an App Mesh ARN of that kind. */
export function refFromArn(arn: string, kind: AppMeshKind): AppMeshRef | undefined {
  const parsed = parseAppMeshArn(arn);
  if (!parsed || parsed.kind !== kind) return undefined;
  return { via: 'aws', kind, awsMesh: parsed.mesh, awsName: parsed.name };
}

/** `arn:aws:appmesh:us-west-2:111122223333:mesh/…` → `111122223333`; for a shared mesh's resource, the mesh owner's. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
