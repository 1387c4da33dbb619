import { IMAGE_REGISTRY } from './names';
import type { Random } from './random';

/** One Istio namespace of the generated fleet and how it joins the mesh. */
export interface IstioNamespacePlan {
  name: string;
  team: string;
  workloads: string[];
  /** `label`: istio-injection=enabled; `revision`: istio.io/rev=1-24; `none`: outside the mesh. */
  injection: 'label' | 'revision' | 'none';
}

export interface IstioNamespaceDocuments {
  /** Namespace, Deployments / StatefulSets and Services, as a Helm chart renders them. */
  workloads: object[];
  /** PeerAuthentications, DestinationRules and ServiceEntries, kept in a separate mesh-policy repo. */
  policy: object[];
}

const METRICS_PORT = 9090;

/**
 * The Kubernetes and Istio objects of one namespace, with the mix of settings a large real
 * fleet has: mostly STRICT, some PERMISSIVE namespaces, metrics ports opened with
 * portLevelMtls, a few DestinationRules that DISABLE or SIMPLE-TLS an in-mesh host.
 */
export function istioNamespaceDocuments(plan: IstioNamespacePlan, random: Random): IstioNamespaceDocuments {
  const workloads: object[] = [namespaceObject(plan)];
  const policy: object[] = [];
  if (plan.injection !== 'none' && random.chance(0.7)) {
    policy.push(peerAuthentication(plan.name, 'default', random.chance(0.8) ? 'STRICT' : 'PERMISSIVE', random));
  }
  for (const name of plan.workloads) {
    const shape = workloadShape(random);
    workloads.push(shape.stateful ? statefulSet(plan, name, shape, random) : deployment(plan, name, shape, random));
    workloads.push(service(plan, name, shape));
    if (shape.metrics && random.chance(0.4)) policy.push(metricsPortPolicy(plan.name, name, random));
    else if (random.chance(0.05)) policy.push(workloadPolicy(plan.name, name, 'PERMISSIVE', random));
    if (random.chance(0.25)) policy.push(destinationRule(plan.name, name, shape, random));
  }
  if (random.chance(0.2)) policy.push(...externalService(plan.name, random));
  return { workloads, policy };
}

interface WorkloadShape {
  stateful: boolean;
  protocol: 'http' | 'grpc';
  port: number;
  metrics: boolean;
  replicas: number;
}

function workloadShape(random: Random): WorkloadShape {
  const grpc = random.chance(0.15);
  return {
    stateful: random.chance(0.15),
    protocol: grpc ? 'grpc' : 'http',
    port: grpc ? 7070 : 8080,
    metrics: random.chance(0.35),
    replicas: random.int(1, 6),
  };
}

function namespaceObject(plan: IstioNamespacePlan): object {
  const labels: Record<string, string> = { team: plan.team, 'kubernetes.io/metadata.name': plan.name };
  if (plan.injection === 'label') labels['istio-injection'] = 'enabled';
  if (plan.injection === 'revision') labels['istio.io/rev'] = '1-24';
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.name, labels } };
}

function commonLabels(plan: IstioNamespacePlan, name: string): Record<string, string> {
  return {
    app: name,
    team: plan.team,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': plan.name,
    'app.kubernetes.io/managed-by': 'Helm',
    'helm.sh/chart': `service-${plan.team}-2.${name.length % 7}.0`,
  };
}

function podTemplate(plan: IstioNamespacePlan, name: string, shape: WorkloadShape, random: Random): object {
  const ports: object[] = [{ name: shape.protocol, containerPort: shape.port, protocol: 'TCP' }];
  if (shape.metrics) ports.push({ name: 'http-metrics', containerPort: METRICS_PORT, protocol: 'TCP' });
  const annotations: Record<string, string> = {};
  if (shape.metrics) {
    annotations['prometheus.io/scrape'] = 'true';
    annotations['prometheus.io/port'] = String(METRICS_PORT);
  }
  const labels: Record<string, string> = { app: name, version: `v${random.int(1, 9)}`, team: plan.team };
  if (plan.injection !== 'none' && random.chance(0.01)) labels['sidecar.istio.io/inject'] = 'false';
  const probe =
    shape.protocol === 'grpc'
      ? { grpc: { port: shape.port }, periodSeconds: 10 }
      : { httpGet: { path: '/healthz', port: shape.protocol }, periodSeconds: 10 };
  return {
    metadata: shape.metrics ? { labels, annotations } : { labels },
    spec: {
      serviceAccountName: name,
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name,
          image: `${IMAGE_REGISTRY}/${plan.team}/${name}:${random.int(1, 9)}.${random.int(0, 30)}.${random.int(0, 12)}`,
          imagePullPolicy: 'IfNotPresent',
          ports,
          env: [
            { name: 'LOG_LEVEL', value: random.pick(['info', 'warn', 'debug']) },
            { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc.cluster.local:4317' },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'UPSTREAM_URL', value: `http://${random.pick(plan.workloads)}.${plan.name}.svc.cluster.local:8080` },
          ],
          resources: {
            requests: { cpu: `${random.int(1, 8) * 50}m`, memory: `${random.int(1, 8) * 64}Mi` },
            limits: { memory: `${random.int(2, 16) * 64}Mi` },
          },
          readinessProbe: probe,
          livenessProbe: { ...probe, initialDelaySeconds: 15 },
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
        },
      ],
    },
  };
}

