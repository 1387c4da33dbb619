import { describeValue } from '../files/object-metadata';
import type { ObjectProblems } from './objectProblems';

/**
 * A port number as Istio's CRDs type it (`PortSelector.number`, `ServicePort.number`): an
 * integer, which the API server refuses as a string (`"80"`), and 1-65535, which Istio's CRD
 * rule and validation require ("port must be between 1-65535"). Anything else is reported
 * (at `field`) as a problem that keeps the object out of the cluster, and gives undefined.
 */
export function readPortNumber(raw: unknown, field: string, problems: ObjectProblems): number | undefined {
  if (raw === undefined || raw === null) {
    problems.add(field, 'is required');
    return undefined;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    problems.add(field, `must be an integer, not ${describeValue(raw)}`);
    return undefined;
  }
  if (raw < 1 || raw > 65535) {
    problems.add(field, `must be between 1 and 65535, not ${raw} (Istio: "port must be between 1-65535")`);
    return undefined;
  }
  return raw;
}
