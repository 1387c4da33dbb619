import type { KubeObject, Located } from '../../core/model/inventory';
import type { SourceRef } from '../../core/model/types';
import type { Labels } from './labels';
import { coercedLabelMap } from './labels';
import { nameOf } from './objectKey';
import { labelSelectorMatches } from '../appmesh/label-selector';
import type { LabelSelector } from '../appmesh/types';
import type { Workload } from './workloads';

/**
 * How the sidecar injector treats a namespace (Istio's MutatingWebhookConfiguration selectors):
 * `istio-injection=enabled` or an `istio.io/rev` label injects, `istio-injection=disabled` never
 * does, and without either label only pods that opt in with a label are injected. Any other
 * `istio-injection` value (`true`, `Enabled`) is `unread`: `namespace.sidecar-injector` wants
 * `enabled`, and the revision and object webhooks want no `istio-injection` label at all, so none fires.
 */
export type NamespaceInjection = 'enabled' | 'revision' | 'disabled' | 'unread' | 'not-labelled' | 'no-object';

export interface NamespaceInfo {
  name: string;
  injection: NamespaceInjection;
  labels: Labels;
  /** True when App Mesh (EKS) owns the namespace: Istio leaves it alone. */
  appMesh: boolean;
  /** `istio.io/dataplane-mode=ambient`: ztunnel, not a sidecar, puts its pods in the mesh. */
  ambient: boolean;
  source?: SourceRef;
}

const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** The App Mesh controller's injector webhook selects namespaces on this label. */
const APP_MESH_INJECTOR_LABEL = 'appmesh.k8s.aws/sidecarInjectorWebhook';
/** The label App Mesh's own examples put in a Mesh's `namespaceSelector`. */
const APP_MESH_MESH_LABEL = 'mesh';

/**
 * Reads a Namespace. `appMeshSelectors`, the `namespaceSelector`s of the App Mesh Mesh objects
 * among the inputs, decide which namespaces a Mesh claims; without any, a `mesh` label is taken
 * for one (the usual selector).
 */
export function readNamespace(obj: Located<KubeObject>, appMeshSelectors: readonly LabelSelector[] = []): NamespaceInfo {
  // One unquoted value (`cost-center: 1234`) is read as its string, as the file source's report of it says, and the other labels stay.
  const labels = coercedLabelMap(obj.doc.metadata?.labels);
  const injection = namespaceInjection(labels);
  const ambient = labels[DATAPLANE_MODE] === 'ambient';
  return {
    name: nameOf(obj.doc),
    injection,
    labels,
    appMesh: ownedByAppMesh(labels, injection, ambient, appMeshSelectors),
    ambient,
    source: obj.source,
  };
}

/**
 * Whether App Mesh owns the namespace. Istio's own enrolment (`istio-injection=enabled`, an
 * `istio.io/rev` label, ambient) wins: a generic `mesh: istio` label must not hide it from the audit.
 */
function ownedByAppMesh(labels: Labels, injection: NamespaceInjection, ambient: boolean, selectors: readonly LabelSelector[]): boolean {
  if (injection === 'enabled' || injection === 'revision' || ambient) return false;
  if (labels[APP_MESH_INJECTOR_LABEL] !== undefined) return true;
  if (selectors.length > 0) return selectors.some((s) => labelSelectorMatches(s, labels));
  return labels[APP_MESH_MESH_LABEL] !== undefined;
}

/** A namespace the inputs do not describe: Istio's defaults put it in the mesh. */
export function unknownNamespace(name: string): NamespaceInfo {
  return { name, injection: 'no-object', labels: {}, appMesh: false, ambient: false };
}

function namespaceInjection(labels: Labels): NamespaceInjection {
  const legacy = labels['istio-injection'];
  // Istio: istio-injection=disabled wins over a revision label.
  if (legacy === 'disabled') return 'disabled';
  if (legacy === 'enabled') return 'enabled';
  // Every other webhook selects `istio-injection DoesNotExist`: an unread value blocks them all.
  if (legacy !== undefined) return 'unread';
  if (labels['istio.io/rev'] !== undefined) return 'revision';
  return 'not-labelled';
}

/** Whether the injector gives the namespace's pods sidecars. */
export function namespaceInjects(ns: NamespaceInfo): boolean {
  return ns.injection === 'enabled' || ns.injection === 'revision' || ns.injection === 'no-object';
}

export function namespaceInMesh(ns: NamespaceInfo): boolean {
  return namespaceInjects(ns) || ns.ambient;
}

