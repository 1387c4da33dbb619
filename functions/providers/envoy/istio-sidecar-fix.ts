import type { ProviderFix } from '../../core/model/types';
import { CREATE_STRICT_ACTION } from '../istio/serverFixes';
import type { IstioWorkload } from './resources';

/** The label Istio's workload selectors are usually written on, in order of preference. */
const SELECTOR_LABELS = ['app', 'app.kubernetes.io/name', 'service.istio.io/canonical-name'] as const;

/**
 * What of the workload takes plaintext: ports whose own filter chains do (`portLevelMtls`
 * entries), and whether the catch-all chains do, which serve every other port.
 */
export interface StrictScope {
  ports: number[];
  workloadWide: boolean;
}

const WORKLOAD_WIDE: StrictScope = { ports: [], workloadWide: true };

/**
 * For an Istio sidecar's inbound listener that takes plaintext, the fix is where istiod's
 * listener comes from: a PeerAuthentication selecting the workload. When only some ports take
 * plaintext it sets them STRICT in `portLevelMtls` (keyed by the workload's port, which is the
 * chains' `destination_port`) and leaves `mtls` unset, so the other ports keep the namespace's or
 * mesh's mode, which already makes them STRICT. When the catch-all chains take plaintext the
 * workload's own mode is not STRICT, and only `mtls.mode: STRICT` reaches every port; port
 * entries would add nothing, as `portLevelMtls` exists only on the workload's policy, which this is.
 *
 * Every finding of one sidecar carries the same object: Istio heeds a single PeerAuthentication
 * per workload (the oldest), so two of one name for two ports would undo each other. A dump does
 * not show the policies in force, nor who calls the workload, so a person applies it.
 */
export function sidecarStrictFix(serverIds: string[], workload: IstioWorkload, scope: StrictScope = WORKLOAD_WIDE): ProviderFix {
  const label = SELECTOR_LABELS.find((l) => workload.labels[l] !== undefined);
  const object = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: workload.name, namespace: workload.namespace },
    spec: { ...(label ? { selector: { matchLabels: { [label]: workload.labels[label]! } } } : {}), ...strictSpec(scope) },
  };
  return {
    action: CREATE_STRICT_ACTION,
    change: { operation: 'create', object },
    affectsServers: serverIds,
    blockers: label ? [] : [`the sidecar's node metadata gives no app label for workload ${workload.namespace}/${workload.name}: write the PeerAuthentication's selector by hand`],
    manualOnly: true,
    manualReason: manualReason(workload, scope),
  };
}

function strictSpec(scope: StrictScope): Record<string, unknown> {
  if (scope.workloadWide || scope.ports.length === 0) return { mtls: { mode: 'STRICT' } };
  return { portLevelMtls: Object.fromEntries(scope.ports.map((port) => [String(port), { mode: 'STRICT' }])) };
}

function manualReason(workload: IstioWorkload, scope: StrictScope): string {
  const who = `${workload.namespace}/${workload.name}`;
  const snapshot = "this is a snapshot of an Istio sidecar (/config_dump): meshgov did not read the PeerAuthentications in force nor the workload's callers";
  if (scope.workloadWide || scope.ports.length === 0) {
    return `${snapshot}, so a person applies this, or sets the policy that makes ${who} PERMISSIVE to STRICT, once every caller sends mTLS`;
  }
  const ports = `port${scope.ports.length > 1 ? 's' : ''} ${scope.ports.join(', ')}`;
  return `${snapshot}, so a person applies this once every caller sends mTLS to ${ports}; Istio heeds only the oldest PeerAuthentication selecting a workload, so where one already selects ${who}, set ${ports} to STRICT in its portLevelMtls instead`;
}
