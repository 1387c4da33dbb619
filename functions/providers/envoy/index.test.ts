import * as yaml from 'js-yaml';
import { emptyInventory, type Inventory } from '../../core/model/inventory';
import type { ClientPolicy, ServerEndpoint } from '../../core/model/types';
import { FleetIndex } from '../../core/model/fleet-index';
import { buildEnvoyModel } from './index';

const NOW = { now: new Date('2026-11-26T00:00:00Z') };

function inventoryOf(...docs: Array<{ doc: unknown; file: string; line?: number }>): Inventory {
  const inventory = emptyInventory();
  for (const { doc, file, line } of docs) inventory.envoy.push({ doc, source: { file, line: line ?? 1 } });
  return inventory;
}

/** A front proxy bootstrap as people write it (snake_case YAML, real v3 @type URLs). */
const FRONT_PROXY = `
admin:
  address:
    socket_address: { address: 127.0.0.1, port_value: 9901 }
static_resources:
  listeners:
  - name: ingress_mtls
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
    filter_chains:
    - filter_chain_match:
        server_names: ["api.shop.example.com"]
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_mtls
          route_config:
            name: local_route
            virtual_hosts:
            - name: shop
              domains: ["shop.example.com", "shop.example.com:8443", "*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: payments }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
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
              trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }
  - name: mixed_8080
    address:
      socket_address: { address: 0.0.0.0, port_value: 8080 }
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
    filter_chains:
    - name: mtls
      filter_chain_match: { transport_protocol: tls }
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: mixed_tls
          cluster: payments
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
              trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }
    - name: plaintext
      filter_chain_match: { transport_protocol: raw_buffer }
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: mixed_plain
          cluster: payments
  - name: metrics_plain
    address:
      socket_address: { address: 0.0.0.0, port_value: 9000 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: metrics
          route_config:
            virtual_hosts:
            - name: metrics
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: local_app }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  - name: tls_optional_client
    address:
      socket_address: { address: 0.0.0.0, port_value: 9443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: optional
          cluster: inventory
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: /etc/envoy/certs/server.pem }
              private_key: { filename: /etc/envoy/certs/server-key.pem }
            validation_context:
              trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }
              trust_chain_verification: ACCEPT_UNTRUSTED
  - name: tls_with_plain_default
    address:
      socket_address: { address: 0.0.0.0, port_value: 10443 }
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
    filter_chains:
    - filter_chain_match: { server_names: ["orders.shop.example.com"] }
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: orders
          cluster: payments
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
              trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }
    default_filter_chain:
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: fallback
          cluster: legacy
  clusters:
  - name: payments
    type: STRICT_DNS
    connect_timeout: 1s
    load_assignment:
      cluster_name: payments
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: payments.shop.svc.cluster.local, port_value: 8443 }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: payments.shop.svc.cluster.local
        common_tls_context:
          tls_certificates:
          - certificate_chain: { filename: /etc/envoy/certs/client.pem }
            private_key: { filename: /etc/envoy/certs/client-key.pem }
          validation_context:
            trusted_ca: { filename: /etc/envoy/certs/mesh-root.pem }
  - name: inventory
    type: STRICT_DNS
    load_assignment:
      cluster_name: inventory
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: inventory.shop.svc.cluster.local, port_value: 8443 }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: inventory.shop.svc.cluster.local
        common_tls_context:
          validation_context:
            trusted_ca: { filename: /etc/envoy/certs/mesh-root.pem }
  - name: legacy
    type: STRICT_DNS
    load_assignment:
      cluster_name: legacy
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: legacy-billing.shop.svc.cluster.local, port_value: 8080 }
  - name: stripe_api
    type: LOGICAL_DNS
    dns_lookup_family: V4_ONLY
    load_assignment:
      cluster_name: stripe_api
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: api.stripe.com, port_value: 80 }
  - name: local_app
    type: STATIC
    load_assignment:
      cluster_name: local_app
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: 127.0.0.1, port_value: 8080 }
`;

function byName<T extends ServerEndpoint | ClientPolicy>(list: T[], name: string): T {
  const found = list.find((x) => x.resource.name === name);
  if (!found) throw new Error(`${name} not in ${list.map((x) => x.resource.name).join(', ')}`);
  return found;
}

