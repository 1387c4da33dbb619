import type { KubeObject, Located } from '../../core/model/inventory';
import type { SourceRef } from '../../core/model/types';
import { coercedLabelMap, labelMapAsIs, type Labels } from './labels';
import { nameOf, namespaceOf, objectKey } from './objectKey';
import { append } from './shortLists';
import { isTcp } from './portProtocol';

/**
 * The controller kinds the inputs carry, a Pod, or (for Pods whose controller is not among the
 * inputs) the owner's kind as the ownerReference gives it: ReplicaSet, Job, a CRD's kind.
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod' | (string & {});

/** The sidecar's container name, set by the injector (and by `istioctl kube-inject`). */
export const ISTIO_PROXY_CONTAINER = 'istio-proxy';

export interface ContainerPort {
  port: number;
  name?: string;
}

/**
 * A Deployment, StatefulSet, DaemonSet, Job, CronJob or standalone Pod, as the model sees it; or the Pods of
 * a controller the inputs do not include, as one workload named after that controller.
 */
export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** `<namespace>/<Kind>/<name>` */
  key: string;
  /** Labels of the pods (the template's for controllers): what selectors match. Read-only: often the inventory's own map. */
  podLabels: Readonly<Labels>;
  /** Read-only, like podLabels. */
  podAnnotations: Readonly<Record<string, string>>;
  /** The object's own labels overlaid with the pod labels, for ownership routing. */
  labels: Labels;
  /** Ports the application containers declare (the sidecar's own ports are left out). */
  containerPorts: ContainerPort[];
  /** True when the pod spec already carries an `istio-proxy` container (manual injection or a live Pod); for a Pod group, every Pod does. */
  declaresSidecar: boolean;
  /** True for a Pod read from a live cluster (it has a status): its containers are final. */
  live: boolean;
  /** `spec.hostNetwork: true`: neither the injector nor ztunnel touches such pods. */
  hostNetwork: boolean;
  source: SourceRef;
}

/** Reads a controller's pod template, or a standalone Pod. */
export function readWorkload(obj: Located<KubeObject>): Workload {
  const { doc, source } = obj;
  const kind = doc.kind as WorkloadKind;
  const isPod = kind === 'Pod';
  const template = isPod ? undefined : podTemplateOf(doc);
  const podMeta = (isPod ? doc.metadata : template?.metadata) ?? {};
  const podSpec = (isPod ? doc.spec : template?.spec) ?? {};
  // Pod labels and annotations are only read: no copy unless they need one.
  const podLabels = labelMapAsIs(podMeta.labels) ?? coercedLabelMap(podMeta.labels);
  const podAnnotations = labelMapAsIs(podMeta.annotations) ?? coercedLabelMap(podMeta.annotations);
  const namespace = namespaceOf(doc);
  const name = nameOf(doc);
  return {
    kind,
    name,
    namespace,
    key: objectKey(kind, namespace, name),
    podLabels,
    podAnnotations,
    labels: workloadLabels(doc.metadata?.labels, podLabels),
    containerPorts: containerPortsOf(podSpec),
    declaresSidecar: hasIstioProxy(podSpec, podAnnotations),
    live: isPod && doc.status !== undefined && doc.status !== null,
    hostNetwork: podSpec.hostNetwork === true,
    source,
  };
}

/** A controller's pod template: a CronJob keeps it in the template of the Jobs it makes. */
export function podTemplateOf(doc: KubeObject): any {
  return doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template : doc.spec?.template;
}

/** The field path of a pod annotation in a workload of `kind`, where podTemplateOf reads it (for a finding's line). */
export function podAnnotationPath(kind: string, annotation: string): string {
  const metadata = kind === 'Pod' ? 'metadata' : kind === 'CronJob' ? 'spec.jobTemplate.spec.template.metadata' : 'spec.template.metadata';
  return `${metadata}.annotations[${JSON.stringify(annotation)}]`;
}

/** An `istio-proxy` container (classic or native sidecar), or the injector's status annotation. */
export function hasIstioProxy(podSpec: any, annotations: Record<string, string>): boolean {
  if (annotations['sidecar.istio.io/status'] !== undefined) return true;
  return namesIstioProxy(podSpec?.containers, false) || namesIstioProxy(podSpec?.initContainers, true);
}

