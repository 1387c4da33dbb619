import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../functions/cli/main';
import type { AuditReport } from '../../functions/core/report/report';
import { findingKey } from './finding-key';

/**
 * Golden tests: `meshgov audit <case>/input --format json --now 2026-11-26T00:00:00Z`, run
 * in-process from the repository root, must print exactly `<case>/expected.json`.
 *
 *   npx jest test/golden                     # compare
 *   UPDATE_GOLDEN=1 npx jest test/golden     # rewrite expected.json, then review the diff
 *
 * Each case also lists its findings in one line each (finding-key.ts), written by hand from
 * the semantics in CONTRACT.md and the issue, not copied from the engine. The list is checked
 * against the engine's report AND against expected.json, so a golden file rewritten while the
 * engine is wrong still fails here. Cases marked ENGINE BUG fail until the engine is fixed.
 */

const NOW = '2026-11-26T00:00:00Z';
const REPO_ROOT = path.resolve(__dirname, '../..');
const CASES_DIR = path.join(__dirname, 'cases');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface GoldenCase {
  /** What the case exercises, in one sentence. */
  about: string;
  /** Exit status with the default --fail-on high. */
  exitCode: number;
  /** Every finding of the report, as findingKey() writes it, in any order. */
  findings: string[];
}

const CASES: Record<string, GoldenCase> = {
  'istio-peer-authentication': {
    about:
      'PeerAuthentication security.istio.io/v1 and v1beta1: mesh-wide STRICT, a PERMISSIVE namespace, portLevelMtls DISABLE on a workload policy with UNSET mode, explicit UNSET everywhere, two namespace-wide policies (the oldest wins), a root-namespace policy with a selector (ignored)',
    exitCode: 1,
    findings: [
      // payments/default PERMISSIVE; payments-api-metrics has no mode of its own (UNSET inherits the namespace).
      'mtls-not-strict Deployment payments/payments-api:8080 PERMISSIVE @payments/peer-authentication.yaml:10 fix:auto',
      'mtls-not-strict Deployment payments/payments-api:9090 DISABLED @payments/peer-authentication.yaml:26 fix:auto',
      'mtls-not-strict Deployment payments/ledger:8443 PERMISSIVE @payments/peer-authentication.yaml:10 fix:auto',
      'mtls-not-strict Deployment orders/orders-api:8080 DISABLED @orders/orders.yaml:34 fix:auto',
      // No finding: checkout/cart (UNSET at workload and port level: mesh STRICT), orders/orders-worker
      // (orders/default UNSET is older than orders-permissive: mesh STRICT).
    ],
  },

  'istio-destination-rules': {
    about:
      'DestinationRule and ServiceEntry in networking.istio.io v1, v1beta1, v1alpha3: lookup client namespace → host namespace → root namespace, the most specific host (exact before wildcard), exportTo ".", portLevelSettings, DISABLE toward STRICT, SIMPLE toward an in-mesh host, SIMPLE toward a MESH_EXTERNAL host and TLS origination toward a ServiceEntry without location (MESH_EXTERNAL by default; no finding), a MESH_INTERNAL ServiceEntry',
    exitCode: 1,
    findings: [
      'mtls-conflict DestinationRule checkout/payments-api-plaintext -> Deployment payments/payments-api:8080 @checkout/checkout.yaml:48 fix:person',
      'mtls-client-not-enforced DestinationRule checkout/payments-api-plaintext sends PLAINTEXT to payments-api.payments.svc.cluster.local @checkout/checkout.yaml:48 fix:person',
      // payments' own rule: ISTIO_MUTUAL, but DISABLE in portLevelSettings for 9090, where the server is DISABLE too.
      'mtls-client-not-enforced DestinationRule payments/payments-api:9090 sends PLAINTEXT to payments-api.payments.svc.cluster.local:9090 @payments/traffic.yaml:33 fix:person',
      // payments/payments-api is private, so orders falls back to the mesh-wide ISTIO_MUTUAL rule: mTLS toward a DISABLE port.
      'mtls-conflict DestinationRule istio-system/default -> Deployment payments/payments-api:9090 @istio-system/mesh-defaults.yaml:21 fix:person',
      'mtls-client-not-enforced DestinationRule orders/orders-api-tls sends TLS to orders-api.orders.svc.cluster.local @orders/orders.yaml:59 fix:person',
      'mtls-client-not-enforced DestinationRule payments/billing-vm sends PLAINTEXT to billing.payments.internal @payments/traffic.yaml:92 fix:person',
      'mtls-not-strict Deployment payments/payments-api:9090 DISABLED @payments/traffic.yaml:13 fix:person',
      'mtls-not-strict Deployment orders/orders-api:8443 PERMISSIVE @orders/orders.yaml:12 fix:person',
      // No finding: payments/stripe-api SIMPLE toward api.stripe.com (MESH_EXTERNAL), payments/partner-webhooks
      // (no location: MESH_EXTERNAL).
    ],
  },

  'kubernetes-context': {
    about:
      'Kubernetes context: a kind: List of Namespaces (istio-injection enabled/disabled, istio.io/rev), Deployment, StatefulSet, DaemonSet, standalone Pod, running Pods, sidecar.istio.io/inject "false" (annotation and label) and "true", the `istio` MeshConfig ConfigMap with enableAutoMtls false and rootNamespace istio-config',
    exitCode: 1,
    findings: [
      // Auto mTLS is off and no DestinationRule covers checkout-web: sidecars send plaintext to a STRICT server.
      'mtls-conflict ConfigMap istio-system/istio -> Deployment checkout/checkout-web:8080 @istio-system/istio-configmap.yaml:21',
      'mtls-client-not-enforced ConfigMap istio-system/istio sends PLAINTEXT to checkout-web.checkout.svc.cluster.local @istio-system/istio-configmap.yaml:21',
      // ENGINE BUG: no mtls-client-not-enforced toward orders-api.orders.svc.cluster.local: its only workload is in
      // orders (istio-injection=disabled), so the host is not in the mesh and mTLS to it would break the calls.
      // ENGINE BUG: a Namespace read from a kind: List points at its own item, not at the List's first line.
      'mesh-sidecar-missing Namespace orders/orders @namespaces.yaml:33',
      'mesh-sidecar-missing Deployment payments/settlement-batch @payments/workloads.yaml:39',
      'mesh-sidecar-missing Pod payments/netshoot-debug @payments/workloads.yaml:111',
      // No finding: kube-system and istio-system (excluded by rules/mesh.yaml), payments-api (running pods carry
      // istio-proxy), ledger, node-log-forwarder, report-exporter (opts in) — all STRICT from istio-config/default —
      // nor the namespace orders-reporting, whose only workload (report-exporter) opts in.
    ],
  },

  'kubernetes-revision-meshconfig': {
    about:
      'A revisioned control plane: the MeshConfig comes from ConfigMap istio-1-22-3 (enableAutoMtls false); istio-sidecar-injector-1-22-3 is not a MeshConfig',
    exitCode: 1,
    findings: [
      'mtls-conflict ConfigMap istio-system/istio-1-22-3 -> Deployment payments/payments-api:8080 @istio-system.yaml:16',
      'mtls-client-not-enforced ConfigMap istio-system/istio-1-22-3 sends PLAINTEXT to payments-api.payments.svc.cluster.local @istio-system.yaml:16',
      // No finding for ledger: its DestinationRule sets ISTIO_MUTUAL.
    ],
  },

  'appmesh-api': {
    about:
      'App Mesh API JSON: one describe-virtual-node output and a JSON array of describe-* outputs (mesh, virtual service → router → weighted route → nodes, virtual gateway + gateway route); PERMISSIVE, DISABLED, no-tls and STRICT-without-validation listeners; enforce false, no certificate and no client policy',
    exitCode: 1,
    findings: [
      'mtls-not-strict VirtualNode prod-mesh ledger:8443 TLS_NO_CLIENT_AUTH @describe-virtual-node-ledger.json:35 fix:person',
      'mtls-not-strict VirtualNode prod-mesh payments-api-v1:8080 PERMISSIVE @prod-mesh-describe-all.json:192 fix:person',
      'mtls-not-strict VirtualNode prod-mesh payments-api-v2:8080 DISABLED @prod-mesh-describe-all.json:258 fix:person',
      'mtls-not-strict VirtualNode prod-mesh fraud-check:8080 DISABLED @prod-mesh-describe-all.json:344 fix:person',
      // ENGINE BUG: the engine plans requiring client certificates on the gateway's listener as auto ("every known
      // client sends mTLS"), but a gateway's clients are outside the mesh and unknown: that change cuts off ingress.
      'mtls-not-strict VirtualGateway prod-mesh ingress-gw:8443 TLS_NO_CLIENT_AUTH @prod-mesh-describe-all.json:559 fix:person',
      // enforce: false → plaintext, which ledger's STRICT (one-way TLS) listener refuses.
      'mtls-client-not-enforced VirtualNode prod-mesh payments-api-v1 sends PLAINTEXT to ledger.payments.svc.cluster.local:8443 @prod-mesh-describe-all.json:154 fix:person',
      'mtls-conflict VirtualNode prod-mesh payments-api-v1 -> VirtualNode prod-mesh ledger:8443 @prod-mesh-describe-all.json:154 fix:person',
      // backendDefaults with a trust but no certificate: one-way TLS, which ledger accepts.
      // ENGINE BUG: the engine's fix (auto) hands payments-api-v2 the SPIFFE identity of payments-worker
      // (sds spiffe://prod-mesh.example.com/payments-worker); payments-api-v2 has no certificate of its own.
      'mtls-client-not-enforced VirtualNode prod-mesh payments-api-v2 sends TLS to ledger.payments.svc.cluster.local:8443 @prod-mesh-describe-all.json:237 fix:person',
      'mtls-client-not-enforced VirtualNode prod-mesh orders-api sends PLAINTEXT to payments-api.payments.svc.cluster.local:8080 @prod-mesh-describe-all.json:456 fix:person',
      // mTLS (sds, file) toward listeners that accept only plaintext; the route reaches payments-api-v2 at weight 10.
      'mtls-conflict VirtualNode prod-mesh payments-worker -> VirtualNode prod-mesh payments-api-v2:8080 @prod-mesh-describe-all.json:400 fix:person',
      'mtls-conflict VirtualNode prod-mesh payments-worker -> VirtualNode prod-mesh fraud-check:8080 @prod-mesh-describe-all.json:400 fix:person',
      'mtls-conflict VirtualGateway prod-mesh ingress-gw -> VirtualNode prod-mesh payments-api-v2:8080 @prod-mesh-describe-all.json:520 fix:person',
    ],
  },

  'appmesh-crds': {
    about:
      'App Mesh CRDs appmesh.k8s.aws/v1beta2: Mesh namespaceSelector (no meshRef), certificateARN and certificateAuthorityARNs, VirtualService → VirtualRouter with inline routes, VirtualGateway + GatewayRoute picked by namespaceSelector',
    exitCode: 1,
    findings: [
      // The mesh CA the fix would validate callers with is not known to sign payments-api's client
      // certificate (no PEM file among the inputs, no other STRICT listener it reaches): a person confirms.
      'mtls-not-strict VirtualNode prod-mesh payments/ledger:8443 TLS_NO_CLIENT_AUTH @payments.yaml:67 fix:person',
      // Its own STRICT edit is safe, but orders-api's one change also enforces its client policy, which
      // fixes an mtls-conflict whose rule asks for approval: the whole change waits for a person.
      'mtls-not-strict VirtualNode prod-mesh orders/orders-api:8080 PERMISSIVE @orders.yaml:17 fix:person',
      'mtls-not-strict VirtualGateway prod-mesh ingress/ingress-gw:8088 DISABLED @ingress.yaml:17 fix:person',
      'mtls-client-not-enforced VirtualNode prod-mesh orders/orders-api sends PLAINTEXT to payments-api.payments.svc.cluster.local:8080 @orders.yaml:35 fix:person',
      'mtls-conflict VirtualNode prod-mesh orders/orders-api -> VirtualNode prod-mesh payments/payments-api:8080 @orders.yaml:35 fix:person',
      // The gateway has no certificate of its own, and the fix never borrows orders-api's: a person issues one.
      'mtls-client-not-enforced VirtualGateway prod-mesh ingress/ingress-gw sends TLS to payments-api.payments.svc.cluster.local:8080 @ingress.yaml:22 fix:person',
      'mtls-conflict VirtualGateway prod-mesh ingress/ingress-gw -> VirtualNode prod-mesh payments/payments-api:8080 @ingress.yaml:22 fix:person',
      // No finding: payments-api (STRICT with validation trust; mTLS from sds toward ledger).
    ],
  },

  'envoy-static': {
    about:
      'Envoy v3 static configuration in YAML (snake_case) and JSON (lowerCamelCase): plaintext, TLS without client certificates, mixed filter chains, require_client_certificate with and without a trusted CA; clusters with and without a client certificate',
    exitCode: 1,
    findings: [
      'mtls-not-strict Listener ingress_http:8080 DISABLED @edge-front-proxy.yaml:12 fix:person',
      'mtls-not-strict Listener ingress_https:8443 TLS_NO_CLIENT_AUTH @edge-front-proxy.yaml:36 fix:person',
      'mtls-not-strict Listener partner_api:9443 PERMISSIVE @edge-front-proxy.yaml:92 fix:person',
      // require_client_certificate without a validation context: Envoy never asks for a certificate.
      'mtls-not-strict Listener payments_admin:9443 TLS_NO_CLIENT_AUTH @payments-api-envoy.json:76 fix:person',
      'mtls-client-not-enforced Cluster payments_api_refunds:8443 sends TLS to payments-api.payments.svc.cluster.local:8443 @edge-front-proxy.yaml:136 fix:person',
      'mtls-conflict Cluster payments_api_refunds:8443 -> Listener payments_inbound:8443 @edge-front-proxy.yaml:136 fix:person',
      // No finding: payments_inbound (STRICT), cluster payments_api (client certificate), checkout_web and
      // local_app (plaintext to hosts no audited server answers for).
    ],
  },

  'envoy-config-dump': {
    about:
      'Envoy admin /config_dump (v3) of two Istio sidecars and an App Mesh Envoy (inputs written by make-config-dump.ts): xDS listeners judged as a bootstrap\'s, the OUTBOUND capture listener, the blackhole chain and Envoy\'s 15090/15021 listeners left out, certificates SDS delivered checked, istio-agent\'s 24-hour certificates held to its rotation time, a PeerAuthentication as the sidecar\'s fix',
    exitCode: 1,
    findings: [
      // orders-v1 is PERMISSIVE: virtualInbound's catch-all passthrough chains (every port without chains of its
      // own) take plaintext (virtualInbound-catchall-http, virtualInbound), and port 8080 keeps a raw_buffer chain
      // beside the mTLS one; each finding is at its first plaintext chain, and both carry one PeerAuthentication.
      'mtls-not-strict Listener virtualInbound PERMISSIVE @orders/orders-v1-7d9c8b6f5-x2x9q.config_dump.json:448 fix:person',
      'mtls-not-strict Listener virtualInbound:8080 PERMISSIVE @orders/orders-v1-7d9c8b6f5-x2x9q.config_dump.json:721 fix:person',
      // The App Mesh Envoy terminates TLS with no validation context: no client certificate is asked for.
      'mtls-not-strict Listener lds_ingress_0.0.0.0_15000:15000 TLS_NO_CLIENT_AUTH @payments/payments-api-envoy.config_dump.json:72 fix:person',
      'cert-expired Certificate payments-api.payments.svc.cluster.local expired @payments/payments-api-envoy.config_dump.json:117',
      // Issued 2026-11-25T06:00 for 24 hours: istio-agent was due to replace it by 18:19, and 6 hours are left.
      'cert-expiring Certificate orders.orders.svc critical 0d @orders/orders-v1-7d9c8b6f5-x2x9q.config_dump.json:1006',
      // No finding: checkout-v2 (STRICT, its catch-all and port 8080 alike; its certificate, issued at 20:00, is not yet due for rotation),
      // virtualOutbound (OUTBOUND), virtualInbound-blackhole (to BlackHoleCluster, no endpoints), Envoy's
      // listeners on 15090 and 15021, the mesh root (2035; one record, though the chains carry it too).
    ],
  },

  certificates: {
    about:
      'Certificates from PEM files (chain, not yet valid, 5 and 20 days left), an Istio cacerts Secret, a kubernetes.io/tls Secret (30 days: the edge of the high window, which cert-manager renews on schedule), the istio-ca-root-cert ConfigMap mid root rotation, cert-manager Certificates',
    exitCode: 1,
    findings: [
      'cert-expired Certificate prod-mesh Intermediate CA 2024 expired @files/payments-api-cert-chain.pem:16',
      'cert-expired Certificate ledger.payments.svc.cluster.local not-yet-valid @files/ledger.crt:1',
      'cert-expiring Certificate orders-api.orders.svc.cluster.local critical 5d @files/orders-api.pem:1',
      'cert-expiring Certificate checkout-web.checkout.svc.cluster.local high 20d @files/checkout-web.crt:1',
      // ENGINE BUG: the same CA certificate, under ca-cert.pem and inside cert-chain.pem of one Secret, is one
      // finding (same rule, same resource), not two.
      'cert-expiring Certificate istio-system/istio-ca prod-gke high 25d @kubernetes/cacerts.yaml:11',
      'cert-expiring Certificate orders/Example Corp Root CA 2016 critical 3d @kubernetes/istio-ca-root-cert.yaml:12',
      // From the status: its Secret is not among the inputs.
      'cert-expiring Certificate checkout/checkout-web.checkout.svc.cluster.local high 14d @kubernetes/cert-manager-certificates.yaml:4',
      // No finding: the valid leaf and root of the chain file, the cacerts root, Certificate payments/payments-api
      // (read from its Secret instead), and that Secret's tls.crt: 30 days left, the edge of the high window, but
      // its Certificate is Ready and cert-manager renews it on 2026-12-16.
    ],
  },

  'bad-input': {
    about:
      'Bad input mixed with good: a malformed YAML document in a multi-document file, invalid JSON, a PeerAuthentication with an invalid mode, an object without metadata.name; the rest is still audited',
    exitCode: 1,
    findings: [
      'config-invalid File test/golden/cases/bad-input/input/istio/payments.yaml @istio/payments.yaml:28',
      // ENGINE BUG: an Istio finding always sets the namespace (CONTRACT.md), config-invalid included.
      'config-invalid PeerAuthentication payments/payments-api-strict spec.mtls.mode @istio/payments.yaml:63',
      'config-invalid Service payments/test/golden/cases/bad-input/input/kubernetes/services.yaml metadata.name @kubernetes/services.yaml:17',
      'config-invalid File test/golden/cases/bad-input/input/appmesh/describe-virtual-node-risk-scoring.json @appmesh/describe-virtual-node-risk-scoring.json:20',
      // Audited all the same: the documents around the bad one, and the valid JSON file beside the invalid one.
      'mtls-not-strict Deployment payments/payments-api:8080 PERMISSIVE @istio/payments.yaml:15 fix:auto',
      'mtls-not-strict Deployment payments/ledger:8443 PERMISSIVE @istio/payments.yaml:15 fix:auto',
      'mtls-not-strict VirtualNode prod-mesh fraud-check:8080 PERMISSIVE @appmesh/describe-virtual-node-fraud-check.json:27 fix:person',
    ],
  },
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function audit(inputDir: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['audit', inputDir, '--format', 'json', '--now', NOW], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
    version: '0.0.0-golden',
  });
  return { code, stdout, stderr };
}