export function namespaceOutsideReason(ns: NamespaceInfo): string {
  if (ns.injection === 'disabled') return `namespace ${ns.name} has label istio-injection=disabled, so no sidecar is injected, and no ${DATAPLANE_MODE}=ambient label`;
  const unread = unreadInjectionLabel(ns);
  if (unread !== undefined) {
    const revision = ns.labels['istio.io/rev'];
    const blocked = revision !== undefined ? `its istio.io/rev=${revision} label and pods' own opt-in labels` : "pods' own opt-in labels (sidecar.istio.io/inject, istio.io/rev)";
    return `namespace ${ns.name} has label istio-injection=${JSON.stringify(unread)}, which the injector does not read as "enabled" (it matches that exact, lowercase value); while the label is there, the webhooks that would inject by ${blocked} are skipped too (they require no istio-injection label), and it has no ${DATAPLANE_MODE}=ambient, so no sidecar or ztunnel serves it`;
  }
  return `namespace ${ns.name} has neither istio-injection=enabled, an istio.io/rev label nor ${DATAPLANE_MODE}=ambient, so no sidecar or ztunnel serves it`;
}

/**
 * The value of an `istio-injection` label no injector webhook reads (`Enabled`, `true`): it is
 * not `enabled`, and its mere presence turns away the revision and object webhooks.
 */
export function unreadInjectionLabel(ns: NamespaceInfo): string | undefined {
  return ns.injection === 'unread' ? ns.labels['istio-injection'] : undefined;
}

/** What the running pods of a controller (or of a Pod group whose controller the inputs lack) show. */
export interface PodEvidence {
  podName: string;
  hasSidecar: boolean;
}

export interface WorkloadMembership {
  inMesh: boolean;
  reason: string;
  /** True when the workload itself (not its namespace) is the reason it is outside the mesh. */
  ownEntry: boolean;
  /** In the mesh through ztunnel (ambient mode) rather than a sidecar. */
  ambient?: boolean;
}

// The answers that do not name the workload, shared: most workloads of a fleet get one of them.
const SIDECAR_PRESENT: WorkloadMembership = Object.freeze({ inMesh: true, ownEntry: false, reason: 'istio-proxy sidecar present' });
const NAMESPACE_INJECTS: WorkloadMembership = Object.freeze({ inMesh: true, ownEntry: false, reason: 'namespace injects sidecars' });
const POD_OPTS_IN: WorkloadMembership = Object.freeze({ inMesh: true, ownEntry: false, reason: 'pod template opts in to sidecar injection' });
const AMBIENT: WorkloadMembership = Object.freeze({ inMesh: true, ownEntry: false, ambient: true, reason: 'ztunnel serves the pods (ambient mode)' });

/**
 * Whether ztunnel captures the workload's pods (ambient mode): the pod label
 * `istio.io/dataplane-mode: ambient`, or an ambient namespace the pod does not leave with
 * `istio.io/dataplane-mode: none`. A pod with a sidecar is the sidecar's, not ztunnel's.
 */
function ambientEnrolled(workload: Workload, ns: NamespaceInfo): boolean {
  // istio-cni skips hostNetwork pods: their redirection rules would land in the node's network namespace.
  if (workload.hostNetwork) return false;
  const podMode = workload.podLabels[DATAPLANE_MODE];
  return podMode === 'ambient' || (ns.ambient && podMode !== 'none');
}

/**
 * Whether a sidecar fronts the workload. Running pods are the strongest evidence (injection
 * happens when a pod is created); then a sidecar already in the pod spec; then the injector's
 * rules: a hostNetwork pod never gets one, nor does a pod in kube-system and the other namespaces
 * the injector ignores, a pod opts out with `sidecar.istio.io/inject: "false"` (the label, else
 * the annotation), and in a
 * namespace without injection labels opts in with the label `sidecar.istio.io/inject: "true"`
 * or an `istio.io/rev` label.
 */
