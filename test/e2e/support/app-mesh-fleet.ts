/**
 * The App Mesh side of the end-to-end fleet, clean before the stories start (every listener
 * STRICT and validating clients, every client enforcing TLS with its own SPIFFE identity), so
 * that each story's finding is the one its story causes:
 * - prod-mesh: payments-api behind a virtual router that sends 90 % to payments-api and 10 %
 *   to payments-api-canary (story 4 changes the weights); both call the ledger (story 1 makes
 *   its listener PERMISSIVE); checkout-web calls payments-api.
 * - edge-mesh: one edge proxy whose ACM certificate expires in ten days.
 * Names and the payments-api certificate are those of the shared storyline (shared/events).
 */
import type { AppMeshSeed } from '../../emulators/appmesh';

export const ACCOUNT_ID = '111122223333';
export const PROD_MESH = 'prod-mesh';
export const EDGE_MESH = 'edge-mesh';
export const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';
/** payments-api's listener certificate (shared storyline), valid for a year. */
export const PAYMENTS_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
/** The edge proxy's certificate: ten days from expiry when the stories run. */
export const EDGE_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/2b7d9e41-6c3a-4f58-9e12-7a0c5d3b8f64';
export const PAYMENTS_SERVICE = 'payments-api.payments.svc.cluster.local';
export const ROUTER = 'payments-api-router';
export const ROUTE = 'payments-api-route';

const CA_CHAIN = '/etc/appmesh/certs/prod-mesh-ca-chain.pem';
const healthCheck = { healthyThreshold: 2, intervalMillis: 5000, path: '/healthz', port: 8080, protocol: 'http' as const, timeoutMillis: 2000, unhealthyThreshold: 3 };
const validatingClients = { trust: { file: { certificateChain: CA_CHAIN } } };
const logging = { accessLog: { file: { path: '/dev/stdout' } } };

/** A client policy with the workload's own SPIRE identity (meshgov never borrows another workload's). */
function clientTls(mesh: string, workload: string) {
  return { tls: { enforce: true, certificate: { sds: { secretName: `spiffe://${mesh}.example.com/${workload}` } }, validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } } } };
}

function fileCertificate(name: string) {
  return { file: { certificateChain: `/etc/appmesh/certs/${name}.pem`, privateKey: `/etc/appmesh/certs/${name}.key` } };
}

/** payments-api (and its canary) as the payments team runs it: STRICT on 8080 with the ACM certificate. */
export function paymentsApiSpec(name = 'payments-api'): any {
  return {
    backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local', clientPolicy: clientTls(PROD_MESH, name) } }],
    listeners: [
      {
        healthCheck,
        portMapping: { port: 8080, protocol: 'http' },
        tls: { certificate: { acm: { certificateArn: PAYMENTS_CERT_ARN } }, mode: 'STRICT', validation: validatingClients },
      },
    ],
    logging,
    serviceDiscovery: { dns: { hostname: name === 'payments-api' ? PAYMENTS_SERVICE : `${name}.payments.svc.cluster.local` } },
  };
}

/** The route's weighted targets: stable and canary. */
export function weightedTargets(stable: number, canary: number) {
  return [
    { virtualNode: 'payments-api', weight: stable },
    { virtualNode: 'payments-api-canary', weight: canary },
  ];
}

export function routeSpec(stable: number, canary: number): any {
  return { priority: 10, httpRoute: { match: { prefix: '/' }, action: { weightedTargets: weightedTargets(stable, canary) }, retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 2000 }, httpRetryEvents: ['server-error', 'gateway-error'] } } };
}

export function fleetSeed(): AppMeshSeed {
  // Typed loosely: the SDK's enums (TLS modes, protocols) would need a cast on every literal.
  const seed: any = {
    meshes: [
      { meshName: PROD_MESH, spec: { egressFilter: { type: 'DROP_ALL' } } },
      { meshName: EDGE_MESH, spec: { egressFilter: { type: 'DROP_ALL' } } },
    ],
    virtualNodes: [
      { meshName: PROD_MESH, virtualNodeName: 'payments-api', spec: paymentsApiSpec(), metadata: { version: 2, uid: '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15', createdAt: '2026-06-03T09:14:27Z', lastUpdatedAt: '2026-11-02T10:20:00Z' } },
      { meshName: PROD_MESH, virtualNodeName: 'payments-api-canary', spec: paymentsApiSpec('payments-api-canary') },
      {
        meshName: PROD_MESH,
        virtualNodeName: 'ledger',
        spec: {
          listeners: [{ healthCheck, portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: fileCertificate('ledger'), validation: validatingClients } }],
          logging,
          serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
        },
      },
      {
        meshName: PROD_MESH,
        virtualNodeName: 'checkout-web',
        spec: {
          backends: [{ virtualService: { virtualServiceName: PAYMENTS_SERVICE, clientPolicy: clientTls(PROD_MESH, 'checkout-web') } }],
          listeners: [{ healthCheck, portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: fileCertificate('checkout-web'), validation: validatingClients } }],
          logging,
          serviceDiscovery: { dns: { hostname: 'checkout-web.orders.svc.cluster.local' } },
        },
      },
      {
        meshName: EDGE_MESH,
        virtualNodeName: 'edge-proxy',
        spec: {
          listeners: [{ portMapping: { port: 8443, protocol: 'http' }, tls: { mode: 'STRICT', certificate: { acm: { certificateArn: EDGE_CERT_ARN } }, validation: { trust: { file: { certificateChain: '/etc/appmesh/certs/edge-mesh-ca-chain.pem' } } } } }],
          logging,
          serviceDiscovery: { dns: { hostname: 'edge-proxy.edge.svc.cluster.local' } },
        },
      },
    ],
    virtualRouters: [{ meshName: PROD_MESH, virtualRouterName: ROUTER, spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } }],
    routes: [{ meshName: PROD_MESH, virtualRouterName: ROUTER, routeName: ROUTE, spec: routeSpec(90, 10) }],
    virtualServices: [
      { meshName: PROD_MESH, virtualServiceName: PAYMENTS_SERVICE, spec: { provider: { virtualRouter: { virtualRouterName: ROUTER } } } },
      { meshName: PROD_MESH, virtualServiceName: 'ledger.payments.svc.cluster.local', spec: { provider: { virtualNode: { virtualNodeName: 'ledger' } } } },
    ],
  };
  return seed as AppMeshSeed;
}
