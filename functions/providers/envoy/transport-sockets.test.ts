import * as yaml from 'js-yaml';
import { emptyInventory } from '../../core/model/inventory';
import { buildEnvoyModel } from './index';
import type { EnvoyListenerEndpoint } from './listeners';

const NOW = { now: new Date('2026-11-26T00:00:00Z') };

/** The model of one bootstrap written as YAML. */
function modelOf(bootstrap: string) {
  const inventory = emptyInventory();
  inventory.envoy.push({ doc: yaml.load(bootstrap), source: { file: 'envoy/bootstrap.yaml', line: 1 } });
  return buildEnvoyModel(inventory, NOW);
}

const TCP_PROXY = `
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: inbound
          cluster: local_app`;

const HCM = `
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_http3
          codec_type: HTTP3
          route_config:
            virtual_hosts:
            - name: shop
              domains: ["shop.example.com"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: local_app }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router`;

/** A listener on 8443 whose one filter chain uses `socket` (indented as a filter chain member). */
function listenerWith(socket: string, extra = ''): string {
  return `
static_resources:
  listeners:
  - name: inbound_8443
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }${extra}
    filter_chains:
    - ${TCP_PROXY.trimStart()}
      transport_socket:${socket}
`;
}

/** A STRICT_DNS cluster toward reviews:9080 whose transport_socket is `socket`. */
function clusterWith(socket: string): string {
  return `
static_resources:
  clusters:
  - name: reviews
    type: STRICT_DNS
    connect_timeout: 1s
    load_assignment:
      cluster_name: reviews
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: reviews.bookinfo.svc.cluster.local, port_value: 9080 }
    transport_socket:${socket}
`;
}

const MTLS_DOWNSTREAM = `
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
            require_client_certificate: true
            common_tls_context:
              tls_certificates:
              - certificate_chain: { filename: /etc/envoy/certs/server.pem }
                private_key: { filename: /etc/envoy/certs/server-key.pem }
              validation_context:
                trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }`;

const MTLS_UPSTREAM = `
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
              sni: reviews.bookinfo.svc.cluster.local
              common_tls_context:
                tls_certificates:
                - certificate_chain: { filename: /etc/envoy/certs/client.pem }
                  private_key: { filename: /etc/envoy/certs/client-key.pem }
                validation_context:
                  trusted_ca: { filename: /etc/envoy/certs/mesh-root.pem }`;

/** `block` moved right by `by` spaces, to nest a shared snippet one level deeper. */
function deeper(block: string, by: number): string {
  return block.replace(/\n/g, `\n${' '.repeat(by)}`);
}

