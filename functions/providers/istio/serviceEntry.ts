import type { KubeObject, Located } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { nameOf, namespaceOf } from './objectKey';

export type ServiceEntryLocation = 'MESH_EXTERNAL' | 'MESH_INTERNAL';

export interface ServiceEntryHosts {
  name: string;
  namespace: string;
  hosts: string[];
  /** Istio: `location` defaults to MESH_EXTERNAL (the enum's zero value). */
  location: ServiceEntryLocation;
  ports: number[];
  source: SourceRef;
}

export function readServiceEntry(obj: Located<KubeObject>): { entry?: ServiceEntryHosts; problems: ConfigProblem[] } {
  const { doc, source } = obj;
  const problems: ConfigProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ ...source, field, message, kind: 'ServiceEntry', name: nameOf(doc) });
  };
  const spec = doc.spec ?? {};
  const hosts = Array.isArray(spec.hosts) ? spec.hosts.filter((h: unknown): h is string => typeof h === 'string' && h !== '') : [];
  if (hosts.length === 0) problem('spec.hosts', 'hosts must list at least one host');
  const location = spec.location ?? 'MESH_EXTERNAL';
  if (location !== 'MESH_EXTERNAL' && location !== 'MESH_INTERNAL') {
    problem('spec.location', `location ${JSON.stringify(location)} is not one of MESH_EXTERNAL, MESH_INTERNAL`);
  }
  const ports: number[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    const n = Number(p?.number);
    if (Number.isInteger(n) && n > 0 && n <= 65535) ports.push(n);
  }
  if (problems.length > 0) return { problems };
  return { entry: { name: nameOf(doc), namespace: namespaceOf(doc), hosts, location, ports, source }, problems };
}
