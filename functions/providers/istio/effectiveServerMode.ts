import type { ServerMode } from '../../core/model/types';
import type { ApplicablePeerAuthentications, PeerAuthenticationMode, PeerAuthenticationPolicy } from './peerAuthentication';

export type ServerModeScope = 'mesh' | 'namespace' | 'workload' | 'port' | 'default';

export interface EffectiveServerMode {
  mode: ServerMode;
  /** The level of the chain that set the mode. */
  scope: ServerModeScope;
  /** The PeerAuthentication that set it; undefined for the built-in default. */
  policy?: PeerAuthenticationPolicy;
}

/**
 * The mTLS mode a sidecar enforces on one workload port: the single place that composes
 * PeerAuthentication precedence, after Istio pilot/pkg/security/authn `ComposePeerAuthentication`.
 *
 * - Start from PERMISSIVE (no policy at all).
 * - Mesh-wide, then namespace-wide, then workload policy: each one that sets a mode overrides
 *   its parent; UNSET inherits. A mesh-wide UNSET is PERMISSIVE, which is the start value.
 * - `portLevelMtls` of the workload policy overrides for that port; a port UNSET inherits the
 *   workload-level result.
 *
 * An UNSET policy is still reported as the cause of its scope when it is the narrowest policy
 * present and nothing above it set a mode, e.g. a mesh-wide UNSET gives PERMISSIVE with cause
 * "mesh". The mode always comes from the narrowest level that set one.
 */
export function effectiveServerMode(policies: ApplicablePeerAuthentications, port?: number): EffectiveServerMode {
  let result: EffectiveServerMode = { mode: 'PERMISSIVE', scope: 'default' };
  if (policies.mesh) {
    result = { mode: policies.mesh.mode === 'UNSET' ? 'PERMISSIVE' : toServerMode(policies.mesh.mode), scope: 'mesh', policy: policies.mesh };
  }
  if (policies.namespace && policies.namespace.mode !== 'UNSET') {
    result = { mode: toServerMode(policies.namespace.mode), scope: 'namespace', policy: policies.namespace };
  }
  const workload = policies.workload;
  if (workload && workload.mode !== 'UNSET') {
    result = { mode: toServerMode(workload.mode), scope: 'workload', policy: workload };
  }
  if (workload && port !== undefined) {
    const portMode = workload.portLevelMtls.get(port);
    if (portMode !== undefined && portMode !== 'UNSET') {
      result = { mode: toServerMode(portMode), scope: 'port', policy: workload };
    }
  }
  return result;
}

/** Istio's DISABLE is the model's DISABLED; STRICT and PERMISSIVE keep their names. */
export function toServerMode(mode: Exclude<PeerAuthenticationMode, 'UNSET'>): ServerMode {
  return mode === 'DISABLE' ? 'DISABLED' : mode;
}
