/**
 * Which version of a group the cluster serves, from discovery (`GET /apis/<group>`, an
 * APIGroup). A group that is not installed answers 404: Istio's CRDs on a cluster without
 * Istio, cert-manager's on most clusters.
 */
import { isKubeApiError } from './api-error';
import type { ResourceType } from './resource-types';
import type { KubeRestClient } from './rest-client';

interface ApiGroup {
  versions?: { groupVersion?: string; version?: string }[];
}

export class ServedVersions {
  private readonly byGroup = new Map<string, Promise<string[] | undefined>>();

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
   * The version to use for `type`: its most preferred version the cluster serves. Undefined when
   * the group or every version is absent. Core and apps kinds are always served (no call).
   */
  async versionFor(type: ResourceType): Promise<string | undefined> {
    if (type.group === '' || type.group === 'apps') return type.versions[0];
    const served = await this.servedVersions(type.group);
    if (served === undefined) return undefined;
    return type.versions.find((v) => served.includes(v));
  }

  private async discover(group: string): Promise<string[] | undefined> {
    try {
      const document = await this.rest.request<ApiGroup>('GET', `/apis/${group}`);
      return (document.versions ?? []).map((v) => v.version ?? '').filter((v) => v !== '');
    } catch (error) {
      if (isKubeApiError(error, 404)) return undefined;
      throw error;
    }
  }
}