describe('wrapper transport sockets: Envoy speaks the wrapped socket on the wire', () => {
  test('tcp_stats around a DownstreamTlsContext that requires client certificates is STRICT', () => {
    const model = modelOf(
      listenerWith(`
        name: envoy.transport_sockets.tcp_stats
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tcp_stats.v3.Config
          update_period: 10s
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:${deeper(MTLS_DOWNSTREAM, 2)}`),
    );
    expect(model.problems).toEqual([]);
    expect(model.servers[0]).toMatchObject({ mode: 'STRICT', resource: { name: 'inbound_8443', port: 8443 } });
  });

  test('http_11_proxy around an UpstreamTlsContext with a client certificate sends MTLS', () => {
    const model = modelOf(
      clusterWith(`
      name: envoy.transport_sockets.http_11_proxy
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.http_11_proxy.v3.Http11ProxyUpstreamTransport
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:${MTLS_UPSTREAM.replace(/^ {2}/gm, '')}`),
    );
    expect(model.problems).toEqual([]);
    expect(model.clients[0]).toMatchObject({ sends: 'MTLS' });
  });

  test('wrappers nest: tcp_stats around upstream_proxy_protocol around TLS is found recursively', () => {
    const model = modelOf(
      clusterWith(`
      name: envoy.transport_sockets.tcp_stats
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tcp_stats.v3.Config
        transport_socket:
          name: envoy.transport_sockets.upstream_proxy_protocol
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport
            config: { version: V2 }
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:${MTLS_UPSTREAM.replace(/^ {2}/gm, '    ')}`),
    );
    expect(model.problems).toEqual([]);
    expect(model.clients[0]).toMatchObject({ sends: 'MTLS' });
  });

  test('the client-certificate fix of a wrapped context patches it in place and keeps the PROXY protocol wrapper', () => {
    const model = modelOf(
      clusterWith(`
      name: envoy.transport_sockets.upstream_proxy_protocol
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport
        config: { version: V1 }
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
            sni: reviews.bookinfo.svc.cluster.local`),
    );
    const [client] = model.clients;
    expect(client.sends).toBe('TLS');
    expect(client.fix!.change).toMatchObject({
      cluster: 'reviews',
      path: 'static_resources.clusters[0].transport_socket.typed_config.transport_socket.typed_config',
      upstream_tls_context: { sni: 'reviews.bookinfo.svc.cluster.local', common_tls_context: { tls_certificates: [expect.anything()] } },
    });
    expect(client.fix!.change).not.toHaveProperty('transport_socket');
  });

  test('a wrapper without its required transport_socket is a problem, not plaintext', () => {
    const model = modelOf(
      clusterWith(`
      name: envoy.transport_sockets.upstream_proxy_protocol
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport
        config: { version: V2 }`),
    );
    expect(model.clients).toEqual([]);
    expect(model.problems[0]).toMatchObject({ kind: 'Cluster', field: 'static_resources.clusters[0].transport_socket.typed_config.transport_socket' });
    expect(model.problems[0].message).toMatch(/proxy_protocol wraps a transport socket, but transport_socket is missing/);
  });

  test('an upstream-only wrapper on a listener is a problem: Envoy has no downstream factory for it', () => {
    const model = modelOf(
      listenerWith(`
        name: envoy.transport_sockets.upstream_proxy_protocol
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:${deeper(MTLS_DOWNSTREAM, 2)}`),
    );
    expect(model.servers).toEqual([]);
    expect(model.problems[0].message).toMatch(/ProxyProtocolUpstreamTransport cannot be used on the downstream side/);
  });
});

describe('@type URLs, TypedStruct and extension names', () => {
  test('an xds.type.v3.TypedStruct carrying an UpstreamTlsContext with a client certificate sends MTLS', () => {
    const model = modelOf(
      clusterWith(`
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/xds.type.v3.TypedStruct
        type_url: type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        value:
          sni: reviews.bookinfo.svc.cluster.local
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: /etc/envoy/certs/client.pem }
              private_key: { filename: /etc/envoy/certs/client-key.pem }`),
    );
    expect(model.problems).toEqual([]);
    expect(model.clients[0]).toMatchObject({ sends: 'MTLS' });
  });

  test('a udpa.type.v1.TypedStruct carrying a DownstreamTlsContext (proto JSON value) is read too', () => {
    const model = modelOf(
      listenerWith(`
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          value:
            requireClientCertificate: true
            commonTlsContext:
              tlsCertificates:
              - certificateChain: { filename: /etc/envoy/certs/server.pem }
                privateKey: { filename: /etc/envoy/certs/server-key.pem }
              validationContext:
                trustedCa: { filename: /etc/envoy/certs/client-ca.pem }`),
    );
    expect(model.problems).toEqual([]);
    expect(model.servers[0].mode).toBe('STRICT');
  });

  test('a TLS socket named without typed_config uses the empty UpstreamTlsContext: TLS without a client certificate', () => {
    const model = modelOf(clusterWith(`\n      name: envoy.transport_sockets.tls`));
    expect(model.problems).toEqual([]);
    expect(model.clients[0]).toMatchObject({ sends: 'TLS' });
    const socket = model.clients[0].fix!.change.transport_socket as { typed_config: Record<string, unknown> };
    expect(socket.typed_config['@type']).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
  });

  test('the legacy name tls, without typed_config, on a listener: Envoy rejects a server context without certificates', () => {
    const model = modelOf(listenerWith(`\n        name: tls`));
    expect(model.servers).toEqual([]);
    expect(model.problems[0].message).toMatch(/No TLS certificates found for server context/);
  });
});

