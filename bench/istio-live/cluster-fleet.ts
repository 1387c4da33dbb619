/**
 * The Istio fleet of the live benchmark, as objects a cluster would hold: the control plane
 * (MeshConfig, mesh-wide STRICT), then `namespaces` namespaces of 20 workloads each, rendered
 * by the file benchmark's generator (bench/fleet/istio-namespace.ts: Deployments and
 * StatefulSets, Services, PeerAuthentications, DestinationRules, ServiceEntries), plus the
 * running Pods of every workload as the ReplicaSet / StatefulSet controllers and the sidecar
 * injector leave them. The same seed gives the same objects.
 */
import { istioNamespaceDocuments, type IstioNamespacePlan } from '../fleet/istio-namespace';
import { DOMAINS, ROLES } from '../fleet/names';
import { createRandom, type Random } from '../fleet/random';

export interface ClusterObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: any;
}

export interface ClusterFleet {
  /** Per namespace, its objects (istio-system first). */
  namespaces: { name: string; objects: ClusterObject[] }[];
  counts: Record<string, number>;
}

const WORKLOADS_PER_NAMESPACE = 20;
const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.24.2';

export function generateClusterFleet(namespaceCount: number, seed = 7): ClusterFleet {
  const random = createRandom(seed);
  const namespaces: ClusterFleet['namespaces'] = [{ name: 'istio-system', objects: controlPlane() }];
  for (let i = 0; i < namespaceCount; i++) {
    const domain = DOMAINS[i % DOMAINS.length]!;
    const name = `${domain}-${Math.floor(i / DOMAINS.length) + 1}`;
    const roll = random.next();
    const plan: IstioNamespacePlan = {
      name,
      team: domain,
      workloads: random.shuffle(ROLES).slice(0, WORKLOADS_PER_NAMESPACE).map((role) => `${domain}-${role}`),
      injection: roll < 0.04 ? 'none' : roll < 0.34 ? 'revision' : 'label',
    };
    const docs = istioNamespaceDocuments(plan, random);
    const objects = [...docs.workloads, ...docs.policy] as ClusterObject[];
    for (const controller of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      objects.push(...podsOf(controller, plan, random));
    }
    namespaces.push({ name, objects });
  }
  const counts: Record<string, number> = {};
  for (const ns of namespaces) for (const o of ns.objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return { namespaces, counts };
}

function controlPlane(): ClusterObject[] {
  const mesh = ['accessLogFile: /dev/stdout', 'defaultConfig:', '  discoveryAddress: istiod.istio-system.svc:15012', 'enableAutoMtls: true', 'rootNamespace: istio-system', 'trustDomain: cluster.local', ''].join('\n');
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { team: 'platform' } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system', labels: { 'istio.io/rev': 'default' } }, data: { mesh, meshNetworks: 'networks: {}' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-1-24', namespace: 'istio-system', labels: { 'istio.io/rev': '1-24' } }, data: { mesh, meshNetworks: 'networks: {}' } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
  ];
}

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function token(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HASH_ALPHABET[Math.floor(random.next() * HASH_ALPHABET.length)];
  return out;
}

/** The controller's running pods: its template with the injector's sidecar when the namespace or pod asks for one. */
function podsOf(controller: ClusterObject, plan: IstioNamespacePlan, random: Random): ClusterObject[] {
  const template = controller['spec'].template;
  const labels: Record<string, string> = template.metadata?.labels ?? {};
  const injected = plan.injection !== 'none' && labels['sidecar.istio.io/inject'] !== 'false';
  const name = controller.metadata.name;
  const stateful = controller.kind === 'StatefulSet';
  const hash = token(random, 10);
  const replicas: number = controller['spec'].replicas ?? 1;
  const pods: ClusterObject[] = [];
  for (let i = 0; i < replicas; i++) {
    const podName = stateful ? `${name}-${i}` : `${name}-${hash}-${token(random, 5)}`;
    const containers = [...template.spec.containers];
    const annotations: Record<string, string> = { ...(template.metadata?.annotations ?? {}) };
    const podLabels: Record<string, string> = { ...labels, ...(stateful ? { 'statefulset.kubernetes.io/pod-name': podName } : { 'pod-template-hash': hash }) };
    const spec: Record<string, unknown> = { ...template.spec, nodeName: `gke-prod-gke-default-pool-${token(random, 8)}-${token(random, 4)}` };
    if (injected) {
      containers.push({
        name: 'istio-proxy',
        image: PROXY_IMAGE,
        args: ['proxy', 'sidecar', '--domain', `${plan.name}.svc.cluster.local`, '--proxyLogLevel=warning'],
        ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } },
        readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15 },
      });
      spec['initContainers'] = [{ name: 'istio-init', image: PROXY_IMAGE, args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337'] }];
      annotations['sidecar.istio.io/status'] = JSON.stringify({ initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: ['istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'], imagePullSecrets: null, revision: plan.injection === 'revision' ? '1-24' : 'default' });
      podLabels['security.istio.io/tlsMode'] = 'istio';
      podLabels['service.istio.io/canonical-name'] = name;
    }
    spec['containers'] = containers;
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: plan.name,
        labels: podLabels,
        annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: stateful ? 'StatefulSet' : 'ReplicaSet', name: stateful ? name : `${name}-${hash}`, uid: random.uuid(), controller: true, blockOwnerDeletion: true }],
      },
      spec,
      status: {
        phase: 'Running',
        podIP: `10.${random.int(40, 63)}.${random.int(0, 255)}.${random.int(2, 254)}`,
        qosClass: 'Burstable',
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: '2026-11-02T08:14:11Z' })),
        containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: true, restartCount: 0, started: true, state: { running: { startedAt: '2026-11-02T08:14:20Z' } } })),
      },
    });
  }
  return pods;
}
