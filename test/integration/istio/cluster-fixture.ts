/**
 * A GKE cluster running Istio 1.24, as the live reader finds it: the control plane's MeshConfig
 * and plugged-in CA, a `payments` namespace whose PeerAuthentication was just patched to
 * PERMISSIVE (the object from the shared GKE audit-log event), and neighbours whose
 * DestinationRules do or do not concern `payments`. Fresh objects on every call.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { KubernetesObject } from '../../emulators/kubernetes';
import { makeCertChain, type CertChain } from '../../support/certs';

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
