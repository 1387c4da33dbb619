import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../../functions/core/findings';
import { collectFiles } from '../../../functions/providers/files/collect';
import { auditInventory } from '../../../functions/providers/audit-inventory';
import { shippedPolicy } from '../../support/model';

/**
 * An mTLS finding points at the line that sets the deciding value (a PeerAuthentication's
 * `mode`, a DestinationRule's `tls`, an App Mesh listener's `tls.mode` or client policy), so
 * that code scanning annotates the line a pull request changes, not the document's first line.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-cause-lines-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return text;
}

/** The 1-based line of the `nth` line of `text` that contains `needle`. */
function lineOf(text: string, needle: string, nth = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  throw new Error(`no line ${nth} with ${needle}`);
}

async function audit() {
  return auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
}

function only(findings: readonly Finding[], rule: string, name: string, port?: number): Finding {
  const hits = findings.filter((f) => f.rule === rule && f.resource.name === name && (port === undefined || f.resource.port === port));
  expect(hits).toHaveLength(1);
  return hits[0]!;
}

/**
 * The finding's line, its cause's line in detail, and the line its message names agree (an
 * mtls-conflict names its client's cause as `clientCause`, and no line in its message).
 */
function expectAt(f: Finding, file: string, line: number): void {
  expect(f.resource).toMatchObject({ file: join(dir, file), line });
  if (f.rule === 'mtls-conflict') {
    expect(f.detail['clientCause']).toMatchObject({ file: join(dir, file), line });
    return;
  }
  expect(f.detail['cause']).toMatchObject({ file: join(dir, file), line });
  expect(f.message).toContain(`${join(dir, file)}:${line})`);
}

const DEPLOYMENTS = `apiVersion: v1
kind: Namespace
metadata:
  name: checkout
  labels:
    istio-injection: enabled
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: checkout
spec:
  selector:
    matchLabels:
      app: cart
  template:
    metadata:
      labels:
        app: cart
    spec:
      containers:
        - name: cart
          image: us-docker.pkg.dev/shop-prod/images/cart:2.3.1
          ports:
            - containerPort: 8080
            - containerPort: 9090
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: checkout
spec:
  selector:
    matchLabels:
      app: payments-api
  template:
    metadata:
      labels:
        app: payments-api
    spec:
      containers:
        - name: payments-api
          image: us-docker.pkg.dev/shop-prod/images/payments-api:1.9.0
          ports:
            - containerPort: 8443
---
apiVersion: v1
kind: Service
metadata:
  name: payments-api
  namespace: checkout
spec:
  selector:
    app: payments-api
  ports:
    - name: https
      port: 8443
      targetPort: 8443
`;

/** The checkout namespace's own PeerAuthentication, with `mode` as given. */
function checkoutPolicy(mode: string): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: checkout
spec:
  mtls:
    mode: ${mode}
`;
}

/** A DestinationRule for payments-api, `spec` given below its host, indented by two spaces. */
function paymentsRule(spec: string): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: payments-api
  namespace: checkout
spec:
  host: payments-api.checkout.svc.cluster.local
${spec}`;
}

