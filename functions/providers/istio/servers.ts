import type { CauseRef, ServerEndpoint } from '../../core/model/types';
import { effectiveServerMode, type EffectiveServerMode } from './effectiveServerMode';
import type { ApplicablePeerAuthentications, PeerAuthenticationIndex } from './peerAuthentication';
import type { WorkloadMembership } from './membership';
import { targetPortOn, type KubeService, type ServiceIndex } from './services';
import type { Workload } from './workloads';

/** A server with the inputs that produced it, so fixes can re-run the same precedence. */
export interface ServerRecord {
  endpoint: ServerEndpoint;
  workload: Workload;
  port?: number;
  applicable: ApplicablePeerAuthentications;
  effective: EffectiveServerMode;
}

export interface ServerTable {
  records: ServerRecord[];
  /** Server id by workload key and workload port. */
  byWorkloadPort: Map<string, Map<number, ServerRecord>>;
  /** Workloads each Service (by host) selects. */
  workloadsBehind: Map<string, Workload[]>;
}

export function serverId(workload: Workload, port?: number): string {
  return `istio:${workload.key}:${port ?? '*'}`;
}

/**
 * One server per workload port: the container ports, plus the ports Services send to (numeric
 * targetPorts, and named ones resolved through container port names). A workload without any
 * known port still gets one server, without a port.
 */
export function buildServers(
  workloads: Workload[],
  membershipOf: (w: Workload) => WorkloadMembership,
  services: ServiceIndex,
  peerAuthentications: PeerAuthenticationIndex,
): ServerTable {
  const table: ServerTable = { records: [], byWorkloadPort: new Map(), workloadsBehind: new Map() };
  for (const workload of workloads) {
    const selecting = services.selectingWorkload(workload);
    for (const svc of selecting) {
      let list = table.workloadsBehind.get(svc.host);
      if (!list) table.workloadsBehind.set(svc.host, (list = []));
      list.push(workload);
    }
    const servicePortsByTarget = servicePortsOf(workload, selecting);
    const ports = workloadPorts(workload, servicePortsByTarget);
    const applicable = peerAuthentications.applicableTo(workload.namespace, workload.podLabels);
    const membership = membershipOf(workload);
    const hosts = selecting.map((s) => s.host);
    const perPort = new Map<number, ServerRecord>();
    for (const port of ports.length > 0 ? ports : [undefined]) {
      const effective = effectiveServerMode(applicable, port);
      const record: ServerRecord = {
        endpoint: {
          id: serverId(workload, port),
          provider: 'istio',
          resource: {
            kind: workload.kind,
            name: workload.name,
            namespace: workload.namespace,
            ...(port !== undefined ? { port } : {}),
            ...(effective.policy?.source ?? workload.source),
          },
          mode: effective.mode,
          inMesh: membership.inMesh,
          cause: causeOf(effective, workload),
          hosts,
          ...(port !== undefined && servicePortsByTarget.has(port) ? { servicePorts: servicePortsByTarget.get(port) } : {}),
          labels: workload.labels,
        },
        workload,
        ...(port !== undefined ? { port } : {}),
        applicable,
        effective,
      };
      table.records.push(record);
      if (port !== undefined) perPort.set(port, record);
    }
    table.byWorkloadPort.set(workload.key, perPort);
  }
  return table;
}

/** For each workload port, the Service ports that send to it (clients address Service ports). */
function servicePortsOf(workload: Workload, selecting: KubeService[]): Map<number, number[]> {
  const byTarget = new Map<number, number[]>();
  for (const svc of selecting) {
    for (const sp of svc.ports) {
      const target = targetPortOn(sp, workload);
      if (target === undefined) continue;
      const list = byTarget.get(target);
      if (list) {
        if (!list.includes(sp.port)) list.push(sp.port);
      } else byTarget.set(target, [sp.port]);
    }
  }
  return byTarget;
}

function workloadPorts(workload: Workload, servicePortsByTarget: Map<number, number[]>): number[] {
  const ports = new Set<number>(workload.containerPorts.map((c) => c.port));
  for (const target of servicePortsByTarget.keys()) ports.add(target);
  return [...ports].sort((a, b) => a - b);
}

function causeOf(effective: EffectiveServerMode, workload: Workload): CauseRef {
  if (!effective.policy) {
    // No PeerAuthentication applies: Istio's built-in PERMISSIVE. The workload's own document is the coordinate.
    return { kind: 'PeerAuthentication', name: '(none)', namespace: workload.namespace, scope: 'default', source: workload.source };
  }
  const p = effective.policy;
  return { kind: 'PeerAuthentication', name: p.name, namespace: p.namespace, scope: effective.scope, source: p.source };
}