describe('buildEnvoyModel: listeners', () => {
  const model = buildEnvoyModel(inventoryOf({ doc: yaml.load(FRONT_PROXY), file: 'envoy/front-proxy.yaml', line: 1 }), NOW);

  test('counts every listener and cluster, and reports no problem for a valid bootstrap', () => {
    expect(model.resourceCount).toBe(10);
    expect(model.problems).toEqual([]);
    expect(model.servers).toHaveLength(5);
  });

  test('a TLS listener with require_client_certificate and a trusted CA is STRICT, with its coordinates', () => {
    const s = byName(model.servers, 'ingress_mtls');
    expect(s).toMatchObject({
      id: 'envoy:envoy/front-proxy.yaml#ingress_mtls',
      provider: 'envoy',
      mode: 'STRICT',
      inMesh: true,
      resource: { kind: 'Listener', name: 'ingress_mtls', port: 8443, file: 'envoy/front-proxy.yaml', line: 1 },
      cause: { kind: 'Listener', name: 'ingress_mtls', scope: 'listener', source: { file: 'envoy/front-proxy.yaml', line: 1 } },
    });
    expect(s.hosts.sort()).toEqual(['api.shop.example.com', 'shop.example.com']);
    expect(s.fix).toBeUndefined();
  });

  test('one plaintext chain next to an mTLS chain makes the listener PERMISSIVE', () => {
    const s = byName(model.servers, 'mixed_8080');
    expect(s.mode).toBe('PERMISSIVE');
    expect((s as { modeReason?: string }).modeReason).toMatch(/filter chain plaintext accepts plaintext/);
    expect(s.fix).toMatchObject({ action: 'envoy.listener.require-client-certificate', manualOnly: true, affectsServers: [s.id] });
    // The plaintext chain needs a certificate; the CA of the mTLS chain is reused.
    const patch = (s.fix!.change.filter_chains as Array<Record<string, any>>)[0];
    expect(patch.filter_chain).toBe('filter chain plaintext');
    expect(patch.path).toBe('static_resources.listeners[1].filter_chains[1]');
    expect(patch.transport_socket.typed_config).toMatchObject({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      require_client_certificate: true,
      common_tls_context: { validation_context: { trusted_ca: { filename: '/etc/envoy/certs/client-ca.pem' } } },
    });
    expect(s.fix!.blockers).toEqual(['filter chain plaintext of listener mixed_8080 is plaintext: a server certificate and key must be issued for it']);
  });

  test('a listener without any TLS is DISABLED and its fix is blocked on certificates and a CA', () => {
    const s = byName(model.servers, 'metrics_plain');
    expect(s.mode).toBe('DISABLED');
    expect(s.resource.port).toBe(9000);
    expect(s.hosts).toEqual([]);
    expect(s.fix!.blockers).toHaveLength(2);
    expect(s.fix!.blockers[1]).toMatch(/no trusted CA is known/);
  });

  test('ACCEPT_UNTRUSTED without require_client_certificate is TLS_NO_CLIENT_AUTH; the fix requires and verifies', () => {
    const s = byName(model.servers, 'tls_optional_client');
    expect(s.mode).toBe('TLS_NO_CLIENT_AUTH');
    const patch = (s.fix!.change.filter_chains as Array<Record<string, any>>)[0];
    expect(patch.transport_socket.typed_config.require_client_certificate).toBe(true);
    expect(patch.transport_socket.typed_config.common_tls_context.validation_context).toEqual({
      trusted_ca: { filename: '/etc/envoy/certs/client-ca.pem' },
      trust_chain_verification: 'VERIFY_TRUST_CHAIN',
    });
    expect(s.fix!.blockers).toEqual([]);
  });

  test('a plaintext default_filter_chain beside an mTLS chain makes the listener PERMISSIVE', () => {
    const s = byName(model.servers, 'tls_with_plain_default');
    expect(s.mode).toBe('PERMISSIVE');
    expect(s.hosts).toEqual(['orders.shop.example.com']);
  });
});

