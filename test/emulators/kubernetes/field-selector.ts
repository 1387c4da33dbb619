/**
 * The `fieldSelector` query parameter (k8s.io/apimachinery/pkg/fields): `a=b`, `a==b`, `a!=b`
 * joined by commas. Only the fields the API server indexes for a kind are accepted; every kind
 * supports metadata.name and metadata.namespace, pods and secrets add a few of their own.
 */
import type { ResourceType } from './resource-catalog';
import { SelectorParseError } from './label-selector';
import type { KubernetesObject } from './types';

export interface FieldRequirement {
  path: string;
  equals: boolean;
  value: string;
}

// pkg/registry/core/pod/strategy.go ToSelectableFields; pkg/registry/core/secret/strategy.go.
const KIND_FIELDS: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Secret: ['type'],
  Namespace: ['status.phase'],
};

export function parseFieldSelector(input: string, resource: ResourceType): FieldRequirement[] {
  const supported = ['metadata.name', 'metadata.namespace', ...(KIND_FIELDS[resource.kind] ?? [])];
  return input
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (match === null) throw new SelectorParseError(`invalid selector: '${input}'; can't understand '${part}'`);
      const path = match[1]!;
      if (!supported.includes(path)) throw new SelectorParseError(`field label not supported: ${path}`);
      return { path, equals: match[2] !== '!=', value: match[3]! };
    });
}

function fieldValue(object: KubernetesObject, path: string): string {
  let node: unknown = object;
  for (const segment of path.split('.')) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node === undefined || node === null ? '' : String(node);
}

export function matchesFieldSelector(requirements: FieldRequirement[], object: KubernetesObject): boolean {
  return requirements.every((r) => (fieldValue(object, r.path) === r.value) === r.equals);
}
