/**
 * Discovery documents, as the API server serves them without aggregated discovery:
 *   /api                    APIVersions
 *   /apis                   APIGroupList
 *   /apis/<group>           APIGroup
 *   /api/v1, /apis/<g>/<v>  APIResourceList (what KubernetesObjectApi reads to map kind → plural)
 *   /version                version.Info
 */
import { groupVersionOf, RESOURCE_TYPES, type ResourceType } from './resource-catalog';
import type { JsonObject } from './types';

function groupNames(): string[] {
  return [...new Set(RESOURCE_TYPES.map((r) => r.group).filter((g) => g !== ''))];
}

function versionsOf(group: string): string[] {
  const versions: string[] = [];
  for (const resource of RESOURCE_TYPES.filter((r) => r.group === group)) {
    for (const version of resource.versions) if (!versions.includes(version)) versions.push(version);
  }
  return versions;
}

function apiGroup(group: string): JsonObject {
  const versions = versionsOf(group).map((version) => ({ groupVersion: groupVersionOf(group, version), version }));
  return { name: group, versions, preferredVersion: versions[0]! };
}

function apiResource(resource: ResourceType): JsonObject {
  const entry: JsonObject = {
    name: resource.plural,
    singularName: resource.singular,
    namespaced: resource.namespaced,
    kind: resource.kind,
    verbs: resource.verbs,
  };
  if (resource.shortNames.length > 0) entry['shortNames'] = resource.shortNames;
  if (resource.categories.length > 0) entry['categories'] = resource.categories;
  return entry;
}

function statusSubresource(resource: ResourceType): JsonObject {
  return { name: `${resource.plural}/status`, singularName: '', namespaced: resource.namespaced, kind: resource.kind, verbs: ['get', 'patch', 'update'] };
}

/** The discovery document at `path`, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): JsonObject | undefined {
  if (path === '/version') {
    return {
      major: '1', minor: '31', gitVersion: 'v1.31.6', gitCommit: '6b3560758b37680cb713dfc71da03c04cadd657c', gitTreeState: 'clean',
      buildDate: '2025-02-12T21:24:24Z', goVersion: 'go1.22.12', compiler: 'gc', platform: 'linux/amd64',
    };
  }
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (path === '/apis') {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupNames().map(apiGroup) };
  }
  const core = /^\/api\/(v1)$/.exec(path);
  const named = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  const group = core !== null ? '' : named?.[1];
  const version = core !== null ? core[1] : named?.[2];
  if (group === undefined) return undefined;
  if (version === undefined) {
    return groupNames().includes(group) ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) } : undefined;
  }
  const served = RESOURCE_TYPES.filter((r) => r.group === group && r.versions.includes(version));
  if (served.length === 0) return undefined;
  const resources = served.flatMap((r) => (r.hasStatusSubresource ? [apiResource(r), statusSubresource(r)] : [apiResource(r)]));
  // The core group's APIResourceList carries no apiVersion on the wire; named groups' do.
  const document: JsonObject = group === '' ? { kind: 'APIResourceList', groupVersion: 'v1', resources } : { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionOf(group, version), resources };
  return document;
}
