import { isRecord } from '../../core/is-record';
import { apiGroupOf, type AppMeshApiObject, type KubeObject } from '../../core/model/inventory';
import type { FieldPath } from './first-difference';
import { certificateKeysOfSecret } from '../x509/kubernetes-sources';

/**
 * What meshgov reads of an object, laid out at the object's own field paths, so that two copies
 * of it (a rendered manifest and a `kubectl get -o yaml` export) compare equal when meshgov would
 * audit them alike, and a difference is named at the field a person would edit. The API server's
 * defaults that an export adds (`protocol: TCP`, `dnsPolicy`, `clusterIP`), and what the server
 * and deploy tools write into metadata, are left out.
 */
export function auditedKubernetesContent(doc: KubeObject): Record<string, unknown> {
  const metadata = auditedMetadata(doc);
  const group = apiGroupOf(doc.apiVersion);
  if (MESH_GROUPS.some((g) => group === g || group.endsWith(`.${g}`))) {
    // Istio, App Mesh and cert-manager objects: meshgov reads their whole spec (and a Certificate's dates).
    return { metadata, spec: doc.spec, ...(doc.kind === 'Certificate' ? { status: doc.status } : {}) };
  }
  if (group === '' || group === 'apps' || group === 'batch') {
    const template = podTemplateOf(doc);
    if (template) return { metadata, ...template };
    if (doc.kind === 'Service') return { metadata, spec: auditedServiceSpec(doc.spec) };
    // Of a Secret, only the certificates: its labels say nothing meshgov reads, and its keys are never compared or shown.
    if (doc.kind === 'Secret') return { type: doc.type ?? 'Opaque', data: secretCertificates(doc) };
    if (doc.kind === 'ConfigMap') return { metadata, data: doc.data, binaryData: doc['binaryData'] };
    if (doc.kind === 'Namespace') return { metadata };
  }
  return keptKubernetesContent(doc);
}

/** Istio's, App Mesh's and cert-manager's API groups (Istio's are `*.istio.io`). */
const MESH_GROUPS = ['istio.io', 'appmesh.k8s.aws', 'cert-manager.io'];

/**
 * Fields that count only when both copies have them: the App Mesh controller fills `awsName`
 * and `meshRef` into a VirtualNode a manifest left them out of, and a manifest never has the
 * status an export has.
 */
export const ONE_SIDED_KUBERNETES_FIELDS: readonly FieldPath[] = [['spec', 'awsName'], ['spec', 'meshRef'], ['status']];

/** The object less status and what only the server and tools write: any difference left is at least worth a note. */
export function keptKubernetesContent(doc: KubeObject): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.metadata ?? {})) {
    if (SERVER_SET_METADATA.has(key)) continue;
    metadata[key] = key === 'annotations' ? withoutLastApplied(value) : value;
  }
  // The version is left out: v1beta1 and v1 of one PeerAuthentication are one object.
  const { status, metadata: _metadata, apiVersion: _version, ...rest } = doc;
  return { ...rest, metadata, ...(doc.kind === 'Certificate' ? { status } : {}) };
}

/** App Mesh API objects: the spec, and whether the object is deleted (meshgov skips a DELETED one). */
export function auditedAppMeshContent(object: AppMeshApiObject): Record<string, unknown> {
  const data = object.data as { spec?: unknown; status?: { status?: unknown } } | undefined;
  return { spec: data?.spec, status: data?.status === undefined ? undefined : { status: data.status.status } };
}