/** An init container is a sidecar only when native (`restartPolicy: Always`); otherwise it exits before the app starts. */
function namesIstioProxy(containers: unknown, nativeOnly: boolean): boolean {
  if (!Array.isArray(containers)) return false;
  for (const c of containers) if (c?.name === ISTIO_PROXY_CONTAINER && (!nativeOnly || c?.restartPolicy === 'Always')) return true;
  return false;
}

/**
 * The object's own labels overlaid with the pod labels. A clean label map is copied with a
 * spread, which copies the object's shape at once; anything else goes through `coercedLabelMap`,
 * which stringifies odd values, and then gets the same overlay.
 */
function workloadLabels(raw: unknown, podLabels: Readonly<Labels>): Labels {
  const own = labelMapAsIs(raw);
  if (own) return { ...own, ...podLabels };
  const labels = coercedLabelMap(raw);
  for (const key in podLabels) labels[key] = podLabels[key]!;
  return labels;
}

function containerPortsOf(podSpec: any): ContainerPort[] {
  let out: ContainerPort[] | undefined;
  const containers = Array.isArray(podSpec?.containers) ? podSpec.containers : [];
  for (let c = 0; c < containers.length; c++) {
    const container = containers[c];
    if (container?.name === ISTIO_PROXY_CONTAINER || !Array.isArray(container?.ports)) continue;
    const ports = container.ports;
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      const port = Number(p?.containerPort);
      if (!Number.isInteger(port) || port < 1 || port > 65535 || !isTcp(p)) continue;
      out = append(out, typeof p.name === 'string' ? { port, name: p.name } : { port });
    }
  }
  return out ?? [];
}

/**
 * The controller among the inputs (`controllers`, by key) that a Pod belongs to, from its
 * first controller ownerReference: a ReplicaSet `<deployment>-<pod-template-hash>` belongs to
 * the Deployment; StatefulSets, DaemonSets and Jobs own their pods directly; a Job named
 * `<cronjob>-<minutes since the epoch>` (the CronJob controller's name for it) stands for its
 * CronJob when the inputs hold that and not the Job. Without it, see `podOwnerOf`.
 */
export function ownerWorkloadKey(pod: KubeObject, controllers: ReadonlySet<string>): string | undefined {
  const key = ownerKey(pod);
  if (key === undefined || controllers.has(key)) return key;
  const cron = cronJobKeyOf(key);
  return cron !== undefined && controllers.has(cron) ? cron : key;
}

/** The key of the CronJob that made a Job (its controller ownerReference), else undefined. */
export function cronJobOwnerKey(job: KubeObject): string | undefined {
  const refs = job.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.find((r: any) => r?.controller === true);
  return ref?.kind === 'CronJob' && typeof ref.name === 'string' ? objectKey('CronJob', namespaceOf(job), ref.name) : undefined;
}

