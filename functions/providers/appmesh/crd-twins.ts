/**
 * CRDs of one kind, mesh, namespace and name that are different App Mesh objects: the exports of
 * two clusters of one mesh, each cluster's `payments/ledger` with its own `spec.awsName` (the
 * file source keeps both, crd-identity.ts). Ids and finding ids are made of the mesh, namespace,
 * kind and name, so each such CRD is given its App Mesh name as a scope that joins them; a CRD
 * whose coordinates no other CRD shares, the usual case, keeps the ids it always had.
 */
import type { AppMeshGraph, AppMeshObjectBase } from './types';

export function scopeCrdTwins(graph: AppMeshGraph): void {
  scopeTwinsOf(graph.nodes);
  scopeTwinsOf(graph.gateways);
  scopeTwinsOf(graph.services);
  scopeTwinsOf(graph.routers);
  scopeTwinsOf(graph.gatewayRoutes);
}

/** The coordinates an owner's ids are made of (ids.ts ownerPath), less the kind the list shares. */
function coordinatesOf(obj: AppMeshObjectBase): string {
  return `${obj.mesh}\u0000${obj.namespace}\u0000${obj.name}`;
}

function scopeTwinsOf(objects: readonly AppMeshObjectBase[]): void {
  // Usually no two share coordinates: an add that leaves the set's size unchanged tells, and
  // only then are the groups worked out.
  const seen = new Set<string>();
  let shared = false;
  for (let i = 0; i < objects.length && !shared; i++) {
    const obj = objects[i];
    if (obj.origin !== 'crd' || obj.namespace === undefined) continue;
    const size = seen.size;
    seen.add(coordinatesOf(obj));
    shared = seen.size === size;
  }
  if (!shared) return;
  const groups = new Map<string, AppMeshObjectBase[]>();
  for (const obj of objects) {
    if (obj.origin !== 'crd' || obj.namespace === undefined) continue;
    const key = coordinatesOf(obj);
    const group = groups.get(key);
    if (group) group.push(obj);
    else groups.set(key, [obj]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const obj of group) obj.crdScope = obj.awsName;
  }
}
