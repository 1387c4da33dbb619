/**
 * Stable model ids. Servers: `appmesh:<mesh>/<Kind>/<name>:<port>`, and for CRDs
 * `appmesh:<mesh>/<namespace>/<Kind>/<name>:<port>`. Clients append the backend virtual service:
 * `appmesh:<mesh>/<Kind>/<name>->virtualService/<service>` (and `:<port>` when one backend gives
 * different answers per destination port).
 */
import type { CauseRef, ResourceRef } from '../../core/model/types';
import type { AppMeshObjectBase } from './types';

const ownerPaths = new WeakMap<AppMeshObjectBase, string>();

function ownerPath(owner: AppMeshObjectBase): string {
  let path = ownerPaths.get(owner);
  if (path === undefined) {
    path =
      owner.origin === 'crd' && owner.namespace
        ? `appmesh:${owner.mesh}/${owner.namespace}/${owner.kind}/${owner.name}`
        : `appmesh:${owner.mesh}/${owner.kind}/${owner.name}`;
    ownerPaths.set(owner, path);
  }
  return path;
}

export function serverId(owner: AppMeshObjectBase, port: number): string {
  return `${ownerPath(owner)}:${port}`;
}

export function clientId(owner: AppMeshObjectBase, serviceName: string, port?: number): string {
  const base = `${ownerPath(owner)}->virtualService/${serviceName}`;
  return port === undefined ? base : `${base}:${port}`;
}

/** CONTRACT.md `resource` for an App Mesh object: always `mesh`, `namespace` for CRDs. */
export function resourceOf(owner: AppMeshObjectBase, port?: number): ResourceRef {
  const ref: ResourceRef = { kind: owner.kind, name: owner.name, mesh: owner.mesh };
  if (owner.namespace) ref.namespace = owner.namespace;
  if (port !== undefined) ref.port = port;
  ref.file = owner.source.file;
  ref.line = owner.source.line;
  return ref;
}

/** The object whose setting is in effect, and at which level (`listener`, `backend`, …). */
export function causeOf(owner: AppMeshObjectBase, scope: CauseRef['scope']): CauseRef {
  const cause: CauseRef = { kind: owner.kind, name: owner.name };
  if (owner.namespace) cause.namespace = owner.namespace;
  cause.mesh = owner.mesh;
  cause.scope = scope;
  cause.source = owner.source;
  return cause;
}
