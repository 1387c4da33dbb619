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

export interface SidecarOptions {
  /** PERMISSIVE keeps the raw_buffer chain next to the mTLS one, as istiod writes it. */
  permissive: boolean;
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
export function sidecarDump({ permissive, chainPem, rootPem, certificateBytes, pod = { name: 'orders-v1-7d9c8b6f5-x2x9q', namespace: 'orders', ip: '10.8.1.14' } }: SidecarOptions) {
  const inboundTls = {
    filter_chain_match: { destination_port: 8080, transport_protocol: 'tls', application_protocols: ['istio-peer-exchange', 'istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'] },
    filters: [httpManager('inbound_0.0.0.0_8080', 'inbound|8080||')],
    transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': DOWNSTREAM_TLS, common_tls_context: istioCommonTls(['h2', 'http/1.1']), require_client_certificate: true } },
    name: '0.0.0.0_8080',
  };
  const inboundPlain = { filter_chain_match: { destination_port: 8080, transport_protocol: 'raw_buffer' }, filters: [httpManager('inbound_0.0.0.0_8080', 'inbound|8080||')], name: '0.0.0.0_8080' };
  // Connections made to 15006 itself: istiod sends them to BlackHoleCluster, which closes them.
  const blackhole = {
    filter_chain_match: { destination_port: 15006 },
    filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 'BlackHoleCluster', cluster: 'BlackHoleCluster' } }],
    name: 'virtualInbound-blackhole',
  };
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
                filter_chains: [{ filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 'PassthroughCluster', cluster: 'PassthroughCluster' } }], name: 'virtualOutbound-catchall-tcp' }],
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
                filter_chains: permissive ? [blackhole, inboundTls, inboundPlain] : [blackhole, inboundTls],
                listener_filters: [
                  { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst' } },
                  { name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } },
                ],
                traffic_direction: 'INBOUND',
              },
              last_updated: TS,
            },
          },
          // Being replaced: the proto says to discard warming state when reading a dump.
          { name: 'virtualInbound-next', warming_state: { version_info: '2026-11-25T09:20:11Z/42', listener: { '@type': LISTENER, name: 'virtualInbound-next', address: { socket_address: { address: '0.0.0.0', port_value: 15007 } }, filter_chains: [inboundPlain] } } },
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
