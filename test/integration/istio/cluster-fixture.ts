/**
 * A GKE cluster running Istio 1.24, as the live reader finds it: the control plane's MeshConfig
 * and plugged-in CA, a `payments` namespace whose PeerAuthentication was just patched to
 * PERMISSIVE (the object from the shared GKE audit-log event), and neighbours whose
 * DestinationRules do or do not concern `payments`. Fresh objects on every call. Below them,
 * what the remediation gate reads besides (Ingresses, Gateway API routes, Sidecars, GMP scrape
 * configs, revision tags) and trust-manager's Bundles, each added to a cluster on its own.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KubernetesObject } from '../../emulators/kubernetes';
import { makeCertChain, makeRootCa, type CertChain } from '../../support/certs';

const SHARED_EVENT = path.resolve(__dirname, '../../fixtures/shared-events/gcp/k8s-audit-peerauthentication.logentry.json');
const DAY_MS = 86_400_000;

/** `protoPayload.response` of the audit-log entry: payments/default after `kubectl patch … PERMISSIVE`. */
export function permissivePaymentsPolicy(): KubernetesObject {
  const entry = JSON.parse(readFileSync(SHARED_EVENT, 'utf8')) as { protoPayload: { response: Record<string, unknown> } };
  const { '@type': _type, ...object } = entry.protoPayload.response;
  return object as unknown as KubernetesObject;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The CA istiod was plugged with; its intermediate expires in 20 days. Made once per test file. */
let chain: CertChain | undefined;
export function meshCa(): CertChain {
  chain ??= makeCertChain({
    rootCN: 'acme-prod mesh root CA',
    intermediateCN: 'prod-gke istiod intermediate CA',
    intermediate: { notAfter: new Date(Date.now() + 20 * DAY_MS) },
    leafCN: 'payments-api.payments.svc.cluster.local',
    dnsNames: ['payments-api.payments.svc.cluster.local'],
  });
  return chain;
}

const MESH_CONFIG = [
  'accessLogFile: /dev/stdout',
  'defaultConfig:',
  '  discoveryAddress: istiod.istio-system.svc:15012',
  '  tracing: {}',
  'enableAutoMtls: true',
  'enablePrometheusMerge: true',
  'rootNamespace: istio-system',
  'trustDomain: cluster.local',
  '',
].join('\n');

function namespace(name: string, labels: Record<string, string> = {}): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function rootCertConfigMap(ns: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: ns, labels: { 'istio.io/config': 'true' } }, data: { 'root-cert.pem': meshCa().rootPem } };
}

function deployment(ns: string, app: string, ports: { name: string; containerPort: number }[]): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: ns, labels: { app, 'app.kubernetes.io/managed-by': 'Helm' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, version: 'v1' }, annotations: { 'prometheus.io/scrape': 'true' } },
        spec: {
          serviceAccountName: app,
          containers: [
            {
              name: app,
              image: `us-central1-docker.pkg.dev/acme-prod/${ns}/${app}:1.14.2`,
              ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
              env: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc.cluster.local:4317' }],
              resources: { requests: { cpu: '250m', memory: '256Mi' } },
            },
          ],
        },
      },
    },
    status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  };
}

function statefulSet(ns: string, app: string, port: number): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: app, namespace: ns, labels: { app } },
    spec: {
      serviceName: app,
      replicas: 1,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, version: 'v1' } },
        spec: { containers: [{ name: app, image: `us-central1-docker.pkg.dev/acme-prod/${ns}/${app}:3.2.0`, ports: [{ name: 'grpc', containerPort: port, protocol: 'TCP' }] }] },
      },
    },
  };
}

function service(ns: string, app: string, ports: { name: string; port: number; targetPort: string | number }[]): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace: ns, labels: { app } },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', selector: { app }, ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) },
  };
}

