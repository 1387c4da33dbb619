import type { ObjectProblems } from './objectProblems';

/*
 * DestinationRule checks of Istio's validation webhook (istio/istio pkg/config/validation
 * ValidateDestinationRule) that the CRD schema does not make. The webhook refuses such a rule from
 * files, but one can be in the cluster (made before the check, as duplicate subset names before
 * Istio 1.22, or with the webhook off), and istiod then applies it: each is reported, and the
 * rule is still read, as the other webhook-only checks (exportTo "~", MUTUAL without a
 * certificate) are.
 */

const REFUSED = "Istio's validation webhook refuses the DestinationRule; where one got in, istiod applies it";

/** Kubernetes' DNS-1123 label (labels.IsDNS1123Label): lowercase letters, digits and '-', alphanumeric at both ends, at most 63 characters. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/**
 * validateExportTo, as a DestinationRule gets it: each entry is ".", "*" or a namespace name,
 * none twice ("." standing for the rule's own namespace), and "*" alone. "~" is the caller's
 * (a warning of its own).
 */
export function checkExportTo(exportTo: readonly string[], namespace: string, problems: ObjectProblems): void {
  const seen = new Map<string, string>();
  exportTo.forEach((entry, i) => {
    if (entry === '~') return;
    const field = `spec.exportTo[${i}]`;
    const key = entry === '.' ? namespace : entry;
    const first = seen.get(key);
    if (first !== undefined) {
      const twice = first === entry ? `${JSON.stringify(entry)} twice` : `namespace ${namespace} twice, as ${JSON.stringify(first)} and ${JSON.stringify(entry)}`;
      problems.warn(field, `exportTo lists ${twice}; ${REFUSED}`);
      return;
    }
    if (entry !== '.' && entry !== '*' && !isDns1123Label(entry)) {
      problems.warn(field, `exportTo entry ${JSON.stringify(entry)} is not ".", "*" or a namespace name (one DNS-1123 label per entry); ${REFUSED}`);
      return;
    }
    seen.set(key, entry);
  });
  if (exportTo.length > 1 && exportTo.includes('*')) {
    problems.warn('spec.exportTo', `exportTo cannot list "*" (every namespace) with other entries ("cannot have both public (*) and non-public exportTo values"); ${REFUSED}`);
  }
}

/**
 * validateSubsetName and the duplicate check (Istio 1.22 and later): a subset name is a DNS-1123
 * label, used once per rule. `seen` maps the names read so far to their field.
 */
export function checkSubsetName(name: string, field: string, seen: Map<string, string>, problems: ObjectProblems): void {
  if (!isDns1123Label(name)) {
    problems.warn(`${field}.name`, `subset name ${JSON.stringify(name)} is not a DNS-1123 label (lowercase letters, digits and "-", at most 63 characters); ${REFUSED}`);
  }
  const first = seen.get(name);
  if (first !== undefined) problems.warn(`${field}.name`, `subset name ${JSON.stringify(name)} is used twice (also ${first}): "duplicate subset names"; ${REFUSED}`);
  else seen.set(name, field);
}
