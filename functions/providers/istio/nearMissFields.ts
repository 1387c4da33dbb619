import { editDistance } from '../../core/edit-distance';
import { fieldStep } from '../files/field-path';
import type { ObjectProblems } from './objectProblems';

/**
 * The fields of the Istio API messages meshgov reads (istio/api security/v1beta1
 * peer_authentication.proto, networking/v1 destination_rule.proto and service_entry.proto),
 * including fields later Istio releases added, so that an object written for a newer Istio is
 * never taken for a typo.
 */
export const ISTIO_FIELDS = {
  peerAuthenticationSpec: ['selector', 'mtls', 'portLevelMtls'],
  mutualTls: ['mode'],
  workloadSelector: ['matchLabels'],
  destinationRuleSpec: ['host', 'trafficPolicy', 'subsets', 'exportTo', 'workloadSelector'],
  trafficPolicy: ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'],
  portTrafficPolicy: ['port', 'loadBalancer', 'connectionPool', 'outlierDetection', 'tls'],
  subset: ['name', 'labels', 'trafficPolicy'],
  clientTls: ['mode', 'clientCertificate', 'privateKey', 'caCertificates', 'credentialName', 'subjectAltNames', 'sni', 'insecureSkipVerify', 'caCrl'],
  serviceEntrySpec: ['hosts', 'addresses', 'ports', 'location', 'resolution', 'endpoints', 'workloadSelector', 'exportTo', 'subjectAltNames'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Reports each key of `node` that is not a field of its message but nearly spells one
 * (`mdoe`, `trafficpolicy`, `port_level_mtls`): kubectl's strict field validation (the default
 * since Kubernetes 1.27) refuses the object, and a client that does not ask for it (Helm, most
 * controllers) gets it stored without the key, which the API server prunes. So the object is
 * read as stored, without the key, never as the field it was meant to be. A key that is not
 * near any field stays silent: Istio adds fields from release to release.
 */
export function reportNearMisses(node: Record<string, unknown>, known: readonly string[], base: string, problems: ObjectProblems): void {
  for (const key in node) {
    if (!Object.hasOwn(node, key) || known.includes(key)) continue;
    const meant = nearestField(key, known);
    if (meant !== undefined) {
      problems.warn(
        `${base}${fieldStep(key)}`,
        `unknown field ${JSON.stringify(key)} (did you mean ${JSON.stringify(meant)}?): kubectl refuses the object, and other clients (Helm, controllers) get it stored without the field, as meshgov reads it`,
      );
    }
  }
}

/** The field `key` is a slip for: the same but for case, or at most two edits away (and not shorter than the edits). */
function nearestField(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance < (best?.distance ?? Infinity)) best = { name, distance };
  }
  // Two edits turn any two-letter key into a two-letter field: only keys longer than the edits count.
  if (best && best.distance <= 2 && best.distance < Math.min(key.length, best.name.length)) return best.name;
  return undefined;
}