describe('SDS', () => {
  const SDS = `{ api_config_source: { api_type: GRPC, transport_api_version: V3, grpc_services: [{ envoy_grpc: { cluster_name: sds-grpc } }] } }`;

  test('a client certificate from SDS counts as present, and the reason says meshgov cannot see it', () => {
    const model = modelOf(
      clusterWith(`
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        common_tls_context:
          tls_certificate_sds_secret_configs:
          - name: default
            sds_config: ${SDS}`),
    );
    expect(model.clients[0].sends).toBe('MTLS');
    expect(model.clients[0].reason).toMatch(/SDS secret 'default'.*cannot see its content/);
  });

  test('a server certificate and CA both from SDS with require_client_certificate: STRICT, no problem', () => {
    const model = modelOf(
      listenerWith(`
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificate_sds_secret_configs:
            - name: default
              sds_config: ${SDS}
            combined_validation_context:
              default_validation_context: {}
              validation_context_sds_secret_config:
                name: ROOTCA
                sds_config: ${SDS}`),
    );
    expect(model.problems).toEqual([]);
    expect(model.servers[0].mode).toBe('STRICT');
    expect((model.servers[0] as EnvoyListenerEndpoint).modeReason).toMatch(/SDS secret 'ROOTCA'/);
  });

  test('inline and SDS server certificates together are rejected', () => {
    const model = modelOf(
      listenerWith(`
        name: envoy.transport_sockets.tls
        typed_config:${MTLS_DOWNSTREAM}
              tls_certificate_sds_secret_configs:
              - name: default
                sds_config: ${SDS}`),
    );
    expect(model.problems[0].message).toMatch(/SDS and non-SDS TLS certificates may not be mixed/);
  });
});

/** An HTTP/3 listener as Envoy's docs write it: UDP, quic_options, a QuicDownstreamTransport. */
function quicListener(tlsExtra: string, validation = 'validation_context:\n                  trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }'): string {
  return `
static_resources:
  listeners:
  - name: ingress_http3
    address:
      socket_address: { protocol: UDP, address: 0.0.0.0, port_value: 443 }
    udp_listener_config:
      quic_options: {}
      downstream_socket_config: { prefer_gro: true }
    filter_chains:
    - ${HCM.trimStart()}
      transport_socket:
        name: envoy.transport_sockets.quic
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.quic.v3.QuicDownstreamTransport
          downstream_tls_context:${tlsExtra}
            common_tls_context:
              tls_certificates:
              - certificate_chain: { filename: /etc/envoy/certs/shop.pem }
                private_key: { filename: /etc/envoy/certs/shop-key.pem }
              ${validation}
`;
}

