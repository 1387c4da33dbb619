/**
 * Realistic cluster content for the emulator's tests: the Istio, cert-manager and workload
 * objects of a mesh that is halfway through a move to STRICT mTLS. Fresh copies on every call.
 */
import type { KubernetesObject } from './types';

function peerAuthentication(namespace: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KubernetesObject {
  const metadata: KubernetesObject['metadata'] = { name, namespace };
  if (labels !== undefined) metadata.labels = labels;
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata, spec };
}

/** Six PeerAuthentications across five namespaces, listed in this (key) order by the API server. */
export function meshPeerAuthentications(): KubernetesObject[] {
  return [
    peerAuthentication('checkout', 'default', { mtls: { mode: 'STRICT' } }),
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }, { 'app.kubernetes.io/managed-by': 'istioctl' }),
    peerAuthentication('legacy-batch', 'default', { mtls: { mode: 'DISABLE' } }),
    peerAuthentication('orders', 'default', { mtls: { mode: 'PERMISSIVE' } }),
    peerAuthentication('payments', 'default', { mtls: { mode: 'PERMISSIVE' } }, { 'meshgov.io/migration': 'strict-2025-q3' }),
    peerAuthentication('payments', 'ledger-strict', {
      selector: { matchLabels: { app: 'ledger' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { '9090': { mode: 'PERMISSIVE' } },
    }),
  ];
}

function podTemplateLabels(app: string, version: string): Record<string, string> {
  return { app, version, 'app.kubernetes.io/part-of': 'payments' };
}

export function deployment(namespace: string, app: string, version: string, replicas: number): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${app}-${version}`, namespace, labels: { app, version } },
    spec: {
      replicas,
      selector: { matchLabels: { app, version } },
      template: {
        metadata: {
          labels: podTemplateLabels(app, version),
          annotations: { 'sidecar.istio.io/inject': 'true', 'prometheus.io/port': '9090' },
        },
        spec: {
          serviceAccountName: app,
          containers: [
            {
              name: app,
              image: `europe-west1-docker.pkg.dev/acme-prod/payments/${app}:${version}.4.2`,
              ports: [{ name: 'grpc', containerPort: 8080, protocol: 'TCP' }, { name: 'http-metrics', containerPort: 9090, protocol: 'TCP' }],
            },
          ],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    },
    status: { observedGeneration: 1, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
  };
}

/** A pod as the ReplicaSet controller and the Istio injector leave it. */
export function pod(namespace: string, app: string, version: string, hash: string, suffix: string, nodeName: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${version}-${hash}-${suffix}`,
      namespace,
      labels: {
        ...podTemplateLabels(app, version),
        'pod-template-hash': hash,
        'security.istio.io/tlsMode': 'istio',
        'service.istio.io/canonical-name': app,
        'service.istio.io/canonical-revision': version,
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${version}-${hash}`, uid: '6f1c1e8e-3a7d-4b8e-9a51-0d3f2c9b7a10', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName,
      serviceAccountName: app,
      containers: [
        { name: app, image: `europe-west1-docker.pkg.dev/acme-prod/payments/${app}:${version}.4.2`, ports: [{ containerPort: 8080, protocol: 'TCP' }] },
        { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2', args: ['proxy', 'sidecar'] },
      ],
    },
    status: { phase: 'Running', podIP: '10.52.3.17', qosClass: 'Burstable' },
  };
}

export function ledgerDestinationRule(): KubernetesObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'ledger', namespace: 'payments' },
    spec: {
      host: 'ledger.payments.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      ],
    },
  };
}

export function stripeServiceEntry(): KubernetesObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'stripe-api', namespace: 'payments' },
    spec: {
      hosts: ['api.stripe.com'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
    },
  };
}

export function gatewayCertificate(): KubernetesObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'payments-gateway', namespace: 'istio-system' },
    spec: {
      secretName: 'payments-gateway-tls',
      dnsNames: ['pay.acme.example', 'api.pay.acme.example'],
      duration: '2160h0m0s',
      renewBefore: '360h0m0s',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', observedGeneration: 1, lastTransitionTime: '2025-06-02T08:14:11Z' }],
      notBefore: '2025-06-02T07:14:09Z',
      notAfter: '2025-08-31T07:14:08Z',
      renewalTime: '2025-08-16T07:14:08Z',
      revision: 3,
    },
  };
}
