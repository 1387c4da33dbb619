import type { Inventory } from './inventory';
import type { ConfigProblem } from './types';

/**
 * Gives each problem the coordinates of the object it is about (the namespace of a Kubernetes
 * object, the mesh of an App Mesh one), found by the document's file and line, so a
 * config-invalid finding names them as every other finding does; then moves each problem
 * that names a field to the field's own line, when the source can find it.
 */
export function locateProblems(problems: ConfigProblem[], inventory: Inventory): void {
  if (problems.length === 0) return;
  const byPlace = new Map<string, { namespace?: string; mesh?: string }>();
  for (const k of inventory.kubernetes) {
    const ns = problemNamespaceOf(k.doc);
    if (ns) byPlace.set(`${k.source.file}:${k.source.line}`, { namespace: ns });
  }
  for (const a of inventory.appmeshApi) {
    if (typeof a.doc.data?.meshName === 'string') byPlace.set(`${a.source.file}:${a.source.line}`, { mesh: a.doc.data.meshName });
  }
  for (const p of problems) {
    if (p.namespace !== undefined && p.mesh !== undefined) continue;
    const place = byPlace.get(`${p.file}:${p.line}`);
    // An App Mesh CRD problem knows its mesh and takes its namespace from the document.
    if (place?.namespace && p.namespace === undefined) p.namespace = place.namespace;
    if (place?.mesh && p.mesh === undefined) p.mesh = place.mesh;
  }
  // Last: the lookup above goes by the object's line.
  const fieldLine = inventory.fieldLine;
  if (!fieldLine) return;
  for (const p of problems) {
    if (p.field === undefined) continue;
    const line = fieldLine(p.file, p.line, p.field);
    if (line !== undefined) p.line = line;
  }
}

/**
 * The namespace a config-invalid finding on the object names, as its other findings would
 * (CONTRACT.md: an Istio finding always sets one): namespaceOfObject's, and a Namespace's own
 * name (a namespace-wide finding); none when `metadata.namespace` is not a string, the field at fault.
 */
export function problemNamespaceOf(doc: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }): string | undefined {
  if (doc.kind === 'Namespace') return typeof doc.metadata?.name === 'string' ? doc.metadata.name : undefined;
  const ns = doc.metadata?.namespace;
  if (ns !== undefined && ns !== null && typeof ns !== 'string') return undefined;
  return namespaceOfObject(doc as Inventory['kubernetes'][number]['doc']);
}

/** Kinds meshgov reads that live outside any namespace (an App Mesh `Mesh` CRD among them). */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace', 'Mesh', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'CustomResourceDefinition', 'ClusterIssuer']);

/**
 * The namespace an object lands in: its own, else `default` as kubectl places it (the Istio
 * reader does the same, so a config-invalid finding and the object's other findings agree, and
 * an Istio finding always names a namespace); none for a cluster-scoped kind, whose
 * `metadata.namespace` the API server ignores.
 */
export function namespaceOfObject(doc: Inventory['kubernetes'][number]['doc']): string | undefined {
  if (typeof doc.kind === 'string' && CLUSTER_SCOPED.has(doc.kind)) return undefined;
  const ns = doc.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}
