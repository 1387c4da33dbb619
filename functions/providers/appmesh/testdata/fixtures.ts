/**
 * Test data builders with the real shapes: App Mesh API `*Data` objects (as
 * `aws appmesh describe-*` prints them inside their wrapper key) and `appmesh.k8s.aws/v1beta2`
 * CRDs. Account 111122223333, region us-west-2, mesh prod-mesh (shared/events/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyInventory, type AppMeshApiObject, type Inventory, type KubeObject, type Located } from '../../../core/model/inventory';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
export const MESH = 'prod-mesh';
export const PCA_ARN = 'arn:aws:acm-pca:us-west-2:111122223333:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b';
export const ACM_CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48';
export const NOW = new Date('2026-11-26T00:00:00Z');

const TYPE_PATH: Record<AppMeshApiObject['type'], string> = {
  mesh: '',
  virtualNode: 'virtualNode',
  virtualGateway: 'virtualGateway',
  virtualService: 'virtualService',
  virtualRouter: 'virtualRouter',
  route: 'route',
  gatewayRoute: 'gatewayRoute',
};

let uidCounter = 0;

function metadata(type: AppMeshApiObject['type'], name: string, version: number, parent?: string): Record<string, unknown> {
  uidCounter++;
  const suffix = type === 'mesh' ? '' : parent ? `/${parent}/${TYPE_PATH[type]}/${name}` : `/${TYPE_PATH[type]}/${name}`;
  return {
    arn: `arn:aws:appmesh:${REGION}:${ACCOUNT}:mesh/${MESH}${suffix}`,
    createdAt: '2026-06-03T09:14:27.512000+00:00',
    lastUpdatedAt: '2026-11-20T15:00:49.318000+00:00',
    meshOwner: ACCOUNT,
    resourceOwner: ACCOUNT,
    uid: `5d8e1c3a-7b2f-4e9a-9c61-${String(uidCounter).padStart(12, '0')}`,
    version,
  };
}

function located(type: AppMeshApiObject['type'], data: any, file: string, line = 1): Located<AppMeshApiObject> {
  return { doc: { type, data }, source: { file, line } };
}

export function apiMesh(file = 'appmesh/mesh.json'): Located<AppMeshApiObject> {
  return located(
    'mesh',
    { meshName: MESH, metadata: metadata('mesh', MESH, 1), spec: { egressFilter: { type: 'DROP_ALL' } }, status: { status: 'ACTIVE' } },
    file,
  );
}

export function apiNode(name: string, spec: Record<string, unknown>, opts: { version?: number; file?: string; line?: number } = {}): Located<AppMeshApiObject> {
  return located(
    'virtualNode',
    { meshName: MESH, virtualNodeName: name, metadata: metadata('virtualNode', name, opts.version ?? 1), spec, status: { status: 'ACTIVE' } },
    opts.file ?? `appmesh/${name}.json`,
    opts.line,
  );
}

export function apiGateway(name: string, spec: Record<string, unknown>, opts: { version?: number; file?: string } = {}): Located<AppMeshApiObject> {
  return located(
    'virtualGateway',
    { meshName: MESH, virtualGatewayName: name, metadata: metadata('virtualGateway', name, opts.version ?? 1), spec, status: { status: 'ACTIVE' } },
    opts.file ?? `appmesh/${name}.json`,
  );
}

export function apiServiceByNode(serviceName: string, nodeName: string): Located<AppMeshApiObject> {
  return located(
    'virtualService',
    {
      meshName: MESH,
      virtualServiceName: serviceName,
      metadata: metadata('virtualService', serviceName, 1),
      spec: { provider: { virtualNode: { virtualNodeName: nodeName } } },
      status: { status: 'ACTIVE' },
    },
    `appmesh/vs-${serviceName}.json`,
  );
}

export function apiServiceByRouter(serviceName: string, routerName: string): Located<AppMeshApiObject> {
  return located(
    'virtualService',
    {
      meshName: MESH,
      virtualServiceName: serviceName,
      metadata: metadata('virtualService', serviceName, 1),
      spec: { provider: { virtualRouter: { virtualRouterName: routerName } } },
      status: { status: 'ACTIVE' },
    },
    `appmesh/vs-${serviceName}.json`,
  );
}

export function apiRouter(name: string, ports: number[]): Located<AppMeshApiObject> {
  return located(
    'virtualRouter',
    {
      meshName: MESH,
      virtualRouterName: name,
      metadata: metadata('virtualRouter', name, 1),
      spec: { listeners: ports.map((port) => ({ portMapping: { port, protocol: 'http' } })) },
      status: { status: 'ACTIVE' },
    },
    `appmesh/vr-${name}.json`,
  );
}

export function apiHttpRoute(
  name: string,
  routerName: string,
  targets: Array<{ virtualNode: string; weight: number; port?: number }>,
): Located<AppMeshApiObject> {
  return located(
    'route',
    {
      meshName: MESH,
      virtualRouterName: routerName,
      routeName: name,
      metadata: metadata('route', name, 1, `virtualRouter/${routerName}`),
      spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: targets } }, priority: 100 },
      status: { status: 'ACTIVE' },
    },
    `appmesh/route-${name}.json`,
  );
}

export function apiGatewayRoute(name: string, gatewayName: string, serviceName: string, port?: number): Located<AppMeshApiObject> {
  const target: Record<string, unknown> = { virtualService: { virtualServiceName: serviceName } };
  if (port !== undefined) target.port = port;
  return located(
    'gatewayRoute',
    {
      meshName: MESH,
      virtualGatewayName: gatewayName,
      gatewayRouteName: name,
      metadata: metadata('gatewayRoute', name, 1, `virtualGateway/${gatewayName}`),
      spec: { httpRoute: { match: { prefix: '/' }, action: { target } }, priority: 10 },
      status: { status: 'ACTIVE' },
    },
    `appmesh/gr-${name}.json`,
  );
}

/** The `payments-api` virtual node of the shared events (UpdateVirtualNode response, version 3). */
export function paymentsApiNodeData(): any {
  return JSON.parse(readFileSync(join(__dirname, 'payments-api.virtual-node.json'), 'utf8'));
}

