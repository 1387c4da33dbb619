import type { Finding } from '../findings';
import { globToRegExp } from '../policy/exclusions';
import type { Policy } from '../policy/types';
import type { Route } from './ports';

/** Used when rules/ names no default channel. */
export const FALLBACK_CHANNEL = '#mesh-governance';

/**
 * Who owns a finding: the first team whose match holds (namespace, App Mesh mesh, or a
 * workload label carried in `detail.labels`), else the default route.
 */
export function routeFor(finding: Finding, policy: Policy): Route {
  const labels = (finding.detail.labels ?? {}) as Record<string, string>;
  for (const team of policy.ownership.teams) {
    const m = team.match;
    const byNamespace = m.namespaces?.some((g) => finding.resource.namespace !== undefined && globToRegExp(g).test(finding.resource.namespace));
    const byMesh = m.meshes?.some((g) => finding.resource.mesh !== undefined && globToRegExp(g).test(finding.resource.mesh));
    const byLabel = m.labels && Object.entries(m.labels).every(([k, v]) => labels[k] === v) && Object.keys(m.labels).length > 0;
    if (byNamespace || byMesh || byLabel) {
      return { team: team.name, channel: team.slack.channel, approvers: { users: team.slack.approvers?.users ?? [], usergroups: team.slack.approvers?.usergroups ?? [] } };
    }
  }
  const d = policy.ownership.default;
  return { channel: d?.channel ?? FALLBACK_CHANNEL, approvers: { users: d?.approvers?.users ?? [], usergroups: d?.approvers?.usergroups ?? [] } };
}
