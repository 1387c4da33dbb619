import type { KubeObject } from '../../core/model/inventory';
import type { SourceRef } from '../../core/model/types';

/**
 * How Kubernetes names an object that carries no namespace: kubectl puts it in `default`.
 * Every reader uses this, so a PeerAuthentication file without `metadata.namespace` and the
 * Deployment beside it land in the same namespace.
 */
export const DEFAULT_NAMESPACE = 'default';

export function namespaceOf(doc: KubeObject): string {
  const ns = doc.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : DEFAULT_NAMESPACE;
}

export function nameOf(doc: KubeObject): string {
  const name = doc.metadata?.name;
  return typeof name === 'string' ? name : '';
}

/** `<namespace>/<kind>/<name>`, the key used in ids and messages. */
export function objectKey(kind: string, namespace: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

/**
 * What every Istio policy read from an object keeps of it: who it is, which version was read
 * (a fix's merge patch is conditional on it), where it was read, and the object itself.
 */
export interface IstioPolicyObject {
  name: string;
  namespace: string;
  apiVersion: string;
  resourceVersion?: string;
  source: SourceRef;
  doc: KubeObject;
}

export function resourceVersionOf(doc: KubeObject): string | undefined {
  const version = doc.metadata?.resourceVersion;
  return typeof version === 'string' ? version : undefined;
}
