import { buildEnvoyModel } from './index';
import { emptyInventory } from '../../core/model/inventory';

/*
 * StartTLS (envoy.transport_sockets.starttls, starttls.proto): the connection is cleartext
 * (`cleartext_socket_config`, raw_buffer) until a protocol filter such as postgres_proxy switches
 * it to the TLS of `tls_socket_config`. Before, meshgov called the socket an unknown type.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

function bootstrap(downstreamTls: Record<string, unknown>, upstream: Record<string, unknown> | undefined) {
  return {
    static_resources: {
      listeners: [
        {
          name: 'postgres_ingress',
          address: { socket_address: { address: '0.0.0.0', port_value: 5432 } },
          filter_chains: [
            {
              filters: [
                { name: 'envoy.filters.network.postgres_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.postgres_proxy.v3alpha.PostgresProxy', stat_prefix: 'pg', terminate_ssl: true } },
                { name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 'pg_tcp', cluster: 'ledger_db' } },
              ],
              transport_socket: {
                name: 'envoy.transport_sockets.starttls',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.starttls.v3.StartTlsConfig',
                  cleartext_socket_config: {},
                  tls_socket_config: downstreamTls,
                },
              },
            },
          ],
        },
      ],
      clusters: [
        {
          name: 'ledger_db',
          type: 'STRICT_DNS',
          load_assignment: { cluster_name: 'ledger_db', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'ledger-db.payments.svc.cluster.local', port_value: 5432 } } } }] }] },
          ...(upstream ? { transport_socket: upstream } : {}),
        },
      ],
    },
  };
}

const mutualDownstream = {
  require_client_certificate: true,
  common_tls_context: {
    tls_certificates: [{ certificate_chain: { filename: '/etc/envoy/certs/pg.crt' }, private_key: { filename: '/etc/envoy/certs/pg.key' } }],
    validation_context: { trusted_ca: { filename: '/etc/envoy/certs/ca.crt' } },
  },
};

function modelOf(doc: Record<string, unknown>) {
  const inventory = emptyInventory();
  inventory.envoy.push({ doc, source: { file: 'edge/pg-envoy.yaml', line: 1 } });
  return buildEnvoyModel(inventory, { now: NOW });
}

describe('StartTLS transport sockets', () => {
  it('a listener takes cleartext as well as the TLS it may switch to: PERMISSIVE, with no config-invalid finding', () => {
    const model = modelOf(bootstrap(mutualDownstream, undefined));
    expect(model.problems).toEqual([]);
    expect(model.servers).toHaveLength(1);
    expect(model.servers[0]).toMatchObject({ mode: 'PERMISSIVE', resource: { kind: 'Listener', name: 'postgres_ingress', port: 5432 } });
    // The fix does not swap the StartTLS socket for plain TLS, which would break the protocol.
    const fix = model.servers[0]!.fix!;
    expect(JSON.stringify(fix.change)).not.toContain('envoy.transport_sockets.tls');
    expect(fix.blockers.join('\n')).toContain('before StartTLS of listener postgres_ingress: clients that do not ask for TLS stay in cleartext');
  });

  it('a StartTLS socket without tls_socket_config is reported on that field', () => {
    const model = modelOf(bootstrap(undefined as never, undefined));
    expect(model.problems).toEqual([expect.objectContaining({ field: expect.stringContaining('tls_socket_config'), message: expect.stringContaining('no TLS to switch to') })]);
  });

  it('an upstream StartTLS with a client certificate sends mTLS once switched, and says so', () => {
    const upstream = {
      name: 'envoy.transport_sockets.starttls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.starttls.v3.UpstreamStartTlsConfig',
        cleartext_socket_config: {},
        tls_socket_config: { common_tls_context: { tls_certificates: [{ certificate_chain: { filename: '/etc/envoy/certs/client.crt' }, private_key: { filename: '/etc/envoy/certs/client.key' } }] } },
      },
    };
    const model = modelOf(bootstrap(mutualDownstream, upstream));
    expect(model.problems).toEqual([]);
    const client = model.clients.find((c) => c.resource.name === 'ledger_db')!;
    expect(client.sends).toBe('MTLS');
    expect(client.reason).toContain('after the StartTLS switch');
  });
});
