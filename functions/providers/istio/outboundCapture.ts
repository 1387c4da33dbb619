/**
 * Callers whose sidecar does not capture all their outbound traffic. istio-iptables redirects a
 * pod's outbound TCP to its sidecar except what the pod template's annotations leave out:
 * - `traffic.sidecar.istio.io/excludeOutboundPorts`: connections to those destination ports;
 * - `traffic.sidecar.istio.io/includeOutboundIPRanges`: only those addresses are captured (`*`,
 *   the default, is all; an empty value is none at all);
 * - `traffic.sidecar.istio.io/excludeOutboundIPRanges`: connections to those addresses.
 * What is left out leaves the application as it wrote it, plaintext for an HTTP client, and a
 * STRICT server refuses it just as it refuses a workload without a sidecar. Nothing in the
 * configuration says whom such a caller calls, so, like a sidecar-less workload, it may be a
 * caller of any server (plaintextCallers.ts); only a port list says which Service ports (the
 * ports it dials: istio-iptables runs in the pod's network namespace, before kube-proxy on the
 * node translates a Service port to the pod's) it spares.
 * meshgov cannot tell which addresses hold the cluster's pods and Services, so an address range
 * counts as reaching them, except link-local and loopback ranges, which never do (the GKE
 * metadata server, 169.254.169.254, is the usual one left out).
 */
import { isIstioGateway } from './gateways';
import { dialedPorts, serverName, type PlaintextCaller } from './plaintextCallers';
import type { ServerRecord } from './servers';
import type { WorkloadTable } from './workloadTable';
import type { Workload } from './workloads';

export const EXCLUDE_OUTBOUND_PORTS = 'traffic.sidecar.istio.io/excludeOutboundPorts';
export const INCLUDE_OUTBOUND_IP_RANGES = 'traffic.sidecar.istio.io/includeOutboundIPRanges';
export const EXCLUDE_OUTBOUND_IP_RANGES = 'traffic.sidecar.istio.io/excludeOutboundIPRanges';

/** A workload with a sidecar whose calls may leave without it. */
export interface OutboundBypass {
  workload: Workload;
  annotation: string;
  value: string;
  /** The destination ports whose calls bypass the sidecar; undefined when any port's may. */
  ports?: readonly number[];
  /** What bypasses, for a reason: `its calls to port 80 bypass its sidecar and go out in plaintext`. */
  how: string;
}

/**
 * istio.io's way to let Prometheus scrape STRICT workloads ("Prometheus", TLS settings): its
 * sidecar captures nothing (`includeOutboundIPRanges: ""`) but writes the mesh certificates to
 * a shared volume (`proxy.istio.io/config` with `OUTPUT_CERTS`), and Prometheus calls with them
 * itself: mTLS, not plaintext.
 */
function writesMeshCertificates(annotations: Readonly<Record<string, string>>): boolean {
  const proxyConfig = annotations['proxy.istio.io/config'];
  return proxyConfig !== undefined && /\bOUTPUT_CERTS\b/.test(proxyConfig);
}

/** The workloads with a sidecar (not ambient, not a gateway) whose annotations let calls bypass it, in model order. */
export function outboundBypasses(table: WorkloadTable): OutboundBypass[] {
  const out: OutboundBypass[] = [];
  for (let i = 0; i < table.workloads.length; i++) {
    const workload = table.workloads[i]!;
    const membership = table.entries[i]!.membership;
    if (!membership.inMesh || membership.ambient || isIstioGateway(workload)) continue;
    const bypass = outboundBypassOf(workload);
    if (bypass) out.push(bypass);
  }
  return out;
}

