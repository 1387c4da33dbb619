import * as yaml from 'js-yaml';
import { emptyInventory } from '../../core/model/inventory';
import { buildEnvoyModel } from './index';
import type { EnvoyListenerEndpoint } from './listeners';

/*
 * Which filter chain a connection gets, as Envoy's FilterChainManagerImpl::findFilterChain
 * (source/common/listener_manager/filter_chain_manager_impl.cc) picks it: destination port, then
 * destination IP, server name, transport protocol, application protocols, then the source; the
 * most specific entry wins at each level with no backtracking, and only a connection that falls
 * off gets default_filter_chain. SNI, ALPN and `transport_protocol: tls` are known only when the
 * tls_inspector listener filter runs (Envoy no longer injects it); otherwise
 * ActiveTcpSocket::newConnection sets the transport protocol to raw_buffer.
 */

const NOW = { now: new Date('2026-11-26T00:00:00Z') };

const TLS_INSPECTOR = `
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`;

const MTLS_SOCKET = `
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: /etc/envoy/certs/server.pem }
              private_key: { filename: /etc/envoy/certs/server-key.pem }
            validation_context:
              trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }`;

const TCP_PROXY = (prefix: string) => `
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ${prefix}
          cluster: payments`;

const PLAINTEXT_DEFAULT = `
    default_filter_chain:
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: fallback
          cluster: legacy`;

function listenerModel(body: string, port = 8443) {
  const doc = yaml.load(`
static_resources:
  listeners:
  - name: payments_ingress
    address:
      socket_address: { address: 0.0.0.0, port_value: ${port} }${body}
`);
  const inventory = emptyInventory();
  inventory.envoy.push({ doc, source: { file: 'edge/envoy.yaml', line: 1 } });
  return buildEnvoyModel(inventory, NOW);
}

describe('filter chain selection: which chains a connection can reach', () => {
  test('an mTLS chain without filter_chain_match takes every connection, so a plaintext default_filter_chain is never used: STRICT', () => {
    const model = listenerModel(`
    filter_chains:
    - name: mtls${TCP_PROXY('mtls')}${MTLS_SOCKET}${PLAINTEXT_DEFAULT}`);
    expect(model.problems).toEqual([]);
    expect(model.servers[0]!.mode).toBe('STRICT');
  });

  test('a destination_port equal to the listener port also catches everything; with use_original_dst other ports reach the default', () => {
    const chain = `
    filter_chains:
    - name: mtls
      filter_chain_match: { destination_port: 8443 }${TCP_PROXY('mtls')}${MTLS_SOCKET}${PLAINTEXT_DEFAULT}`;
    expect(listenerModel(chain).servers[0]!.mode).toBe('STRICT');
    expect(listenerModel(`
    use_original_dst: true${chain}`).servers[0]!.mode).toBe('PERMISSIVE');
  });

  test('without the tls_inspector, a transport_protocol: tls chain is never selected: the raw_buffer chain serves TLS and plaintext alike, DISABLED', () => {
    const chains = `
    filter_chains:
    - name: mtls
      filter_chain_match: { transport_protocol: tls }${TCP_PROXY('mtls')}${MTLS_SOCKET}
    - name: plaintext
      filter_chain_match: { transport_protocol: raw_buffer }${TCP_PROXY('plain')}`;
    const without = listenerModel(chains).servers[0] as EnvoyListenerEndpoint;
    expect(without.mode).toBe('DISABLED');
    expect(without.modeReason).toMatch(/never selected: filter chain mtls .*tls_inspector/);
    // The same chains with the inspector: both kinds of client find their chain.
    expect(listenerModel(`${TLS_INSPECTOR}${chains}`).servers[0]!.mode).toBe('PERMISSIVE');
  });

  test('a TLS chain matched by server_names and a plaintext default, without the tls_inspector: only the default is used, DISABLED', () => {
    const model = listenerModel(`
    filter_chains:
    - name: orders
      filter_chain_match: { server_names: ["orders.shop.example.com"] }${TCP_PROXY('orders')}${MTLS_SOCKET}${PLAINTEXT_DEFAULT}`);
    expect(model.servers[0]!.mode).toBe('DISABLED');
  });

  test('an mTLS chain matched only by SNI, without the tls_inspector, matches no connection: a problem and no server', () => {
    const model = listenerModel(`
    filter_chains:
    - name: api
      filter_chain_match: { server_names: ["api.shop.example.com"] }${TCP_PROXY('api')}${MTLS_SOCKET}`);
    expect(model.servers).toEqual([]);
    expect(model.problems).toHaveLength(1);
    expect(model.problems[0]).toMatchObject({ kind: 'Listener', name: 'payments_ingress', port: 8443, field: 'static_resources.listeners[0].listener_filters' });
    expect(model.problems[0]!.message).toMatch(/no filter chain matches any connection.*filter chain api .*tls_inspector/);
  });

  test('no backtracking: a TLS client whose SNI selects a chain but whose ALPN does not falls to the default chain, not to the catch-all', () => {
    const model = listenerModel(`${TLS_INSPECTOR}
    filter_chains:
    - name: mtls${TCP_PROXY('mtls')}${MTLS_SOCKET}
    - name: admin_h2
      filter_chain_match: { server_names: ["admin.shop.example.com"], application_protocols: ["h2"] }${TCP_PROXY('admin')}${MTLS_SOCKET}${PLAINTEXT_DEFAULT}`);
    // Plaintext clients always get the mTLS catch-all; the default only ever sees TLS bytes, which it forwards unread.
    const s = model.servers[0] as EnvoyListenerEndpoint;
    expect(s.mode).toBe('TLS_NO_CLIENT_AUTH');
    expect(s.modeReason).toMatch(/^default filter chain/);
  });

  test('the http_inspector lets plaintext HTTP reach an application_protocols chain; without it that chain is never selected', () => {
    const chains = `
    filter_chains:
    - name: mtls${TCP_PROXY('mtls')}${MTLS_SOCKET}
    - name: http1
      filter_chain_match: { application_protocols: ["http/1.1"] }${TCP_PROXY('http1')}`;
    expect(listenerModel(chains).servers[0]!.mode).toBe('STRICT');
    expect(
      listenerModel(`
    listener_filters:
    - name: envoy.filters.listener.http_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector${chains}`).servers[0]!.mode,
    ).toBe('PERMISSIVE');
  });

  test('an unknown listener filter may detect TLS: its chains stay reachable (proto JSON spelling)', () => {
    const doc = {
      staticResources: {
        listeners: [
          {
            name: 'custom_sni',
            address: { socketAddress: { address: '0.0.0.0', portValue: 9443 } },
            listenerFilters: [{ name: 'acme.listener.sni_sniffer', typedConfig: { '@type': 'type.googleapis.com/acme.SniSniffer' } }],
            filterChains: [
              {
                filterChainMatch: { serverNames: ['api.shop.example.com'] },
                filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', statPrefix: 'api', cluster: 'payments' } }],
              },
            ],
          },
        ],
      },
    };
    const inventory = emptyInventory();
    inventory.envoy.push({ doc, source: { file: 'edge/envoy.json', line: 1 } });
    const model = buildEnvoyModel(inventory, NOW);
    expect(model.problems).toEqual([]);
    expect(model.servers[0]!.mode).toBe('TLS_NO_CLIENT_AUTH');
  });
});