describe('buildEnvoyModel: clusters', () => {
  const model = buildEnvoyModel(inventoryOf({ doc: yaml.load(FRONT_PROXY), file: 'envoy/front-proxy.yaml' }), NOW);

  test('an UpstreamTlsContext with a client certificate sends MTLS', () => {
    const c = byName(model.clients, 'payments');
    expect(c).toMatchObject({
      id: 'envoy:envoy/front-proxy.yaml#cluster/payments',
      provider: 'envoy',
      sends: 'MTLS',
      resource: { kind: 'Cluster', name: 'payments', port: 8443, file: 'envoy/front-proxy.yaml', line: 1 },
      cause: { kind: 'Cluster', name: 'payments', scope: 'cluster' },
      destination: { hosts: ['payments.shop.svc.cluster.local'], port: 8443 },
    });
    expect(c.inMeshDestination).toBeUndefined();
    expect(c.fix).toBeUndefined();
  });

  test('an UpstreamTlsContext without a client certificate sends TLS, with a manual fix', () => {
    const c = byName(model.clients, 'inventory');
    expect(c.sends).toBe('TLS');
    expect(c.reason).toBe('UpstreamTlsContext without a client certificate');
    expect(c.fix).toMatchObject({ action: 'envoy.cluster.add-client-certificate', manualOnly: true, affectsServers: [], affectsClients: [c.id] });
    const typed = (c.fix!.change.transport_socket as any).typed_config;
    expect(typed.sni).toBe('inventory.shop.svc.cluster.local');
    expect(typed.common_tls_context.validation_context.trusted_ca.filename).toBe('/etc/envoy/certs/mesh-root.pem');
    expect(typed.common_tls_context.tls_certificates).toHaveLength(1);
  });

  test('a cluster without a transport socket sends PLAINTEXT; in-cluster DNS is left for the core to match', () => {
    const c = byName(model.clients, 'legacy');
    expect(c).toMatchObject({ sends: 'PLAINTEXT', reason: 'no transport socket', destination: { hosts: ['legacy-billing.shop.svc.cluster.local'], port: 8080 } });
    expect(c.inMeshDestination).toBeUndefined();
  });

  test('plaintext to an external name or an IP literal is marked outside the mesh', () => {
    expect(byName(model.clients, 'stripe_api').inMeshDestination).toBe(false);
    expect(byName(model.clients, 'local_app').inMeshDestination).toBe(false);
  });
});

