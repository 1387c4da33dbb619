/**
 * The App Mesh provider: App Mesh API objects and `appmesh.k8s.aws/v1beta2` CRDs → the
 * cloud-neutral model.
 *
 * @example
 * const model = buildAppMeshModel(inventory, { now: new Date() });
 * model.servers.filter((s) => s.mode !== 'STRICT'); // listeners that accept more than mTLS
 */
import type { ModelBuilder } from '../../core/model/provider';
import type { FleetModel } from '../../core/model/types';
import { joinObjectFixes } from './changes';
import { buildModelFromGraph as buildFixesPerFinding } from './model';
import { normalizeAppMesh } from './normalize';

/**
 * The model, whose fixes of each virtual node or gateway the engine joins into one change once it
 * knows which findings are reported (changes.ts joinObjectFixes).
 */
export function buildModelFromGraph(...args: Parameters<typeof buildFixesPerFinding>): FleetModel {
  const model = buildFixesPerFinding(...args);
  model.fixJoiners = [(reported) => joinObjectFixes(model, reported)];
  return model;
}

export const buildAppMeshModel: ModelBuilder = (inventory) => buildModelFromGraph(normalizeAppMesh(inventory), inventory.pem, inventory.fileIdentity, inventory.kubernetes);

export { normalizeAppMesh, type NormalizedAppMesh } from './normalize';
export { readApiObjects } from './normalize-api';
export { readCrdObjects, isAppMeshCrd, APPMESH_CRD_VERSION } from './normalize-crd';
export { effectiveListenerMode, type EffectiveListenerMode } from './server-mode';
export { effectiveClientPolicy, type EffectiveClientPolicy } from './client-policy';
export { SET_STRICT_ACTION } from './listener-fix';
export { ENFORCE_ACTION } from './client-fix';
export type { AppMeshGraph } from './types';