const sorted = (list: string[]): string[] => [...list].sort();

describe('golden reports', () => {
  const cwd = process.cwd();
  const rules = process.env.MESHGOV_RULES;
  beforeAll(() => {
    // Paths in the reports are relative to the repository root, and the shipped rules/ apply.
    process.chdir(REPO_ROOT);
    delete process.env.MESHGOV_RULES;
  });
  afterAll(() => {
    process.chdir(cwd);
    if (rules !== undefined) process.env.MESHGOV_RULES = rules;
  });

  it('has a case table entry for every case folder, and a folder for every entry', () => {
    const folders = readdirSync(CASES_DIR).filter((n) => statSync(path.join(CASES_DIR, n)).isDirectory());
    expect(sorted(folders)).toEqual(sorted(Object.keys(CASES)));
  });

  describe.each(Object.entries(CASES).map(([name, golden]) => [`${name}: ${golden.about}`, name, golden] as const))('%s', (_title, name, golden) => {
    const inputDir = path.join(CASES_DIR, name, 'input');
    const expectedFile = path.join(CASES_DIR, name, 'expected.json');
    let run: Run;
    let report: AuditReport;

    beforeAll(async () => {
      run = await audit(path.relative(REPO_ROOT, inputDir));
      report = JSON.parse(run.stdout) as AuditReport;
      if (UPDATE) writeFileSync(expectedFile, run.stdout);
    });

    it('prints the report in expected.json', () => {
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as AuditReport;
      expect(report).toEqual(expected);
    });

    it('has exactly the key findings listed in the test', () => {
      expect(sorted(report.findings.map((f) => findingKey(f, inputDir)))).toEqual(sorted(golden.findings));
    });

    it('has a golden file that agrees with the key findings', () => {
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as AuditReport;
      expect(sorted(expected.findings.map((f) => findingKey(f, inputDir)))).toEqual(sorted(golden.findings));
      expect(expected.summary.findings).toBe(expected.findings.length);
    });

    it('exits as the contract says and reads every input', () => {
      // Cases whose proxies mount certificate files not among the inputs say so in a notice; nothing else is said.
      expect(run.stderr.replace(/^meshgov: \d+ certificate file\(s\) named by the configuration not checked.*\n(?: {2}.*\n)*/m, '')).toBe('');
      expect(run.code).toBe(golden.exitCode);
    });
  });

  it('holds no private key in any case input, in clear or in base64', () => {
    const holdsKey = (text: string): boolean =>
      /PRIVATE KEY-----/.test(text) ||
      (text.match(/[A-Za-z0-9+/]{64,}={0,2}/g) ?? []).some((b64) => /PRIVATE KEY-----/.test(Buffer.from(b64, 'base64').toString('latin1')));
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (holdsKey(readFileSync(full, 'utf8'))) offenders.push(path.relative(CASES_DIR, full));
      }
    };
    walk(CASES_DIR);
    expect(offenders).toEqual([]);
  });
});
