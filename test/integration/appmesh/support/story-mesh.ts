/**
 * The mesh of the shared events' storyline, inside a generated fleet: `payments-api` (version 2,
 * STRICT with client validation, until alice sets it PERMISSIVE in version 3), the `ledger` it
 * calls, `checkout-web` calling it with mTLS, and `orders-api-legacy` (version 6, PERMISSIVE,
 * nothing routes to it) that the CI user deletes. Names, uid, ARNs and the ACM certificate are
 * those of /work/shared/events/aws.
 */
import type { AppMeshSeed } from '../../../emulators/appmesh';
import { CERTIFICATE_ARN, CA_ARN } from '../../../emulators/appmesh/appMeshTestFixtures';
import { FLEET_MESH, generateMeshFleet, type FleetShape } from './mesh-fleet';

const CA_CHAIN = '/etc/appmesh/certs/prod-mesh-ca-chain.pem';
export const PAYMENTS_API_UID = '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15';
export const ORDERS_LEGACY_UID = '3a9c1e5b-7d2f-4b8a-a0c6-9e1f3b5d7a24';

const healthCheck = { healthyThreshold: 2, intervalMillis: 5000, path: '/healthz', port: 8080, protocol: 'http' as const, timeoutMillis: 2000, unhealthyThreshold: 3 };
const fileCertificate = (name: string) => ({ file: { certificateChain: `/etc/appmesh/certs/${name}.pem`, privateKey: `/etc/appmesh/certs/${name}.key` } });

/** payments-api as it was at version 2: the spec of the UpdateVirtualNode sample, with its listener STRICT and validating clients. */
export function paymentsApiV2Spec(): any {
  return {
    backends: [
      {
        virtualService: {
          clientPolicy: { tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityArns: [CA_ARN] } } } } },
          virtualServiceName: 'ledger.payments.svc.cluster.local',
        },
      },
    ],
    listeners: [
      {
        healthCheck,
        portMapping: { port: 8080, protocol: 'http' as const },
        tls: { certificate: { acm: { certificateArn: CERTIFICATE_ARN } }, mode: 'STRICT', validation: { trust: { file: { certificateChain: CA_CHAIN } } } },
      },
    ],
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
    serviceDiscovery: { dns: { hostname: 'payments-api.payments.svc.cluster.local' } },
  };
}

/**
 * Only the storyline's resources, plus an ingress gateway that routes to the ledger without a
 * client policy: a mesh small enough that every fix is visible.
 */
export function storySeed(): AppMeshSeed {
  return {
    meshes: [{ meshName: FLEET_MESH, spec: { egressFilter: { type: 'DROP_ALL' } } }],
    virtualNodes: storyNodes(),
    virtualServices: storyServices(),
    virtualGateways: [
      {
        meshName: FLEET_MESH,
        virtualGatewayName: 'ingress-gw',
        spec: {
          listeners: [{ portMapping: { port: 8443, protocol: 'http' as const }, tls: { mode: 'STRICT' as const, certificate: { file: { certificateChain: '/etc/appmesh/certs/ingress-gw.pem', privateKey: '/etc/appmesh/certs/ingress-gw.key' } }, validation: { trust: { file: { certificateChain: CA_CHAIN } } } } }],
          logging: { accessLog: { file: { path: '/dev/stdout' } } },
        },
      },
    ],
    gatewayRoutes: [
      {
        meshName: FLEET_MESH,
        virtualGatewayName: 'ingress-gw',
        gatewayRouteName: 'ledger-public',
        spec: { httpRoute: { match: { prefix: '/ledger' }, action: { target: { virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } } } } },
      },
    ],
  };
}

export function storyMesh(fleetSize = 60): FleetShape & { seed: AppMeshSeed } {
  const fleet = generateMeshFleet(fleetSize);
  fleet.seed.virtualNodes!.push(...storyNodes());
  fleet.seed.virtualServices!.push(...storyServices());
  fleet.counts.virtualNodes += 4;
  fleet.counts.virtualServices += 2;
  return fleet;
}

function storyServices(): NonNullable<AppMeshSeed['virtualServices']> {
  return [
    { meshName: FLEET_MESH, virtualServiceName: 'payments-api.payments.svc.cluster.local', spec: { provider: { virtualNode: { virtualNodeName: 'payments-api' } } } },
    { meshName: FLEET_MESH, virtualServiceName: 'ledger.payments.svc.cluster.local', spec: { provider: { virtualNode: { virtualNodeName: 'ledger' } } } },
  ];
}

function storyNodes(): NonNullable<AppMeshSeed['virtualNodes']> {
  return [
    {
      meshName: FLEET_MESH,
      virtualNodeName: 'payments-api',
      spec: paymentsApiV2Spec(),
      metadata: { version: 2, uid: PAYMENTS_API_UID, createdAt: '2026-06-03T09:14:27Z', lastUpdatedAt: '2026-11-02T10:20:00Z' },
    },
    {
      meshName: FLEET_MESH,
      virtualNodeName: 'ledger',
      spec: {
        listeners: [{ healthCheck, portMapping: { port: 8080, protocol: 'http' as const }, tls: { mode: 'STRICT' as const, certificate: fileCertificate('ledger'), validation: { trust: { file: { certificateChain: CA_CHAIN } } } } }],
        serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
      },
    },
    {
      meshName: FLEET_MESH,
      virtualNodeName: 'checkout-web',
      spec: {
        backends: [
          {
            virtualService: {
              virtualServiceName: 'payments-api.payments.svc.cluster.local',
              clientPolicy: { tls: { enforce: true, certificate: fileCertificate('checkout-web'), validation: { trust: { acm: { certificateAuthorityArns: [CA_ARN] } } } } },
            },
          },
        ],
        listeners: [{ healthCheck, portMapping: { port: 8080, protocol: 'http' as const }, tls: { mode: 'STRICT' as const, certificate: fileCertificate('checkout-web'), validation: { trust: { file: { certificateChain: CA_CHAIN } } } } }],
        serviceDiscovery: { dns: { hostname: 'checkout-web.orders.svc.cluster.local' } },
      },
    },
    {
      meshName: FLEET_MESH,
      virtualNodeName: 'orders-api-legacy',
      spec: {
        backends: [],
        listeners: [{ portMapping: { port: 8080, protocol: 'http' as const }, tls: { mode: 'PERMISSIVE' as const, certificate: fileCertificate('orders-api-legacy') } }],
        serviceDiscovery: { dns: { hostname: 'orders-api-legacy.orders.svc.cluster.local' } },
      },
      metadata: { version: 6, uid: ORDERS_LEGACY_UID, createdAt: '2025-02-11T10:37:52Z' },
    },
  ];
}
