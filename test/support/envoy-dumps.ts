/**
 * Envoy admin `/config_dump` documents as real proxies write them (snake_case proto JSON,
 * `@type` on every Any, private keys redacted), for the config-dump tests and golden case.
 */
export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
/** What Envoy's admin writes for a private key it will not show: base64 of "[redacted]". */
export const REDACTED = b64('[redacted]');
export const TS = '2026-11-25T09:14:05.112Z';
const VERSION = '2026-11-25T09:14:04Z/41';

export const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const SECRET = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

const SDS = { api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }], set_node_on_first_message_only: true, transport_api_version: 'V3' }, initial_fetch_timeout: '0s', resource_api_version: 'V3' };

/** Istio's CommonTlsContext: the workload certificate and the root, both from istio-agent over SDS. */
function istioCommonTls(alpn: string[], sans?: string[]) {
  return {
    tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' },
    alpn_protocols: alpn,
    tls_certificate_sds_secret_configs: [{ name: 'default', sds_config: SDS }],
    combined_validation_context: {
      default_validation_context: sans ? { match_subject_alt_names: sans.map((exact) => ({ exact })) } : {},
      validation_context_sds_secret_config: { name: 'ROOTCA', sds_config: SDS },
    },
  };
}

export function httpManager(statPrefix: string, cluster: string) {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: statPrefix,
      route_config: { name: cluster, virtual_hosts: [{ name: cluster, domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }] },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
    },
  };
}

/** A workload port as istiod builds its virtualInbound chains: the Service port's protocol, and its own mode. */
export interface SidecarPort {
  port: number;
  protocol: 'http' | 'tcp';
  /** A `portLevelMtls` mode for the port; the workload's mode when not given. */
  permissive?: boolean;
}

const TCP_PROXY = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
/** istiod's ALPN lists (pilot/pkg/networking/core/listener.go), as its chains match them. */
const ALL_ISTIO_MTLS_ALPNS = ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
const MTLS_HTTP_ALPNS = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
const MTLS_TCP_WITH_MXC_ALPNS = ['istio-peer-exchange', 'istio'];
const PLAINTEXT_HTTP_ALPNS = ['http/1.1', 'h2c'];
const PASSTHROUGH = 'InboundPassthroughCluster';