describe('Istio findings point at the deciding line', () => {
  it('a namespace-wide mode, a workload port-level mode, and a mesh-wide UNSET at its document', async () => {
    write('workloads.yaml', DEPLOYMENTS);
    const policies = write(
      'policies.yaml',
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: checkout
spec:
  mtls:
    mode: PERMISSIVE
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: cart
  namespace: checkout
spec:
  selector:
    matchLabels:
      app: cart
  mtls:
    mode: STRICT
  portLevelMtls:
    "9090":
      mode: DISABLE
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec: {}
`,
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'payments-api'), 'policies.yaml', lineOf(policies, 'mode: PERMISSIVE'));
    expectAt(only(findings, 'mtls-not-strict', 'cart', 9090), 'policies.yaml', lineOf(policies, 'mode: DISABLE'));
    expect(findings.filter((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'cart' && f.resource.port === 8080)).toEqual([]);
  });

  it("names the moved line in the message even when the file's name holds a replacement pattern ($&)", async () => {
    write('workloads.yaml', DEPLOYMENTS);
    const policy = write('team-$&-policies.yaml', checkoutPolicy('PERMISSIVE'));
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'payments-api'), 'team-$&-policies.yaml', lineOf(policy, 'mode: PERMISSIVE'));
  });

  it('a mesh-wide policy without a mode stays at its document start: nothing in it is the mode', async () => {
    write('workloads.yaml', DEPLOYMENTS);
    const mesh = write(
      'mesh.yaml',
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls: {}
`,
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'payments-api'), 'mesh.yaml', lineOf(mesh, 'apiVersion:'));
  });

  it("a DestinationRule's top-level mode, a port-level tls without a mode, and a subset's own tls", async () => {
    write('workloads.yaml', DEPLOYMENTS);
    write('strict.yaml', checkoutPolicy('STRICT'));
    const rules = write(
      'rules.yaml',
      paymentsRule(`  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
    tls:
      mode: SIMPLE
      sni: payments-api.checkout.svc.cluster.local
`),
    );
    const { findings } = await audit();
    const conflict = only(findings, 'mtls-conflict', 'payments-api');
    expectAt(conflict, 'rules.yaml', lineOf(rules, 'mode: SIMPLE'));
    expectAt(only(findings, 'mtls-client-not-enforced', 'payments-api'), 'rules.yaml', lineOf(rules, 'mode: SIMPLE'));

    // A port-level tls without mode is DISABLE; the tls key is the line that decides.
    const portLevel = write(
      'rules.yaml',
      paymentsRule(`  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    portLevelSettings:
      - port:
          number: 8443
        tls:
          sni: payments-api.checkout.svc.cluster.local
`),
    );
    const again = await audit();
    expectAt(only(again.findings, 'mtls-conflict', 'payments-api'), 'rules.yaml', lineOf(portLevel, 'tls:', 2));

    // A subset whose own tls differs from the top level's.
    const subset = write(
      'rules.yaml',
      paymentsRule(`  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
  subsets:
    - name: canary
      labels:
        app: payments-api
      trafficPolicy:
        tls:
          mode: DISABLE
`),
    );
    const third = await audit();
    expectAt(only(third.findings, 'mtls-conflict', 'payments-api'), 'rules.yaml', lineOf(subset, 'mode: DISABLE'));
  });

  it('flow style is followed as far as the layout goes: the tls key of `tls: {mode: DISABLE}`', async () => {
    write('workloads.yaml', DEPLOYMENTS);
    write('strict.yaml', checkoutPolicy('STRICT'));
    const rules = write(
      'rules.yaml',
      paymentsRule(`  trafficPolicy:
    tls: {mode: DISABLE}
`),
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-conflict', 'payments-api'), 'rules.yaml', lineOf(rules, 'tls: {mode: DISABLE}'));
  });

  it("MeshConfig's enableAutoMtls: false, inside the ConfigMap's mesh block", async () => {
    write('workloads.yaml', DEPLOYMENTS);
    write('strict.yaml', checkoutPolicy('STRICT'));
    const meshConfig = write(
      'istio.yaml',
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
  labels:
    istio.io/rev: default
data:
  mesh: |-
    accessLogFile: /dev/stdout
    defaultConfig:
      discoveryAddress: istiod.istio-system.svc:15012
    enableAutoMtls: false
    trustDomain: cluster.local
  meshNetworks: 'networks: {}'
`,
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-client-not-enforced', 'istio'), 'istio.yaml', lineOf(meshConfig, 'enableAutoMtls: false'));
  });

  it("a port the sidecar does not capture: the pod template's excludeInboundPorts annotation", async () => {
    write('strict.yaml', checkoutPolicy('STRICT'));
    const template = '      labels:\n        app: cart\n    spec:';
    expect(DEPLOYMENTS).toContain(template);
    const workload = write(
      'workloads.yaml',
      DEPLOYMENTS.replace(template, '      labels:\n        app: cart\n      annotations:\n        prometheus.io/scrape: "true"\n        traffic.sidecar.istio.io/excludeInboundPorts: "9090"\n    spec:'),
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'cart', 9090), 'workloads.yaml', lineOf(workload, 'excludeInboundPorts'));
  });

  it('an item of a kind: List points into the item', async () => {
    write('workloads.yaml', DEPLOYMENTS);
    const list = write(
      'list.yaml',
      `apiVersion: v1
kind: List
items:
  - apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: permissive-first
      namespace: other
    spec:
      mtls:
        mode: DISABLE
  - apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: checkout
    spec:
      mtls:
        mode: PERMISSIVE
`,
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'payments-api'), 'list.yaml', lineOf(list, 'mode: PERMISSIVE'));
  });

  it('a suppression annotation on the policy still accepts the finding that now points inside it', async () => {
    write('workloads.yaml', DEPLOYMENTS);
    write(
      'policies.yaml',
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: checkout
  annotations:
    suppress.meshgov.io/mtls-not-strict: "legacy callers until Q1"
spec:
  mtls:
    mode: PERMISSIVE
`,
    );
    const report = await audit();
    expect(report.findings.filter((f) => f.rule === 'mtls-not-strict')).toEqual([]);
    expect(report.suppressed?.map((f) => f.resource.name).sort()).toEqual(['cart', 'cart', 'payments-api']);
  });
});

