import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from '../files/collect';
import { auditInventory } from '../audit-inventory';
import { shippedPolicy } from '../../../test/support/model';
import { mergeValidationContexts } from './validation-context';

/** CombinedCertificateValidationContext: the secret's context is merged into the default one as protobuf's MergeFrom does. */

describe('mergeValidationContexts', () => {
  it('copies no proto3 scalar at its default: an enum zero, 0, an empty string, false', () => {
    const defaults = { trust_chain_verification: 'ACCEPT_UNTRUSTED', max_verify_depth: 3, only_verify_leaf_cert_crl: true };
    expect(mergeValidationContexts(defaults, { trust_chain_verification: 'VERIFY_TRUST_CHAIN', max_verify_depth: 0, only_verify_leaf_cert_crl: false })).toEqual(defaults);
    expect(mergeValidationContexts(defaults, { trust_chain_verification: 0 })).toEqual(defaults);
  });

  it('overrides with set values, and concatenates repeated fields', () => {
    const merged = mergeValidationContexts(
      { trust_chain_verification: 'ACCEPT_UNTRUSTED', match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://a' } }] },
      { trust_chain_verification: 'ACCEPT_UNTRUSTED', trusted_ca: { filename: '/etc/envoy/ca.pem' }, match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://b' } }] },
    );
    expect(merged).toEqual({
      trust_chain_verification: 'ACCEPT_UNTRUSTED',
      trusted_ca: { filename: '/etc/envoy/ca.pem' },
      match_typed_subject_alt_names: [
        { san_type: 'URI', matcher: { exact: 'spiffe://a' } },
        { san_type: 'URI', matcher: { exact: 'spiffe://b' } },
      ],
    });
  });
});

describe('a combined context whose default accepts untrusted certificates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshgov-combined-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const bootstrap = (secretContext: Record<string, unknown>) => ({
    static_resources: {
      listeners: [
        {
          name: 'ingress',
          address: { socket_address: { address: '0.0.0.0', port_value: 8443 } },
          filter_chains: [
            {
              filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 'in', cluster: 'backend' } }],
              transport_socket: {
                name: 'envoy.transport_sockets.tls',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                  require_client_certificate: true,
                  common_tls_context: {
                    tls_certificates: [{ certificate_chain: { filename: '/etc/envoy/tls/server.crt' }, private_key: { filename: '/etc/envoy/tls/server.key' } }],
                    combined_validation_context: { default_validation_context: { trust_chain_verification: 'ACCEPT_UNTRUSTED' }, validation_context_sds_secret_config: { name: 'client_ca' } },
                  },
                },
              },
            },
          ],
        },
      ],
      clusters: [{ name: 'backend', type: 'STATIC', connect_timeout: '1s', load_assignment: { cluster_name: 'backend', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 } } } }] }] } }],
      secrets: [{ name: 'client_ca', validation_context: { trusted_ca: { filename: '/etc/envoy/tls/clients-ca.pem' }, ...secretContext } }],
    },
  });

  const modes = async (secretContext: Record<string, unknown>) => {
    writeFileSync(join(dir, 'envoy.json'), JSON.stringify(bootstrap(secretContext), null, 2));
    const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') });
    return report.findings.map((f) => [f.rule, f.detail['mode']]);
  };

  it('stays TLS_NO_CLIENT_AUTH when the secret says VERIFY_TRUST_CHAIN: an enum at zero is not merged', async () => {
    expect(await modes({ trust_chain_verification: 'VERIFY_TRUST_CHAIN' })).toEqual([['mtls-not-strict', 'TLS_NO_CLIENT_AUTH']]);
    expect(await modes({})).toEqual([['mtls-not-strict', 'TLS_NO_CLIENT_AUTH']]);
  });

  const fixOf = async (context: Record<string, unknown>, secret: Record<string, unknown>) => {
    const doc = bootstrap({});
    const socket = doc.static_resources.listeners[0]!.filter_chains[0]!.transport_socket.typed_config;
    socket.common_tls_context = { ...socket.common_tls_context, ...context } as typeof socket.common_tls_context;
    delete (socket.common_tls_context as Record<string, unknown>)['combined_validation_context'];
    Object.assign(socket.common_tls_context, context);
    doc.static_resources.secrets = [{ name: 'client_ca', validation_context: secret as never }];
    writeFileSync(join(dir, 'envoy.json'), JSON.stringify(doc, null, 2));
    const [finding] = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') }).findings;
    const change = finding!.remediation!.change as { filter_chains: Array<{ transport_socket: { typed_config: { common_tls_context: Record<string, unknown> } } }> };
    return { reason: finding!.remediation!.reason, common: change.filter_chains[0]!.transport_socket.typed_config.common_tls_context };
  };

  it('a static secret that says ACCEPT_UNTRUSTED: the fix says to edit the secret, since its value wins the merge', async () => {
    const { reason } = await fixOf({ validation_context_sds_secret_config: { name: 'client_ca' } }, { trusted_ca: { filename: '/etc/envoy/tls/clients-ca.pem' }, trust_chain_verification: 'ACCEPT_UNTRUSTED' });
    expect(reason).toContain('static secret client_ca sets validation_context.trust_chain_verification: ACCEPT_UNTRUSTED, which overrides the listener');
  });

  it('a secret without a CA: the CA goes into a combined context beside the secret, never into validation_context (one oneof, which Envoy refuses)', async () => {
    const { common } = await fixOf({ validation_context_sds_secret_config: { name: 'client_ca' } }, { max_verify_depth: 3 });
    expect(common['validation_context']).toBeUndefined();
    expect(common['validation_context_sds_secret_config']).toBeUndefined();
    expect(common['combined_validation_context']).toEqual({
      default_validation_context: { trusted_ca: { filename: '<path of the CA bundle that issues client certificates>' } },
      validation_context_sds_secret_config: { name: 'client_ca' },
    });
  });

  it('a combined context without default_validation_context: Envoy refuses it (tls.proto marks it required)', async () => {
    const doc = bootstrap({});
    doc.static_resources.listeners[0]!.filter_chains[0]!.transport_socket.typed_config.common_tls_context.combined_validation_context = { validation_context_sds_secret_config: { name: 'client_ca' } } as never;
    writeFileSync(join(dir, 'envoy.json'), JSON.stringify(doc, null, 2));
    const findings = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') }).findings;
    expect(findings.map((f) => [f.rule, f.message.includes('without default_validation_context: the field is required')])).toEqual([['config-invalid', true]]);
  });

  it('a cluster whose only tls_certificates entry is empty sends no client certificate (Envoy skips the entry)', async () => {
    const doc = bootstrap({}) as { static_resources: { clusters: Array<Record<string, unknown>> } };
    doc.static_resources.clusters.push({
      name: 'payments',
      type: 'STATIC',
      connect_timeout: '1s',
      load_assignment: { cluster_name: 'payments', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.5', port_value: 8443 } } } }] }] },
      transport_socket: {
        name: 'envoy.transport_sockets.tls',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', common_tls_context: { tls_certificates: [{}], validation_context: { trusted_ca: { filename: '/etc/envoy/tls/mesh-ca.pem' } } } },
      },
    });
    writeFileSync(join(dir, 'envoy.json'), JSON.stringify(doc, null, 2));
    const findings = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: new Date('2026-11-26T00:00:00Z') }).findings;
    expect(findings.filter((f) => f.resource.kind === 'Cluster').map((f) => [f.rule, f.resource.name])).toEqual([['mtls-client-not-enforced', 'payments']]);
  });
});
