import * as yaml from 'js-yaml';
import { readCluster } from './clusters';
import { staticSecretsOf } from './static-secrets';

const SOURCE = { file: 'envoy/bootstrap.yaml', line: 1 };

/** Reads the first cluster of a bootstrap written as YAML (snake_case) or proto JSON (camelCase). */
function clusterOf(doc: unknown) {
  const resources = (doc as Record<string, any>).static_resources ?? (doc as Record<string, any>).staticResources;
  const cluster = (resources.clusters ?? [])[0];
  return readCluster({ cluster, path: 'static_resources.clusters[0]', source: SOURCE, secrets: staticSecretsOf(resources) });
}

/** Istio's sidecar sockets: ISTIO_MUTUAL with the SDS workload certificate, and raw_buffer. */
const ISTIO_MTLS = `
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          common_tls_context:
            alpn_protocols: [istio-peer-exchange, istio]
            tls_certificate_sds_secret_configs:
            - name: default
              sds_config: { api_config_source: { api_type: GRPC, transport_api_version: V3, grpc_services: [{ envoy_grpc: { cluster_name: sds-grpc } }] } }
            combined_validation_context:
              default_validation_context: {}
              validation_context_sds_secret_config:
                name: ROOTCA
                sds_config: { api_config_source: { api_type: GRPC, transport_api_version: V3, grpc_services: [{ envoy_grpc: { cluster_name: sds-grpc } }] } }
          sni: outbound_.9080_._.ratings.bookinfo.svc.cluster.local`;
const RAW_BUFFER = `
        name: envoy.transport_sockets.raw_buffer
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer`;

/** An EDS cluster: its endpoints, and so their labels, arrive at run time. */
function edsCluster(matches: string, defaultSocket = '') {
  return yaml.load(`
static_resources:
  clusters:
  - name: outbound|9080||ratings.bookinfo.svc.cluster.local
    type: EDS
    eds_cluster_config:
      service_name: outbound|9080||ratings.bookinfo.svc.cluster.local
      eds_config: { ads: {}, resource_api_version: V3 }
    transport_socket_matches:${matches}${defaultSocket}
`);
}

