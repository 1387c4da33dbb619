/**
 * Which version of a kind the cluster serves, from discovery: `GET /apis/<group>` (an APIGroup)
 * names the versions of the group, `GET /apis/<group>/<version>` (an APIResourceList) the kinds
 * each version serves. A group lists the union of its CRDs' versions, so a version in the group
 * need not serve every kind: on Istio 1.18–1.21 security.istio.io/v1 serves AuthorizationPolicy
 * and RequestAuthentication but not PeerAuthentication (v1 since 1.22), whose v1 path answers 404.
 * A group that is not installed answers 404: Istio's CRDs on a cluster without Istio,
 * cert-manager's on most clusters.
 */
import { isKubeApiError } from './api-error';
import type { ResourceType } from './resource-types';
import type { KubeRestClient } from './rest-client';

interface ApiGroup {
  versions?: { groupVersion?: string; version?: string }[];
}

interface ApiResourceList {
  resources?: { name?: string }[];
}

export class ServedVersions {
  private readonly byGroup = new Map<string, Promise<string[] | undefined>>();
  private readonly byGroupVersion = new Map<string, Promise<string[] | undefined>>();

  constructor(private readonly rest: KubeRestClient) {}

  /** The versions `group` serves, or undefined when the group is not installed. Asked once per group. */
  servedVersions(group: string): Promise<string[] | undefined> {
    let known = this.byGroup.get(group);
    if (known === undefined) {
      known = this.discover(group);
      this.byGroup.set(group, known);
    }
    return known;
  }

  /**
   * The version to use for `type`: its most preferred version the cluster serves it in. Undefined
   * when the group, or the kind in every version, is absent. Core and apps kinds are always served (no call).
   */
  async versionFor(type: ResourceType): Promise<string | undefined> {
    if (type.group === '' || type.group === 'apps') return type.versions[0];
    const served = await this.servedVersions(type.group);
    if (served === undefined) return undefined;
    for (const version of type.versions.filter((v) => served.includes(v))) {
      const resources = await this.resourcesOf(`${type.group}/${version}`);
      if (resources?.includes(type.plural)) return version;
    }
    return undefined;
  }

  /** The resource names a group-version serves (`peerauthentications`, `peerauthentications/status`); undefined on 404. Asked once each. */
  private resourcesOf(groupVersion: string): Promise<string[] | undefined> {
    let known = this.byGroupVersion.get(groupVersion);
    if (known === undefined) {
      known = this.fetch<ApiResourceList>(`/apis/${groupVersion}`).then((list) => list && (list.resources ?? []).map((r) => r.name ?? ''));
      this.byGroupVersion.set(groupVersion, known);
    }
    return known;
  }

  private async discover(group: string): Promise<string[] | undefined> {
    const document = await this.fetch<ApiGroup>(`/apis/${group}`);
    return document && (document.versions ?? []).map((v) => v.version ?? '').filter((v) => v !== '');
  }

  /** A discovery document, or undefined when the server does not serve it (404). */
  private async fetch<T>(path: string): Promise<T | undefined> {
    try {
      return await this.rest.request<T>('GET', path);
    } catch (error) {
      if (isKubeApiError(error, 404)) return undefined;
      throw error;
    }
  }
}
