import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../files/collect';
import { auditInventory } from '../audit-inventory';
import { shippedPolicy } from '../../../test/support/model';

/** Listeners Envoy refuses to load: they serve nothing, and are config-invalid rather than judged. */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-dup-chains-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TCP_PROXY = `
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ingress
          cluster: backend`;

const bootstrap = (secondMatch: string, tlsExtra = '', certificates = '- certificate_chain: { filename: /etc/envoy/tls/server.crt }\n              private_key: { filename: /etc/envoy/tls/server.key }') => `static_resources:
  listeners:
  - name: ingress
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    listener_filters:
    - name: envoy.filters.listener.tls_inspector
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
    filter_chains:
    - name: mtls
      filter_chain_match: { server_names: [shop.example.com] }${TCP_PROXY}
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true${tlsExtra}
          common_tls_context:
            tls_certificates:
            ${certificates}
            validation_context:
              trusted_ca: { filename: /etc/envoy/tls/clients-ca.pem }
    - name: plain
      filter_chain_match: ${secondMatch}${TCP_PROXY}
  clusters:
  - name: backend
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
`;

const findings = async (...args: Parameters<typeof bootstrap>) => {
  writeFileSync(join(dir, 'envoy.yaml'), bootstrap(...args));
  return auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') }).findings;
};

it('two chains with the same filter_chain_match: config-invalid at the later one, and no mode is judged', async () => {
  const found = await findings('{ server_names: [shop.example.com] }');
  expect(found.map((f) => [f.rule, f.resource.line, f.detail['field']])).toEqual([['config-invalid', 31, 'static_resources.listeners[0].filter_chains[1].filter_chain_match']]);
  expect(found[0]!.message).toContain('filter chain plain has the same filter_chain_match as filter chain mtls, so Envoy refuses the listener');
});

it('chains that differ in their match are judged as before', async () => {
  // Only TLS clients carry an SNI, so the socketless legacy chain passes their TLS through unverified.
  expect((await findings('{ server_names: [legacy.example.com] }')).map((f) => [f.rule, f.detail['mode']])).toEqual([['mtls-not-strict', 'TLS_NO_CLIENT_AUTH']]);
});

describe('server certificates Envoy cannot load', () => {
  const OTHER = '{ server_names: [legacy.example.com] }';

  it('ocsp_staple_policy MUST_STAPLE with no ocsp_staple ("Required OCSP response is missing from TLS context")', async () => {
    const found = await findings(OTHER, '\n          ocsp_staple_policy: MUST_STAPLE');
    expect(found.map((f) => [f.rule, f.message.includes('Required OCSP response is missing from TLS context')])).toEqual([['config-invalid', true]]);
    const stapled = await findings(OTHER, '\n          ocsp_staple_policy: MUST_STAPLE', '- certificate_chain: { filename: /etc/envoy/tls/server.crt }\n              private_key: { filename: /etc/envoy/tls/server.key }\n              ocsp_staple: { filename: /etc/envoy/tls/server.ocsp }');
    expect(stapled.map((f) => f.rule)).toEqual(['mtls-not-strict']);
  });

  it('tls_certificates whose only entry is empty ("Server TlsCertificates must have a certificate specified")', async () => {
    const found = await findings(OTHER, '', '- {}');
    expect(found.map((f) => [f.rule, f.message.includes('Server TlsCertificates must have a certificate specified')])).toEqual([['config-invalid', true]]);
  });
});