describe('Envoy findings point at the deciding filter chain', () => {
  it("the TLS context of a chain that asks no client certificate, and a chain without a transport socket", async () => {
    const bootstrap = write(
      'envoy.yaml',
      `static_resources:
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
          cluster: backend
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: /etc/envoy/cert.pem }
              private_key: { filename: /etc/envoy/key.pem }
  - name: admin_plain
    address:
      socket_address: { address: 0.0.0.0, port_value: 9000 }
    filter_chains:
    - filter_chain_match:
        server_names: ["a.example.com"]
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: /etc/envoy/cert.pem }
              private_key: { filename: /etc/envoy/key.pem }
            validation_context:
              trusted_ca: { filename: /etc/envoy/ca.pem }
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: a
          cluster: backend
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: plain
          cluster: backend
  clusters:
  - name: backend
    type: STRICT_DNS
    load_assignment:
      cluster_name: backend
      endpoints: []
`,
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'ingress_https'), 'envoy.yaml', lineOf(bootstrap, 'typed_config:', 2));
    // admin_plain's TLS chain matches server names no listener filter reads, so its plaintext chain decides.
    expectAt(only(findings, 'mtls-not-strict', 'admin_plain'), 'envoy.yaml', lineOf(bootstrap, '    - filters:', 2));
  });
});

const MESH = `apiVersion: v1
kind: Namespace
metadata:
  name: payments
  labels:
    mesh: payments
    appmesh.k8s.aws/sidecarInjectorWebhook: enabled
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata:
  name: payments
spec:
  namespaceSelector:
    matchLabels:
      mesh: payments
`;

