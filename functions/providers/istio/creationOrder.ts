import type { KubeObject } from '../../core/model/inventory';
import { nameOf, namespaceOf } from './objectKey';

/**
 * Istio's tie-break for "the oldest wins": creation time, then name, then namespace
 * (istio pilot/pkg/model/config.go `sortConfigByCreationTime`).
 *
 * An object read from a file often has no `creationTimestamp`. Istio's config carries Go's
 * zero time for it, which sorts before every real time, so we treat it as the oldest too.
 */
export function compareByCreation(a: KubeObject, b: KubeObject): number {
  const ta = creationMillis(a);
  const tb = creationMillis(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = nameOf(a);
  const nb = nameOf(b);
  if (na !== nb) return na < nb ? -1 : 1;
  const sa = namespaceOf(a);
  const sb = namespaceOf(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function creationMillis(doc: KubeObject): number {
  const raw: unknown = doc.metadata?.creationTimestamp;
  if (typeof raw !== 'string' && !(raw instanceof Date)) return Number.NEGATIVE_INFINITY;
  const t = raw instanceof Date ? raw.getTime() : Date.parse(raw);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}
