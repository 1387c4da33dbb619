import type { ProviderFix } from '../../core/model/types';
import { CREATE_STRICT_ACTION } from '../istio/serverFixes';
import type { IstioWorkload } from './resources';

/** The label Istio's workload selectors are usually written on, in order of preference. */
const SELECTOR_LABELS = ['app', 'app.kubernetes.io/name', 'service.istio.io/canonical-name'] as const;

/**
 * For an Istio sidecar's inbound listener that takes plaintext, the fix is where istiod's
 * listener comes from: a PeerAuthentication selecting the workload, with `mtls.mode: STRICT`.
 * A dump does not show the policies in force, nor who calls the workload, so a person applies
 * it (or sets the policy that makes the port PERMISSIVE to STRICT) once its callers send mTLS.
 */
export function sidecarStrictFix(serverId: string, workload: IstioWorkload): ProviderFix {
  const label = SELECTOR_LABELS.find((l) => workload.labels[l] !== undefined);
  const object = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: workload.name, namespace: workload.namespace },
    spec: { ...(label ? { selector: { matchLabels: { [label]: workload.labels[label]! } } } : {}), mtls: { mode: 'STRICT' } },
  };
  return {
    action: CREATE_STRICT_ACTION,
    change: { operation: 'create', object },
    affectsServers: [serverId],
    blockers: label ? [] : [`the sidecar's node metadata gives no app label for workload ${workload.namespace}/${workload.name}: write the PeerAuthentication's selector by hand`],
    manualOnly: true,
    manualReason: `this is a snapshot of an Istio sidecar (/config_dump): meshgov did not read the PeerAuthentications in force nor the workload's callers, so a person applies this, or sets the policy that makes ${workload.namespace}/${workload.name} PERMISSIVE to STRICT, once every caller sends mTLS`,
  };
}
