import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyInventory, type Inventory, type KubeObject, type Located } from '../../../functions/core/model/inventory';
import { acmCertificateSource, createAcmClient, createPcaClient, type AcmCertificateSource } from '../../../functions/providers/acm';
import { TEST_CREDENTIALS, type AcmEmulator } from '../../emulators/acm';

/**
 * One realistic App Mesh fleet for the ACM tests, in account 111122223333, us-west-2, mesh
 * prod-mesh (shared/events/README.md):
 * - `payments-api`, as the App Mesh API returned it in the UpdateVirtualNode CloudTrail event:
 *   its listener serves ACM certificate PAYMENTS_CERT_ARN, its backend trusts ACM Private CA PCA_ARN;
 * - `orders-api` (namespace orders) and `ledger` (namespace payments), `appmesh.k8s.aws/v1beta2`
 *   VirtualNode CRDs in the controller's spelling (`certificateARN`, `certificateAuthorityARNs`);
 * - `ingress-gw` (namespace ingress), a VirtualGateway CRD serving EDGE_CERT_ARN on 443 and
 *   trusting PCA_ARN for every backend.
 * The CRDs find their mesh by `spec.meshRef`, or by the Mesh's namespaceSelector.
 */

export const EVENTS_DIR = '/work/shared/events/aws';
export const NOW = new Date('2026-11-26T00:00:00Z');
export const DAY_MS = 86_400_000;

export const PAYMENTS_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
export const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';
export const ORDERS_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/4b1d7e9a-2c6f-4a3e-8d5b-7f0e2a9c4d61';
export const LEDGER_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/e7a3c9f1-5b2d-4e8a-b6c0-3d9f1a7e5b28';
export const EDGE_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/1f9b3d7e-6a4c-4b2e-9f8d-0c5a7e3b1d96';
export const RETIRED_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/9d5e1b3f-7c2a-4f6e-a8b4-2e6c0a4f8d13';

export function readEvent(name: string): any {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8'));
}

export function daysFromNow(days: number): Date {
  return new Date(NOW.getTime() + days * DAY_MS);
}

function kube(doc: KubeObject, file: string, line = 1): Located<KubeObject> {
  return { doc, source: { file, line } };
}

function namespaceObject(name: string, labels: Record<string, string>, line: number): Located<KubeObject> {
  return kube({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }, 'k8s/namespaces.yaml', line);
}

export function meshCrd(): Located<KubeObject> {
  return kube(
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'Mesh',
      metadata: { name: 'prod-mesh', resourceVersion: '10482', uid: '2e7b4c1d-9a3f-4d6e-8b5a-1c0f7e3d9a42' },
      spec: { awsName: 'prod-mesh', namespaceSelector: { matchLabels: { mesh: 'prod-mesh' } }, egressFilter: { type: 'DROP_ALL' } },
    },
    'k8s/mesh.yaml',
  );
}

export function ordersApiCrd(): Located<KubeObject> {
  return kube(
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'orders-api', namespace: 'orders', resourceVersion: '48213', uid: 'c4b1f0aa-2d7e-4e3b-9f55-6a8d2c0e4b17' },
      spec: {
        awsName: 'orders-api_orders',
        meshRef: { name: 'prod-mesh', uid: '2e7b4c1d-9a3f-4d6e-8b5a-1c0f7e3d9a42' },
        podSelector: { matchLabels: { app: 'orders-api' } },
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            healthCheck: { protocol: 'http', path: '/healthz', healthyThreshold: 2, unhealthyThreshold: 3, timeoutMillis: 2000, intervalMillis: 5000 },
            tls: { mode: 'STRICT', certificate: { acm: { certificateARN: ORDERS_CERT_ARN } }, validation: { trust: { file: { certificateChain: '/etc/mesh/ca-chain.pem' } } } },
          },
        ],
        backends: [
          {
            virtualService: {
              virtualServiceRef: { name: 'payments-api', namespace: 'payments' },
              clientPolicy: { tls: { enforce: true, ports: [8080], validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } } } },
            },
          },
        ],
        serviceDiscovery: { dns: { hostname: 'orders-api.orders.svc.cluster.local' } },
      },
    },
    'k8s/orders/orders-api.yaml',
  );
}