/** A running pod as the controller and the sidecar injector leave it (or without a sidecar). */
function pod(ns: string, app: string, name: string, owner: { kind: string; name: string }, containerPort: number, sidecar: boolean): KubernetesObject {
  const containers: Record<string, unknown>[] = [
    {
      name: app,
      image: `us-central1-docker.pkg.dev/acme-prod/${ns}/${app}:1.14.2`,
      ports: [{ containerPort, protocol: 'TCP' }],
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      volumeMounts: [{ name: 'kube-api-access-x7f2k', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    },
  ];
  const annotations: Record<string, string> = {};
  if (sidecar) {
    containers.push({ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2', args: ['proxy', 'sidecar', '--domain', `${ns}.svc.cluster.local`], ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }] });
    annotations['sidecar.istio.io/status'] = '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}';
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: { app, version: 'v1', ...(sidecar ? { 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': app } : {}) },
      annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: '4a0f7c55-90c3-4b1e-9d0e-2f6c3c1b7e21', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: 'gke-prod-gke-default-pool-7c1e9a44-d2b0',
      serviceAccountName: app,
      ...(sidecar ? { initContainers: [{ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.24.2', args: ['istio-iptables', '-p', '15001'] }] } : {}),
      containers,
      volumes: [{ name: 'kube-api-access-x7f2k', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }],
    },
    status: { phase: 'Running', podIP: '10.52.3.17', qosClass: 'Burstable', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function peerAuthentication(ns: string, name: string, spec: Record<string, unknown>): KubernetesObject {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec };
}

function destinationRule(ns: string, name: string, spec: Record<string, unknown>, apiVersion = 'networking.istio.io/v1'): KubernetesObject {
  return { apiVersion, kind: 'DestinationRule', metadata: { name, namespace: ns }, spec };
}

/** The control plane: MeshConfig (and revisions' neighbours that are not MeshConfig), CA Secrets, mesh-wide STRICT. */
export function controlPlane(): KubernetesObject[] {
  const ca = meshCa();
  return [
    namespace('istio-system', { 'topology.istio.io/network': 'prod-gke-network' }),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system', labels: { 'istio.io/rev': 'default', release: 'istio' } }, data: { mesh: MESH_CONFIG, meshNetworks: 'networks: {}' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system', labels: { 'istio.io/rev': 'default' } }, data: { config: 'policy: enabled\nalwaysInjectSelector: []\n', values: '{"global":{"proxy":{"image":"proxyv2"}}}' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-leader', namespace: 'istio-system' }, data: {} },
    rootCertConfigMap('istio-system'),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cacerts', namespace: 'istio-system' },
      type: 'Opaque',
      data: { 'ca-cert.pem': b64(ca.intermediatePem), 'ca-key.pem': b64(ca.intermediateKeyPem), 'cert-chain.pem': b64(ca.intermediatePem + ca.rootPem), 'root-cert.pem': b64(ca.rootPem) },
    },
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
  ];
}

/** `payments`: injected, its namespace policy just turned PERMISSIVE; a cert-manager certificate with its TLS Secret. */
export function paymentsNamespace(): KubernetesObject[] {
  const ca = meshCa();
  return [
    namespace('payments', { 'istio-injection': 'enabled', team: 'payments' }),
    permissivePaymentsPolicy(),
    deployment('payments', 'payments-api', [{ name: 'http', containerPort: 8080 }]),
    service('payments', 'payments-api', [{ name: 'http', port: 80, targetPort: 'http' }]),
    pod('payments', 'payments-api', 'payments-api-7d4b9c8f6-x2x9q', { kind: 'ReplicaSet', name: 'payments-api-7d4b9c8f6' }, 8080, true),
    pod('payments', 'payments-api', 'payments-api-7d4b9c8f6-m8kzt', { kind: 'ReplicaSet', name: 'payments-api-7d4b9c8f6' }, 8080, true),
    statefulSet('payments', 'ledger', 7070),
    service('payments', 'ledger', [{ name: 'grpc', port: 7070, targetPort: 7070 }]),
    pod('payments', 'ledger', 'ledger-0', { kind: 'StatefulSet', name: 'ledger' }, 7070, true),
    destinationRule('payments', 'ledger', { host: 'ledger.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'stripe-api', namespace: 'payments' },
      spec: { hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] },
    },
    rootCertConfigMap('payments'),
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'payments-api-tls', namespace: 'payments' },
      spec: { secretName: 'payments-api-tls', commonName: 'payments-api.payments.svc.cluster.local', dnsNames: ['payments-api.payments.svc.cluster.local'], issuerRef: { name: 'mesh-intermediate', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
      status: { notBefore: new Date(Date.now() - DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'), notAfter: new Date(Date.now() + 365 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'), conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'payments-api-tls', namespace: 'payments', annotations: { 'cert-manager.io/certificate-name': 'payments-api-tls' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(ca.chainPem), 'tls.key': b64(ca.keyPem), 'ca.crt': b64(ca.intermediatePem) },
    },
  ];
}

/**
 * Neighbours. `orders` sends plaintext to payments-api through a rule of its own (host in
 * payments), `observability` exports a public rule (exported to payments); `legacy-batch`
 * keeps its rules and entries to itself and has a workload without a sidecar.
 */
export function neighbourNamespaces(): KubernetesObject[] {
  return [
    namespace('orders', { 'istio.io/rev': 'default' }),
    deployment('orders', 'orders-api', [{ name: 'http', containerPort: 8080 }]),
    service('orders', 'orders-api', [{ name: 'http', port: 80, targetPort: 'http' }]),
    pod('orders', 'orders-api', 'orders-api-5f7c9d8b4-q2w7e', { kind: 'ReplicaSet', name: 'orders-api-5f7c9d8b4' }, 8080, true),
    destinationRule('orders', 'payments-api-plaintext', { host: 'payments-api.payments.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } }, exportTo: ['.'] }, 'networking.istio.io/v1beta1'),
    rootCertConfigMap('orders'),

    namespace('observability', { 'istio-injection': 'enabled' }),
    destinationRule('observability', 'otel-collector', { host: 'otel-collector.observability.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),

    namespace('legacy-batch', { team: 'data' }),
    deployment('legacy-batch', 'batch-runner', [{ name: 'http', containerPort: 8080 }]),
    pod('legacy-batch', 'batch-runner', 'batch-runner-6c9f8b7d5-z9x8c', { kind: 'ReplicaSet', name: 'batch-runner-6c9f8b7d5' }, 8080, false),
    destinationRule('legacy-batch', 'reporting', { host: 'reporting.legacy-batch.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } }, exportTo: ['.'] }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'warehouse-db', namespace: 'legacy-batch' },
      spec: { hosts: ['db.warehouse.internal'], location: 'MESH_INTERNAL', resolution: 'STATIC', ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }], endpoints: [{ address: '10.128.0.40' }], exportTo: ['.'] },
    },
  ];
}

export function wholeCluster(): KubernetesObject[] {
  return [...controlPlane(), ...paymentsNamespace(), ...neighbourNamespaces()];
}

/**
 * The cluster without orders and legacy-batch: every caller of payments has a sidecar and none
 * sends it plaintext, so the full read plans payments STRICT `auto`. The gate-evidence clusters
 * below add one thing each that holds that fix for approval.
 */
export function everyCallerMeshed(): KubernetesObject[] {
  const gone = new Set(['orders', 'legacy-batch']);
  return wholeCluster().filter((o) => !gone.has(o.metadata.namespace ?? '') && !(o.kind === 'Namespace' && gone.has(o.metadata.name ?? '')));
}

/**
 * A GKE Ingress (annotation class `gce`: an external Application Load Balancer sending to the
 * pods' NEGs) to payments-api; and an Ingress to ledger of a class whose IngressClass says
 * Istio's ingress gateway serves it, which sends mTLS and holds nothing.
 */
export function outsideIngresses(): KubernetesObject[] {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'mesh-ingress', labels: { 'app.kubernetes.io/part-of': 'istio' } },
      spec: { controller: 'istio.io/ingress-controller' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'payments-api-public',
        namespace: 'payments',
        annotations: { 'kubernetes.io/ingress.class': 'gce', 'kubernetes.io/ingress.global-static-ip-name': 'payments-api-ip', 'networking.gke.io/managed-certificates': 'payments-api-cert' },
      },
      spec: { defaultBackend: { service: { name: 'payments-api', port: { number: 80 } } } },
      status: { loadBalancer: { ingress: [{ ip: '34.117.52.19' }] } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'ledger-internal', namespace: 'payments' },
      spec: {
        ingressClassName: 'mesh-ingress',
        rules: [{ host: 'ledger.internal.acme.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'ledger', port: { name: 'grpc' } } } }] } }],
      },
    },
  ];
}

const GATEWAY_API = 'gateway.networking.k8s.io';

function gatewayClass(name: string, controllerName: string): KubernetesObject {
  return { apiVersion: `${GATEWAY_API}/v1`, kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
}

function gateway(name: string, className: string, listeners: Record<string, unknown>[]): KubernetesObject {
  return { apiVersion: `${GATEWAY_API}/v1`, kind: 'Gateway', metadata: { name, namespace: 'payments' }, spec: { gatewayClassName: className, listeners } };
}

/**
 * An HTTPRoute to payments-api through a GKE Gateway of class `gke-l7-global-external-managed`
 * (GKE installs that GatewayClass); and an HTTPRoute to ledger through a Gateway of a class
 * whose GatewayClass names Istio's controller, which holds nothing.
 */
export function outsideHttpRoute(): KubernetesObject[] {
  return [
    gatewayClass('gke-l7-global-external-managed', 'networking.gke.io/gateway'),
    gatewayClass('mesh-edge', 'istio.io/gateway-controller'),
    gateway('external', 'gke-l7-global-external-managed', [
      { name: 'https', protocol: 'HTTPS', port: 443, hostname: 'pay.acme.example', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'pay-acme-example-tls' }] }, allowedRoutes: { namespaces: { from: 'Same' } } },
    ]),
    gateway('edge', 'mesh-edge', [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } }]),
    {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'payments-api', namespace: 'payments' },
      spec: {
        parentRefs: [{ name: 'external', sectionName: 'https' }],
        hostnames: ['pay.acme.example'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1/payments' } }], backendRefs: [{ name: 'payments-api', port: 80 }] }],
      },
    },
    {
      apiVersion: `${GATEWAY_API}/v1`,
      kind: 'HTTPRoute',
      metadata: { name: 'ledger', namespace: 'payments' },
      spec: { parentRefs: [{ name: 'edge' }], hostnames: ['ledger.internal.acme.example'], rules: [{ backendRefs: [{ name: 'ledger', port: 7070 }] }] },
    },
  ];
}

/** A GRPCRoute, TCPRoute or TLSRoute to ledger through an Envoy Gateway, whose GatewayClass is not Istio's. */
export function outsideL4Route(kind: 'GRPCRoute' | 'TCPRoute' | 'TLSRoute'): KubernetesObject[] {
  const listener = {
    GRPCRoute: { name: 'grpc', protocol: 'HTTPS', port: 443, hostname: 'ledger.pay.acme.example', tls: { mode: 'Terminate', certificateRefs: [{ name: 'ledger-pay-acme-example-tls' }] } },
    TCPRoute: { name: 'tcp', protocol: 'TCP', port: 7070 },
    TLSRoute: { name: 'tls', protocol: 'TLS', port: 443, hostname: 'ledger.pay.acme.example', tls: { mode: 'Passthrough' } },
  }[kind];
  // GRPCRoute is v1 since Gateway API v1.1; TCPRoute and TLSRoute are experimental, v1alpha2.
  const version = kind === 'GRPCRoute' ? 'v1' : 'v1alpha2';
  return [
    gatewayClass('envoy', 'gateway.envoyproxy.io/gatewayclass-controller'),
    gateway('envoy-edge', 'envoy', [{ ...listener, allowedRoutes: { kinds: [{ kind }] } }]),
    {
      apiVersion: `${GATEWAY_API}/${version}`,
      kind,
      metadata: { name: `ledger-${listener.name}`, namespace: 'payments' },
      spec: {
        parentRefs: [{ name: 'envoy-edge', sectionName: listener.name }],
        ...(kind === 'TCPRoute' ? {} : { hostnames: ['ledger.pay.acme.example'] }),
        rules: [{ backendRefs: [{ name: 'ledger', port: 7070 }] }],
      },
    },
  ];
}

/** `storefront`: an injected namespace whose one workload calls out. */
function storefront(labels: Record<string, string>): KubernetesObject[] {
  return [
    namespace('storefront', labels),
    deployment('storefront', 'storefront-web', [{ name: 'http', containerPort: 8080 }]),
    service('storefront', 'storefront-web', [{ name: 'http', port: 80, targetPort: 'http' }]),
    pod('storefront', 'storefront-web', 'storefront-web-6b8d9f7c5-h4k2p', { kind: 'ReplicaSet', name: 'storefront-web-6b8d9f7c5' }, 8080, true),
  ];
}

/**
 * A Sidecar in storefront whose egress imports only its own namespace and istio-system: calls
 * to payments find no listener and, with the mesh's default ALLOW_ANY, leave through
 * PassthroughCluster in plaintext.
 */
export function narrowSidecar(): KubernetesObject[] {
  return [
    ...storefront({ 'istio-injection': 'enabled' }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'default', namespace: 'storefront' },
      spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] },
    },
  ];
}

/** Google Managed Prometheus scraping payments-api's `http` port (8080) and ledger's 7070, from gmp-system, without a sidecar. */
export function gmpScrapes(): KubernetesObject[] {
  return [
    {
      apiVersion: 'monitoring.googleapis.com/v1',
      kind: 'PodMonitoring',
      metadata: { name: 'payments-api', namespace: 'payments', labels: { 'app.kubernetes.io/name': 'payments-api' } },
      spec: { selector: { matchLabels: { app: 'payments-api' } }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] },
    },
    {
      apiVersion: 'monitoring.googleapis.com/v1',
      kind: 'ClusterPodMonitoring',
      metadata: { name: 'ledger-metrics' },
      spec: { selector: { matchLabels: { app: 'ledger' } }, endpoints: [{ port: 7070, path: '/metrics', interval: '60s' }] },
    },
  ];
}

/**
 * Istio on EKS: an AWS Load Balancer Controller TargetGroupBinding that registers payments-api's
 * pods (Service port 80, `http`) in a target group of a load balancer made outside Kubernetes.
 */
export function awsTargetGroupBinding(): KubernetesObject[] {
  return [
    {
      apiVersion: 'elbv2.k8s.aws/v1beta1',
      kind: 'TargetGroupBinding',
      metadata: { name: 'payments-api-tgb', namespace: 'payments' },
      spec: {
        serviceRef: { name: 'payments-api', port: 80 },
        targetGroupARN: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/payments-api/73e2d6bc24d8a067',
        targetType: 'ip',
      },
    },
  ];
}

/**
 * GKE Multi Cluster Ingress: a MultiClusterService selecting payments-api's pods (port 80 to
 * `http`) and a MultiClusterIngress whose Google load balancer sends to it.
 */
export function gkeMultiClusterIngress(): KubernetesObject[] {
  return [
    {
      apiVersion: 'networking.gke.io/v1',
      kind: 'MultiClusterService',
      metadata: { name: 'payments-mcs', namespace: 'payments' },
      spec: { template: { spec: { selector: { app: 'payments-api' }, ports: [{ name: 'web', protocol: 'TCP', port: 80, targetPort: 'http' }] } } },
    },
    {
      apiVersion: 'networking.gke.io/v1',
      kind: 'MultiClusterIngress',
      metadata: { name: 'payments-web', namespace: 'payments', annotations: { 'networking.gke.io/static-ip': '34.102.201.47' } },
      spec: { template: { spec: { backend: { serviceName: 'payments-mcs', servicePort: 80 } } } },
    },
  ];
}

function injectorWebhook(name: string, labels: Record<string, string>, revision: string, namespaceSelector: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name, labels: { app: 'sidecar-injector', 'istio.io/rev': revision, ...labels } },
    webhooks: [
      {
        name: 'rev.namespace.sidecar-injector.istio.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        clientConfig: { service: { name: `istiod-${revision}`, namespace: 'istio-system', path: '/inject', port: 443 } },
        namespaceSelector,
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
      },
    ],
  };
}

/**
 * A canary control plane whose MeshConfig turns auto mTLS off, and storefront labelled with the
 * revision tag `prod` (`istioctl tag set prod --revision canary`): only the tag's webhook says
 * that prod is canary, whose callers send payments plaintext.
 */
export function revisionTagToCanary(): KubernetesObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio-canary', namespace: 'istio-system', labels: { 'istio.io/rev': 'canary', release: 'istio-canary' } },
      data: { mesh: MESH_CONFIG.replace('enableAutoMtls: true', 'enableAutoMtls: false'), meshNetworks: 'networks: {}' },
    },
    injectorWebhook('istio-revision-tag-prod', { 'istio.io/tag': 'prod' }, 'canary', { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: ['prod'] }] }),
    injectorWebhook('istio-sidecar-injector-canary', {}, 'canary', { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: ['canary'] }] }),
    ...storefront({ 'istio.io/rev': 'prod' }),
  ];
}

