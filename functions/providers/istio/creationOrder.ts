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
  return compareCreationKeys(creationKey(a), creationKey(b));
}

/** What `compareByCreation` compares, read once per object so a sort does not re-read (and re-parse) it per comparison. */
export interface CreationKey {
  millis: number;
  name: string;
  namespace: string;
}

export function creationKey(doc: KubeObject): CreationKey {
  return { millis: creationMillis(doc), name: nameOf(doc), namespace: namespaceOf(doc) };
}

export function compareCreationKeys(a: CreationKey, b: CreationKey): number {
  if (a.millis !== b.millis) return a.millis < b.millis ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

/**
 * Sorts oldest first, in place, reading each object's key once (a comparator that re-read
 * names and parsed timestamps would do so on every comparison). Stable, like Array.sort.
 */
export function sortByCreation<T extends { doc: KubeObject }>(items: T[]): T[] {
  if (items.length < 2) return items;
  const keyed = items.map((item) => ({ item, key: creationKey(item.doc) }));
  keyed.sort((a, b) => compareCreationKeys(a.key, b.key));
  for (let i = 0; i < keyed.length; i++) items[i] = keyed[i]!.item;
  return items;
}

function creationMillis(doc: KubeObject): number {
  const raw: unknown = doc.metadata?.creationTimestamp;
  if (typeof raw !== 'string' && !(raw instanceof Date)) return Number.NEGATIVE_INFINITY;
  const t = raw instanceof Date ? raw.getTime() : Date.parse(raw);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}