describe('readCluster: transport_socket_matches as Envoy resolves them, first match wins', () => {
  test('an empty-match plaintext entry ahead of an mTLS transport_socket sends plaintext to every endpoint (proto JSON)', () => {
    const doc = {
      staticResources: {
        clusters: [
          {
            name: 'payments_legacy',
            type: 'STRICT_DNS',
            loadAssignment: {
              clusterName: 'payments_legacy',
              endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: 'payments.shop.svc.cluster.local', portValue: 8080 } } } }] }],
            },
            transportSocketMatches: [
              {
                name: 'legacy',
                match: {},
                transportSocket: { name: 'envoy.transport_sockets.raw_buffer', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer' } },
              },
            ],
            transportSocket: {
              name: 'envoy.transport_sockets.tls',
              typedConfig: {
                '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
                commonTlsContext: {
                  tlsCertificates: [{ certificateChain: { filename: '/etc/envoy/certs/client.pem' }, privateKey: { filename: '/etc/envoy/certs/client-key.pem' } }],
                  validationContext: { trustedCa: { filename: '/etc/envoy/certs/ca.pem' } },
                },
              },
            },
          },
        ],
      },
    };
    const { client, problems } = clusterOf(doc);
    expect(problems).toEqual([]);
    expect(client!.sends).toBe('PLAINTEXT');
    expect(client!.reason).toMatch(/entry legacy/);
    expect(client!.destination).toEqual({ hosts: ['payments.shop.svc.cluster.local'], port: 8080 });
  });

  test('an entry without match also matches every endpoint, even of an EDS cluster', () => {
    const { client } = clusterOf(
      edsCluster(
        `
    - name: plaintext-first
      transport_socket:${RAW_BUFFER}
    - name: tlsMode-istio
      match: { tlsMode: istio }
      transport_socket:${ISTIO_MTLS}`,
      ),
    );
    expect(client!.sends).toBe('PLAINTEXT');
    expect(client!.reason).toMatch(/entry plaintext-first, whose empty match applies to every endpoint/);
  });

  test("Istio's shape (mTLS for tlsMode istio, then an empty-match raw_buffer) stays AUTO when the endpoints come from EDS", () => {
    const { client } = clusterOf(
      edsCluster(`
    - name: tlsMode-istio
      match: { tlsMode: istio }
      transport_socket:${ISTIO_MTLS}
    - name: tlsMode-disabled
      match: {}
      transport_socket:${RAW_BUFFER}`),
    );
    expect(client!.sends).toBe('AUTO');
    expect(client!.reason).toBe(
      'transport_socket_matches: mTLS by transport_socket_matches entry tlsMode-istio to endpoints labelled tlsMode=istio; plaintext by transport_socket_matches entry tlsMode-disabled to the others',
    );
  });

  test('an mTLS entry for tlsMode istio with no transport_socket (plaintext default) is AUTO too', () => {
    const { client } = clusterOf(
      edsCluster(`
    - name: tlsMode-istio
      match: { tlsMode: istio }
      transport_socket:${ISTIO_MTLS}`),
    );
    expect(client!.sends).toBe('AUTO');
    expect(client!.reason).toMatch(/plaintext by the cluster's transport_socket to the others/);
  });

  test('a plaintext opt-out keyed on labels ahead of an mTLS default is not auto mTLS: the weakest socket is plaintext', () => {
    const { client } = clusterOf(
      edsCluster(
        `
    - name: opt-out
      match: { tlsMode: disabled }
      transport_socket:${RAW_BUFFER}`,
        `
    transport_socket:${ISTIO_MTLS}`,
      ),
    );
    expect(client!.sends).toBe('PLAINTEXT');
    expect(client!.reason).toMatch(/from transport_socket_matches entry opt-out, the weakest of the transport sockets the cluster's endpoints may use/);
  });

  test('an entry whose labels include an earlier entry\'s labels is never reached', () => {
    const { client } = clusterOf(
      edsCluster(
        `
    - name: tlsMode-istio
      match: { tlsMode: istio }
      transport_socket:${ISTIO_MTLS}
    - name: istio-legacy
      match: { tlsMode: istio, legacy: "true" }
      transport_socket:${RAW_BUFFER}
    - name: catch-all
      match: {}
      transport_socket:${ISTIO_MTLS}`,
      ),
    );
    expect(client!.sends).toBe('MTLS');
    expect(client!.reason).toMatch(/as from all of the transport sockets the cluster's endpoints may use: transport_socket_matches entry tlsMode-istio, transport_socket_matches entry catch-all$/);
  });
});

describe('readCluster: transport_socket_matches against static endpoints', () => {
  /** A STATIC cluster with Istio's two entries; `endpoints` is the load_assignment.endpoints list. */
  function staticCluster(endpoints: string) {
    return yaml.load(`
static_resources:
  clusters:
  - name: ratings_static
    type: STATIC
    load_assignment:
      cluster_name: ratings_static
      endpoints:${endpoints}
    transport_socket_matches:
    - name: tlsMode-istio
      match: { tlsMode: istio }
      transport_socket:${ISTIO_MTLS}
    - name: tlsMode-disabled
      match: {}
      transport_socket:${RAW_BUFFER}
`);
  }

  test('every endpoint labelled tlsMode istio: mTLS, not AUTO', () => {
    const { client } = clusterOf(
      staticCluster(`
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.8.1.14, port_value: 9080 } } }
          metadata: { filter_metadata: { envoy.transport_socket_match: { tlsMode: istio } } }
        - endpoint: { address: { socket_address: { address: 10.8.2.7, port_value: 9080 } } }
          metadata: { filter_metadata: { envoy.transport_socket_match: { tlsMode: istio } } }`),
    );
    expect(client!.sends).toBe('MTLS');
    expect(client!.reason).toMatch(/from transport_socket_matches entry tlsMode-istio, used for every endpoint of the cluster/);
  });

  test('the locality label counts when no entry matches the endpoint (proto JSON spelling)', () => {
    const locality = {
      metadata: { filterMetadata: { 'envoy.transport_socket_match': { tlsMode: 'istio' } } },
      lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.8.1.14', portValue: 9080 } } } }],
    };
    const doc = staticCluster('') as Record<string, any>;
    const cluster = doc.static_resources.clusters[0];
    cluster.load_assignment.endpoints = [locality];
    // The empty-match entry matches the unlabelled endpoint before locality labels are read.
    expect(clusterOf(doc).client!.sends).toBe('PLAINTEXT');
    // Without it, the endpoint falls through to its locality's tlsMode istio.
    cluster.transport_socket_matches = cluster.transport_socket_matches.slice(0, 1);
    const { client } = clusterOf(doc);
    expect(client!.sends).toBe('MTLS');
    expect(client!.reason).toMatch(/from transport_socket_matches entry tlsMode-istio, used for every endpoint/);
  });

  test('endpoint labels are tried against every entry before locality labels', () => {
    const doc = yaml.load(`
static_resources:
  clusters:
  - name: reviews_pinned
    type: STATIC
    load_assignment:
      cluster_name: reviews_pinned
      endpoints:
      - metadata: { filter_metadata: { envoy.transport_socket_match: { zone: legacy } } }
        lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.8.3.21, port_value: 9080 } } }
          metadata: { filter_metadata: { envoy.transport_socket_match: { tlsMode: istio } } }
    transport_socket_matches:
    - name: legacy-zone
      match: { zone: legacy }
      transport_socket:${RAW_BUFFER}
    - name: tlsMode-istio
      match: { tlsMode: istio }
      transport_socket:${ISTIO_MTLS}
`);
    const { client } = clusterOf(doc);
    expect(client!.sends).toBe('MTLS');
    expect(client!.reason).toMatch(/entry tlsMode-istio/);
  });

  test('unlabelled static endpoints get the empty-match raw_buffer entry: plaintext', () => {
    const { client } = clusterOf(
      staticCluster(`
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.8.1.14, port_value: 9080 } } }`),
    );
    expect(client!.sends).toBe('PLAINTEXT');
    expect(client!.reason).toMatch(/entry tlsMode-disabled, used for every endpoint/);
  });

  test('labelled and unlabelled endpoints: auto mTLS, naming the endpoints of each entry', () => {
    const { client } = clusterOf(
      staticCluster(`
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 10.8.1.14, port_value: 9080 } } }
          metadata: { filter_metadata: { envoy.transport_socket_match: { tlsMode: istio } } }
        - endpoint: { address: { socket_address: { address: 10.8.2.7, port_value: 9080 } } }`),
    );
    expect(client!.sends).toBe('AUTO');
    expect(client!.reason).toBe(
      'transport_socket_matches: mTLS by transport_socket_matches entry tlsMode-istio to 10.8.1.14:9080; plaintext by transport_socket_matches entry tlsMode-disabled to 10.8.2.7:9080',
    );
  });
});

describe('readCluster: what an entry decides', () => {
  test('TLS without a client certificate from an entry: no fix, as the fix rewrites the cluster transport_socket', () => {
    const { client } = clusterOf(
      edsCluster(`
    - name: simple-tls
      match: {}
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          sni: ratings.bookinfo.svc.cluster.local`),
    );
    expect(client!.sends).toBe('TLS');
    expect(client!.fix).toBeUndefined();
  });

  test('a match that is not a Struct is a problem, as Envoy rejects it', () => {
    const { client, problems } = clusterOf(
      edsCluster(`
    - name: broken
      match: tlsMode=istio
      transport_socket:${ISTIO_MTLS}`),
    );
    expect(client).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ field: 'static_resources.clusters[0].transport_socket_matches[0].match' })]);
  });
});

