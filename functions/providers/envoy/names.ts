import type { SourceRef } from '../../core/model/types';

/** Stable ids: `envoy:<file>#<listener name>` for a listener, `envoy:<file>#cluster/<name>` for a cluster. */
export function listenerId(source: SourceRef, name: string): string {
  return `envoy:${source.file}#${name}`;
}

export function clusterId(source: SourceRef, name: string): string {
  return `envoy:${source.file}#cluster/${name}`;
}

/**
 * Why every Envoy fix is manual: meshgov has no writer for Envoy's static configuration, and
 * Envoy reads `static_resources` only when it starts.
 */
export const ENVOY_MANUAL_REASON = 'meshgov does not write Envoy static configuration (change the file, then restart Envoy)';

/** A config dump is a snapshot: its static entries came from the bootstrap the proxy started with. */
export const DUMP_STATIC_MANUAL_REASON = 'this is a snapshot of a running Envoy (/config_dump): change the bootstrap it started from, then restart it';

/** The control plane that serves a dumped proxy, as its node identity shows it. */
export type ControlPlane = 'istio' | 'appmesh';

/** A config dump's dynamic entries came from xDS: the fix belongs where the control plane makes them. */
export function dumpXdsManualReason(controlPlane: ControlPlane | undefined): string {
  const where =
    controlPlane === 'istio' ? "Istio's PeerAuthentication or DestinationRule" : controlPlane === 'appmesh' ? 'the App Mesh virtual node or gateway' : 'the control plane that serves it';
  return `this is a snapshot of a running Envoy (/config_dump) and this entry came from xDS: change it in ${where}, not in Envoy`;
}
