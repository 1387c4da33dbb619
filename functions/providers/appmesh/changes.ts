/**
 * The exact change a fix would apply to one App Mesh object.
 *
 * API objects: `UpdateVirtualNode` / `UpdateVirtualGateway` replace the whole spec (API
 * Reference: the request carries `spec`, not a patch), so the change carries the whole new
 * spec, with `expectedVersion` = `metadata.version` for the writer's concurrency check, and
 * `expectedUid` = `metadata.uid` when the audit read one: App Mesh restarts the versions of a
 * resource deleted and re-created under the same name at 1, so the version alone cannot tell
 * the audited resource from a new one that reached the same version before the fix runs.
 * CRDs: a JSON merge patch (RFC 7386) of the spec; arrays are replaced whole, which is why a
 * listener change carries the whole `listeners` array.
 */
import { isRecord as isPlainObject } from '../../core/is-record';
import { sameJson } from './same-json';
import { tlsToCrdSpelling } from './spelling';
import type { AppMeshObjectBase } from './types';

/*
 * New specs copy only the path they change and share the rest with the spec as read: a fleet
 * of 10k nodes gets 10k fixes, and deep copies of every spec would dominate the build. Nothing
 * downstream mutates a change; it is serialised or sent.
 */

/** `spec` with `listeners[index].tls` replaced. */
export function withListenerTls(spec: Record<string, any>, index: number, tls: unknown): Record<string, any> {
  const listeners = Array.isArray(spec.listeners) ? [...spec.listeners] : [];
  listeners[index] = { ...(listeners[index] ?? {}), tls };
  return { ...spec, listeners };
}

/** `spec` with `backends[index].virtualService.clientPolicy` replaced. */
export function withBackendClientPolicy(spec: Record<string, any>, index: number, clientPolicy: unknown): Record<string, any> {
  const backends = Array.isArray(spec.backends) ? [...spec.backends] : [];
  const backend = backends[index] ?? {};
  backends[index] = { ...backend, virtualService: { ...(backend.virtualService ?? {}), clientPolicy } };
  return { ...spec, backends };
}

/** `spec` with `backendDefaults.clientPolicy` replaced. */
export function withBackendDefaultsClientPolicy(spec: Record<string, any>, clientPolicy: unknown): Record<string, any> {
  return { ...spec, backendDefaults: { ...(spec.backendDefaults ?? {}), clientPolicy } };
}

/** Values in the source's own spelling (the CRDs spell `certificateARN`). */
export function inSourceSpelling<T>(owner: AppMeshObjectBase, value: T): T {
  return owner.origin === 'crd' ? tlsToCrdSpelling(value) : value;
}

/** RFC 7386: the merge patch that turns `before` into `after` (removed keys become null). */
export function mergePatchBetween(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const removed = Object.keys(before);
  for (let i = 0; i < removed.length; i++) {
    const key = removed[i];
    if (!(key in after) || after[key] === undefined) patch[key] = null;
  }
  const kept = Object.keys(after);
  for (let i = 0; i < kept.length; i++) {
    const key = kept[i];
    const value = after[key];
    if (value === undefined) continue;
    const old = before[key];
    if (sameJson(old, value)) continue;
    patch[key] = isPlainObject(old) && isPlainObject(value) ? mergePatchBetween(old, value) : value;
  }
  return patch;
}

/** The change that replaces `owner`'s spec with `newSpec` (written in the source's spelling). */
export function specChange(owner: AppMeshObjectBase, newSpec: Record<string, unknown>): Record<string, unknown> {
  if (owner.origin === 'crd' && owner.crd) {
    // Separate literals rather than nested ones: a nested literal is copied by a slow runtime walk.
    const target = { apiVersion: owner.crd.apiVersion, kind: owner.crd.kind, namespace: owner.crd.namespace, name: owner.crd.name };
    const patch = { spec: mergePatchBetween(owner.rawSpec, newSpec) };
    const change: Record<string, unknown> = { operation: 'merge-patch', target, patch };
    if (owner.crd.resourceVersion) change.expectedResourceVersion = owner.crd.resourceVersion;
    return change;
  }
  const isNode = owner.kind === 'VirtualNode';
  const change: Record<string, unknown> = {
    operation: isNode ? 'update-virtual-node' : 'update-virtual-gateway',
    meshName: owner.awsMesh,
  };
  if (owner.api?.meshOwner) change.meshOwner = owner.api.meshOwner;
  change[isNode ? 'virtualNodeName' : 'virtualGatewayName'] = owner.awsName;
  change.expectedVersion = owner.api?.version;
  if (owner.api?.uid) change.expectedUid = owner.api.uid;
  if (owner.api?.resourceOwner) change.resourceOwner = owner.api.resourceOwner;
  change.spec = newSpec;
  return change;
}
