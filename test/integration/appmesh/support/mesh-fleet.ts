/**
 * A realistic App Mesh fleet for the live reader's tests and benchmark, as API-shaped seed
 * objects for the emulator: `size` virtual nodes across five teams, most with STRICT listeners
 * validating a file CA and backends enforcing mTLS; a few with PERMISSIVE, TLS-without-client-
 * validation and plaintext listeners, or backends without a client policy or certificate.
 * Forty virtual services are provided by a node, ten by a virtual router with one route
 * splitting 90/10 between two nodes; one ingress gateway routes to two services.
 */
import type { AppMeshSeed } from '../../../emulators/appmesh';

export const FLEET_MESH = 'prod-mesh';
export const TEAMS = ['payments', 'orders', 'catalog', 'shipping', 'identity'] as const;
const CA_CHAIN = '/etc/appmesh/certs/prod-mesh-ca-chain.pem';
const GATEWAY_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/2b7d4f90-1c3e-4a58-9d62-7e0f1a3c5b84';

export type ListenerPosture = 'STRICT' | 'PERMISSIVE' | 'TLS_NO_CLIENT_AUTH' | 'DISABLED';
export type BackendPosture = 'MTLS' | 'PLAINTEXT' | 'TLS';

export interface FleetShape {
  seed: AppMeshSeed;
  nodeNames: string[];
  serviceNames: string[];
  routerNames: string[];
  /** What each node's listener does, by node name. */
  listenerPosture: Map<string, ListenerPosture>;
  /** Resources a full read must Describe, per type. */
  counts: { meshes: number; virtualNodes: number; virtualServices: number; virtualRouters: number; routes: number; virtualGateways: number; gatewayRoutes: number };
}

function pad(i: number): string {
  return String(i).padStart(4, '0');
}

export function nodeName(i: number): string {
  return `${TEAMS[i % TEAMS.length]}-svc-${pad(i)}`;
}

function teamOf(i: number): string {
  return TEAMS[i % TEAMS.length];
}

function fileCertificate(name: string) {
  return { file: { certificateChain: `/etc/appmesh/certs/${name}.pem`, privateKey: `/etc/appmesh/certs/${name}.key` } };
}

export function postureOf(i: number): ListenerPosture {
  if (i % 100 === 11) return 'DISABLED';
  if (i % 50 === 7) return 'TLS_NO_CLIENT_AUTH';
  if (i % 25 === 3) return 'PERMISSIVE';
  return 'STRICT';
}

function listenerTls(name: string, posture: ListenerPosture) {
  switch (posture) {
    case 'DISABLED':
      return undefined;
    case 'PERMISSIVE':
      return { mode: 'PERMISSIVE', certificate: fileCertificate(name) };
    case 'TLS_NO_CLIENT_AUTH':
      return { mode: 'STRICT', certificate: fileCertificate(name) };
    case 'STRICT':
      return { mode: 'STRICT', certificate: fileCertificate(name), validation: { trust: { file: { certificateChain: CA_CHAIN } } } };
  }
}

function backendPosture(i: number, b: number): BackendPosture {
  if (b === 0 && i % 20 === 5) return 'PLAINTEXT';
  if (b === 0 && i % 40 === 9) return 'TLS';
  return 'MTLS';
}

function backend(serviceName: string, client: string, posture: BackendPosture) {
  if (posture === 'PLAINTEXT') return { virtualService: { virtualServiceName: serviceName } };
  const tls: Record<string, unknown> = { enforce: true, validation: { trust: { file: { certificateChain: CA_CHAIN } } } };
  if (posture === 'MTLS') tls.certificate = fileCertificate(client);
  return { virtualService: { virtualServiceName: serviceName, clientPolicy: { tls } } };
}

export function serviceName(k: number, size: number): string {
  return k < 40 ? `${nodeName(k % size)}.${teamOf(k % size)}.svc.cluster.local` : `${teamOf(k)}-edge-${k}.${teamOf(k)}.svc.cluster.local`;
}

