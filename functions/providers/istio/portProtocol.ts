/**
 * Whether a port (container or Service) carries TCP, the default. The sidecar's iptables rules
 * redirect only TCP (istio-iptables), and istiod builds no listener or cluster for a UDP or SCTP
 * Service port: such a port never sees mTLS, whatever PeerAuthentication says.
 */
export function isTcp(port: { protocol?: unknown } | undefined): boolean {
  const protocol = port?.protocol;
  return protocol === undefined || protocol === null || protocol === 'TCP';
}
