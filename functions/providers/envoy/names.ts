import type { SourceRef } from '../../core/model/types';

/** Stable ids: `envoy:<file>#<listener name>` for a listener, `envoy:<file>#cluster/<name>` for a cluster. */
export function listenerId(source: SourceRef, name: string): string {
  return `envoy:${source.file}#${name}`;
}

export function clusterId(source: SourceRef, name: string): string {
  return `envoy:${source.file}#cluster/${name}`;
}