/** The root the trust-manager Bundle distributes, expiring in 12 days. Made once per test file. */
let trustRoot: { certPem: string; keyPem: string } | undefined;
export function meshTrustRoot(): { certPem: string; keyPem: string } {
  trustRoot ??= makeRootCa({ cn: 'acme-prod trust root 2016', organization: 'Acme', notBefore: new Date(Date.now() - 3650 * DAY_MS), notAfter: new Date(Date.now() + 12 * DAY_MS) });
  return trustRoot;
}

// The start of a PKCS#12 store, as trust-manager's additionalFormats writes one: binary, never PEM.
const PKCS12_BYTES = Buffer.from('3082025a020103308202200609', 'hex');

/**
 * trust-manager: the Bundle `mesh-trust` copies the CA of the cert-manager Secret
 * `cert-manager/mesh-trust-root` into a ConfigMap and a Secret (each with a PKCS#12 copy
 * beside the PEM) in the injected namespaces, payments and observability.
 */
export function trustManagerBundle(): KubernetesObject[] {
  const root = meshTrustRoot();
  const label = { 'trust.cert-manager.io/bundle': 'mesh-trust' };
  const copies = ['payments', 'observability'].flatMap((ns): KubernetesObject[] => [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mesh-trust', namespace: ns, labels: label }, data: { 'root-certs.pem': root.certPem }, binaryData: { 'root-certs.p12': PKCS12_BYTES.toString('base64') } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mesh-trust', namespace: ns, labels: label }, type: 'Opaque', data: { 'root-certs.pem': b64(root.certPem), 'root-certs.p12': PKCS12_BYTES.toString('base64') } },
  ]);
  return [
    namespace('cert-manager', { 'app.kubernetes.io/part-of': 'cert-manager' }),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'mesh-trust-root', namespace: 'cert-manager', annotations: { 'cert-manager.io/certificate-name': 'mesh-trust-root' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(root.certPem), 'tls.key': b64(root.keyPem), 'ca.crt': b64(root.certPem) },
    },
    {
      apiVersion: 'trust.cert-manager.io/v1alpha1',
      kind: 'Bundle',
      metadata: { name: 'mesh-trust' },
      spec: {
        sources: [{ secret: { name: 'mesh-trust-root', key: 'ca.crt' } }],
        target: {
          configMap: { key: 'root-certs.pem' },
          secret: { key: 'root-certs.pem' },
          additionalFormats: { pkcs12: { key: 'root-certs.p12' } },
          namespaceSelector: { matchLabels: { 'istio-injection': 'enabled' } },
        },
      },
      status: { conditions: [{ type: 'Synced', status: 'True', reason: 'Synced', message: 'Successfully synced Bundle to namespaces that match this label selector: istio-injection=enabled', lastTransitionTime: '2026-10-01T08:00:00Z', observedGeneration: 1 }] },
    },
    ...copies,
  ];
}
