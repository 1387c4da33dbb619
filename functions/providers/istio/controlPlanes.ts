import type { KubeObject, Located } from '../../core/model/inventory';
import type { NamespaceInfo } from './membership';
import type { MeshSettings } from './meshConfig';
import type { WorkloadTable } from './workloadTable';

/**
 * The MeshConfig serving each caller's sidecar, where control planes disagree on auto mTLS (the
 * only MeshConfig setting that changes what a client sends).
 */
export interface CallerControlPlanes {
  /** The control plane of the namespace's sidecars, by its labels. */
  ofNamespace: (namespace: string) => MeshSettings;
  /** Workloads (`ns/Kind/name`) whose pod template picks a control plane other than their namespace's, with it. */
  ofWorkload: ReadonlyMap<string, MeshSettings>;
  /** Those workloads by namespace. */
  workloadsOf: ReadonlyMap<string, string[]>;
  /** Namespaces all of whose workloads are in `ofWorkload`: no caller is left to the namespace's control plane. */
  wholeNamespaces: ReadonlySet<string>;
}

/**
 * Which control plane injected each caller's sidecar. A namespace's `istio.io/rev` (unless
 * `istio-injection=enabled` overrides it) picks the revision, else the default revision's `istio`,
 * else the fleet's. In a namespace with neither label the pod template picks: the revision's
 * `rev.object.sidecar-injector` injects a pod labelled `istio.io/rev: <rev>`, and the default
 * revision's `object.sidecar-injector` one labelled `sidecar.istio.io/inject: "true"`. A revision
 * tag stands for the revision its webhook injects (`istio.io/rev: prod` with `istioctl tag set prod
 * --revision 1-24-2`), and the `default` tag also serves `istio-injection=enabled`. Undefined when
 * every control plane agrees, so clients are computed once.
 */
export function callerControlPlanes(
  revisions: ReadonlyMap<string, MeshSettings>,
  settings: MeshSettings,
  namespaceInfo: (name: string) => NamespaceInfo,
  webhooks: readonly Located<KubeObject>[],
  table: WorkloadTable,
): CallerControlPlanes | undefined {
  if (!revisionsDiffer(revisions, settings)) return undefined;
  const tags = revisionTags(webhooks);
  const fallback = revisions.get('') ?? settings;
  const meshOfLabel = (label: string | undefined): MeshSettings => {
    const revision = label !== undefined ? (tags.get(label) ?? label) : undefined;
    return (revision !== undefined ? revisions.get(revision) : undefined) ?? fallback;
  };
  const ofNamespace = (namespace: string): MeshSettings => meshOfLabel(namespaceRevisionLabel(namespaceInfo(namespace)));

  const ofWorkload = new Map<string, MeshSettings>();
  const workloadsOf = new Map<string, string[]>();
  const others = new Set<string>();
  for (let i = 0; i < table.workloads.length; i++) {
    const w = table.workloads[i]!;
    const membership = table.entries[i]!.membership;
    const label = membership.inMesh && !membership.ambient ? podRevisionLabel(w.podLabels, namespaceInfo(w.namespace)) : undefined;
    const own = label !== undefined ? meshOfLabel(label) : undefined;
    if (own === undefined || own === ofNamespace(w.namespace)) {
      others.add(w.namespace);
      continue;
    }
    if (ofWorkload.has(w.key)) continue;
    ofWorkload.set(w.key, own);
    const list = workloadsOf.get(w.namespace);
    if (list) list.push(w.key);
    else workloadsOf.set(w.namespace, [w.key]);
  }
  const wholeNamespaces = new Set([...workloadsOf.keys()].filter((ns) => !others.has(ns)));
  return { ofNamespace, ofWorkload, workloadsOf, wholeNamespaces };
}

function revisionsDiffer(revisions: ReadonlyMap<string, MeshSettings>, settings: MeshSettings): boolean {
  for (const r of revisions.values()) if (r.enableAutoMtls !== settings.enableAutoMtls) return true;
  return false;
}

/** The revision (or tag) a namespace's labels select; `istio-injection=enabled` is the `default` tag's. */
function namespaceRevisionLabel(info: NamespaceInfo): string | undefined {
  if (info.injection === 'revision') return info.labels['istio.io/rev'];
  return info.injection === 'enabled' ? 'default' : undefined;
}

/**
 * The revision (or tag) a pod template selects, where the object webhooks apply: they select only
 * namespaces with neither `istio-injection` nor `istio.io/rev`. A namespace the inputs lack may be
 * such a one, and the pod's own label is the only word on it.
 */
function podRevisionLabel(podLabels: Readonly<Record<string, string>>, ns: NamespaceInfo): string | undefined {
  if (ns.injection !== 'not-labelled' && ns.injection !== 'no-object') return undefined;
  const revision = podLabels['istio.io/rev'];
  if (revision !== undefined) return revision;
  return podLabels['sidecar.istio.io/inject'] === 'true' ? 'default' : undefined;
}

/** Tag → revision, from the tags' injector webhooks (labels `istio.io/tag` and `istio.io/rev`). */
function revisionTags(webhooks: readonly Located<KubeObject>[]): Map<string, string> {
  const tags = new Map<string, string>();
  for (const { doc } of webhooks) {
    const tag = doc.metadata.labels?.['istio.io/tag'];
    const revision = doc.metadata.labels?.['istio.io/rev'];
    if (typeof tag === 'string' && typeof revision === 'string' && !tags.has(tag)) tags.set(tag, revision);
  }
  return tags;
}