export function workloadMembership(workload: Workload, ns: NamespaceInfo, pods: readonly PodEvidence[]): WorkloadMembership {
  const nsInMesh = namespaceInMesh(ns);
  const ambient = ambientEnrolled(workload, ns);
  const unmeshedPod = firstWithoutSidecar(pods);
  // ztunnel serves every pod without a sidecar; with some sidecars too, both halves are in the mesh.
  if (unmeshedPod && ambient) return countWithSidecar(pods) === 0 ? AMBIENT : SIDECAR_PRESENT;
  if (unmeshedPod) {
    const meshed = countWithSidecar(pods);
    // Pods that disagree (a rollout, a pod created before injection was enabled): traffic to
    // the unmeshed ones goes around the mesh, so one such pod puts the workload outside it.
    const reason =
      meshed === 0
        ? `pod ${unmeshedPod.podName} runs without an istio-proxy sidecar`
        : `pod ${unmeshedPod.podName} runs without an istio-proxy sidecar while ${meshed} of the workload's ${pods.length} pods have one; a workload is in the mesh only when every pod is`;
    return { inMesh: false, ownEntry: nsInMesh, reason };
  }
  if (pods.length > 0 || workload.declaresSidecar) return SIDECAR_PRESENT;
  if (workload.live && ambient) return AMBIENT;
  if (workload.live) {
    return { inMesh: false, ownEntry: nsInMesh, reason: `pod ${workload.name} runs without an istio-proxy sidecar` };
  }
  // The injector's first checks (inject.go injectRequired), before any label or annotation.
  if (workload.hostNetwork) {
    return { inMesh: false, ownEntry: nsInMesh, reason: `pod template of ${workload.key} sets hostNetwork: true, and Istio injects no sidecar into pods on the node's network` };
  }
  if (NEVER_INJECTED_NAMESPACES.has(workload.namespace)) {
    // Reported only where someone labelled the namespace for injection, expecting it to work.
    const labelled = ns.injection === 'enabled' || ns.injection === 'revision';
    return { inMesh: false, ownEntry: labelled, reason: `Istio never injects a sidecar into namespace ${workload.namespace} (one of the injector's ignored namespaces), whatever its labels` };
  }
  const optOut = optsOut(workload);
  // The injector runs first: a pod it gives a sidecar is skipped by ztunnel.
  if (!optOut && namespaceInjects(ns)) return NAMESPACE_INJECTS;
  if (ambient) return AMBIENT;
  if (optOut) {
    return { inMesh: false, ownEntry: nsInMesh, reason: `pod template of ${workload.key} sets sidecar.istio.io/inject: "${injectSetting(workload)}"` };
  }
  if (ns.ambient) {
    return { inMesh: false, ownEntry: true, reason: `pod template of ${workload.key} sets ${DATAPLANE_MODE}: "${workload.podLabels[DATAPLANE_MODE]}", leaving ambient namespace ${ns.name}` };
  }
  if (ns.injection === 'not-labelled' && podTemplateEnrols(workload)) return POD_OPTS_IN;
  return { inMesh: false, ownEntry: false, reason: namespaceOutsideReason(ns) };
}

/**
 * Whether the pod template enrols its pods whatever its namespace says: the injector's object
 * selector takes the label `sidecar.istio.io/inject: "true"` or an `istio.io/rev` label in a
 * namespace without injection labels, ztunnel takes `istio.io/dataplane-mode: ambient`, and a
 * template that holds the sidecar itself (`istioctl kube-inject`) needs no injector. A running
 * pod's sidecar came from the injector when the pod was made, so it does not count.
 */
export function podTemplateEnrols(workload: Workload): boolean {
  const labels = workload.podLabels;
  return labels['sidecar.istio.io/inject'] === 'true' || labels['istio.io/rev'] !== undefined || labels[DATAPLANE_MODE] === 'ambient' || (workload.declaresSidecar && !workload.live);
}

/** Namespaces the injector skips before reading any label (inject.IgnoredNamespaces). */
const NEVER_INJECTED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Values of `sidecar.istio.io/inject` the injector reads as yes (inject.go, case-insensitive). */
export const INJECT_YES: ReadonlySet<string> = new Set(['y', 'yes', 'true', 'on']);

/**
 * The pod's `sidecar.istio.io/inject` as the injector reads it: the label when there is one
 * ("if both are present we prefer the label"), else the annotation.
 */
function injectSetting(workload: Workload): string | undefined {
  return workload.podLabels['sidecar.istio.io/inject'] ?? workload.podAnnotations['sidecar.istio.io/inject'];
}

/** Any setting other than yes (`"false"`, `"no"`) opts the pod out; none leaves the namespace to decide. */
function optsOut(workload: Workload): boolean {
  const setting = injectSetting(workload);
  return setting !== undefined && setting !== '' && !INJECT_YES.has(setting.toLowerCase());
}

function countWithSidecar(pods: readonly PodEvidence[]): number {
  let n = 0;
  for (let i = 0; i < pods.length; i++) if (pods[i]!.hasSidecar) n++;
  return n;
}

function firstWithoutSidecar(pods: readonly PodEvidence[]): PodEvidence | undefined {
  for (let i = 0; i < pods.length; i++) if (!pods[i]!.hasSidecar) return pods[i];
  return undefined;
}