function deployment(plan: IstioNamespacePlan, name: string, shape: WorkloadShape, random: Random): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: plan.name, labels: commonLabels(plan, name) },
    spec: {
      replicas: shape.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: podTemplate(plan, name, shape, random),
    },
  };
}

function statefulSet(plan: IstioNamespacePlan, name: string, shape: WorkloadShape, random: Random): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: plan.name, labels: commonLabels(plan, name) },
    spec: {
      serviceName: name,
      replicas: shape.replicas,
      selector: { matchLabels: { app: name } },
      template: podTemplate(plan, name, shape, random),
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${random.int(1, 20) * 5}Gi` } } },
        },
      ],
    },
  };
}

function service(plan: IstioNamespacePlan, name: string, shape: WorkloadShape): object {
  const ports: object[] = [
    { name: shape.protocol, port: shape.protocol === 'http' ? 80 : shape.port, targetPort: shape.protocol, protocol: 'TCP' },
  ];
  if (shape.metrics) ports.push({ name: 'http-metrics', port: METRICS_PORT, targetPort: 'http-metrics', protocol: 'TCP' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: plan.name, labels: { app: name, team: plan.team } },
    spec: { type: 'ClusterIP', selector: { app: name }, ports },
  };
}

function securityApiVersion(random: Random): string {
  return random.chance(0.7) ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
}

function networkingApiVersion(random: Random): string {
  return random.pick(['networking.istio.io/v1', 'networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']);
}

function peerAuthentication(namespace: string, name: string, mode: string, random: Random): object {
  return {
    apiVersion: securityApiVersion(random),
    kind: 'PeerAuthentication',
    metadata: { name, namespace },
    spec: { mtls: { mode } },
  };
}

function workloadPolicy(namespace: string, workload: string, mode: string, random: Random): object {
  return {
    apiVersion: securityApiVersion(random),
    kind: 'PeerAuthentication',
    metadata: { name: workload, namespace },
    spec: { selector: { matchLabels: { app: workload } }, mtls: { mode } },
  };
}

/** Prometheus scrapes from outside the mesh: the metrics port alone accepts plaintext. */
function metricsPortPolicy(namespace: string, workload: string, random: Random): object {
  return {
    apiVersion: securityApiVersion(random),
    kind: 'PeerAuthentication',
    metadata: { name: `${workload}-metrics`, namespace },
    spec: {
      selector: { matchLabels: { app: workload } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { [METRICS_PORT]: { mode: 'DISABLE' } },
    },
  };
}

function destinationRule(namespace: string, workload: string, shape: WorkloadShape, random: Random): object {
  const roll = random.next();
  const mode = roll < 0.84 ? 'ISTIO_MUTUAL' : roll < 0.92 ? 'DISABLE' : 'SIMPLE';
  const tls: Record<string, string> = { mode };
  if (mode === 'SIMPLE') tls.sni = `${workload}.${namespace}.svc.cluster.local`;
  const spec: Record<string, unknown> = {
    host: `${workload}.${namespace}.svc.cluster.local`,
    trafficPolicy: {
      tls,
      connectionPool: { http: { http2MaxRequests: 1000, maxRequestsPerConnection: 100 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '60s' },
    },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  };
  if (shape.metrics && random.chance(0.2)) {
    (spec.trafficPolicy as Record<string, unknown>).portLevelSettings = [{ port: { number: METRICS_PORT }, tls: { mode: 'DISABLE' } }];
  }
  return { apiVersion: networkingApiVersion(random), kind: 'DestinationRule', metadata: { name: workload, namespace }, spec };
}

function externalService(namespace: string, random: Random): object[] {
  const vendor = random.pick(['payment-processor', 'geo', 'sms-gateway', 'tax-rates', 'fx-rates']);
  const host = `api.${vendor}.example.com`;
  return [
    {
      apiVersion: networkingApiVersion(random),
      kind: 'ServiceEntry',
      metadata: { name: vendor, namespace },
      spec: {
        hosts: [host],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [
          { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
          { number: 443, name: 'https-port', protocol: 'HTTPS' },
        ],
      },
    },
    {
      apiVersion: networkingApiVersion(random),
      kind: 'DestinationRule',
      metadata: { name: vendor, namespace },
      spec: { host, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: host } }] } },
    },
  ];
}
