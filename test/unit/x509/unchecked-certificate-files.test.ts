import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emptyInventory } from '../../../functions/core/model/inventory';
import { collectFiles } from '../../../functions/providers/files/collect';
import { uncheckedCertificateFiles, uncheckedCertificateFilesNotice } from '../../../functions/providers/x509/unchecked-certificate-files';
import { runCli } from '../../cli/run-cli';
import { makeCertChain } from '../../support/certs';

/**
 * App Mesh `file.certificateChain` and Envoy `filename` paths whose file is not among the inputs:
 * their certificates were not checked, which the CLI says in a notice (not a finding).
 */

const NOW = '2026-11-26T00:00:00Z';

/** A VirtualNode CRD with file certificates on its listener and in its client policy, as the App Mesh docs' mTLS walkthrough writes them. */
const VIRTUAL_NODE = `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: payments-api
  namespace: payments
spec:
  awsName: payments-api_payments
  meshRef:
    name: prod-mesh
    uid: 4c1b7f0e-2d3a-4e5f-9a6b-7c8d9e0f1a2b
  podSelector:
    matchLabels:
      app: payments-api
  listeners:
    - portMapping:
        port: 8443
        protocol: http
      tls:
        mode: STRICT
        certificate:
          file:
            certificateChain: /etc/appmesh/certs/payments-api/cert_chain.pem
            privateKey: /etc/appmesh/certs/payments-api/key.pem
        validation:
          trust:
            file:
              certificateChain: /etc/appmesh/certs/mesh-root-ca.pem
  backendDefaults:
    clientPolicy:
      tls:
        enforce: true
        certificate:
          file:
            certificateChain: /etc/appmesh/certs/payments-api/cert_chain.pem
            privateKey: /etc/appmesh/certs/payments-api/key.pem
        validation:
          trust:
            file:
              certificateChain: /etc/appmesh/certs/mesh-root-ca.pem
  backends:
    - virtualService:
        virtualServiceRef:
          name: ledger
  serviceDiscovery:
    dns:
      hostname: payments-api.payments.svc.cluster.local
`;

/** `aws appmesh describe-virtual-gateway` output. */
const VIRTUAL_GATEWAY = JSON.stringify(
  {
    virtualGateway: {
      meshName: 'prod-mesh',
      metadata: {
        arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualGateway/ingress-gw',
        createdAt: '2026-09-14T10:02:11.412000+00:00',
        lastUpdatedAt: '2026-11-02T08:45:39.117000+00:00',
        meshOwner: '111122223333',
        resourceOwner: '111122223333',
        uid: '0f3e2d1c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        version: 3,
      },
      spec: {
        backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/mesh-root-ca.pem' } } } } } },
        listeners: [
          {
            portMapping: { port: 443, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { file: { certificateChain: '/etc/appmesh/certs/ingress-gw/cert_chain.pem', privateKey: '/etc/appmesh/certs/ingress-gw/key.pem' } } },
          },
        ],
      },
      status: { status: 'ACTIVE' },
      virtualGatewayName: 'ingress-gw',
    },
  },
  null,
  2,
);

/** An edge Envoy's bootstrap: files for its serving chain, a partner CA, its upstream trust and a static client secret. */
const ENVOY = `static_resources:
  listeners:
  - name: ingress_https
    address:
      socket_address: { address: 0.0.0.0, port_value: 8443 }
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: ingress
          cluster: payments_api
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates:
            - certificate_chain:
                filename: /etc/envoy/certs/shop.example.com.crt
              private_key:
                filename: /etc/envoy/certs/shop.example.com.key
            validation_context:
              trusted_ca:
                filename: /etc/envoy/certs/partner-ca.pem
  clusters:
  - name: payments_api
    type: STRICT_DNS
    load_assignment:
      cluster_name: payments_api
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: payments-api.payments.svc.cluster.local, port_value: 8443 }
    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: payments-api.payments.svc.cluster.local
        common_tls_context:
          tls_certificate_sds_secret_configs:
          - name: edge-client
          validation_context:
            trusted_ca:
              filename: /etc/envoy/certs/mesh-root-ca.pem
  secrets:
  - name: edge-client
    tls_certificate:
      certificate_chain:
        filename: /etc/envoy/certs/edge-client.crt
      private_key:
        filename: /etc/envoy/certs/edge-client.key
`;

