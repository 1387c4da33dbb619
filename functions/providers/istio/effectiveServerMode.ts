import type { ServerMode } from '../../core/model/types';
import type { ApplicablePeerAuthentications, PeerAuthenticationMode, PeerAuthenticationPolicy } from './peerAuthentication';

export type ServerModeScope = 'mesh' | 'namespace' | 'workload' | 'port' | 'default';

export interface EffectiveServerMode {
  mode: ServerMode;
  /** The level of the chain that set the mode. */
  scope: ServerModeScope;
  /** The PeerAuthentication that set it; undefined for the built-in default. */
  policy?: PeerAuthenticationPolicy;
  /** The `portLevelMtls` key that set it (scope `port`). */
  port?: number;
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
  // Walk the chain from the narrowest level up and stop at the first that sets a mode: the
  // same answer as overriding from the top down, with one result object instead of one per level.
  const workload = policies.workload;
  if (workload && port !== undefined) {
    const portMode = workload.portLevelMtls.get(port);
    if (portMode !== undefined && portMode !== 'UNSET') return { mode: toServerMode(portMode), scope: 'port', policy: workload, port };
  }
  if (workload && workload.mode !== 'UNSET') return { mode: toServerMode(workload.mode), scope: 'workload', policy: workload };
  const namespace = policies.namespace;
  if (namespace && namespace.mode !== 'UNSET') return { mode: toServerMode(namespace.mode), scope: 'namespace', policy: namespace };
  const mesh = policies.mesh;
  if (mesh) return { mode: mesh.mode === 'UNSET' ? 'PERMISSIVE' : toServerMode(mesh.mode), scope: 'mesh', policy: mesh };
  return { mode: 'PERMISSIVE', scope: 'default' };
}

/** Istio's DISABLE is the model's DISABLED; STRICT and PERMISSIVE keep their names. */
export function toServerMode(mode: Exclude<PeerAuthenticationMode, 'UNSET'>): ServerMode {
  return mode === 'DISABLE' ? 'DISABLED' : mode;
}