/** No meshRef: the Mesh's namespaceSelector places it (namespace payments carries mesh=prod-mesh). */
export function ledgerCrd(): Located<KubeObject> {
  return kube(
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: 'ledger', namespace: 'payments', resourceVersion: '48377', uid: '7f2a9d4c-1e6b-4c8a-b3d5-9e0f2a6c8b41' },
      spec: {
        podSelector: { matchLabels: { app: 'ledger' } },
        listeners: [{ portMapping: { port: 9090, protocol: 'grpc' }, tls: { mode: 'STRICT', certificate: { acm: { certificateARN: LEDGER_CERT_ARN } } } }],
        backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } } } } },
        serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
      },
    },
    'k8s/payments/ledger.yaml',
    12,
  );
}

export function ingressGatewayCrd(): Located<KubeObject> {
  return kube(
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualGateway',
      metadata: { name: 'ingress-gw', namespace: 'ingress', resourceVersion: '50120', uid: 'a1d3f5b7-9c2e-4a6b-8d0f-3e5a7c9b1d24' },
      spec: {
        namespaceSelector: { matchLabels: { gateway: 'ingress-gw' } },
        podSelector: { matchLabels: { app: 'ingress-gw' } },
        listeners: [{ portMapping: { port: 443, protocol: 'http' }, tls: { mode: 'STRICT', certificate: { acm: { certificateARN: EDGE_CERT_ARN } } } }],
        backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } } } } },
      },
    },
    'k8s/ingress/ingress-gw.yaml',
  );
}

/** payments-api as the UpdateVirtualNode response carried it (version 3, listener PERMISSIVE). */
export function paymentsApiFromCloudTrail(): any {
  return readEvent('cloudtrail-appmesh-update-virtual-node.json').detail.responseElements.virtualNode;
}

/** A deleted node that still names a retired certificate: deleted resources are not read. */
export function deletedNodeData(): any {
  const data = structuredClone(paymentsApiFromCloudTrail());
  data.virtualNodeName = 'payments-api-v1';
  data.metadata.arn = 'arn:aws:appmesh:us-west-2:111122223333:mesh/prod-mesh/virtualNode/payments-api-v1';
  data.status = { status: 'DELETED' };
  data.spec.listeners[0].tls.certificate.acm.certificateArn = RETIRED_CERT_ARN;
  return data;
}

export function fleetInventory(): Inventory {
  const inventory = emptyInventory();
  inventory.appmeshApi.push(
    { doc: { type: 'virtualNode', data: paymentsApiFromCloudTrail() }, source: { file: 'cloudtrail-appmesh-update-virtual-node.json', line: 1 } },
    { doc: { type: 'virtualNode', data: deletedNodeData() }, source: { file: 'appmesh/payments-api-v1.json', line: 1 } },
  );
  inventory.kubernetes.push(
    namespaceObject('payments', { mesh: 'prod-mesh', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }, 1),
    namespaceObject('orders', { mesh: 'prod-mesh', 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }, 9),
    namespaceObject('ingress', { mesh: 'prod-mesh', gateway: 'ingress-gw' }, 17),
    meshCrd(),
    ordersApiCrd(),
    ledgerCrd(),
    ingressGatewayCrd(),
  );
  inventory.files.push('cloudtrail-appmesh-update-virtual-node.json', 'appmesh/payments-api-v1.json', 'k8s/namespaces.yaml', 'k8s/mesh.yaml', 'k8s/orders/orders-api.yaml', 'k8s/payments/ledger.yaml', 'k8s/ingress/ingress-gw.yaml');
  return inventory;
}

/** The certificate source on the emulator's ACM and ACM-PCA, through the real SDK clients, as the hub builds it. */
export function emulatedAcmSource(emulator: AcmEmulator): AcmCertificateSource {
  return acmCertificateSource({
    acm: createAcmClient({ endpoint: emulator.url, region: 'us-west-2', credentials: TEST_CREDENTIALS }),
    pca: createPcaClient({ endpoint: emulator.url, region: 'us-west-2', credentials: TEST_CREDENTIALS }),
  });
}
