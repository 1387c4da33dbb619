/**
 * Stable model ids. Servers: `appmesh:<mesh>/<Kind>/<name>:<port>`, and for CRDs
 * `appmesh:<mesh>/<namespace>/<Kind>/<name>:<port>`. Clients append the backend virtual service:
 * `appmesh:<mesh>/<Kind>/<name>->virtualService/<service>` (and `:<port>` when one backend gives
 * different answers per destination port, `:<port>-><listener port>` when one port does).
 */
import type { CauseRef, ResourceRef } from '../../core/model/types';
import type { AppMeshObjectBase } from './types';

/**
 * `appmesh:<mesh>[/<namespace>]/<Kind>/<name>`, the part of every id its owner fixes. Callers
 * compute it once per owner and derive each listener's and backend's id from it.
 */
export function ownerPath(owner: AppMeshObjectBase): string {
  // A mesh name held in several regions or accounts names each by its scope (mesh-scope.ts): `prod@us-west-2:111122223333`.
  const mesh = owner.meshScope === undefined ? owner.mesh : `${owner.mesh}@${owner.meshScope}`;
  const path =
    owner.origin === 'crd' && owner.namespace ? `appmesh:${mesh}/${owner.namespace}/${owner.kind}/${owner.name}` : `appmesh:${mesh}/${owner.kind}/${owner.name}`;
  // Two clusters' CRDs of one mesh, namespace and name (crd-twins.ts): `…/VirtualNode/ledger[ledger_payments-use1]`.
  return owner.crdScope === undefined ? path : `${path}[${owner.crdScope}]`;
}

/**
 * What tells apart the findings of owners whose resource coordinates are alike (same-named
 * meshes of two regions or accounts, mesh-scope.ts; two clusters' CRDs, crd-twins.ts); undefined
 * in the usual case. An API object has no `crdScope`, and a CRD no `meshScope`.
 */
export function ownerFindingKey(owner: AppMeshObjectBase): string | undefined {
  return owner.meshScope ?? owner.crdScope;
}

export function serverId(ownerPath: string, port: number): string {
  return `${ownerPath}:${port}`;
}

/**
 * @param upstreamPort set when `tls.ports` cuts one destination port by the virtual node
 *   listener port behind it (clients.ts): `…:80->8443`
 */
export function clientId(ownerPath: string, serviceName: string, port?: number, upstreamPort?: number): string {
  const base = `${ownerPath}->virtualService/${serviceName}`;
  const withPort = port === undefined ? base : `${base}:${port}`;
  return upstreamPort === undefined ? withPort : `${withPort}->${upstreamPort}`;
}

/** CONTRACT.md `resource` for an App Mesh object: always `mesh`, `namespace` for CRDs. */
/*
 * One literal per shape, in the field order the output has always had: a ref built field by
 * field costs a property store and a new hidden class per field, for every server and client.
 */

export function resourceOf(owner: AppMeshObjectBase, port?: number): ResourceRef {
  const { kind, name, mesh, namespace } = owner;
  const { file, line } = owner.source;
  if (namespace) return port === undefined ? { kind, name, mesh, namespace, file, line } : { kind, name, mesh, namespace, port, file, line };
  return port === undefined ? { kind, name, mesh, file, line } : { kind, name, mesh, port, file, line };
}

/** The object whose setting is in effect, and at which level (`listener`, `backend`, …). */
export function causeOf(owner: AppMeshObjectBase, scope: CauseRef['scope'], path?: string): CauseRef {
  const { kind, name, mesh, namespace, source } = owner;
  const cause: CauseRef = namespace ? { kind, name, namespace, mesh, scope, source } : { kind, name, mesh, scope, source };
  if (path !== undefined) cause.path = path;
  return cause;
}
