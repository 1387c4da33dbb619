/**
 * An Istio sidecar's inbound listener (`virtualInbound`, 15006) serves every workload port at
 * once: for each port P (a Service's target port, or a `portLevelMtls` port) istiod writes chains
 * matching `destination_port: P` (mTLS, and raw_buffer when P is PERMISSIVE), and for every other
 * port catch-all passthrough chains without one (`virtualInbound-catchall-http`, `virtualInbound`),
 * whose mode is the workload's own (listener_inbound.go, filterchain_options.go).
 *
 * Envoy gives a connection to P only P's chains when P has any: a port's subtree never falls back
 * to the catch-all port (FilterChainManagerImpl::findFilterChainForDestinationPort). So each port
 * has a mode of its own, as PeerAuthentication sets it, and is judged on its own chains.
 */

/** A judged chain, or a chain no connection reaches, with the `destination_port` it matches (0: any). */
export interface OnPort {
  destinationPort: number;
}

/** The chains that decide one port's mode; `port` undefined for the catch-all chains. */
export interface PortGroup<C extends OnPort, U extends OnPort> {
  port?: number;
  chains: C[];
  unreachable: U[];
}

/**
 * The chains by the port they match, ports in ascending order and the catch-all last. Only groups
 * with a chain someone reaches are kept: a port whose chains all close the connection (the
 * blackhole on 15006) or none reaches lets no one in.
 */
export function groupByDestinationPort<C extends OnPort, U extends OnPort>(chains: C[], unreachable: U[]): Array<PortGroup<C, U>> {
  const ports = [...new Set(chains.map((c) => c.destinationPort))].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
  return ports.map((port) => ({
    ...(port === 0 ? {} : { port }),
    chains: chains.filter((c) => c.destinationPort === port),
    unreachable: unreachable.filter((u) => u.destinationPort === port),
  }));
}

/** The ports that have chains of their own: connections to any other get the catch-all chains. */
export function portsWithOwnChains(destinationPorts: readonly number[]): number[] {
  return [...new Set(destinationPorts.filter((p) => p !== 0))].sort((a, b) => a - b);
}

/** Whether the listener is split by port: an Istio sidecar's inbound listener whose chains name ports. */
export function splitsByPort(destinationPorts: readonly number[]): boolean {
  return destinationPorts.some((p) => p !== 0);
}
