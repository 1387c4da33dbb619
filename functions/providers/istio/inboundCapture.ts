/**
 * Ports a pod's sidecar does not intercept. istio-iptables redirects inbound TCP to the sidecar
 * only for the ports `traffic.sidecar.istio.io/includeInboundPorts` lists (`*`, the default,
 * means all but those `excludeInboundPorts` lists; an empty list means none). Traffic to any
 * other port reaches the application directly: it takes plaintext whatever PeerAuthentication
 * says, and a client's sidecar still sends it mTLS through auto mTLS, since the pod has a
 * sidecar (Istio FAQ "Does Auto mTLS work for port exclusion?": no).
 */
import type { CauseRef, ProviderFix } from '../../core/model/types';
import { podAnnotationPath, type Workload } from './workloads';

export const INCLUDE_INBOUND_PORTS = 'traffic.sidecar.istio.io/includeInboundPorts';
export const EXCLUDE_INBOUND_PORTS = 'traffic.sidecar.istio.io/excludeInboundPorts';
export const CAPTURE_INBOUND_PORT_ACTION = 'istio.workload.capture-inbound-port';

/** The annotation that leaves a port uncaptured, with its value. */
export interface UncapturedPort {
  annotation: typeof INCLUDE_INBOUND_PORTS | typeof EXCLUDE_INBOUND_PORTS;
  value: string;
}

/** Why the sidecar does not capture inbound traffic to `port`; undefined when it does. */
export function uncapturedInbound(annotations: Readonly<Record<string, string>>, port: number): UncapturedPort | undefined {
  const include = annotations[INCLUDE_INBOUND_PORTS];
  // An include list other than `*` decides alone: istio-iptables reads the exclude list only with `*`.
  if (typeof include === 'string' && include.trim() !== '*') {
    return portsOf(include).includes(port) ? undefined : { annotation: INCLUDE_INBOUND_PORTS, value: include };
  }
  const exclude = annotations[EXCLUDE_INBOUND_PORTS];
  if (typeof exclude === 'string' && portsOf(exclude).includes(port)) return { annotation: EXCLUDE_INBOUND_PORTS, value: exclude };
  return undefined;
}

function portsOf(list: string): number[] {
  const ports: number[] = [];
  for (const item of list.split(',')) {
    const text = item.trim();
    if (/^\d+$/.test(text)) ports.push(Number(text));
  }
  return ports;
}

/** The cause of an uncaptured port's mode: the workload and its annotation. */
export function uncapturedCause(workload: Workload, uncaptured: UncapturedPort): CauseRef {
  return {
    kind: workload.kind,
    name: workload.name,
    namespace: workload.namespace,
    scope: 'workload',
    field: `annotation ${uncaptured.annotation}`,
    path: podAnnotationPath(workload.kind, uncaptured.annotation),
    source: workload.source,
  };
}

/** Why auto mTLS callers send the port mTLS it cannot take. */
export function uncapturedAutoMtlsReason(workload: Workload, port: number, uncaptured: UncapturedPort): string {
  return `port ${port} of ${workload.key} bypasses its sidecar (${uncaptured.annotation}: "${uncaptured.value}"), yet callers' sidecars send the pod mTLS because it has a sidecar`;
}

/**
 * The change that lets the sidecar capture the port again, after which the PeerAuthentication
 * applies: the port left out of the exclude list, or added to the include list. A person makes
 * it, since meshgov writes only Istio objects and the pods must be recreated for the sidecar's
 * iptables rules to change.
 *
 * The patch sets the annotation's whole value, so one change per port, each computed from the
 * value as read, would put back the port the other one removed. Every port of the workload gets
 * the same fix object instead, whose change captures every port asked for so far: the server
 * fixes ask for each uncaptured port of a workload in one pass (serverFixes.ts), and by the end
 * of it the change every port's finding carries captures them all.
 */
export function captureInboundPortFix(workload: Workload, port: number, uncaptured: UncapturedPort): ProviderFix {
  let capture = capturesOf.get(workload);
  if (!capture) {
    capture = { uncaptured, ports: [], fix: { action: CAPTURE_INBOUND_PORT_ACTION, change: {}, affectsServers: [], affectsClients: [], blockers: [], manualOnly: true } };
    capturesOf.set(workload, capture);
  }
  if (!capture.ports.includes(port)) {
    capture.ports.push(port);
    capture.ports.sort((a, b) => a - b);
    capture.fix.change = captureChange(workload, capture.ports, capture.uncaptured);
    capture.fix.manualReason = `meshgov writes only Istio objects: ${recreateOrChange(workload, capture.ports)}; only pods created after the change get it`;
  }
  return capture.fix;
}

/** The one fix of each workload, and the ports it captures. Keyed by the workload object, which each model build reads afresh. */
const capturesOf = new WeakMap<Workload, { uncaptured: UncapturedPort; ports: number[]; fix: ProviderFix }>();

function captureChange(workload: Workload, ports: readonly number[], uncaptured: UncapturedPort): Record<string, unknown> {
  const listed = uncaptured.value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const named = ports.map(String);
  const next =
    uncaptured.annotation === EXCLUDE_INBOUND_PORTS
      ? listed.filter((p) => !named.includes(p))
      : [...listed, ...named.filter((p) => !listed.includes(p))].sort((a, b) => Number(a) - Number(b));
  // JSON merge patch: null removes an exclude list left empty.
  const value = next.length > 0 ? next.join(',') : null;
  const annotations = { [uncaptured.annotation]: value };
  const template = { template: { metadata: { annotations } } };
  // Where the pod template sits: a CronJob keeps it in the template of the Jobs it makes.
  const patch = workload.kind === 'Pod' ? { metadata: { annotations } } : workload.kind === 'CronJob' ? { spec: { jobTemplate: { spec: template } } } : { spec: template };
  return {
    operation: 'merge-patch',
    target: { apiVersion: WORKLOAD_API_VERSIONS[workload.kind] ?? 'apps/v1', kind: workload.kind, namespace: workload.namespace, name: workload.name },
    patch,
  };
}

const WORKLOAD_API_VERSIONS: Partial<Record<string, string>> = { Pod: 'v1', Job: 'batch/v1', CronJob: 'batch/v1', Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', ReplicaSet: 'apps/v1' };

/** A Job's and a Pod's pod template cannot be changed in place (the API server refuses it): they are made again. */
function recreateOrChange(workload: Workload, ports: readonly number[]): string {
  const what = `${workload.kind} ${workload.namespace}/${workload.name}`;
  const captured = `the sidecar captures ${ports.length === 1 ? 'port' : 'ports'} ${ports.join(', ')}`;
  if (workload.kind === 'Job' || workload.kind === 'Pod') return `delete and create ${what} again with this change (its pod template cannot be changed in place), so that ${captured}`;
  return `change ${what} so that ${captured}`;
}