let dir: string;
let chainPem: string;
beforeAll(() => {
  chainPem = makeCertChain({ leafCN: 'payments-api.payments.svc.cluster.local', dnsNames: ['payments-api.payments.svc.cluster.local'], notBefore: new Date('2026-06-01T00:00:00Z'), notAfter: new Date('2027-06-01T00:00:00Z') }).chainPem;
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-unchecked-'));
  const files: Record<string, string> = {
    'mesh/payments-api.yaml': VIRTUAL_NODE,
    'mesh/describe-virtual-gateway-ingress-gw.json': VIRTUAL_GATEWAY,
    'envoy/edge.yaml': ENVOY,
    // The node's own chain is among the inputs, under the path the proxy mounts it at: checked.
    'etc/appmesh/certs/payments-api/cert_chain.pem': chainPem,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lineOf(text: string, prefix: string, nth = 0): number {
  return text.split('\n').flatMap((l, i) => (l.trimStart().startsWith(prefix) ? [i + 1] : []))[nth]!;
}

describe('certificate files not among the inputs', () => {
  test('one entry per path, with the first object that names it, where, and how many more references', async () => {
    const unchecked = uncheckedCertificateFiles(await collectFiles([dir]));
    expect(unchecked.map((u) => [u.path, u.first.by.kind, u.first.by.name, u.first.by.file.slice(dir.length + 1), u.others])).toEqual([
      ['/etc/envoy/certs/shop.example.com.crt', 'Listener', 'ingress_https', 'envoy/edge.yaml', 0],
      ['/etc/envoy/certs/partner-ca.pem', 'Listener', 'ingress_https', 'envoy/edge.yaml', 0],
      ['/etc/envoy/certs/mesh-root-ca.pem', 'Cluster', 'payments_api', 'envoy/edge.yaml', 0],
      ['/etc/envoy/certs/edge-client.crt', 'EnvoySecret', 'edge-client', 'envoy/edge.yaml', 0],
      ['/etc/appmesh/certs/ingress-gw/cert_chain.pem', 'VirtualGateway', 'ingress-gw', 'mesh/describe-virtual-gateway-ingress-gw.json', 0],
      // Named by the gateway's client policy, then by the node's listener and client policy.
      ['/etc/appmesh/certs/mesh-root-ca.pem', 'VirtualGateway', 'ingress-gw', 'mesh/describe-virtual-gateway-ingress-gw.json', 2],
    ]);
    // The node's own chain is linked to the file read, so it is not among them, and no hint is given for it.
    expect(unchecked.map((u) => u.sameName)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('the CLI says so in a notice on standard error, five paths at most, each at the line of its field; the report has no finding for it', async () => {
    const r = await runCli(['audit', dir, '--now', NOW, '--format', 'json', '--fail-on', 'never']);
    expect(r.code).toBe(0);
    const at = (file: string, prefix: string, nth = 0) => `${join(dir, file)}:${lineOf(file === 'envoy/edge.yaml' ? ENVOY : VIRTUAL_GATEWAY, prefix, nth)}`;
    expect(r.stderr).toBe(
      [
        'meshgov: 6 certificate file(s) named by the configuration not checked, as they are not among the inputs (add them to the paths audited to check their expiry):',
        `  /etc/envoy/certs/shop.example.com.crt: named by Envoy listener ingress_https (port 8443) at ${at('envoy/edge.yaml', 'filename: /etc/envoy/certs/shop.example.com.crt')}`,
        `  /etc/envoy/certs/partner-ca.pem: named by Envoy listener ingress_https (port 8443) at ${at('envoy/edge.yaml', 'filename: /etc/envoy/certs/partner-ca.pem')}`,
        `  /etc/envoy/certs/mesh-root-ca.pem: named by Envoy cluster payments_api (port 8443) at ${at('envoy/edge.yaml', 'filename: /etc/envoy/certs/mesh-root-ca.pem')}`,
        `  /etc/envoy/certs/edge-client.crt: named by Envoy secret edge-client at ${at('envoy/edge.yaml', 'filename: /etc/envoy/certs/edge-client.crt')}`,
        `  /etc/appmesh/certs/ingress-gw/cert_chain.pem: named by App Mesh VirtualGateway ingress-gw of mesh prod-mesh at ${at('mesh/describe-virtual-gateway-ingress-gw.json', '"certificateChain": "/etc/appmesh/certs/ingress-gw/cert_chain.pem"')}`,
        '  and 1 more',
        '',
      ].join('\n'),
    );
    const report = JSON.parse(r.stdout) as { findings: Array<{ rule: string; message: string }> };
    expect(report.findings.filter((f) => f.message.includes('/etc/'))).toEqual([]);
  });

  test('a CRD names its namespace and mesh; a file of the same name under another path is said to be checked on its own', async () => {
    rmSync(join(dir, 'envoy'), { recursive: true });
    rmSync(join(dir, 'mesh/describe-virtual-gateway-ingress-gw.json'));
    // The root, exported beside the manifests rather than under the path the proxies mount it at.
    writeFileSync(join(dir, 'mesh/mesh-root-ca.pem'), chainPem);
    expect(uncheckedCertificateFilesNotice(await collectFiles([dir]))).toBe(
      'meshgov: 1 certificate file(s) named by the configuration not checked, as they are not among the inputs (add them to the paths audited to check their expiry):\n' +
        `  /etc/appmesh/certs/mesh-root-ca.pem: named by App Mesh VirtualNode payments/payments-api of mesh prod-mesh at ${join(dir, 'mesh/payments-api.yaml')}:${lineOf(VIRTUAL_NODE, 'certificateChain: /etc/appmesh/certs/mesh-root-ca.pem')} and 1 more reference; ` +
        `${join(dir, 'mesh/mesh-root-ca.pem')} has that name but not that path, so it is checked on its own, not as this file\n`,
    );
  });

  // Envoy's upstream trust is often the image's own CA bundle: it comes with the image, never with the configuration.
  test("the proxy image's system CA bundle is not listed", async () => {
    rmSync(join(dir, 'mesh/describe-virtual-gateway-ingress-gw.json'));
    rmSync(join(dir, 'mesh/payments-api.yaml'));
    writeFileSync(join(dir, 'envoy/edge.yaml'), ENVOY.split('/etc/envoy/certs/mesh-root-ca.pem').join('/etc/ssl/certs/ca-certificates.crt'));
    const paths = uncheckedCertificateFiles(await collectFiles([dir])).map((u) => u.path);
    expect(paths).toEqual(['/etc/envoy/certs/shop.example.com.crt', '/etc/envoy/certs/partner-ca.pem', '/etc/envoy/certs/edge-client.crt']);
  });

  test('nothing is said when every named file is among the inputs, or nothing names one', async () => {
    rmSync(join(dir, 'envoy'), { recursive: true });
    rmSync(join(dir, 'mesh/describe-virtual-gateway-ingress-gw.json'));
    mkdirSync(join(dir, 'etc/appmesh/certs'), { recursive: true });
    writeFileSync(join(dir, 'etc/appmesh/certs/mesh-root-ca.pem'), chainPem);
    expect(uncheckedCertificateFilesNotice(await collectFiles([dir]))).toBe('');
  });
});


describe('live sources', () => {
  test('paths named by objects read live (an App Mesh ARN, not a file) are not listed: no input could ever hold those files', () => {
    // VirtualNodeData as DescribeVirtualNode returns it.
    const data = {
      meshName: 'prod-mesh',
      virtualNodeName: 'ledger',
      metadata: { arn: 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/ledger', meshOwner: '111122223333', resourceOwner: '111122223333', uid: '9e8d7c6b-5a49-4382-9170-a1b2c3d4e5f6', version: 7 },
      spec: {
        listeners: [
          {
            portMapping: { port: 9443, protocol: 'grpc' },
            tls: { mode: 'STRICT', certificate: { file: { certificateChain: '/etc/appmesh/certs/ledger/cert_chain.pem', privateKey: '/etc/appmesh/certs/ledger/key.pem' } }, validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/mesh-root-ca.pem' } } } },
          },
        ],
        serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
      },
      status: { status: 'ACTIVE' },
    };
    const inventory = emptyInventory();
    inventory.appmeshApi.push({ doc: { type: 'virtualNode', data }, source: { file: data.metadata.arn, line: 1 } });
    expect(uncheckedCertificateFiles(inventory)).toEqual([]);
    // The same object read from a file is listed.
    inventory.appmeshApi[0]!.source.file = 'mesh/describe-virtual-node-ledger.json';
    inventory.files.push('mesh/describe-virtual-node-ledger.json');
    expect(uncheckedCertificateFiles(inventory).map((u) => u.path)).toEqual(['/etc/appmesh/certs/ledger/cert_chain.pem', '/etc/appmesh/certs/mesh-root-ca.pem']);
  });
});