describe('App Mesh findings point at the deciding line', () => {
  it("a listener's tls.mode, a listener without tls, and a backend's enforce: false (CRDs)", async () => {
    const nodes = write(
      'nodes.yaml',
      `${MESH}---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: ledger
  namespace: payments
spec:
  podSelector:
    matchLabels:
      app: ledger
  listeners:
    - portMapping:
        port: 8443
        protocol: http
      tls:
        mode: PERMISSIVE
        certificate:
          file:
            certificateChain: /etc/appmesh/certs/ledger-chain.pem
            privateKey: /etc/appmesh/certs/ledger-key.pem
    - portMapping:
        port: 9901
        protocol: http
  backends:
    - virtualService:
        virtualServiceRef:
          name: fx-rates
        clientPolicy:
          tls:
            enforce: false
            validation:
              trust:
                file:
                  certificateChain: /etc/appmesh/certs/ca.pem
  serviceDiscovery:
    dns:
      hostname: ledger.payments.svc.cluster.local
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: fx-rates
  namespace: payments
spec:
  podSelector:
    matchLabels:
      app: fx-rates
  listeners:
    - portMapping:
        port: 8080
        protocol: http
      tls:
        mode: STRICT
        certificate:
          file:
            certificateChain: /etc/appmesh/certs/fx-chain.pem
            privateKey: /etc/appmesh/certs/fx-key.pem
        validation:
          trust:
            file:
              certificateChain: /etc/appmesh/certs/ca.pem
  serviceDiscovery:
    dns:
      hostname: fx-rates.payments.svc.cluster.local
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata:
  name: fx-rates
  namespace: payments
spec:
  awsName: fx-rates.payments.svc.cluster.local
  provider:
    virtualNode:
      virtualNodeRef:
        name: fx-rates
`,
    );
    const { findings } = await audit();
    expectAt(only(findings, 'mtls-not-strict', 'ledger', 8443), 'nodes.yaml', lineOf(nodes, 'mode: PERMISSIVE'));
    expectAt(only(findings, 'mtls-not-strict', 'ledger', 9901), 'nodes.yaml', lineOf(nodes, '- portMapping:', 2));
    expectAt(only(findings, 'mtls-conflict', 'ledger'), 'nodes.yaml', lineOf(nodes, 'enforce: false'));
    expectAt(only(findings, 'mtls-client-not-enforced', 'ledger'), 'nodes.yaml', lineOf(nodes, 'enforce: false'));
  });

  it('backendDefaults without a client certificate, in describe-virtual-node JSON', async () => {
    const node = {
      virtualNode: {
        meshName: 'payments',
        virtualNodeName: 'ledger',
        metadata: {
          arn: 'arn:aws:appmesh:us-east-1:111122223333:mesh/payments/virtualNode/ledger',
          createdAt: '2026-03-02T10:14:08.512Z',
          lastUpdatedAt: '2026-10-19T08:41:55.120Z',
          meshOwner: '111122223333',
          resourceOwner: '111122223333',
          uid: '6f3c2b9e-1d4a-4c8e-9b7f-2a5e8d1c0f43',
          version: 7,
        },
        spec: {
          backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/ca.pem' } } } } } },
          backends: [{ virtualService: { virtualServiceName: 'fx-rates.payments.svc.cluster.local' } }],
          listeners: [
            {
              portMapping: { port: 8443, protocol: 'http' },
              tls: {
                mode: 'STRICT',
                certificate: { file: { certificateChain: '/etc/appmesh/certs/ledger-chain.pem', privateKey: '/etc/appmesh/certs/ledger-key.pem' } },
                validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/ca.pem' } } },
              },
            },
          ],
          serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
        },
        status: { status: 'ACTIVE' },
      },
    };
    const text = write('ledger.json', `${JSON.stringify(node, null, 2)}\n`);
    const { findings } = await audit();
    const f = only(findings, 'mtls-client-not-enforced', 'ledger');
    // The `tls` of backendDefaults.clientPolicy: the first "tls" key in the file.
    expectAt(f, 'ledger.json', lineOf(text, '"tls": {'));
  });
});

describe('the example fleet', () => {
  it("points a cross-mesh drift at the weaker side's deciding line, as that side's mtls-not-strict finding", async () => {
    const { findings } = auditInventory(await collectFiles([join(__dirname, '../../../examples')]), { policy: shippedPolicy(), now: NOW });
    const drift = findings.find((f) => f.rule === 'mtls-cross-mesh-drift')!;
    const notStrict = findings.find((f) => f.rule === 'mtls-not-strict' && f.id !== drift.id && f.resource.name === drift.resource.name && f.resource.port === drift.resource.port)!;
    expect(drift.resource.line).toBeGreaterThan(1);
    expect(drift.resource).toEqual(notStrict.resource);
    expect(drift.detail['cause']).toEqual(notStrict.detail['cause']);
    // Each side of the drift points where its own mode is set.
    const appmesh = drift.detail['appmesh'] as { resource: { line: number }; cause: { line: number } };
    expect(appmesh.resource).toEqual(notStrict.resource);
    expect(appmesh.cause).toEqual(notStrict.detail['cause']);
    const istio = drift.detail['istio'] as { resource: { file: string; line: number }; cause: { file: string; line: number; path: string } };
    expect(istio.cause.path).toBe('spec.mtls.mode');
    expect(istio.resource).toMatchObject({ file: istio.cause.file, line: istio.cause.line });
  });
});