describe('readCluster: TLS without a client certificate is reported alone', () => {
  const tlsCluster = (address: string, sni: string) =>
    clusterOf(
      yaml.load(`
static_resources:
  clusters:
  - name: checkout_web
    type: STRICT_DNS
    connect_timeout: 2s
    load_assignment:
      cluster_name: checkout_web
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: ${address}, port_value: 443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: ${sni}
        common_tls_context:
          validation_context: { trusted_ca: { filename: /etc/envoy/certs/root-ca.pem } }`),
    ).client!;

  test.each([
    ['checkout-web.checkout.svc.cluster.local', 'checkout-web.checkout.svc.cluster.local'],
    ['checkout-web', 'checkout-web'],
    ['10.0.0.5', 'checkout.corp.internal'],
    ['billing.mesh.local', 'billing.mesh.local'],
  ])('%s is marked in the mesh, so mtls-client-not-enforced reports it without its server among the inputs', (address, sni) => {
    expect(tlsCluster(address, sni)).toMatchObject({ sends: 'TLS', inMeshDestination: true });
  });

  test.each([
    ['api.stripe.com', 'api.stripe.com'],
    ['203.0.113.10', 'api.partner.example.com'],
  ])('%s is plainly external: left for the servers among the inputs to decide', (address, sni) => {
    expect(tlsCluster(address, sni).inMeshDestination).toBeUndefined();
  });
});

describe('readCluster: members Envoy does not implement', () => {
  const cluster = (common: string) =>
    clusterOf(
      yaml.load(`
static_resources:
  clusters:
  - name: api_provider_cert
    type: STRICT_DNS
    load_assignment:
      cluster_name: api_provider_cert
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: api.shop.svc.cluster.local, port_value: 8443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        common_tls_context:
${common}`),
    );

  test('tls_certificate_provider_instance is no client certificate (getTlsCertificateConfigProviders ignores it): TLS', () => {
    const { client, problems } = cluster(`
          tls_certificate_provider_instance: { instance_name: google_cloud_private_spiffe, certificate_name: DEFAULT }
          validation_context: { trusted_ca: { filename: /certs/ca.crt } }`);
    expect(problems).toEqual([]);
    expect(client).toMatchObject({ sends: 'TLS', reason: 'UpstreamTlsContext without a client certificate' });
  });

  test('a combined_validation_context without validation_context_sds_secret_config is refused by Envoy', () => {
    const { client, problems } = cluster(`
          tls_certificates: [{ certificate_chain: { filename: /certs/client.crt }, private_key: { filename: /certs/client.key } }]
          combined_validation_context:
            default_validation_context: { trusted_ca: { filename: /certs/ca.crt } }`);
    expect(client).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'static_resources.clusters[0].transport_socket.typed_config.common_tls_context.combined_validation_context',
        message: expect.stringMatching(/validation_context_sds_secret_config.*Envoy refuses/),
      }),
    ]);
  });
});