describe('QUIC and UDP listeners', () => {
  test('QUIC without require_client_certificate is TLS_NO_CLIENT_AUTH even with SAN matchers (QUIC asks only when required)', () => {
    const model = modelOf(
      quicListener(
        '',
        'validation_context:\n                trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }\n                match_typed_subject_alt_names:\n                - san_type: URI\n                  matcher: { exact: "spiffe://shop.example.com/ns/shop/sa/frontend" }',
      ),
    );
    expect(model.problems).toEqual([]);
    expect(model.servers[0]).toMatchObject({ mode: 'TLS_NO_CLIENT_AUTH', resource: { name: 'ingress_http3', port: 443 } });
    expect((model.servers[0] as EnvoyListenerEndpoint).modeReason).toMatch(/QUIC listener \(always TLS 1\.3\)/);
    const fix = model.servers[0].fix!;
    expect(fix.change.filter_chains).toEqual([
      expect.objectContaining({ path: 'static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.downstream_tls_context', downstream_tls_context: expect.objectContaining({ require_client_certificate: true }) }),
    ]);
    expect(fix.blockers.join(' ')).toMatch(/QUIC: client authentication over QUIC needs an Envoy release after 1\.39/);
  });

  test('QUIC with require_client_certificate and a trusted CA is STRICT, saying which Envoy releases refuse it', () => {
    const model = modelOf(quicListener('\n            require_client_certificate: true', 'validation_context:\n                trusted_ca: { filename: /etc/envoy/certs/client-ca.pem }'));
    expect(model.problems).toEqual([]);
    expect(model.servers[0].mode).toBe('STRICT');
    expect((model.servers[0] as EnvoyListenerEndpoint).modeReason).toMatch(/up to 1\.39 refuse/);
  });

  test('QUIC with require_client_certificate and a CA from SDS, or the SPIFFE validator, is rejected: QUIC takes only an inline trusted_ca (envoyproxy/envoy#47546)', () => {
    const sds = modelOf(quicListener('\n            require_client_certificate: true', 'validation_context_sds_secret_config:\n                name: ROOTCA\n                sds_config: { ads: {} }'));
    expect(sds.servers).toEqual([]);
    expect(sds.problems[0]!.message).toMatch(/TLS Client Authentication is not supported over QUIC/);
    const spiffe = modelOf(
      quicListener(
        '\n            require_client_certificate: true',
        'validation_context:\n                custom_validator_config:\n                  name: envoy.tls.cert_validator.spiffe\n                  typed_config:\n                    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig\n                    trust_domains:\n                    - name: shop.example.com\n                      trust_bundle: { filename: /etc/envoy/certs/spiffe-bundle.pem }',
      ),
    );
    expect(spiffe.servers).toEqual([]);
    expect(spiffe.problems[0]!.message).toMatch(/TLS Client Authentication is not supported over QUIC/);
  });

  test('QUIC with require_client_certificate but no trust anchor is rejected', () => {
    const model = modelOf(quicListener('\n            require_client_certificate: true', 'alpn_protocols: [h3]'));
    expect(model.servers).toEqual([]);
    expect(model.problems[0].message).toMatch(/TLS Client Authentication is not supported over QUIC/);
  });

  test('a QUIC listener with a plain DownstreamTlsContext is rejected by Envoy', () => {
    const model = modelOf(
      listenerWith(
        `
        name: envoy.transport_sockets.tls
        typed_config:${MTLS_DOWNSTREAM}`,
        '\n    udp_listener_config:\n      quic_options: {}',
      ),
    );
    expect(model.servers).toEqual([]);
    expect(model.problems[0].message).toMatch(/wrong transport socket config specified for quic transport socket/);
  });

  test('a QuicDownstreamTransport on a TCP listener is a problem at its transport socket, not a QUIC server', () => {
    const tcp = quicListener('\n            require_client_certificate: true')
      .replace('socket_address: { protocol: UDP, address: 0.0.0.0, port_value: 443 }', 'socket_address: { address: 0.0.0.0, port_value: 443 }')
      .replace(/    udp_listener_config:\n      quic_options: \{\}\n      downstream_socket_config: \{ prefer_gro: true \}\n/, '');
    expect(tcp).not.toMatch(/UDP|udp_listener_config/);
    const model = modelOf(tcp);
    expect(model.servers).toEqual([]);
    expect(model.problems).toEqual([
      expect.objectContaining({
        kind: 'Listener',
        name: 'ingress_http3',
        field: 'static_resources.listeners[0].filter_chains[0].transport_socket',
        message: expect.stringMatching(/^QuicDownstreamTransport on a TCP listener: .*cannot make a TCP transport socket/),
      }),
    ]);
  });

  test('a plain UDP listener with udp_proxy is no TLS server: no endpoint and no problem', () => {
    const model = modelOf(`
static_resources:
  listeners:
  - name: dns_udp
    address:
      socket_address: { protocol: UDP, address: 0.0.0.0, port_value: 5353 }
    udp_listener_config:
      downstream_socket_config: { max_rx_datagram_size: 9000 }
    listener_filters:
    - name: envoy.filters.udp_listener.udp_proxy
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig
        stat_prefix: dns
        matcher:
          on_no_match:
            action:
              name: route
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.udp.udp_proxy.v3.Route
                cluster: dns_upstream
`);
    expect(model.resourceCount).toBe(1);
    expect(model.servers).toEqual([]);
    expect(model.problems).toEqual([]);
  });
});

