/**
 * The emulator's etcd: one table per resource type, keyed like etcd keys under
 * /registry/<group>/<resource>/ (`namespace/name`, or `name` when cluster-scoped) and iterated
 * in key order, which is the order the API server lists in. One global revision counter
 * stamps every write, as etcd's revision does, and is what `resourceVersion` reports.
 *
 * Objects go in and come out as deep copies, so no caller can change stored state by accident.
 */
import { storageApiVersion, type ResourceType } from './resource-catalog';
import type { KubernetesObject } from './types';

export function objectKey(resource: ResourceType, namespace: string | undefined, name: string): string {
  return resource.namespaced ? `${namespace ?? ''}/${name}` : name;
}

function tableKey(resource: ResourceType): string {
  return `${resource.group}/${resource.plural}`;
}

export class ObjectStore {
  private revision: number;
  private readonly initialRevision: number;
  private readonly tables = new Map<string, Map<string, KubernetesObject>>();
  /** Continue tokens minted at or below this revision are expired (etcd compaction). */
  private compactedRevision = 0;

  constructor(initialRevision: number) {
    this.initialRevision = initialRevision;
    this.revision = initialRevision;
  }

  /** The revision of the last write. */
  currentRevision(): number {
    return this.revision;
  }

  /** Advances the counter for a write and returns the new revision as a resourceVersion string. */
  nextResourceVersion(): string {
    this.revision += 1;
    return String(this.revision);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubernetesObject | undefined {
    const found = this.table(resource).get(objectKey(resource, namespace, name));
    return found === undefined ? undefined : structuredClone(found);
  }

  /** Stores under the resource's storage apiVersion, whichever version the write came in. */
  put(resource: ResourceType, object: KubernetesObject): void {
    const stored = structuredClone(object);
    stored.apiVersion = storageApiVersion(resource);
    stored.kind = resource.kind;
    this.table(resource).set(objectKey(resource, stored.metadata.namespace, stored.metadata.name ?? ''), stored);
  }

  remove(resource: ResourceType, namespace: string | undefined, name: string): boolean {
    return this.table(resource).delete(objectKey(resource, namespace, name));
  }

  /**
   * Objects in key order, with their keys; `namespace` limits a namespaced resource to one
   * namespace. Copies unless `clone` is false: a list copies only the page it returns, since
   * copying every object for every page made large lists slow.
   */
  entries(resource: ResourceType, namespace?: string, clone = true): { key: string; object: KubernetesObject }[] {
    const prefix = resource.namespaced && namespace !== undefined ? `${namespace}/` : '';
    return [...this.table(resource).entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => ({ key, object: clone ? structuredClone(object) : object }));
  }

  /** Drops every namespaced object of `namespace` (what the namespace controller ends up doing). */
  removeNamespaceContents(namespace: string, resources: readonly ResourceType[]): void {
    for (const resource of resources) {
      if (!resource.namespaced) continue;
      const table = this.table(resource);
      for (const key of [...table.keys()]) if (key.startsWith(`${namespace}/`)) table.delete(key);
    }
  }

  expireContinueTokens(): void {
    this.compactedRevision = this.revision;
  }

  isCompacted(revision: number): boolean {
    return revision <= this.compactedRevision;
  }

  clear(): void {
    this.tables.clear();
    this.revision = this.initialRevision;
    this.compactedRevision = 0;
  }

  private table(resource: ResourceType): Map<string, KubernetesObject> {
    const key = tableKey(resource);
    let table = this.tables.get(key);
    if (table === undefined) {
      table = new Map();
      this.tables.set(key, table);
    }
    return table;
  }
}
