/**
 * Writes the inputs of the `envoy-config-dump` golden case, once:
 *
 *   npx tsx test/golden/make-config-dump.ts
 *   UPDATE_GOLDEN=1 npx jest test/golden     # new serials and fingerprints: refresh expected.json
 *
 * Not run by the tests: the files are committed, so the golden report stays the same from run
 * to run. Dates are fixed relative to the golden clock, 2026-11-26T00:00:00Z.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { issueCertificate, makeRootCa } from '../support/certs';
import { b64, httpManager, LISTENER, REDACTED, SECRET, sidecarDump, TS } from '../support/envoy-dumps';

const INPUT = path.join(__dirname, 'cases', 'envoy-config-dump', 'input');
const at = (iso: string): Date => new Date(iso);

function write(relative: string, value: unknown): void {
  const file = path.join(INPUT, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

// istiod's self-signed root (istio-ca-secret) and the workload certificates it signs for 24 hours;
// istio-agent appends the root to each workload chain, as real sidecars show it.
const istioRoot = makeRootCa({ cn: 'Istio CA', organization: 'cluster.local', notBefore: at('2025-06-01T00:00:00Z'), notAfter: at('2035-06-01T00:00:00Z') });
const workload = (sa: string, ns: string, notBefore: string) =>
  issueCertificate(istioRoot, { cn: `${sa}.${ns}.svc`, uris: [`spiffe://cluster.local/ns/${ns}/sa/${sa}`], notBefore: at(notBefore), notAfter: new Date(at(notBefore).getTime() + 86_400_000) });

// orders-v1: PERMISSIVE, and its certificate was due for rotation at 18:19 yesterday and was not replaced.
write(
  'orders/orders-v1-7d9c8b6f5-x2x9q.config_dump.json',
  sidecarDump({ permissive: true, chainPem: workload('orders', 'orders', '2026-11-25T06:00:00Z').certPem + istioRoot.certPem, rootPem: istioRoot.certPem }),
);
// checkout-v2: STRICT, certificate issued at 20:00 yesterday, rotation not yet due.
write(
  'checkout/checkout-v2-5b7f9c6d4-m8k2p.config_dump.json',
  sidecarDump({ permissive: false, chainPem: workload('checkout', 'checkout', '2026-11-25T20:00:00Z').certPem + istioRoot.certPem, rootPem: istioRoot.certPem, pod: { name: 'checkout-v2-5b7f9c6d4-m8k2p', namespace: 'checkout', ip: '10.8.2.31' } }),
);

// The Envoy of App Mesh virtual node payments-api: its listener terminates TLS without asking for a
// client certificate, from an SDS secret whose certificate expired on 2026-11-20.
const paymentsCa = makeRootCa({ cn: 'prod-mesh private CA', organization: 'Example Corp', notBefore: at('2025-01-01T00:00:00Z'), notAfter: at('2030-01-01T00:00:00Z') });
const payments = issueCertificate(paymentsCa, { cn: 'payments-api.payments.svc.cluster.local', dnsNames: ['payments-api.payments.svc.cluster.local'], notBefore: at('2026-08-22T00:00:00Z'), notAfter: at('2026-11-20T00:00:00Z') });
const appMeshSds = { api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'static_cluster_sds_unix_socket' } }], transport_api_version: 'V3' }, resource_api_version: 'V3' };
write('payments/payments-api-envoy.config_dump.json', {
  configs: [
    { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: 'mesh/prod-mesh/virtualNode/payments-api_payments', cluster: 'mesh/prod-mesh/virtualNode/payments-api_payments' } }, last_updated: TS },
    {
      '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
      version_info: 'v1.27.3.0-prod-1',
      dynamic_listeners: [
        {
          name: 'lds_ingress_0.0.0.0_15000',
          active_state: {
            version_info: 'v1.27.3.0-prod-1',
            listener: {
              '@type': LISTENER,
              name: 'lds_ingress_0.0.0.0_15000',
              address: { socket_address: { address: '0.0.0.0', port_value: 15000 } },
              filter_chains: [
                {
                  filters: [httpManager('ingress', 'cds_ingress_prod-mesh_payments-api_payments_http_8080')],
                  transport_socket: {
                    name: 'envoy.transport_sockets.tls',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                      common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 'payments-api-tls', sds_config: appMeshSds }] },
                    },
                  },
                },
              ],
              traffic_direction: 'INBOUND',
            },
            last_updated: TS,
          },
        },
      ],
    },
    {
      '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump',
      dynamic_active_secrets: [
        { name: 'payments-api-tls', version_info: '1', last_updated: TS, secret: { '@type': SECRET, name: 'payments-api-tls', tls_certificate: { certificate_chain: { inline_bytes: b64(payments.certPem) }, private_key: { inline_bytes: REDACTED } } } },
      ],
    },
  ],
});