function tcpProxy(cluster: string) {
  return { name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': TCP_PROXY, stat_prefix: cluster, cluster } };
}

/** The inbound mTLS socket: istio-agent's certificate, a verified client certificate required. */
function inboundMtls(alpn: string[]) {
  return { name: 'envoy.transport_sockets.tls', typed_config: { '@type': DOWNSTREAM_TLS, common_tls_context: istioCommonTls(alpn), require_client_certificate: true } };
}
const HTTP_MTLS = inboundMtls(['h2', 'http/1.1']);
const TCP_MTLS = inboundMtls(['istio-peer-exchange', 'h2', 'http/1.1']);

/** Connections made to 15006 itself: istiod sends them to BlackHoleCluster, which closes them. */
const INBOUND_BLACKHOLE = { filter_chain_match: { destination_port: 15006 }, filters: [tcpProxy('BlackHoleCluster')], name: 'virtualInbound-blackhole' };

/**
 * The catch-all chains for ports that have none of their own (buildInboundPassthroughChains, protocol
 * auto): PERMISSIVE takes mTLS HTTP, plaintext HTTP, mTLS TCP, plaintext TCP and TLS it passes
 * through; STRICT only mTLS (filterchain_options.go).
 */
function passthroughChains(permissive: boolean) {
  const http = (match: object, tls: boolean) => ({ filter_chain_match: match, filters: [httpManager(PASSTHROUGH, PASSTHROUGH)], ...(tls ? { transport_socket: HTTP_MTLS } : {}), name: 'virtualInbound-catchall-http' });
  const tcp = (match: object, tls: boolean) => ({ filter_chain_match: match, filters: [tcpProxy(PASSTHROUGH)], ...(tls ? { transport_socket: TCP_MTLS } : {}), name: 'virtualInbound' });
  if (!permissive) return [http({ transport_protocol: 'tls', application_protocols: MTLS_HTTP_ALPNS }, true), tcp({ transport_protocol: 'tls' }, true)];
  return [
    http({ transport_protocol: 'tls', application_protocols: MTLS_HTTP_ALPNS }, true),
    http({ transport_protocol: 'raw_buffer', application_protocols: PLAINTEXT_HTTP_ALPNS }, false),
    tcp({ transport_protocol: 'tls', application_protocols: MTLS_TCP_WITH_MXC_ALPNS }, true),
    tcp({ transport_protocol: 'raw_buffer' }, false),
    tcp({ transport_protocol: 'tls' }, false),
  ];
}

/** One port's chains, named `0.0.0.0_PORT` alike (inboundChainForOpts); a PERMISSIVE TCP port also passes plain TLS through. */
function inboundPortChains({ port, protocol }: SidecarPort, permissive: boolean) {
  const filters = protocol === 'http' ? [httpManager(`inbound_0.0.0.0_${port}`, `inbound|${port}||`)] : [tcpProxy(`inbound|${port}||`)];
  const chain = (match: object, socket?: object) => ({ filter_chain_match: { destination_port: port, ...match }, filters, ...(socket ? { transport_socket: socket } : {}), name: `0.0.0.0_${port}` });
  const mtls = protocol === 'http' ? HTTP_MTLS : TCP_MTLS;
  if (!permissive) return [chain({ transport_protocol: 'tls' }, mtls)];
  const chains = [chain({ transport_protocol: 'tls', application_protocols: ALL_ISTIO_MTLS_ALPNS }, mtls), chain({ transport_protocol: 'raw_buffer' })];
  return protocol === 'tcp' ? [...chains, chain({ transport_protocol: 'tls' })] : chains;
}

/** Ports excluded from a listener filter (listenerPredicateExcludePorts): one range, or an or_match of them. */
function excludePorts(ports: number[]) {
  const ranges = [...ports].sort((a, b) => a - b).map((p) => ({ destination_port_range: { start: p, end: p + 1 } }));
  return ranges.length === 1 ? ranges[0] : { or_match: { rules: ranges } };
}

/**
 * populateListenerFilters: the TLS inspector everywhere but the blackhole's port; the HTTP
 * inspector only where a chain matches plaintext HTTP ALPNs (PERMISSIVE's catch-all), so every
 * port with chains of its own is excluded from it.
 */
function inboundListenerFilters(ports: SidecarPort[], permissive: boolean) {
  const filter = (kind: string, type: string, disabled?: object) => ({
    name: `envoy.filters.listener.${kind}`,
    typed_config: { '@type': `type.googleapis.com/envoy.extensions.filters.listener.${kind}.v3.${type}` },
    ...(disabled ? { filter_disabled: disabled } : {}),
  });
  return [
    filter('original_dst', 'OriginalDst'),
    filter('tls_inspector', 'TlsInspector', excludePorts([15006])),
    ...(permissive ? [filter('http_inspector', 'HttpInspector', excludePorts([15006, ...ports.map((p) => p.port)]))] : []),
  ];
}

export interface SidecarOptions {
  /**
   * The workload's mode (PeerAuthentication `mtls.mode`): PERMISSIVE keeps a raw_buffer chain next
   * to each mTLS one, for its ports and for the catch-all passthrough chains, as istiod writes them.
   */
  permissive: boolean;
  /** The workload's ports (the Service's target ports); port 8080, HTTP, when not given. */
  ports?: SidecarPort[];
  /** The `default` secret: the workload certificate and its intermediate, as PEM. */
  chainPem: string;
  /** The ROOTCA secret's root, as PEM. */
  rootPem: string;
  /** The `default` secret's chain as the dump writes it, when not base64 of chainPem (a broken dump). */
  certificateBytes?: string;
  /** The pod, which names the node. */
  pod?: { name: string; namespace: string; ip: string };
}

/** `istioctl proxy-config all orders-v1-… -o json` of an Istio 1.24 sidecar, cut to what meshgov reads. */
export function sidecarDump({
  permissive,
  ports = [{ port: 8080, protocol: 'http' }],
  chainPem,
  rootPem,
  certificateBytes,
  pod = { name: 'orders-v1-7d9c8b6f5-x2x9q', namespace: 'orders', ip: '10.8.1.14' },
}: SidecarOptions) {
  const portChains = ports.flatMap((p) => inboundPortChains(p, p.permissive ?? permissive));
  const app = pod.name.replace(/-v\d+-[a-z0-9]+-[a-z0-9]+$/, '');
  return {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
        bootstrap: {
          node: {
            id: `sidecar~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
            cluster: `${pod.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')}.${pod.namespace}`,
            metadata: {
              ISTIO_VERSION: '1.24.2',
              NAMESPACE: pod.namespace,
              NAME: pod.name,
              WORKLOAD_NAME: pod.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''),
              LABELS: { app, version: 'v1', 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': app, 'service.istio.io/canonical-revision': 'v1' },
              CLUSTER_ID: 'gke-prod-europe-west1',
              ENVOY_PROMETHEUS_PORT: 15090,
              ENVOY_STATUS_PORT: 15021,
              // pilot-agent's own port, not Envoy's readiness listener.
              PROXY_CONFIG: { statusPort: 15020, proxyMetadata: {} },
            },
          },
          static_resources: { clusters: [{ name: 'prometheus_stats', type: 'STATIC' }] },
        },
        last_updated: TS,
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
        version_info: VERSION,
        dynamic_active_clusters: [
          { version_info: VERSION, cluster: { '@type': CLUSTER, name: 'BlackHoleCluster', type: 'STATIC', connect_timeout: '10s' }, last_updated: TS },
          {
            version_info: VERSION,
            cluster: {
              '@type': CLUSTER,
              name: 'outbound|8080||payments.payments.svc.cluster.local',
              type: 'EDS',
              eds_cluster_config: { eds_config: { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' }, service_name: 'outbound|8080||payments.payments.svc.cluster.local' },
              connect_timeout: '10s',
              transport_socket_matches: [
                {
                  name: 'tlsMode-istio',
                  match: { tlsMode: 'istio' },
                  transport_socket: {
                    name: 'envoy.transport_sockets.tls',
                    typed_config: { '@type': UPSTREAM_TLS, common_tls_context: istioCommonTls(['istio-peer-exchange', 'istio'], ['spiffe://cluster.local/ns/payments/sa/payments']), sni: 'outbound_.8080_._.payments.payments.svc.cluster.local' },
                  },
                },
                { name: 'tlsMode-disabled', match: {}, transport_socket: { name: 'envoy.transport_sockets.raw_buffer', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } } },
              ],
            },
            last_updated: TS,
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        version_info: VERSION,
        static_listeners: [15090, 15021].map((port) => ({
          listener: { '@type': LISTENER, address: { socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: port } }, filter_chains: [{ filters: [httpManager(port === 15090 ? 'stats' : 'agent', port === 15090 ? 'prometheus_stats' : 'agent')] }] },
          last_updated: TS,
        })),
        dynamic_listeners: [
          {
            name: 'virtualOutbound',
            active_state: {
              version_info: VERSION,
              listener: {
                '@type': LISTENER,
                name: 'virtualOutbound',
                address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
                filter_chains: [{ filters: [tcpProxy('PassthroughCluster')], name: 'virtualOutbound-catchall-tcp' }],
                use_original_dst: true,
                traffic_direction: 'OUTBOUND',
              },
              last_updated: TS,
            },
          },
          {
            name: 'virtualInbound',
            active_state: {
              version_info: VERSION,
              listener: {
                '@type': LISTENER,
                name: 'virtualInbound',
                address: { socket_address: { address: '0.0.0.0', port_value: 15006 } },
                // istiod's order (listener_inbound.go inboundVirtualListener): the passthrough chains, then each port's.
                filter_chains: [INBOUND_BLACKHOLE, ...passthroughChains(permissive), ...portChains],
                listener_filters: inboundListenerFilters(ports, permissive),
                listener_filters_timeout: '0s',
                continue_on_listener_filters_timeout: true,
                traffic_direction: 'INBOUND',
              },
              last_updated: TS,
            },
          },
          // Being replaced: the proto says to discard warming state when reading a dump.
          { name: 'virtualInbound-next', warming_state: { version_info: '2026-11-25T09:20:11Z/42', listener: { '@type': LISTENER, name: 'virtualInbound-next', address: { socket_address: { address: '0.0.0.0', port_value: 15007 } }, filter_chains: inboundPortChains({ port: 8080, protocol: 'http' }, true) } } },
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
        dynamic_active_secrets: [
          {
            name: 'default',
            version_info: '2026-11-25 09:14:03.846930341 +0000 UTC m=+0.412245821',
            last_updated: TS,
            secret: { '@type': SECRET, name: 'default', tls_certificate: { certificate_chain: { inline_bytes: certificateBytes ?? b64(chainPem) }, private_key: { inline_bytes: REDACTED } } },
          },
          { name: 'ROOTCA', version_info: '2026-11-25 09:14:03.9 +0000 UTC', last_updated: TS, secret: { '@type': SECRET, name: 'ROOTCA', validation_context: { trusted_ca: { inline_bytes: b64(rootPem) } } } },
        ],
      },
    ],
  };
}
