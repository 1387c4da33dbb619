import type { WorkloadMembership } from './membership';
import type { ServerRecord } from './servers';
import type { Workload } from './workloads';

/** What the model derives for one workload key. */
export interface WorkloadEntry {
  membership: WorkloadMembership;
  /** The workload's servers that have a port, for clients that resolve Service ports to them. */
  portServers: ServerRecord[];
}

/**
 * The workloads by `ns/Kind/name`, looked up once each. A workload listed twice keeps the
 * membership of its first copy, while clients reach the servers of its last copy: what two maps
 * keyed by `ns/Kind/name` would give, for one lookup per workload instead of one per question.
 */
export class WorkloadTable {
  /** The entry of each workload, by its position in `workloads`. */
  readonly entries: WorkloadEntry[];
  private readonly byKey = new Map<string, WorkloadEntry>();

  constructor(
    readonly workloads: readonly Workload[],
    membershipOf: (workload: Workload) => WorkloadMembership,
  ) {
    this.entries = new Array<WorkloadEntry>(workloads.length);
    for (let i = 0; i < workloads.length; i++) {
      const workload = workloads[i]!;
      let entry = this.byKey.get(workload.key);
      if (!entry) this.byKey.set(workload.key, (entry = { membership: membershipOf(workload), portServers: [] }));
      this.entries[i] = entry;
    }
  }

  portServersOf(workload: Workload): readonly ServerRecord[] | undefined {
    return this.byKey.get(workload.key)?.portServers;
  }
}
