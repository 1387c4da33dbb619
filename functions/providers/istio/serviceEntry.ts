import type { KubeObject, Located } from '../../core/model/inventory';
import { isRecord } from '../../core/is-record';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { ISTIO_FIELDS, reportNearMisses } from './nearMissFields';
import { nameOf, namespaceOf } from './objectKey';
import { ObjectProblems } from './objectProblems';
import { describeValue } from '../files/object-metadata';
import { readPortNumber } from './portNumber';
import { isEmptyLabels, readLabelMap, type Labels } from './labels';

export type ServiceEntryLocation = 'MESH_EXTERNAL' | 'MESH_INTERNAL';

export interface ServiceEntryHosts {
  name: string;
  namespace: string;
  hosts: string[];
  /** Istio: `location` defaults to MESH_EXTERNAL (the enum's zero value). */
  location: ServiceEntryLocation;
  ports: number[];
  /** Each port with the endpoint port it sends to (`targetPort`, else the same number). */
  portTargets: ServiceEntryPort[];
  /**
   * `workloadSelector.labels`, read only for a MESH_INTERNAL entry (the reference: "Applicable only
   * for MESH_INTERNAL services"): the pods (and WorkloadEntries) of the entry's namespace whose
   * labels it holds are the entry's endpoints, as a Service's selector picks its pods.
   */
  workloadSelector?: Labels;
  source: SourceRef;
}

export interface ServiceEntryPort {
  number: number;
  name?: string;
  /** The port on the endpoint; Istio's default is `number`. */
  targetPort: number;
}

/**
 * Reads one ServiceEntry. Whatever the CRD schema or Istio's validation refuses (no hosts, an
 * unknown location, a port number that is a string or out of range, a misspelled field) keeps
 * the object out of the cluster, so it is reported and dropped.
 */
export function readServiceEntry(obj: Located<KubeObject>): { entry?: ServiceEntryHosts; problems: ConfigProblem[] } {
  const { doc, source } = obj;
  const problems = new ObjectProblems('ServiceEntry', doc, source);
  const spec = doc.spec ?? {};
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    problems.add('spec', 'spec must be a mapping with hosts');
    return { problems: problems.list };
  }
  reportNearMisses(spec, ISTIO_FIELDS.serviceEntrySpec, 'spec', problems);
  const hosts = readHosts(spec.hosts, problems);
  const location = spec.location ?? 'MESH_EXTERNAL';
  if (location !== 'MESH_EXTERNAL' && location !== 'MESH_INTERNAL') {
    problems.add('spec.location', `location ${JSON.stringify(location)} is not one of MESH_EXTERNAL, MESH_INTERNAL`);
  }
  const ports: number[] = [];
  const portTargets: ServiceEntryPort[] = [];
  if (spec.ports !== undefined && spec.ports !== null) {
    if (!Array.isArray(spec.ports)) problems.add('spec.ports', 'ports must be a list');
    else {
      spec.ports.forEach((p: unknown, i: number) => {
        if (!p || typeof p !== 'object' || Array.isArray(p)) problems.add(`spec.ports[${i}]`, 'a port must be a mapping with a number');
        else {
          const port = p as Record<string, unknown>;
          const n = readPortNumber(port['number'], `spec.ports[${i}].number`, problems);
          const target = port['targetPort'] === undefined || port['targetPort'] === null ? n : readPortNumber(port['targetPort'], `spec.ports[${i}].targetPort`, problems);
          if (n === undefined) return;
          ports.push(n);
          if (target !== undefined) portTargets.push(typeof port['name'] === 'string' ? { number: n, name: port['name'], targetPort: target } : { number: n, targetPort: target });
        }
      });
    }
  }
  const workloadSelector = location === 'MESH_INTERNAL' ? readWorkloadSelector(spec.workloadSelector, problems) : undefined;
  if (problems.rejected) return { problems: problems.list };
  const entry: ServiceEntryHosts = { name: nameOf(doc), namespace: namespaceOf(doc), hosts, location, ports, portTargets, source };
  if (workloadSelector) entry.workloadSelector = workloadSelector;
  return { entry, problems: problems.list };
}

/**
 * `workloadSelector.labels` (a plain map, not `matchLabels`). Without labels it selects nothing
 * meshgov can name, so it is left out.
 */
function readWorkloadSelector(raw: unknown, problems: ObjectProblems): Labels | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) {
    problems.add('spec.workloadSelector', 'workloadSelector must be a mapping with labels');
    return undefined;
  }
  const labels = readLabelMap(raw['labels']);
  if ('error' in labels) {
    problems.add('spec.workloadSelector.labels', `workloadSelector.labels ${labels.error}`);
    return undefined;
  }
  return isEmptyLabels(labels) ? undefined : (labels as Labels);
}

function readHosts(raw: unknown, problems: ObjectProblems): string[] {
  if (typeof raw === 'string') {
    problems.add('spec.hosts', `hosts must be a list, not a string: write hosts: [${raw}]`);
    return [];
  }
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) {
    problems.add('spec.hosts', `hosts must be a list of host names, not ${describeValue(raw)}`);
    return [];
  }
  const hosts: string[] = [];
  let bad = false;
  (raw ?? []).forEach((h: unknown, i: number) => {
    if (typeof h === 'string' && h !== '') hosts.push(h);
    else {
      bad = true;
      problems.add(`spec.hosts[${i}]`, `a host must be a non-empty name, not ${describeValue(h)}`);
    }
  });
  if (hosts.length === 0 && !bad) problems.add('spec.hosts', 'hosts must list at least one host');
  return hosts;
}