/** `ns/CronJob/<name>` for a key `ns/Job/<name>-<digits>`, else undefined. */
function cronJobKeyOf(jobKey: string): string | undefined {
  const marker = jobKey.indexOf('/Job/');
  const dash = jobKey.lastIndexOf('-');
  if (marker < 0 || dash <= marker + 5 || dash === jobKey.length - 1) return undefined;
  for (let i = dash + 1; i < jobKey.length; i++) {
    const c = jobKey.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return `${jobKey.slice(0, marker)}/CronJob/${jobKey.slice(marker + 5, dash)}`;
}

function ownerKey(pod: KubeObject): string | undefined {
  const refs = pod.metadata?.ownerReferences;
  if (!Array.isArray(refs) || refs.length === 0) return undefined;
  const ref = refs.find((r: any) => r?.controller === true) ?? refs[0];
  const namespace = namespaceOf(pod);
  if (typeof ref?.name !== 'string') return undefined;
  switch (ref.kind) {
    case 'ReplicaSet': {
      const dash = ref.name.lastIndexOf('-');
      return dash > 0 ? objectKey('Deployment', namespace, ref.name.slice(0, dash)) : undefined;
    }
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return objectKey(ref.kind, namespace, ref.name);
    default:
      return undefined;
  }
}

/** The Pods' workload when their controller is not among the inputs: who a person would fix. */
export interface PodOwner {
  kind: string;
  name: string;
}

/**
 * Labels the controllers stamp on each Pod or revision (`pod-template-hash`,
 * `controller-revision-hash`, a StatefulSet pod's own name and index, …): they differ between
 * Pods of one workload, so a group keeps the labels its template gave.
 */
const PER_POD_LABELS = [
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/job-completion-index',
];

/**
 * The workload a Pod belongs to when its controller (the ownerReference with `controller:
 * true`) is not among the inputs. A ReplicaSet named `<deployment>-<pod-template-hash>` stands
 * for its Deployment; any other owner is named as it is. Undefined without a controller.
 */
export function podOwnerOf(pod: KubeObject): PodOwner | undefined {
  const refs = pod.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.find((r: any) => r?.controller === true);
  if (typeof ref?.kind !== 'string' || ref.kind === '' || typeof ref.name !== 'string' || ref.name === '') return undefined;
  if (ref.kind === 'Job') {
    // A CronJob's run: each gets a new name, so the CronJob is the one workload across runs.
    const cronJob = cronJobNameOfRun(ref.name);
    if (cronJob !== undefined) return { kind: 'CronJob', name: cronJob };
  }
  if (ref.kind === 'ReplicaSet') {
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    const suffix = `-${hash}`;
    // Only the hash the Deployment controller appended proves the ReplicaSet is a Deployment's.
    if (typeof hash === 'string' && hash !== '' && ref.name.length > suffix.length && ref.name.endsWith(suffix)) {
      return { kind: 'Deployment', name: ref.name.slice(0, -suffix.length) };
    }
  }
  return { kind: ref.kind, name: ref.name };
}

/**
 * `<cronjob>` for a Job named `<cronjob>-<scheduled time in minutes since the epoch>`, the name
 * the CronJob controller gives each run (8 digits and more since 1990), else undefined.
 */
export function cronJobNameOfRun(jobName: string): string | undefined {
  const match = /^(.+)-(\d{8,})$/.exec(jobName);
  return match ? match[1] : undefined;
}

/** Labels the Job controller stamps on each run's pod template: they differ between a CronJob's runs. */
const PER_RUN_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];

/** The first Pod (or Job run) of a group whose controller the inputs lack, read as that controller's workload. */
export function readPodGroup(pod: Located<KubeObject>, owner: PodOwner): Workload {
  const workload = readWorkload(pod);
  const podLabels = withoutPerPodLabels(workload.podLabels, owner.kind === 'CronJob');
  workload.kind = owner.kind;
  workload.name = owner.name;
  workload.key = objectKey(owner.kind, workload.namespace, owner.name);
  workload.podLabels = podLabels;
  workload.labels = { ...podLabels };
  return workload;
}

/** Adds another Pod of the group: its ports, and whether it too has a sidecar and a status (only what can differ between Pods is read). */
export function addToPodGroup(workload: Workload, pod: Located<KubeObject>): void {
  const { doc } = pod;
  for (const p of containerPortsOf(doc.spec)) {
    // Pods of two ReplicaSets (a rollout) may differ; each port and name is kept once.
    if (!workload.containerPorts.some((q) => q.port === p.port && q.name === p.name)) workload.containerPorts = append(workload.containerPorts, p);
  }
  const annotations = doc.metadata?.annotations;
  workload.declaresSidecar &&= hasIstioProxy(doc.spec, labelMapAsIs(annotations) ?? coercedLabelMap(annotations));
  workload.live ||= doc.status !== undefined && doc.status !== null;
}

function withoutPerPodLabels(labels: Readonly<Labels>, acrossRuns: boolean): Readonly<Labels> {
  const varying = acrossRuns ? [...PER_POD_LABELS, ...PER_RUN_LABELS] : PER_POD_LABELS;
  if (!varying.some((l) => labels[l] !== undefined)) return labels;
  const out: Labels = { ...labels };
  for (const l of varying) delete out[l];
  return out;
}

export function hasOwner(pod: KubeObject): boolean {
  const refs = pod.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.length > 0;
}

/**
 * A Pod that serves no traffic: phase `Succeeded` or `Failed` (every container terminated, e.g.
 * evicted or a finished Job run, kept until terminated-pod GC) or being deleted. It is no
 * evidence of its controller's sidecar, nor a workload of its own.
 */
export function isTerminatedPod(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const deletion = pod.metadata?.deletionTimestamp;
  return deletion !== undefined && deletion !== null;
}
