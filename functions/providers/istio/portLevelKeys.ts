/**
 * A common PeerAuthentication mistake: a `portLevelMtls` key that is a Service port. Istio keys
 * portLevelMtls by the workload (container) port ("the port value in the portLevelMtls field
 * refers to the port of the workload, not the port of the Kubernetes service", PeerAuthentication
 * reference), so an entry for Service port 80 in front of container port 8080 changes nothing,
 * and the port keeps the policy's top-level mode without any warning from Istio.
 */
import type { ConfigProblem } from '../../core/model/types';
import type { PeerAuthenticationPolicy } from './peerAuthentication';
import type { Workload } from './workloads';

/** A Service port and the workload port it sends to. */
export interface ServicePortTarget {
  servicePort: number;
  workloadPort: number;
}

/** Reports each key once per policy, though many workloads may show it. */
export class PortLevelKeyCheck {
  private readonly reported = new Set<string>();

  constructor(private readonly problems: ConfigProblem[]) {}

  /**
   * Checks the keys of `policy` against one workload it selects: a key that is none of the
   * workload's ports but one of its Services' ports is reported on the key's field.
   */
  check(policy: PeerAuthenticationPolicy, workload: Workload, workloadPorts: readonly number[], targets: readonly ServicePortTarget[]): void {
    for (const key of policy.portLevelMtls.keys()) {
      if (workloadPorts.includes(key)) continue;
      const target = targets.find((t) => t.servicePort === key && t.workloadPort !== key);
      if (!target) continue;
      const id = `${policy.namespace}/${policy.name}:${key}`;
      if (this.reported.has(id)) continue;
      this.reported.add(id);
      this.problems.push({
        ...policy.source,
        kind: 'PeerAuthentication',
        name: policy.name,
        namespace: policy.namespace,
        field: `spec.portLevelMtls.${key}`,
        message: `port ${key} is a Service port of ${workload.key}, which receives it on workload port ${target.workloadPort}; Istio keys portLevelMtls by the workload port, so this entry changes nothing (use ${target.workloadPort})`,
      });
    }
  }
}