describe('internal listeners and envoy_internal_address clusters', () => {
  const INTERNAL = `
static_resources:
  listeners:
  - name: encap_listener
    internal_listener: {}
    filter_chains:
    - ${TCP_PROXY.trimStart()}
  clusters:
  - name: encap_cluster
    load_assignment:
      cluster_name: encap_cluster
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              envoy_internal_address:
                server_listener_name: encap_listener
    transport_socket:
      name: envoy.transport_sockets.internal_upstream
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport
        passthrough_metadata:
        - kind: { host: {} }
          name: tunnel
        transport_socket:
          name: envoy.transport_sockets.raw_buffer
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer
`;

  test('a plaintext internal listener is no network server: no endpoint, so no mtls-not-strict', () => {
    const model = modelOf(INTERNAL);
    expect(model.problems).toEqual([]);
    expect(model.servers).toEqual([]);
    expect(model.resourceCount).toBe(2);
  });

  test('a cluster to an internal listener is outside the mesh question: the bytes never leave Envoy', () => {
    const [client] = modelOf(INTERNAL).clients;
    expect(client).toMatchObject({ sends: 'PLAINTEXT', inMeshDestination: false });
    expect(client.reason).toMatch(/internal listener\(s\) encap_listener/);
  });
});

describe('Cluster transport_socket_matcher', () => {
  /** An EDS cluster (labels unknown here) with a TLS entry `mtls`, a raw_buffer entry `plaintext`, and `rest` appended. */
  function edsCluster(rest: string, named = true): string {
    return `
static_resources:
  clusters:
  - name: outbound|9080||reviews.bookinfo.svc.cluster.local
    type: EDS
    eds_cluster_config:
      service_name: outbound|9080||reviews.bookinfo.svc.cluster.local
      eds_config: { ads: {}, resource_api_version: V3 }
    transport_socket_matches:
    - match: { tlsMode: istio }${named ? '\n      name: mtls' : ''}
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          common_tls_context:
            tls_certificate_sds_secret_configs:
            - name: default
              sds_config: { ads: {}, resource_api_version: V3 }
    - name: plaintext
      match: {}
      transport_socket:
        name: envoy.transport_sockets.raw_buffer
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer
${rest}`;
  }
  const ACTION = '"@type": type.googleapis.com/envoy.extensions.matching.common_inputs.transport_socket.v3.TransportSocketNameAction';

  test('entries are chosen by the tree, not by their match labels; plaintext reachable gives the weakest, with the caveat', () => {
    const model = modelOf(
      edsCluster(`    transport_socket_matcher:
      matcher_tree:
        input:
          name: envoy.matching.inputs.endpoint_metadata
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.matching.common_inputs.transport_socket.v3.EndpointMetadataInput
            filter: envoy.transport_socket_match
            path: [{ key: mode }]
        exact_match_map:
          map:
            legacy:
              action:
                name: envoy.matching.action.transport_socket.name
                typed_config: { ${ACTION}, name: plaintext }
      on_no_match:
        action:
          name: envoy.matching.action.transport_socket.name
          typed_config: { ${ACTION}, name: mtls }
`),
    );
    expect(model.problems).toEqual([]);
    const [client] = model.clients;
    expect(client.sends).toBe('PLAINTEXT');
    expect(client.reason).toMatch(/transport_socket_matcher may choose.*does not evaluate/);
  });

  test('a tree that always names the mTLS entry makes the cluster MTLS, though the legacy labels would give auto mTLS', () => {
    const model = modelOf(
      edsCluster(`    transport_socket_matcher:
      on_no_match:
        action:
          name: envoy.matching.action.transport_socket.name
          typed_config: { ${ACTION}, name: mtls }
`),
    );
    expect(model.problems).toEqual([]);
    expect(model.clients[0].sends).toBe('MTLS');
    expect(model.clients[0].reason).toMatch(/only transport socket the cluster's transport_socket_matcher can choose/);
  });

  test('with a matcher, every entry needs a name', () => {
    const model = modelOf(
      edsCluster(
        `    transport_socket_matcher:
      on_no_match:
        action:
          name: envoy.matching.action.transport_socket.name
          typed_config: { ${ACTION}, name: plaintext }
`,
        false,
      ),
    );
    expect(model.clients).toEqual([]);
    expect(model.problems[0].message).toBe('Transport socket name is required when using transport_socket_matcher');
  });
});
