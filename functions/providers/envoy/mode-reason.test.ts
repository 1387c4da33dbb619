import * as yaml from 'js-yaml';
import { emptyInventory } from '../../core/model/inventory';
import { evaluateModel } from '../../core/rules/engine';
import { findingId } from '../../core/rules/finding-id';
import { shippedPolicy } from '../../../test/support/model';
import { buildEnvoyModel } from './index';

const NOW = new Date('2026-11-26T00:00:00Z');

/** Two listeners that verify a client certificate only when one is sent, or accept any. */
const BOOTSTRAP = `
static_resources:
  listeners:
  - name: req_false_ca
    address:
      socket_address: { address: 0.0.0.0, port_value: 9001 }
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: false
          common_tls_context:
            tls_certificates: [{ certificate_chain: { filename: /certs/server.crt }, private_key: { filename: /certs/server.key } }]
            validation_context: { trusted_ca: { filename: /certs/ca.crt } }
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: tcp, cluster: local }
  - name: ca_untrusted_req
    address:
      socket_address: { address: 0.0.0.0, port_value: 9003 }
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates: [{ certificate_chain: { filename: /certs/server.crt }, private_key: { filename: /certs/server.key } }]
            validation_context:
              trusted_ca: { filename: /certs/ca.crt }
              trust_chain_verification: ACCEPT_UNTRUSTED
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: tcp, cluster: local }
`;

function findings() {
  const inventory = emptyInventory();
  inventory.envoy.push({ doc: yaml.load(BOOTSTRAP), source: { file: 'edge/envoy.yaml', line: 1 } });
  return evaluateModel(buildEnvoyModel(inventory, { now: NOW }), shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-not-strict');
}
const byName = (name: string) => findings().find((f) => f.resource.name === name)!;
const TLS = 'static_resources.listeners[%i].filter_chains[0].transport_socket.typed_config';

describe('mtls-not-strict on an Envoy listener says why, and points at the deciding field', () => {
  test('require_client_certificate: false beside a trusted CA', () => {
    const f = byName('req_false_ca');
    expect(f.message).toMatch(/: filter chain #0: a trusted CA without require_client_certificate: .*connections without one are accepted; require mTLS \(STRICT\)\.$/);
    expect(f.detail.reason).toMatch(/^filter chain #0: a trusted CA without require_client_certificate/);
    expect((f.detail.cause as { path: string }).path).toBe(`${TLS.replace('%i', '0')}.require_client_certificate`);
  });

  test('trust_chain_verification: ACCEPT_UNTRUSTED', () => {
    const f = byName('ca_untrusted_req');
    expect(f.detail.reason).toMatch(/trust_chain_verification ACCEPT_UNTRUSTED: a client certificate is required, but any certificate is accepted/);
    expect((f.detail.cause as { path: string }).path).toBe(`${TLS.replace('%i', '1')}.common_tls_context.validation_context.trust_chain_verification`);
  });

  test('the finding ids hash the listener alone, so they do not move', () => {
    for (const f of findings()) expect(f.id).toBe(findingId('mtls-not-strict', 'envoy', f.resource));
  });
});
