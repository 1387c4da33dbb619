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
