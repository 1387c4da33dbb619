/**
 * The changes the Istio fixes plan (serverFixes.ts, clientFixes.ts), read back from a
 * remediation's `change`, and the snapshots of an object a change record keeps as
 * `before` and `after`.
 */
import { isLooseRecord as isRecord } from '../../../core/is-record';
import type { ObservedIstioObject } from '../../../core/link/messages';
import { WRITABLE_KINDS, type ResourceType } from './resource-types';

export interface ObjectTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** The resourceVersion the audit saw; the write is conditional on it. */
  resourceVersion?: string;
}

export type IstioChange =
  | { operation: 'merge-patch'; target: ObjectTarget; patch: Record<string, unknown> }
  | { operation: 'create'; target: ObjectTarget; object: Record<string, any> };

/** What is wrong with a change, in words for the change record. */
export interface ChangeShapeError {
  error: string;
}

/** The part of an object a change record keeps: identity, version and spec (the same shape an agent reports an observed change's object in). */
export type ObjectSnapshot = ObservedIstioObject;

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** The resource type and version of a target, if the writer may change it. */
export function writableType(target: Pick<ObjectTarget, 'apiVersion' | 'kind'>): { type: ResourceType; version: string } | undefined {
  const type = WRITABLE_KINDS[target.kind];
  const slash = target.apiVersion.indexOf('/');
  if (type === undefined || slash < 0) return undefined;
  const group = target.apiVersion.slice(0, slash);
  const version = target.apiVersion.slice(slash + 1);
  return group === type.group && type.versions.includes(version) ? { type, version } : undefined;
}

function readTarget(raw: Record<string, any>, where: string): ObjectTarget | ChangeShapeError {
  const { apiVersion, kind, namespace, name, resourceVersion } = raw;
  if (!nonEmpty(apiVersion) || !nonEmpty(kind) || !nonEmpty(namespace) || !nonEmpty(name)) {
    return { error: `${where} needs apiVersion, kind, namespace and name` };
  }
  if (writableType({ apiVersion, kind }) === undefined) return { error: `${where}: ${apiVersion} ${kind} is not an Istio kind this writer changes` };
  return { apiVersion, kind, namespace, name, ...(nonEmpty(resourceVersion) ? { resourceVersion } : {}) };
}

/** Reads `{ operation: 'merge-patch', target, patch }` or `{ operation: 'create', object }`. */
export function readIstioChange(change: Record<string, unknown>): IstioChange | ChangeShapeError {
  if (change['operation'] === 'merge-patch') {
    if (!isRecord(change['target'])) return { error: 'change.target is missing' };
    if (!isRecord(change['patch']) || Object.keys(change['patch']).length === 0) return { error: 'change.patch must be a non-empty JSON merge patch' };
    const target = readTarget(change['target'], 'change.target');
    return 'error' in target ? target : { operation: 'merge-patch', target, patch: change['patch'] };
  }
  if (change['operation'] === 'create') {
    const object = change['object'];
    if (!isRecord(object) || !isRecord(object['metadata']) || !isRecord(object['spec'])) return { error: 'change.object must be a whole object with metadata and spec' };
    const target = readTarget({ apiVersion: object['apiVersion'], kind: object['kind'], namespace: object['metadata']['namespace'], name: object['metadata']['name'] }, 'change.object');
    return 'error' in target ? target : { operation: 'create', target, object };
  }
  return { error: `change.operation ${JSON.stringify(change['operation'])} is neither merge-patch nor create` };
}

/**
 * What a change record keeps of an object: its identity, version and a copy of its spec. Also
 * used for objects read from audit-log entries (observe-change.ts), so only fields of the right
 * type are kept.
 */
export function snapshotOf(object: Record<string, any>): ObjectSnapshot {
  const metadata = object['metadata'] ?? {};
  return {
    apiVersion: object['apiVersion'],
    kind: object['kind'],
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      ...(typeof metadata.uid === 'string' && metadata.uid !== '' ? { uid: metadata.uid } : {}),
      ...(typeof metadata.resourceVersion === 'string' && metadata.resourceVersion !== '' ? { resourceVersion: metadata.resourceVersion } : {}),
      ...(typeof metadata.generation === 'number' ? { generation: metadata.generation } : {}),
    },
    spec: structuredClone(object['spec'] ?? {}),
  };
}

/** A snapshot read back from a change record (`before`/`after`), or undefined when it is not one. */
export function readSnapshot(value: unknown): ObjectSnapshot | undefined {
  if (!isRecord(value) || !isRecord(value['metadata']) || !isRecord(value['spec'])) return undefined;
  if (!nonEmpty(value['metadata']['name'])) return undefined;
  return value as ObjectSnapshot;
}
