import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as yaml from 'js-yaml';
import { makeCertChain, makeRootCa, type CertChain, type IssuedCertificate } from '../../../test/support/certs';
import { shippedPolicy } from '../../../test/support/model';
import { auditInventory } from '../audit-inventory';
import { collectFiles } from '../files/collect';
import { inlineCertificatesOf } from './inline-certificates';

const NOW = new Date('2026-11-26T00:00:00Z');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** A PEM as a YAML literal block (`inline_string: |`), its lines indented under the key. */
const literal = (pem: string, spaces: number) => `|\n${pem.trimEnd().split('\n').map((l) => ' '.repeat(spaces) + l).join('\n')}`;
/** The 1-based line of the `nth` line holding `needle`. */
const lineOf = (text: string, needle: string, nth = 0) => text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []))[nth];

const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

/** The edge proxy's server chain expired on 2026-11-01; its intermediate and root are current. */
let edge: CertChain;
/** The payments upstream's private root CA, 14 days from its end. */
let paymentsCa: IssuedCertificate;
/** The chain a static secret holds: its leaf ends in 3 days. */
let sidecar: CertChain;
let dir: string;

beforeAll(() => {
  const current = { root: { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') }, intermediate: { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2029-01-01T00:00:00Z') } };
  edge = makeCertChain({ leafCN: 'api.shop.example.com', dnsNames: ['api.shop.example.com'], notBefore: new Date('2026-08-03T00:00:00Z'), notAfter: new Date('2026-11-01T00:00:00Z'), ...current });
  paymentsCa = makeRootCa({ cn: 'Payments internal root CA', organization: 'Shop', notBefore: new Date('2016-12-10T00:00:00Z'), notAfter: new Date('2026-12-10T00:00:00Z') });
  sidecar = makeCertChain({ leafCN: 'edge-proxy.shop.svc', notBefore: new Date('2026-10-29T00:00:00Z'), notAfter: new Date('2026-11-29T00:00:00Z'), ...current });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-envoy-inline-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function audit(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const report = auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
  return report.findings.map((f) => ({
    id: f.id,
    rule: f.rule,
    severity: f.severity,
    kind: f.resource.kind,
    name: f.resource.name,
    port: f.resource.port,
    file: relative(dir, f.resource.file ?? ''),
    line: f.resource.line,
    message: f.message,
    field: (f.detail as { field?: string }).field,
    origin: (f.detail as { origin?: Record<string, unknown> }).origin,
    usedBy: ((f.detail as { usedBy?: Array<{ file?: string }> }).usedBy ?? []).map((u) => ({ ...u, file: relative(dir, u.file ?? '') })),
  }));
}

/** A front proxy terminating mTLS with its server chain inline, forwarding to a local app. */
function edgeBootstrap(listener = 'ingress_https'): string {
  return `admin:
  address:
    socket_address: { address: 127.0.0.1, port_value: 9901 }
static_resources:
  listeners:
  - name: ${listener}
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress_https
          route_config:
            virtual_hosts:
            - name: shop
              domains: ["api.shop.example.com"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: local_app }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": ${DOWNSTREAM_TLS}
          require_client_certificate: true
          common_tls_context:
            tls_certificates:
            - certificate_chain:
                inline_string: ${literal(edge.chainPem, 18)}
              private_key: { filename: /etc/envoy/tls/server-key.pem }
            validation_context:
              trusted_ca: { filename: /etc/envoy/tls/client-ca.pem }
  clusters:
  - name: local_app
    type: STATIC
    load_assignment:
      cluster_name: local_app
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } }
`;
}

describe('certificates written inline in Envoy bootstraps', () => {
  test('an expired inline_string chain of a listener is cert-expired on that listener, at the line of its certificate_chain; filename sources are left to the PEM files', async () => {
    const text = edgeBootstrap();
    const findings = await audit({ 'edge/envoy.yaml': text });
    expect(findings.map((f) => [f.rule, f.name, f.file, f.line])).toEqual([['cert-expired', 'api.shop.example.com', 'edge/envoy.yaml', lineOf(text, '- certificate_chain:')]]);
    const [expired] = findings;
    expect(expired!.message).toBe(
      'The certificate for api.shop.example.com in Listener ingress_https key filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain expired on 2026-11-01T00:00:00.000Z; renew it and roll it out.',
    );
    expect(expired!.origin).toEqual(expect.objectContaining({ kind: 'Listener', name: 'ingress_https', key: 'filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain' }));
    // The listener as its mtls findings name it.
    expect(expired!.usedBy).toEqual([{ kind: 'Listener', name: 'ingress_https', port: 8443, file: 'edge/envoy.yaml', line: lineOf(text, '- name: ingress_https') }]);
  });

  test('an inline_bytes trusted CA of a cluster, 14 days from its end, is cert-expiring; written in a transport_socket_matches entry and the transport_socket, it is one finding naming both', async () => {
    const tls = (indent: number) =>
      `name: envoy.transport_sockets.tls
${' '.repeat(indent)}typed_config:
${' '.repeat(indent)}  "@type": ${UPSTREAM_TLS}
${' '.repeat(indent)}  sni: payments-api.payments.svc.cluster.local
${' '.repeat(indent)}  common_tls_context:
${' '.repeat(indent)}    tls_certificates:
${' '.repeat(indent)}    - certificate_chain: { filename: /etc/envoy/tls/client.pem }
${' '.repeat(indent)}      private_key: { filename: /etc/envoy/tls/client-key.pem }
${' '.repeat(indent)}    validation_context:
${' '.repeat(indent)}      trusted_ca: { inline_bytes: "${b64(paymentsCa.certPem)}" }`;
    const text = `static_resources:
  clusters:
  - name: payments_api
    type: STRICT_DNS
    connect_timeout: 1s
    load_assignment:
      cluster_name: payments_api
      endpoints:
      - lb_endpoints:
        - endpoint:
            address: { socket_address: { address: payments-api.payments.svc.cluster.local, port_value: 9443 } }
          metadata:
            filter_metadata:
              envoy.transport_socket_match: { tlsMode: istio }
    transport_socket_matches:
    - name: mtls
      match: { tlsMode: istio }
      transport_socket:
        ${tls(8)}
    transport_socket:
      ${tls(6)}
`;
    const findings = await audit({ 'payments/envoy.yaml': text });
    expect(findings.map((f) => [f.rule, f.severity, f.name, f.file, f.line])).toEqual([['cert-expiring', 'high', 'Payments internal root CA', 'payments/envoy.yaml', lineOf(text, 'trusted_ca:')]]);
    expect(findings[0]!.origin).toEqual(
      expect.objectContaining({
        kind: 'Cluster',
        name: 'payments_api',
        key: 'transport_socket_matches[0].transport_socket.typed_config.common_tls_context.validation_context.trusted_ca',
        alsoKeys: ['transport_socket.typed_config.common_tls_context.validation_context.trusted_ca'],
      }),
    );
    expect(findings[0]!.usedBy).toEqual([{ kind: 'Cluster', name: 'payments_api', port: 9443, file: 'payments/envoy.yaml', line: 3 }]);
  });

  test('a static secret: its chain is checked, and every listener and cluster that names it without sds_config uses it', async () => {
    const text = `static_resources:
  secrets:
  - name: edge_proxy_cert
    tls_certificate:
      certificate_chain:
        inline_string: ${literal(sidecar.chainPem, 10)}
      private_key: { filename: /etc/envoy/tls/edge-proxy-key.pem }
  - name: mesh_ca
    validation_context:
      trusted_ca: { inline_bytes: "${b64(sidecar.rootPem)}" }
  listeners:
  - name: ingress_mtls
    address:
      socket_address: { address: 0.0.0.0, port_value: 15443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ingress_mtls
          cluster: orders
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": ${DOWNSTREAM_TLS}
          require_client_certificate: true
          common_tls_context:
            tls_certificate_sds_secret_configs:
            - name: edge_proxy_cert
            validation_context_sds_secret_config:
              name: mesh_ca
  clusters:
  - name: orders
    type: STRICT_DNS
    load_assignment:
      cluster_name: orders
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: orders.shop.svc.cluster.local, port_value: 8443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": ${UPSTREAM_TLS}
        common_tls_context:
          tls_certificate_sds_secret_configs:
          - name: edge_proxy_cert
          validation_context_sds_secret_config:
            name: ROOTCA
            sds_config: { ads: {}, resource_api_version: V3 }
`;
    const findings = await audit({ 'edge/envoy.yaml': text });
    expect(findings.map((f) => [f.rule, f.severity, f.name, f.line])).toEqual([['cert-expiring', 'critical', 'edge-proxy.shop.svc', lineOf(text, 'certificate_chain:')]]);
    expect(findings[0]!.message).toContain('in EnvoySecret edge_proxy_cert key tls_certificate.certificate_chain expires');
    expect(findings[0]!.usedBy).toEqual([
      { kind: 'Listener', name: 'ingress_mtls', port: 15443, file: 'edge/envoy.yaml', line: lineOf(text, '- name: ingress_mtls') },
      { kind: 'Cluster', name: 'orders', port: 8443, file: 'edge/envoy.yaml', line: lineOf(text, '- name: orders') },
    ]);
  });

  test('proto JSON in lowerCamelCase (inlineString, tlsCertificates, commonTlsContext, typedConfig) is read the same', async () => {
    const bootstrap = {
      staticResources: {
        listeners: [
          {
            name: 'ingress_https',
            address: { socketAddress: { address: '0.0.0.0', portValue: 8443 } },
            filterChains: [
              {
                filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', statPrefix: 'ingress', cluster: 'local_app' } }],
                transportSocket: {
                  name: 'envoy.transport_sockets.tls',
                  typedConfig: {
                    '@type': DOWNSTREAM_TLS,
                    requireClientCertificate: true,
                    commonTlsContext: {
                      tlsCertificates: [{ certificateChain: { inlineString: edge.chainPem }, privateKey: { filename: '/etc/envoy/tls/server-key.pem' } }],
                      validationContext: { trustedCa: { inlineBytes: b64(edge.rootPem) } },
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    };
    const text = `${JSON.stringify(bootstrap, null, 2)}\n`;
    const findings = await audit({ 'edge/envoy.json': text });
    expect(findings.map((f) => [f.rule, f.name, f.file, f.line])).toEqual([['cert-expired', 'api.shop.example.com', 'edge/envoy.json', lineOf(text, '"certificateChain"')]]);
    expect(findings[0]!.origin).toEqual(expect.objectContaining({ kind: 'Listener', name: 'ingress_https', key: 'filterChains[0].transportSocket.typedConfig.commonTlsContext.tlsCertificates[0].certificateChain' }));
    expect(findings[0]!.usedBy).toEqual([{ kind: 'Listener', name: 'ingress_https', port: 8443, file: 'edge/envoy.json', line: lineOf(text, '"name": "ingress_https"') - 1 }]);
  });

  test('an inline block that cannot be read is config-invalid at its field, and the rest of the bootstrap is still audited', async () => {
    const truncated = edge.rootPem.trimEnd().split('\n').slice(0, -1).join('\n');
    const text = edgeBootstrap().replace(
      '  clusters:\n',
      `  clusters:
  - name: ledger
    type: STRICT_DNS
    load_assignment:
      cluster_name: ledger
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: ledger.payments.svc.cluster.local, port_value: 9443 } } }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": ${UPSTREAM_TLS}
        common_tls_context:
          tls_certificates:
          - certificate_chain: { inline_bytes: "${edge.chainPem.split('\n')[1]}!" }
            private_key: { filename: /etc/envoy/tls/client-key.pem }
          validation_context:
            trusted_ca:
              inline_string: ${literal(truncated, 16)}
`,
    );
    // The report orders findings of one severity by id, which hashes the temporary directory's name.
    const findings = (await audit({ 'edge/envoy.yaml': text })).sort((a, b) => a.rule.localeCompare(b.rule) || a.line! - b.line!);
    const fields = 'static_resources.clusters[0].transport_socket.typed_config.common_tls_context';
    expect(findings.map((f) => [f.rule, f.kind, f.name, f.port, f.file, f.line, f.field])).toEqual([
      ['cert-expired', 'Certificate', 'api.shop.example.com', undefined, 'edge/envoy.yaml', lineOf(text, '- certificate_chain:'), undefined],
      ['config-invalid', 'Cluster', 'ledger', 9443, 'edge/envoy.yaml', lineOf(text, '- certificate_chain:', 1), `${fields}.tls_certificates[0].certificate_chain.inline_bytes`],
      ['config-invalid', 'Cluster', 'ledger', 9443, 'edge/envoy.yaml', lineOf(text, 'trusted_ca:', 1), `${fields}.validation_context.trusted_ca.inline_string`],
    ]);
    expect(findings[1]!.message).toMatch(/inline_bytes of certificate_chain in cluster ledger is not valid base64$/);
    expect(findings[2]!.message).toMatch(/has no -----END CERTIFICATE----- line$/);
  });

  test('two bootstraps naming their listener alike are two proxies: each expired certificate is its own finding', async () => {
    const findings = (await audit({ 'east/envoy.yaml': edgeBootstrap(), 'west/envoy.yaml': edgeBootstrap() })).sort((a, b) => a.file.localeCompare(b.file));
    expect(findings.map((f) => [f.rule, f.name, f.file])).toEqual([
      ['cert-expired', 'api.shop.example.com', 'east/envoy.yaml'],
      ['cert-expired', 'api.shop.example.com', 'west/envoy.yaml'],
    ]);
    expect(findings[0]!.id).not.toBe(findings[1]!.id);
    expect(findings.map((f) => f.usedBy[0]!.file)).toEqual(['east/envoy.yaml', 'west/envoy.yaml']);
  });
});

describe('inlineCertificatesOf', () => {
  test('reads through wrappers, TypedStruct and the default filter chain, and the default validation context of a combined one', () => {
    const doc = yaml.load(`static_resources:
  listeners:
  - name: postgres_tls
    address: { socket_address: { address: 0.0.0.0, port_value: 5432 } }
    default_filter_chain:
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: postgres
          cluster: postgres
      transport_socket:
        name: envoy.transport_sockets.tcp_stats
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tcp_stats.v3.Config
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/xds.type.v3.TypedStruct
              type_url: ${DOWNSTREAM_TLS}
              value:
                common_tls_context:
                  tls_certificates:
                  - certificate_chain: { inline_string: ${JSON.stringify(edge.leafPem)} }
                  combined_validation_context:
                    default_validation_context:
                      trusted_ca: { inline_bytes: "${b64(paymentsCa.certPem)}" }
                    validation_context_sds_secret_config:
                      name: ROOTCA
                      sds_config: { ads: {} }
`);
    const read = inlineCertificatesOf({ doc, source: { file: 'db/envoy.yaml', line: 1 }, entryLines: { listeners: [3] } });
    expect(read.problems).toEqual([]);
    const socket = 'default_filter_chain.transport_socket.typed_config.transport_socket.typed_config.value.common_tls_context';
    expect(read.certificates.map((c) => [c.subjectCN, c.origin.kind, c.origin.name, c.origin.key, c.origin.source])).toEqual([
      ['api.shop.example.com', 'Listener', 'postgres_tls', `${socket}.tls_certificates[0].certificate_chain`, { file: 'db/envoy.yaml', line: 3 }],
      ['Payments internal root CA', 'Listener', 'postgres_tls', `${socket}.combined_validation_context.default_validation_context.trusted_ca`, { file: 'db/envoy.yaml', line: 3 }],
    ]);
    expect(read.certificates[0]!.usedBy).toEqual([{ kind: 'Listener', name: 'postgres_tls', port: 5432, file: 'db/envoy.yaml', line: 3 }]);
    // Ids name the object and field, not only the file.
    expect(read.certificates[0]!.id).toBe(`x509:${read.certificates[0]!.fingerprint256}@Listener//postgres_tls/${socket}.tls_certificates[0].certificate_chain`);
  });

  test('an inline_string holding base64, or inline_bytes holding the PEM itself, says which mix-up it is', () => {
    const doc = {
      static_resources: {
        secrets: [
          { name: 'server_cert', tls_certificate: { certificate_chain: { inline_string: b64(edge.leafPem) } } },
          { name: 'client_ca', validation_context: { trusted_ca: { inline_bytes: edge.rootPem } } },
        ],
      },
    };
    const read = inlineCertificatesOf({ doc, source: { file: 'edge/envoy.json', line: 1 } });
    expect(read.certificates).toEqual([]);
    expect(read.problems.map((p) => [p.kind, p.name, p.field, p.provider, p.message])).toEqual([
      ['EnvoySecret', 'server_cert', 'static_resources.secrets[0].tls_certificate.certificate_chain.inline_string', 'envoy', 'inline_string of certificate_chain in static secret server_cert holds no PEM certificate: it holds base64, but inline_string takes the PEM itself (base64 belongs in inline_bytes)'],
      ['EnvoySecret', 'client_ca', 'static_resources.secrets[1].validation_context.trusted_ca.inline_bytes', 'envoy', 'inline_bytes of trusted_ca in static secret client_ca is not valid base64: it holds the PEM as plain text, which belongs in inline_string (inline_bytes takes base64)'],
    ]);
  });
});
