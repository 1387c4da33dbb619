/**
 * How stored objects look on the wire: in the version the request asked for (every served
 * version of a kind shares one store, as a multi-version CRD without conversion does), and
 * inside a `<Kind>List` whose items omit kind/apiVersion for built-in types, as the API server
 * encodes typed lists, but keep them for custom resources.
 */
import { groupVersionOf, type ResourceType } from './resource-catalog';
import type { KubernetesObject } from './types';

export function presentObject(resource: ResourceType, version: string, object: KubernetesObject): KubernetesObject {
  const copy = structuredClone(object);
  return { ...copy, apiVersion: groupVersionOf(resource.group, version), kind: resource.kind };
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function presentList(resource: ResourceType, version: string, items: KubernetesObject[], metadata: ListMeta): Record<string, unknown> {
  const shaped = items.map((item) => {
    const presented = presentObject(resource, version, item) as Partial<KubernetesObject>;
    if (!resource.isCustomResource) {
      delete presented.apiVersion;
      delete presented.kind;
    }
    return presented;
  });
  return { apiVersion: groupVersionOf(resource.group, version), kind: `${resource.kind}List`, metadata, items: shaped };
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
