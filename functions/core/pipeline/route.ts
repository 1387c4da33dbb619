import type { Finding } from '../findings';
import type { ResourceRef } from '../model/types';
import { globToRegExp } from '../policy/glob';
import type { Policy } from '../policy/types';
import type { Route } from './ports';

/** Used when rules/ names no default channel. */
export const FALLBACK_CHANNEL = '#mesh-governance';

/**
 * Who owns a finding: the first team whose match holds (namespace, App Mesh mesh, or a label
 * of the object behind it carried in `detail.labels`: the workload of a server, the
 * DestinationRule or virtual node of a client, the Secret of a certificate), else, for a finding on a resource that has no
 * namespace or mesh of its own (an ACM certificate), the team owning the first resource that
 * uses it (`detail.usedBy`), else the default route.
 */
export function routeFor(finding: Finding, policy: Policy): Route {
  const labels = (finding.detail.labels ?? {}) as Record<string, string>;
  const candidates: ResourceRef[] = [finding.resource];
  if (finding.resource.namespace === undefined && finding.resource.mesh === undefined && Array.isArray(finding.detail.usedBy)) {
    candidates.push(...(finding.detail.usedBy as ResourceRef[]));
  }
  for (const [i, ref] of candidates.entries()) {
    for (const team of policy.ownership.teams) {
      const m = team.match;
      const byNamespace = m.namespaces?.some((g) => ref.namespace !== undefined && globToRegExp(g).test(ref.namespace));
      const byMesh = m.meshes?.some((g) => ref.mesh !== undefined && globToRegExp(g).test(ref.mesh));
      // Labels describe the finding's own workload, not the resources that use it.
      const byLabel = i === 0 && m.labels && Object.entries(m.labels).every(([k, v]) => labels[k] === v) && Object.keys(m.labels).length > 0;
      if (byNamespace || byMesh || byLabel) {
        return { team: team.name, channel: team.slack.channel, approvers: { users: team.slack.approvers?.users ?? [], usergroups: team.slack.approvers?.usergroups ?? [] } };
      }
    }
  }
  const d = policy.ownership.default;
  return { channel: d?.channel ?? FALLBACK_CHANNEL, approvers: { users: d?.approvers?.users ?? [], usergroups: d?.approvers?.usergroups ?? [] } };
}