export function generateMeshFleet(size: number): FleetShape {
  if (size < 2) throw new RangeError('a fleet needs at least two nodes');
  const services = 50;
  const serviceNames = Array.from({ length: services }, (_, k) => serviceName(k, size));
  const nodeNames: string[] = [];
  const listenerPosture = new Map<string, ListenerPosture>();
  const virtualNodes: NonNullable<AppMeshSeed['virtualNodes']> = [];
  for (let i = 0; i < size; i++) {
    const name = nodeName(i);
    nodeNames.push(name);
    const posture = postureOf(i);
    listenerPosture.set(name, posture);
    const targets = i % 2 === 0 ? [(i * 7) % services, (i * 13 + 1) % services] : [(i * 7) % services];
    const listener: Record<string, unknown> = {
      healthCheck: { healthyThreshold: 2, intervalMillis: 5000, path: '/healthz', port: 8080, protocol: 'http', timeoutMillis: 2000, unhealthyThreshold: 3 },
      portMapping: { port: 8080, protocol: 'http' },
    };
    const tls = listenerTls(name, posture);
    if (tls) listener.tls = tls;
    virtualNodes.push({
      meshName: FLEET_MESH,
      virtualNodeName: name,
      spec: {
        backends: [...new Set(targets)].filter((k) => serviceNames[k] !== `${name}.${teamOf(i)}.svc.cluster.local`).map((k, b) => backend(serviceNames[k], name, backendPosture(i, b))) as any,
        listeners: [listener as any],
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
        serviceDiscovery: { dns: { hostname: `${name}.${teamOf(i)}.svc.cluster.local` } },
      },
    });
  }

  const routerNames: string[] = [];
  const virtualRouters: NonNullable<AppMeshSeed['virtualRouters']> = [];
  const routes: NonNullable<AppMeshSeed['routes']> = [];
  const virtualServices: NonNullable<AppMeshSeed['virtualServices']> = [];
  for (let k = 0; k < services; k++) {
    if (k < 40) {
      virtualServices.push({ meshName: FLEET_MESH, virtualServiceName: serviceNames[k], spec: { provider: { virtualNode: { virtualNodeName: nodeName(k % size) } } } });
      continue;
    }
    const router = `${teamOf(k)}-edge-${k}-router`;
    routerNames.push(router);
    virtualRouters.push({ meshName: FLEET_MESH, virtualRouterName: router, spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } });
    routes.push({
      meshName: FLEET_MESH,
      virtualRouterName: router,
      routeName: `${teamOf(k)}-edge-${k}-canary`,
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: nodeName((100 + k) % size), weight: 90 },
              { virtualNode: nodeName((200 + k) % size), weight: 10 },
            ],
          },
        },
      },
    });
    virtualServices.push({ meshName: FLEET_MESH, virtualServiceName: serviceNames[k], spec: { provider: { virtualRouter: { virtualRouterName: router } } } });
  }

  const virtualGateways: NonNullable<AppMeshSeed['virtualGateways']> = [
    {
      meshName: FLEET_MESH,
      virtualGatewayName: 'ingress-gw',
      spec: {
        listeners: [{ portMapping: { port: 8443, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: GATEWAY_CERT_ARN } } } }],
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
      },
    },
  ];
  const gatewayRoutes: NonNullable<AppMeshSeed['gatewayRoutes']> = [
    { meshName: FLEET_MESH, virtualGatewayName: 'ingress-gw', gatewayRouteName: 'payments-public', spec: { httpRoute: { match: { prefix: '/payments' }, action: { target: { virtualService: { virtualServiceName: serviceNames[0] } } } } } },
    { meshName: FLEET_MESH, virtualGatewayName: 'ingress-gw', gatewayRouteName: 'orders-public', spec: { httpRoute: { match: { prefix: '/orders' }, action: { target: { virtualService: { virtualServiceName: serviceNames[41] } } } } } },
  ];

  return {
    seed: { meshes: [{ meshName: FLEET_MESH, spec: { egressFilter: { type: 'DROP_ALL' } } }], virtualNodes, virtualServices, virtualRouters, routes, virtualGateways, gatewayRoutes },
    nodeNames,
    serviceNames,
    routerNames,
    listenerPosture,
    counts: {
      meshes: 1,
      virtualNodes: size,
      virtualServices: services,
      virtualRouters: routerNames.length,
      routes: routes.length,
      virtualGateways: virtualGateways.length,
      gatewayRoutes: gatewayRoutes.length,
    },
  };
}

/**
 * The most calls a full read of this fleet may make: one List page per 100 resources of each
 * list (at least one page per list), one Describe per resource, plus ListMeshes.
 */
export function maxFullScanCalls(counts: FleetShape['counts']): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  const lists =
    pages(counts.meshes) +
    pages(counts.virtualNodes) +
    pages(counts.virtualServices) +
    pages(counts.virtualRouters) +
    pages(counts.virtualGateways) +
    counts.virtualRouters * 1 + // ListRoutes per router (each router has ≤ 100 routes)
    counts.virtualGateways * 1; // ListGatewayRoutes per gateway
  const describes = counts.meshes + counts.virtualNodes + counts.virtualServices + counts.virtualRouters + counts.routes + counts.virtualGateways + counts.gatewayRoutes;
  return lists + describes;
}

/**
 * The calls a revalidation of a held mesh makes when nothing in it moved: DescribeMesh, every
 * List page of the mesh-level types, ListRoutes per router and ListGatewayRoutes per gateway.
 * Each resource whose listed version (or creation time) moved adds its Describe.
 */
export function revalidationCalls(counts: FleetShape['counts']): Record<string, number> {
  const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
  return {
    DescribeMesh: 1,
    ListVirtualNodes: pages(counts.virtualNodes),
    ListVirtualGateways: pages(counts.virtualGateways),
    ListVirtualServices: pages(counts.virtualServices),
    ListVirtualRouters: pages(counts.virtualRouters),
    ...(counts.virtualRouters > 0 ? { ListRoutes: counts.virtualRouters } : {}),
    ...(counts.virtualGateways > 0 ? { ListGatewayRoutes: counts.virtualGateways } : {}),
  };
}