/** The widest way the workload's calls may bypass its sidecar, or undefined when all are captured. */
export function outboundBypassOf(workload: Workload): OutboundBypass | undefined {
  const annotations = workload.podAnnotations;
  if (writesMeshCertificates(annotations)) return undefined;
  const include = annotations[INCLUDE_OUTBOUND_IP_RANGES];
  if (include !== undefined && include.trim() === '') {
    return { workload, annotation: INCLUDE_OUTBOUND_IP_RANGES, value: include, how: 'its sidecar captures none of its calls, which go out in plaintext' };
  }
  const exclude = annotations[EXCLUDE_OUTBOUND_IP_RANGES];
  if (exclude !== undefined && rangesOf(exclude).some(mayHoldClusterAddresses)) {
    return { workload, annotation: EXCLUDE_OUTBOUND_IP_RANGES, value: exclude, how: 'its calls to those addresses bypass its sidecar and go out in plaintext (meshgov cannot tell whether pods or Services are among them)' };
  }
  if (include !== undefined && !rangesOf(include).includes('*')) {
    return { workload, annotation: INCLUDE_OUTBOUND_IP_RANGES, value: include, how: 'its calls to any other address bypass its sidecar and go out in plaintext (meshgov cannot tell whether every pod and Service is inside those ranges)' };
  }
  const ports = portsOf(annotations[EXCLUDE_OUTBOUND_PORTS] ?? '');
  if (ports.length > 0) {
    return { workload, annotation: EXCLUDE_OUTBOUND_PORTS, value: annotations[EXCLUDE_OUTBOUND_PORTS]!, ports, how: `its calls to ${ports.length === 1 ? 'port' : 'ports'} ${ports.join(', ')} bypass its sidecar and go out in plaintext` };
  }
  return undefined;
}

/** Toward a server: the port the caller dials (a Service port), when the bypass depends on it. */
interface Reached {
  dialed?: number;
}

/** As a caller that may send plaintext past its sidecar (plaintextCallers.ts). */
export function bypassingCaller(bypass: OutboundBypass): PlaintextCaller {
  return {
    name: bypass.workload.key,
    reasonToward(record) {
      const reached = reaches(bypass, record);
      if (!reached) return undefined;
      const via = reached.dialed !== undefined && reached.dialed !== record.port ? ` (dialed as port ${reached.dialed})` : '';
      return `${bypass.workload.key} sets ${bypass.annotation}: "${bypass.value}": ${bypass.how}; it may call ${serverName(record)}${via}, which STRICT refuses`;
    },
  };
}

/** Whether the caller may call the server without its sidecar: any server, or (a port list) one dialed on a listed port. */
function reaches(bypass: OutboundBypass, record: ServerRecord): Reached | undefined {
  if (!bypass.ports) return {};
  const dialed = dialedPorts(record);
  // A server without a known port may be dialed on any.
  if (dialed === undefined) return {};
  const hit = dialed.find((p) => bypass.ports!.includes(p));
  return hit === undefined ? undefined : { dialed: hit };
}

function portsOf(list: string): number[] {
  const ports: number[] = [];
  for (const item of list.split(',')) {
    const text = item.trim();
    if (/^\d+$/.test(text) && !ports.includes(Number(text))) ports.push(Number(text));
  }
  return ports;
}

function rangesOf(list: string): string[] {
  return list
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

/** False only for a range inside IPv4 link-local (169.254/16) or loopback (127/8), or IPv6 link-local (fe80::/10) or loopback (::1): no pod or Service address is there. */
function mayHoldClusterAddresses(range: string): boolean {
  const [address, bits] = range.split('/');
  const prefix = bits === undefined ? undefined : Number(bits);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(address ?? '');
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    const size = prefix ?? 32;
    if (a === 127 && size >= 8) return false;
    if (a === 169 && b === 254 && size >= 16) return false;
    return true;
  }
  const v6 = (address ?? '').toLowerCase();
  if (v6 === '::1' && (prefix ?? 128) === 128) return false;
  if (/^fe[89ab][0-9a-f]?:/.test(v6) && (prefix ?? 128) >= 10) return false;
  return true;
}