export function listener(port: number, tls?: Record<string, unknown>, protocol = 'http'): Record<string, unknown> {
  const l: Record<string, unknown> = {
    healthCheck: { healthyThreshold: 2, intervalMillis: 5000, path: '/healthz', port, protocol, timeoutMillis: 2000, unhealthyThreshold: 3 },
    portMapping: { port, protocol },
  };
  if (tls) l.tls = tls;
  return l;
}

export function dns(hostname: string): Record<string, unknown> {
  return { dns: { hostname } };
}

export function inventoryOf(parts: { api?: Located<AppMeshApiObject>[]; kube?: Located<KubeObject>[]; pem?: Array<{ file: string; text: string }> }): Inventory {
  const inv = emptyInventory();
  inv.appmeshApi.push(...(parts.api ?? []));
  inv.kubernetes.push(...(parts.kube ?? []));
  for (const p of parts.pem ?? []) inv.pem.push({ doc: { text: p.text }, source: { file: p.file, line: 1 } });
  return inv;
}

export function kube(doc: KubeObject, file: string, line = 1): Located<KubeObject> {
  return { doc, source: { file, line } };
}

export function namespace(name: string, labels: Record<string, string>): Located<KubeObject> {
  return kube({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }, `k8s/namespaces.yaml`);
}

export function crdMesh(name: string, spec: Record<string, unknown>): Located<KubeObject> {
  return kube({ apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'Mesh', metadata: { name }, spec }, `k8s/mesh.yaml`);
}

export function crd(kind: string, namespaceName: string, name: string, spec: Record<string, unknown>, file?: string): Located<KubeObject> {
  return kube(
    {
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind,
      metadata: { name, namespace: namespaceName, resourceVersion: '48213', uid: `c4b1f0aa-2d7e-4e3b-9f55-${name.length.toString().padStart(12, '0')}` },
      spec,
    },
    file ?? `k8s/${namespaceName}/${name}.yaml`,
  );
}

export const TESTDATA = __dirname;
