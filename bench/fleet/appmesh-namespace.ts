import type { Random } from './random';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
const PCA_ARN = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f3e6b2a-5c1d-4e8f-9a7b-2d4c6e8f1a3b`;

/** One namespace of App Mesh workloads, described through the API (describe-* JSON) or as controller CRDs. */
export interface AppMeshNamespacePlan {
  name: string;
  team: string;
  mesh: string;
  meshUid: string;
  workloads: string[];
  /**
   * Hostnames that replace `<workload>.<namespace>.svc.cluster.local` for workloads that
   * also run in Istio (a migration): the same logical service in both meshes.
   */
  sharedHosts: Map<string, string>;
}

type ListenerMode = 'STRICT' | 'PERMISSIVE' | 'DISABLED' | 'none';
type ClientKind = 'enforced' | 'not-enforced' | 'missing';

/** The TLS posture of one generated virtual node, drawn once and shared by both output styles. */
interface NodeShape {
  host: string;
  protocol: 'http' | 'grpc';
  port: number;
  listenerMode: ListenerMode;
  fileCertificate: boolean;
  backends: Array<{ workload: string; client: ClientKind }>;
  routed: boolean;
}

function nodeShapes(plan: AppMeshNamespacePlan, random: Random): Map<string, NodeShape> {
  const shapes = new Map<string, NodeShape>();
  for (const name of plan.workloads) {
    const roll = random.next();
    const listenerMode: ListenerMode = roll < 0.88 ? 'STRICT' : roll < 0.94 ? 'PERMISSIVE' : roll < 0.97 ? 'DISABLED' : 'none';
    const backends: NodeShape['backends'] = [];
    const count = Math.min(random.int(0, 3), plan.workloads.length - 1);
    for (let i = 0; i < count; i++) {
      const target = random.pick(plan.workloads);
      if (target === name || backends.some((b) => b.workload === target)) continue;
      const c = random.next();
      backends.push({ workload: target, client: c < 0.89 ? 'enforced' : c < 0.95 ? 'not-enforced' : 'missing' });
    }
    const grpc = random.chance(0.2);
    shapes.set(name, {
      host: plan.sharedHosts.get(name) ?? `${name}.${plan.name}.svc.cluster.local`,
      protocol: grpc ? 'grpc' : 'http',
      port: grpc ? 7070 : 8080,
      listenerMode,
      fileCertificate: random.chance(0.3),
      backends,
      routed: random.chance(0.2),
    });
  }
  return shapes;
}

/** App Mesh's controller names AWS objects `<name>_<namespace>` unless awsName says otherwise. */
function awsName(plan: AppMeshNamespacePlan, workload: string): string {
  return `${workload}_${plan.name}`;
}

function certificateArn(random: Random): string {
  return `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/${random.uuid()}`;
}

// ---- API style: the output of `aws appmesh describe-*`, camelCase ---------------------------

function apiMetadata(plan: AppMeshNamespacePlan, path: string, random: Random): object {
  const created = `2025-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}T${String(random.int(0, 23)).padStart(2, '0')}:${String(random.int(10, 59))}:${String(random.int(10, 59))}.${random.int(100, 999)}000+00:00`;
  return {
    arn: `arn:aws:appmesh:${REGION}:${ACCOUNT}:mesh/${plan.mesh}${path}`,
    createdAt: created,
    lastUpdatedAt: created,
    meshOwner: ACCOUNT,
    resourceOwner: ACCOUNT,
    uid: random.uuid(),
    version: random.int(1, 12),
  };
}

function apiListenerTls(shape: NodeShape, node: string, random: Random): object | undefined {
  if (shape.listenerMode === 'none') return undefined;
  const certificate = shape.fileCertificate
    ? { file: { certificateChain: `/etc/appmesh/certs/${node}-cert-chain.pem`, privateKey: `/etc/appmesh/certs/${node}-key.pem` } }
    : { acm: { certificateArn: certificateArn(random) } };
  const tls: Record<string, unknown> = { certificate, mode: shape.listenerMode };
  if (shape.listenerMode === 'STRICT') tls.validation = { trust: { file: { certificateChain: '/etc/appmesh/certs/root-ca.pem' } } };
  return tls;
}

function apiClientPolicy(kind: ClientKind, node: string): object | undefined {
  if (kind === 'missing') return undefined;
  const tls: Record<string, unknown> = {
    enforce: kind === 'enforced',
    validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } },
  };
  if (kind === 'enforced') {
    tls.certificate = { file: { certificateChain: `/etc/appmesh/certs/${node}-cert-chain.pem`, privateKey: `/etc/appmesh/certs/${node}-key.pem` } };
  }
  return { tls };
}

/** Describe outputs (`{"virtualNode": …}`, `{"virtualService": …}`, …) for every workload of the namespace. */
export function appMeshApiObjects(plan: AppMeshNamespacePlan, random: Random): object[] {
  const shapes = nodeShapes(plan, random);
  const out: object[] = [];
  for (const [workload, shape] of shapes) {
    const node = awsName(plan, workload);
    const listener: Record<string, unknown> = {
      healthCheck: { healthyThreshold: 2, intervalMillis: 5000, path: '/healthz', port: shape.port, protocol: shape.protocol, timeoutMillis: 2000, unhealthyThreshold: 3 },
      portMapping: { port: shape.port, protocol: shape.protocol },
    };
    const tls = apiListenerTls(shape, node, random);
    if (tls) listener.tls = tls;
    out.push({
      virtualNode: {
        meshName: plan.mesh,
        metadata: apiMetadata(plan, `/virtualNode/${node}`, random),
        spec: {
          backends: shape.backends.map((b) => {
            const virtualService: Record<string, unknown> = { virtualServiceName: shapes.get(b.workload)!.host };
            const policy = apiClientPolicy(b.client, node);
            if (policy) virtualService.clientPolicy = policy;
            return { virtualService };
          }),
          listeners: [listener],
          logging: { accessLog: { file: { path: '/dev/stdout' } } },
          serviceDiscovery: { dns: { hostname: shape.host } },
        },
        status: { status: 'ACTIVE' },
        virtualNodeName: node,
      },
    });
    const router = `${node}-router`;
    const provider = shape.routed ? { virtualRouter: { virtualRouterName: router } } : { virtualNode: { virtualNodeName: node } };
    out.push({
      virtualService: {
        meshName: plan.mesh,
        metadata: apiMetadata(plan, `/virtualService/${shape.host}`, random),
        spec: { provider },
        status: { status: 'ACTIVE' },
        virtualServiceName: shape.host,
      },
    });
    if (shape.routed) {
      out.push({
        virtualRouter: {
          meshName: plan.mesh,
          metadata: apiMetadata(plan, `/virtualRouter/${router}`, random),
          spec: { listeners: [{ portMapping: { port: shape.port, protocol: shape.protocol } }] },
          status: { status: 'ACTIVE' },
          virtualRouterName: router,
        },
      });
      const routeSpec = { action: { weightedTargets: [{ port: shape.port, virtualNode: node, weight: 100 }] }, match: { prefix: '/' } };
      out.push({
        route: {
          meshName: plan.mesh,
          metadata: apiMetadata(plan, `/virtualRouter/${router}/route/default`, random),
          routeName: 'default',
          spec: shape.protocol === 'grpc' ? { grpcRoute: { action: routeSpec.action, match: { serviceName: shape.host } } } : { httpRoute: routeSpec },
          status: { status: 'ACTIVE' },
          virtualRouterName: router,
        },
      });
    }
  }
  return out;
}

// ---- CRD style: appmesh.k8s.aws/v1beta2 objects as `kubectl get -o yaml` shows them -------

function crdListenerTls(shape: NodeShape, workload: string, random: Random): object | undefined {
  if (shape.listenerMode === 'none') return undefined;
  const certificate = shape.fileCertificate
    ? { file: { certificateChain: `/etc/appmesh/certs/${workload}-cert-chain.pem`, privateKey: `/etc/appmesh/certs/${workload}-key.pem` } }
    : { acm: { certificateARN: certificateArn(random) } };
  const tls: Record<string, unknown> = { mode: shape.listenerMode, certificate };
  if (shape.listenerMode === 'STRICT') tls.validation = { trust: { file: { certificateChain: '/etc/appmesh/certs/root-ca.pem' } } };
  return tls;
}

function crdClientPolicy(kind: ClientKind, workload: string): object | undefined {
  if (kind === 'missing') return undefined;
  const tls: Record<string, unknown> = {
    enforce: kind === 'enforced',
    validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } },
  };
  if (kind === 'enforced') {
    tls.certificate = { file: { certificateChain: `/etc/appmesh/certs/${workload}-cert-chain.pem`, privateKey: `/etc/appmesh/certs/${workload}-key.pem` } };
  }
  return { tls };
}

/** VirtualNode, VirtualService and VirtualRouter CRDs for every workload of the namespace. */
export function appMeshCrdDocuments(plan: AppMeshNamespacePlan, random: Random): object[] {
  const shapes = nodeShapes(plan, random);
  const meshRef = { name: plan.mesh, uid: plan.meshUid };
  const arnBase = `arn:aws:appmesh:${REGION}:${ACCOUNT}:mesh/${plan.mesh}`;
  const out: object[] = [];
  for (const [workload, shape] of shapes) {
    const listener: Record<string, unknown> = {
      portMapping: { port: shape.port, protocol: shape.protocol },
      healthCheck: { protocol: shape.protocol, path: '/healthz', healthyThreshold: 2, unhealthyThreshold: 2, timeoutMillis: 2000, intervalMillis: 5000 },
    };
    const tls = crdListenerTls(shape, workload, random);
    if (tls) listener.tls = tls;
    const labels = { app: workload, team: plan.team };
    out.push({
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualNode',
      metadata: { name: workload, namespace: plan.name, labels },
      spec: {
        podSelector: { matchLabels: { app: workload } },
        listeners: [listener],
        backends: shape.backends.map((b) => {
          const virtualService: Record<string, unknown> = { virtualServiceRef: { name: b.workload } };
          const policy = crdClientPolicy(b.client, workload);
          if (policy) virtualService.clientPolicy = policy;
          return { virtualService };
        }),
        serviceDiscovery: { dns: { hostname: shape.host } },
        logging: { accessLog: { file: { path: '/dev/stdout' } } },
        meshRef,
      },
      status: {
        virtualNodeARN: `${arnBase}/virtualNode/${awsName(plan, workload)}`,
        conditions: [{ type: 'VirtualNodeActive', status: 'True', lastTransitionTime: '2026-04-08T13:22:51Z' }],
        observedGeneration: random.int(1, 9),
      },
    });
    const router = `${workload}-router`;
    out.push({
      apiVersion: 'appmesh.k8s.aws/v1beta2',
      kind: 'VirtualService',
      metadata: { name: workload, namespace: plan.name, labels },
      spec: {
        awsName: shape.host,
        provider: shape.routed ? { virtualRouter: { virtualRouterRef: { name: router } } } : { virtualNode: { virtualNodeRef: { name: workload } } },
        meshRef,
      },
      status: { virtualServiceArn: `${arnBase}/virtualService/${shape.host}` },
    });
    if (shape.routed) {
      out.push({
        apiVersion: 'appmesh.k8s.aws/v1beta2',
        kind: 'VirtualRouter',
        metadata: { name: router, namespace: plan.name, labels },
        spec: {
          listeners: [{ portMapping: { port: shape.port, protocol: shape.protocol } }],
          routes: [
            {
              name: 'default',
              [shape.protocol === 'grpc' ? 'grpcRoute' : 'httpRoute']: {
                match: shape.protocol === 'grpc' ? { serviceName: shape.host } : { prefix: '/' },
                action: { weightedTargets: [{ virtualNodeRef: { name: workload }, weight: 100 }] },
              },
            },
          ],
          meshRef,
        },
      });
    }
  }
  return out;
}