describe('buildEnvoyModel: proto JSON and Istio-shaped clusters', () => {
  /** The same kind of bootstrap as `envoy --mode validate` accepts it in proto JSON (lowerCamelCase). */
  const PROTO_JSON = {
    staticResources: {
      listeners: [
        {
          name: 'inbound_9443',
          address: { socketAddress: { address: '0.0.0.0', portValue: 9443 } },
          listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' } }],
          filterChains: [
            {
              filterChainMatch: { serverNames: ['reviews.bookinfo.svc.cluster.local'] },
              filters: [
                {
                  name: 'envoy.filters.network.tcp_proxy',
                  typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', statPrefix: 'reviews', cluster: 'reviews_local' },
                },
              ],
              transportSocket: {
                name: 'envoy.transport_sockets.tls',
                typedConfig: {
                  '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                  commonTlsContext: {
                    tlsCertificates: [{ certificateChain: { filename: '/certs/server.pem' }, privateKey: { filename: '/certs/server-key.pem' } }],
                    validationContext: {
                      trustedCa: { filename: '/certs/root.pem' },
                      matchTypedSubjectAltNames: [{ sanType: 'URI', matcher: { prefix: 'spiffe://cluster.local/ns/bookinfo/' } }],
                    },
                  },
                },
              },
            },
          ],
        },
        {
          name: 'inbound_plain_json',
          address: { socketAddress: { address: '0.0.0.0', portValue: 9080 } },
          filterChains: [{ filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', statPrefix: 'p', cluster: 'reviews_local' } }] }],
        },
      ],
      clusters: [
        {
          name: 'outbound|9080||ratings.bookinfo.svc.cluster.local',
          type: 'EDS',
          edsClusterConfig: { serviceName: 'outbound|9080||ratings.bookinfo.svc.cluster.local', edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
          transportSocketMatches: [
            {
              name: 'tlsMode-istio',
              match: { tlsMode: 'istio' },
              transportSocket: {
                name: 'envoy.transport_sockets.tls',
                typedConfig: {
                  '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
                  commonTlsContext: {
                    tlsCertificateSdsSecretConfigs: [{ name: 'default', sdsConfig: { apiConfigSource: { apiType: 'GRPC', grpcServices: [{ envoyGrpc: { clusterName: 'sds-grpc' } }] } } }],
                    combinedValidationContext: { defaultValidationContext: {}, validationContextSdsSecretConfig: { name: 'ROOTCA', sdsConfig: { apiConfigSource: { apiType: 'GRPC' } } } },
                  },
                  sni: 'outbound_.9080_._.ratings.bookinfo.svc.cluster.local',
                },
              },
            },
            { name: 'tlsMode-disabled', match: {}, transportSocket: { name: 'envoy.transport_sockets.raw_buffer', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } } },
          ],
        },
        {
          name: 'reviews_local',
          type: 'STATIC',
          loadAssignment: { clusterName: 'reviews_local', endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: 9080 } } } }] }] },
        },
      ],
    },
  };
  const model = buildEnvoyModel(inventoryOf({ doc: PROTO_JSON, file: 'envoy/bookinfo-reviews.json', line: 1 }), NOW);

  test('reads camelCase listeners: SAN matchers with a trusted CA are STRICT even without require_client_certificate', () => {
    expect(model.problems).toEqual([]);
    const s = byName(model.servers, 'inbound_9443');
    expect(s).toMatchObject({ mode: 'STRICT', resource: { port: 9443 }, hosts: ['reviews.bookinfo.svc.cluster.local'] });
    expect(byName(model.servers, 'inbound_plain_json').mode).toBe('DISABLED');
  });

  test('the fix of a camelCase TLS context keeps camelCase spelling', () => {
    const optional = {
      staticResources: {
        listeners: [
          {
            name: 'inbound_optional_client',
            address: { socketAddress: { address: '0.0.0.0', portValue: 15006 } },
            filterChains: [
              {
                filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', statPrefix: 'o', cluster: 'reviews_local' } }],
                transportSocket: {
                  name: 'envoy.transport_sockets.tls',
                  typedConfig: {
                    '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                    requireClientCertificate: false,
                    commonTlsContext: {
                      tlsCertificates: [{ certificateChain: { filename: '/certs/server.pem' }, privateKey: { filename: '/certs/server-key.pem' } }],
                      validationContext: { trustedCa: { filename: '/certs/root.pem' } },
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    };
    const s = buildEnvoyModel(inventoryOf({ doc: optional, file: 'envoy/optional.json' }), NOW).servers[0];
    expect(s.mode).toBe('TLS_NO_CLIENT_AUTH');
    const typed = (s.fix!.change.filter_chains as Array<Record<string, any>>)[0].transport_socket.typed_config;
    expect(typed.requireClientCertificate).toBe(true);
    expect(typed).not.toHaveProperty('require_client_certificate');
    expect(typed.commonTlsContext.validationContext).toEqual({ trustedCa: { filename: '/certs/root.pem' } });
  });

  test('Istio auto mTLS (transport_socket_matches: mTLS for tlsMode istio, raw_buffer otherwise) sends AUTO to the EDS host', () => {
    const c = byName(model.clients, 'outbound|9080||ratings.bookinfo.svc.cluster.local');
    expect(c.sends).toBe('AUTO');
    expect(c.destination).toEqual({ hosts: ['ratings.bookinfo.svc.cluster.local'], port: 9080 });
    expect(c.reason).toMatch(/tlsMode-istio/);
  });
});

describe('buildEnvoyModel: fixes', () => {
  test('a TLS listener without any validation context: the fix adds a placeholder CA and says so', () => {
    const doc = yaml.load(`
static_resources:
  listeners:
  - name: tls_only
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: tls_only
          cluster: backend
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: /etc/envoy/certs/server.pem }
              private_key: { filename: /etc/envoy/certs/server-key.pem }
`);
    const [s] = buildEnvoyModel(inventoryOf({ doc, file: 'envoy/tls-only.yaml' }), NOW).servers;
    expect(s.mode).toBe('TLS_NO_CLIENT_AUTH');
    expect((s as { modeReason?: string }).modeReason).toMatch(/require_client_certificate has no effect without a validation context/);
    const typed = (s.fix!.change.filter_chains as Array<Record<string, any>>)[0].transport_socket.typed_config;
    expect(typed.common_tls_context.validation_context.trusted_ca.filename).toMatch(/^<path of the CA bundle/);
    expect(typed.common_tls_context.tls_certificates).toHaveLength(1);
    expect(s.fix!.blockers).toEqual(['filter chain #0 of listener tls_only has no trusted CA: set validation_context.trusted_ca to the CA that issues client certificates']);
  });

  test('an SNI passthrough chain is not plaintext, but Envoy checks no client certificate there', () => {
    const doc = yaml.load(`
static_resources:
  listeners:
  - name: sni_router
    address:
      socket_address: { address: 0.0.0.0, port_value: 443 }
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
    filter_chains:
    - filter_chain_match:
        server_names: ["payments.shop.example.com"]
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: sni_payments
          cluster: payments
`);
    const [s] = buildEnvoyModel(inventoryOf({ doc, file: 'envoy/sni.yaml' }), NOW).servers;
    expect(s.mode).toBe('TLS_NO_CLIENT_AUTH');
    expect(s.hosts).toEqual(['payments.shop.example.com']);
    expect(s.fix!.blockers[0]).toMatch(/passes TLS through/);
  });
});

describe('buildEnvoyModel: problems', () => {
  const BROKEN = `
static_resources:
  listeners:
  - name: no_address
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: x
          cluster: backend
  - name: alts_listener
    address:
      socket_address: { address: 0.0.0.0, port_value: 7443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: alts
          cluster: backend
      transport_socket:
        name: envoy.transport_sockets.alts
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.alts.v3.Alts
          handshaker_service: 169.254.169.254:8080
  - name: untyped_filter
    address:
      socket_address: { address: 0.0.0.0, port_value: 7080 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          stat_prefix: y
          cluster: backend
  - name: san_without_ca
    address:
      socket_address: { address: 0.0.0.0, port_value: 7444 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: z
          cluster: backend
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
              match_typed_subject_alt_names:
              - san_type: DNS
                matcher: { exact: client.shop.example.com }
  clusters:
  - name: backend
    type: STRICT_DNS
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: backend.shop.svc.cluster.local, port_value: 8080 }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        common_tls_context: {}
`;
  const model = buildEnvoyModel(inventoryOf({ doc: yaml.load(BROKEN), file: 'envoy/broken.yaml', line: 3 }), NOW);
  const problem = (name: string) => model.problems.find((p) => p.name === name);

  test('a listener without an address is a problem at its address field', () => {
    expect(problem('no_address')).toEqual({
      file: 'envoy/broken.yaml',
      line: 3,
      field: 'static_resources.listeners[0].address',
      message: 'listener no_address has no address, so Envoy cannot bind it',
      kind: 'Listener',
      name: 'no_address',
    });
  });

  test('an unknown transport socket type is a problem and the listener is not modelled', () => {
    expect(problem('alts_listener')).toMatchObject({
      field: 'static_resources.listeners[1].filter_chains[0].transport_socket.typed_config.@type',
      message: 'unknown transport socket type type.googleapis.com/envoy.extensions.transport_sockets.alts.v3.Alts',
      kind: 'Listener',
    });
    expect(model.servers.find((s) => s.resource.name === 'alts_listener')).toBeUndefined();
  });

  test('a filter typed_config without @type is a problem', () => {
    expect(problem('untyped_filter')).toMatchObject({
      field: 'static_resources.listeners[2].filter_chains[0].filters[0].typed_config.@type',
      message: 'typed_config of envoy.filters.network.tcp_proxy has no @type',
    });
  });

  test('a DownstreamTlsContext Envoy rejects is a problem', () => {
    expect(problem('san_without_ca')?.message).toMatch(/SAN-based verification of peer certificates without trusted CA is insecure/);
  });

  test('a cluster transport socket without @type is a problem of kind Cluster', () => {
    expect(problem('backend')).toMatchObject({ kind: 'Cluster', field: 'static_resources.clusters[0].transport_socket.typed_config.@type' });
    expect(model.clients).toEqual([]);
    expect(model.servers).toEqual([]);
    expect(model.resourceCount).toBe(5);
  });
});

describe('buildEnvoyModel: certificates named from static_resources.secrets', () => {
  /** A sidecar-less edge proxy that keeps its certificates as bootstrap secrets and names them without sds_config. */
  const STATIC_SDS = (listenerCert: string, clusterCert: string) => `
static_resources:
  secrets:
  - name: edge-server-cert
    tls_certificate:
      certificate_chain: { filename: /etc/envoy/certs/edge.pem }
      private_key: { filename: /etc/envoy/certs/edge-key.pem }
  - name: payments-client-cert
    tls_certificate:
      certificate_chain: { filename: /etc/envoy/certs/payments-client.pem }
      private_key: { filename: /etc/envoy/certs/payments-client-key.pem }
  - name: shop-ca
    validation_context:
      trusted_ca: { filename: /etc/envoy/certs/shop-ca.pem }
  listeners:
  - name: edge_https
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: edge
          cluster: payments
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificate_sds_secret_configs:
            - name: ${listenerCert}
            validation_context_sds_secret_config:
              name: shop-ca
  clusters:
  - name: payments
    type: STRICT_DNS
    load_assignment:
      cluster_name: payments
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: payments.payments.svc.cluster.local, port_value: 8443 }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        common_tls_context:
          tls_certificate_sds_secret_configs:
          - name: ${clusterCert}
          validation_context_sds_secret_config:
            name: shop-ca
`;
  const build = (listenerCert: string, clusterCert: string) => buildEnvoyModel(inventoryOf({ doc: yaml.load(STATIC_SDS(listenerCert, clusterCert)), file: 'envoy/edge.yaml' }), NOW);

  test('names of static tls_certificate secrets load: the listener is STRICT and the cluster sends mTLS from that secret', () => {
    const model = build('edge-server-cert', 'payments-client-cert');
    expect(model.problems).toEqual([]);
    expect(model.servers[0]).toMatchObject({ resource: { name: 'edge_https' }, mode: 'STRICT' });
    expect(model.clients[0]).toMatchObject({ sends: 'MTLS', reason: "UpstreamTlsContext with a client certificate from static secret 'payments-client-cert' of the bootstrap" });
  });

  test('a cluster naming a secret the bootstrap lacks is a problem at that name, and no client policy (Envoy: Unknown static secret)', () => {
    const model = build('edge-server-cert', 'payments-client');
    expect(model.problems).toEqual([
      {
        file: 'envoy/edge.yaml',
        line: 1,
        kind: 'Cluster',
        name: 'payments',
        field: 'static_resources.clusters[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name',
        message: "Unknown static secret: payments-client: without sds_config the name must be a static_resources.secrets entry with a tls_certificate (known: 'edge-server-cert', 'payments-client-cert')",
      },
    ]);
    expect(model.clients).toEqual([]);
  });

  test('a listener naming a secret that holds only a validation context is refused the same way', () => {
    const model = build('shop-ca', 'payments-client-cert');
    expect(model.problems).toHaveLength(1);
    expect(model.problems[0]).toMatchObject({
      kind: 'Listener',
      name: 'edge_https',
      field: 'static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name',
      message: expect.stringMatching(/^Unknown static secret: shop-ca: /),
    });
    expect(model.servers).toEqual([]);
  });
});

describe('buildEnvoyModel: where each listener and cluster is written', () => {
  const doc = yaml.load(FRONT_PROXY) as { static_resources: { listeners: unknown[]; clusters: unknown[] } };
  const listeners = doc.static_resources.listeners.length;
  const clusters = doc.static_resources.clusters.length;

  test("findings and problems point at the entry's own line when the collector found it", () => {
    const inventory = emptyInventory();
    const entryLines = { listeners: Array.from({ length: listeners }, (_, i) => 20 + i * 40), clusters: Array.from({ length: clusters }, (_, i) => 200 + i * 10) };
    inventory.envoy.push({ doc, source: { file: 'envoy/front-proxy.yaml', line: 2 }, entryLines });
    const model = buildEnvoyModel(inventory, NOW);
    expect([model.servers.length, model.clients.length]).toEqual([listeners, clusters]);
    expect(model.servers.map((s) => s.resource.line)).toEqual(entryLines.listeners);
    expect(model.clients.map((c) => c.resource.line)).toEqual(entryLines.clusters);
  });

  test('without entry lines, or with only some lists located, the rest keep the bootstrap line', () => {
    const inventory = emptyInventory();
    inventory.envoy.push({ doc, source: { file: 'envoy/front-proxy.yaml', line: 2 }, entryLines: { clusters: Array.from({ length: clusters }, (_, i) => 90 + i) } });
    const model = buildEnvoyModel(inventory, NOW);
    expect(new Set(model.servers.map((s) => s.resource.line))).toEqual(new Set([2]));
    expect(model.clients[0]!.resource.line).toBe(90);
  });
});

describe('buildEnvoyModel: a single element in place of a repeated field', () => {
  // protobuf json/internal/parser.cc with allow_legacy_syntax (which Envoy's MessageUtil::loadFromJson
  // gets from JsonStringToMessage) accepts one element where a list belongs.
  const TCP_PROXY = `
        filters:
        - name: envoy.filters.network.tcp_proxy
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
            stat_prefix: tcp
            cluster: local`;

  test('a lone filter chain mapping is read: its plaintext makes the listener DISABLED', () => {
    const doc = yaml.load(`
static_resources:
  listeners:
    name: ingress
    address:
      socket_address: { address: 0.0.0.0, port_value: 8080 }
    filter_chains:${TCP_PROXY.replace(/\n {2}/g, '\n')}
`);
    const model = buildEnvoyModel(inventoryOf({ doc, file: 'edge/envoy.yaml' }), NOW);
    expect(model.problems).toEqual([]);
    expect(model.servers).toHaveLength(1);
    expect(model.servers[0]).toMatchObject({ resource: { name: 'ingress', port: 8080 }, mode: 'DISABLED' });
  });

  test('a lone tls_certificates mapping is the server certificate: the listener is STRICT, not refused', () => {
    const doc = yaml.load(`
static_resources:
  listeners:
  - name: ingress
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates:
              certificate_chain: { filename: /certs/server.crt }
              private_key: { filename: /certs/server.key }
            validation_context:
              trusted_ca: { filename: /certs/ca.crt }${TCP_PROXY.replace(/\n {2}/g, '\n')}
`);
    const model = buildEnvoyModel(inventoryOf({ doc, file: 'edge/envoy.yaml' }), NOW);
    expect(model.problems).toEqual([]);
    expect(model.servers[0]).toMatchObject({ resource: { name: 'ingress' }, mode: 'STRICT' });
  });
});

describe('buildEnvoyModel: a cluster reaching a listener by SNI', () => {
  const CLIENT = `
static_resources:
  clusters:
  - name: api_by_ip
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: api_by_ip
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.0.0.5, port_value: 8443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: api.shop.svc.cluster.local
        common_tls_context:
          validation_context: { trusted_ca: { filename: /certs/ca.crt } }
`;
  const SERVER = `
static_resources:
  listeners:
  - name: api_mtls
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: api
          route_config:
            virtual_hosts:
            - name: api
              domains: ["api.shop.svc.cluster.local"]
              routes: [{ match: { prefix: / }, route: { cluster: local } }]
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates: [{ certificate_chain: { filename: /certs/server.crt }, private_key: { filename: /certs/server.key } }]
            validation_context: { trusted_ca: { filename: /certs/ca.crt } }
`;

  test('the SNI joins the endpoint IPs as a destination host, so the listener serving it is found', () => {
    const model = buildEnvoyModel(inventoryOf({ doc: yaml.load(CLIENT), file: 'edge/client.yaml' }, { doc: yaml.load(SERVER), file: 'api/server.yaml' }), NOW);
    const client = byName(model.clients, 'api_by_ip');
    expect(client.destination).toEqual({ hosts: ['10.0.0.5', 'api.shop.svc.cluster.local'], port: 8443 });
    expect(new FleetIndex(model).serversOf(client).map((s) => s.resource.name)).toEqual(['api_mtls']);
  });
});

describe('buildEnvoyModel: the v2 tls_context field', () => {
  const V2 = `
static_resources:
  listeners:
  - name: ingress
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - tls_context:
        require_client_certificate: true
        common_tls_context:
          tls_certificates: [{ certificate_chain: { filename: /certs/server.crt }, private_key: { filename: /certs/server.key } }]
          validation_context: { trusted_ca: { filename: /certs/ca.crt } }
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: tcp, cluster: backend }
  clusters:
  - name: backend
    type: STRICT_DNS
    connect_timeout: 1s
    tls_context:
      common_tls_context:
        tls_certificates: [{ certificate_chain: { filename: /certs/client.crt }, private_key: { filename: /certs/client.key } }]
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: backend.shop.svc.cluster.local, port_value: 8443 } } }
`;

  test('is refused at that field (v3 reserves it), and the chain is not read as plaintext', () => {
    const model = buildEnvoyModel(inventoryOf({ doc: yaml.load(V2), file: 'edge/envoy.yaml' }), NOW);
    expect(model.servers).toEqual([]);
    expect(model.clients).toEqual([]);
    expect(model.problems.map((p) => [p.field, p.message])).toEqual([
      ['static_resources.listeners[0].filter_chains[0].tls_context', expect.stringMatching(/^tls_context is a v2 field removed in Envoy v3; use transport_socket/)],
      ['static_resources.clusters[0].tls_context', expect.stringMatching(/^tls_context is a v2 field removed in Envoy v3; use transport_socket/)],
    ]);
  });
});
