import { buildModel } from '../audit';
import type { ModelBuilder } from '../model/provider';
import type { InventorySource } from '../pipeline/ports';
import type { AuditScope } from '../pipeline/trigger';
import type { SloDefinition } from './definition';
import { sloTopology, type SloTopology } from './dependencies';

/** What reads the mesh an SLO's service is in: the adapter's own collect port and model builders. */
export interface MeshReader {
  source: InventorySource;
  builders: ModelBuilder[];
}

/**
 * The part of the mesh a service's dependencies are read from: its App Mesh mesh (the reader
 * serves it from its snapshot when it holds one), or its Istio namespace, whose scope brings the
 * DestinationRules that namespace's workloads use toward other namespaces.
 */
export function topologyScope(slo: SloDefinition): AuditScope {
  if (slo.mesh === 'istio') return { kind: 'istio-namespace', namespace: slo.namespace ?? '' };
  return { kind: 'all', providers: ['appmesh'], meshes: [slo.meshName ?? ''] };
}

/**
 * The SLO's topology from a fresh read of its mesh, or undefined when the read fails: the alarm
 * run still confirms the burn and looks for changes to the service itself, and says so in the log.
 *
 * @example
 *   const readTopology = () => readSloTopology(slo, { source, builders: [buildAppMeshModel] }, clock());
 *   await runSloAlarm(slo, 'firing', trigger, { policy, sources, at, readTopology });
 */
export async function readSloTopology(slo: SloDefinition, reader: MeshReader, now: Date, log?: (message: string, fields?: Record<string, unknown>) => void): Promise<SloTopology | undefined> {
  try {
    const inventory = await reader.source.collect(topologyScope(slo));
    return sloTopology(slo, buildModel(inventory, { builders: reader.builders, now }));
  } catch (err) {
    log?.('could not read the mesh for the SLO service\'s dependencies; looking for changes to the service itself only', { slo: slo.name, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}