/** Metadata fields the API server sets, or that record the object's history rather than its content. */
const SERVER_SET_METADATA = new Set([
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
  'finalizers',
]);

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The annotations less kubectl's copy of the manifest; none left is no annotations. */
function withoutLastApplied(annotations: unknown): unknown {
  if (!isRecord(annotations)) return annotations;
  const { [LAST_APPLIED]: _applied, ...rest } = annotations;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** Labels the API server or a controller adds: `kubernetes.io/metadata.name` on every Namespace, the hashes on pods. */
const SERVER_SET_LABELS = new Set(['kubernetes.io/metadata.name', 'pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name']);

/** Annotations of deploy tools and controllers (Helm's release, kubectl's history, a Deployment's revision), none of which meshgov reads. */
const TOOL_ANNOTATION_PREFIXES = ['kubectl.kubernetes.io/', 'meta.helm.sh/', 'deployment.kubernetes.io/', 'argocd.argoproj.io/', 'kustomize.toolkit.fluxcd.io/', 'helm.toolkit.fluxcd.io/'];

function auditedMetadata(doc: { metadata?: { labels?: unknown; annotations?: unknown } }): Record<string, unknown> {
  const labels = filtered(doc.metadata?.labels, (k) => !SERVER_SET_LABELS.has(k));
  const annotations = filtered(doc.metadata?.annotations, (k) => !TOOL_ANNOTATION_PREFIXES.some((p) => k.startsWith(p)));
  return { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
}

/** The map with only the keys kept; undefined when none is left, as no map at all says the same. */
function filtered(map: unknown, keep: (key: string) => boolean): Record<string, unknown> | undefined {
  if (!isRecord(map)) return map === undefined || map === null ? undefined : { value: map };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) if (keep(k)) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A workload's pod template as meshgov reads it (labels, annotations, container ports and
 * probes, host networking) at its path in the object: a CronJob keeps it under `jobTemplate`.
 */
function podTemplateOf(doc: KubeObject): Record<string, unknown> | undefined {
  const spec = doc.spec as Record<string, unknown> | undefined;
  switch (doc.kind) {
    case 'Pod':
      return { spec: auditedPodSpec(spec) };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return { spec: { selector: spec?.selector, template: auditedTemplate(spec?.template) } };
    case 'CronJob': {
      const job = (spec?.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec;
      return { spec: { jobTemplate: { spec: { selector: job?.selector, template: auditedTemplate(job?.template) } } } };
    }
    default:
      return undefined;
  }
}

function auditedTemplate(template: unknown): Record<string, unknown> | undefined {
  if (!isRecord(template)) return undefined;
  return { metadata: auditedMetadata(template), spec: auditedPodSpec(template.spec as Record<string, unknown> | undefined) };
}

function auditedPodSpec(spec: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!spec) return undefined;
  return { hostNetwork: spec.hostNetwork === true, containers: auditedContainers(spec.containers), initContainers: auditedContainers(spec.initContainers) };
}

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

function auditedContainers(containers: unknown): unknown {
  if (!Array.isArray(containers)) return containers;
  return containers.map((c) => {
    if (!isRecord(c)) return c;
    const out: Record<string, unknown> = { name: c.name, ports: withDefaultProtocol(c.ports) };
    // A native sidecar (an init container that keeps running) serves like a container.
    if (c.restartPolicy !== undefined) out.restartPolicy = c.restartPolicy;
    // Of a probe, meshgov reads the port the kubelet calls; the server fills in its timings and scheme.
    for (const probe of PROBES) if (isRecord(c[probe])) out[probe] = probedPort(c[probe]);
    return out;
  });
}

function probedPort(probe: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
    const h = probe[handler];
    if (isRecord(h)) out[handler] = { port: h.port };
  }
  return out;
}

function auditedServiceSpec(spec: unknown): Record<string, unknown> | undefined {
  if (!isRecord(spec)) return undefined;
  return {
    selector: spec.selector,
    // A Service port without targetPort sends to the same port, as an export then spells out.
    ports: withDefaultProtocol(Array.isArray(spec.ports) ? spec.ports.map((p) => (isRecord(p) ? { ...p, targetPort: p.targetPort ?? p.port } : p)) : spec.ports),
    type: spec.type ?? 'ClusterIP',
    externalName: spec.externalName,
    // A headless Service is read as such; the address of any other is the server's choice.
    headless: spec.clusterIP === 'None',
  };
}

/** Ports with the protocol the API server defaults to TCP, as an export shows it and a manifest leaves it out. */
function withDefaultProtocol(ports: unknown): unknown {
  if (!Array.isArray(ports)) return ports;
  return ports.map((p) => (isRecord(p) ? { ...p, protocol: p.protocol ?? 'TCP' } : p));
}

/** The certificate keys of a Secret, with `stringData` folded in as the API server stores it (base64). */
function secretCertificates(doc: KubeObject): Record<string, unknown> | undefined {
  const keys = certificateKeysOfSecret(doc)?.keys;
  if (keys === undefined) return undefined;
  const stringData = isRecord(doc.stringData) ? doc.stringData : undefined;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const plain = stringData?.[key];
    const value = typeof plain === 'string' ? Buffer.from(plain, 'utf8').toString('base64') : doc.data?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
