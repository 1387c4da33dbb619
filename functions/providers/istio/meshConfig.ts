import { load } from 'js-yaml';
import type { KubeObject, Located } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { nameOf, namespaceOf } from './objectKey';

/** The MeshConfig fields the model needs, with Istio's defaults filled in. */
export interface MeshSettings {
  /** Istio `MeshConfig.rootNamespace`, default `istio-system`. */
  rootNamespace: string;
  /** Istio `MeshConfig.enableAutoMtls`, default true. */
  enableAutoMtls: boolean;
  /** Istio `MeshConfig.defaultDestinationRuleExportTo`; empty means public (`*`). */
  defaultDestinationRuleExportTo: string[];
  /** Istio `MeshConfig.enablePrometheusMerge`, default true: the sidecar serves the app's metrics on 15020, so scrapers skip the app's port. */
  enablePrometheusMerge: boolean;
  /** The ConfigMap the settings came from, when there is one. */
  configMap?: { name: string; namespace: string; source: SourceRef };
}

export const DEFAULT_MESH_SETTINGS: MeshSettings = {
  rootNamespace: 'istio-system',
  enableAutoMtls: true,
  defaultDestinationRuleExportTo: [],
  enablePrometheusMerge: true,
};

/**
 * True for the ConfigMap that holds the MeshConfig: `istio` (default revision) or
 * `istio-<revision>`, with a `mesh` key. The `mesh` key tells it apart from `istio-ca-root-cert`
 * and `istio-sidecar-injector`, which share the prefix.
 */
export function isMeshConfigMap(doc: KubeObject): boolean {
  if (doc.apiVersion !== 'v1' || doc.kind !== 'ConfigMap') return false;
  const name = nameOf(doc);
  if (name !== 'istio' && !name.startsWith('istio-')) return false;
  return typeof doc.data?.['mesh'] === 'string';
}

export interface MeshSettingsRead {
  /** The fleet's settings: the default revision's (`istio`), else the first revision's by name. */
  settings: MeshSettings;
  /**
   * Each control plane's own, by revision (`''` for `istio`, `canary` for `istio-canary`): a
   * namespace labelled `istio.io/rev: canary` is served by that istiod, which reads only its own.
   */
  revisions: Map<string, MeshSettings>;
  problems: ConfigProblem[];
}

/**
 * Reads every MeshConfig ConfigMap, and picks the fleet's (the default revision's `istio` first,
 * else the first `istio-<revision>` by name). A `mesh` value that is not valid YAML, or a field
 * of the wrong type, becomes a problem and leaves the default in place. `rootWithoutMeshConfig`
 * is the root namespace when there is no MeshConfig at all (a file audit of application
 * manifests); a MeshConfig that names none means Istio's default, whatever is configured.
 */
export function readMeshSettings(configMaps: Located<KubeObject>[], rootWithoutMeshConfig?: string): MeshSettingsRead {
  const revisions = new Map<string, MeshSettings>();
  // Without a MeshConfig the configured root stands in; with one, Istio's own default does, as istiod reads it.
  if (configMaps.length === 0) return { settings: { ...DEFAULT_MESH_SETTINGS, ...(rootWithoutMeshConfig ? { rootNamespace: rootWithoutMeshConfig } : {}) }, revisions, problems: [] };
  const problems: ConfigProblem[] = [];
  const sorted = [...configMaps].sort((a, b) => rank(a.doc) - rank(b.doc) || compare(nameOf(a.doc), nameOf(b.doc)));
  for (const configMap of sorted) {
    const revision = revisionOf(configMap.doc);
    if (revisions.has(revision)) continue;
    const read = readOne(configMap);
    revisions.set(revision, read.settings);
    problems.push(...read.problems);
  }
  return { settings: revisions.get(revisionOf(sorted[0]!.doc))!, revisions, problems };
}

function revisionOf(doc: KubeObject): string {
  return nameOf(doc) === 'istio' ? '' : nameOf(doc).slice('istio-'.length);
}

function readOne(chosen: Located<KubeObject>): { settings: MeshSettings; problems: ConfigProblem[] } {
  const settings: MeshSettings = {
    ...DEFAULT_MESH_SETTINGS,
    configMap: { name: nameOf(chosen.doc), namespace: namespaceOf(chosen.doc), source: chosen.source },
  };
  const problems: ConfigProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ ...chosen.source, field, message, kind: 'ConfigMap', name: nameOf(chosen.doc) });
  };

  const text = chosen.doc.data!['mesh']!;
  if (text.trim() === '') return { settings, problems };
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (err) {
    problem('data.mesh', `MeshConfig in data.mesh is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    return { settings, problems };
  }
  if (parsed === null || parsed === undefined) return { settings, problems };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    problem('data.mesh', 'MeshConfig in data.mesh must be a YAML mapping');
    return { settings, problems };
  }
  const mesh = parsed as Record<string, unknown>;

  if (mesh['rootNamespace'] !== undefined) {
    if (typeof mesh['rootNamespace'] === 'string' && mesh['rootNamespace'] !== '') settings.rootNamespace = mesh['rootNamespace'];
    else problem('data.mesh.rootNamespace', 'rootNamespace must be a non-empty string');
  }
  if (mesh['enableAutoMtls'] !== undefined) {
    if (typeof mesh['enableAutoMtls'] === 'boolean') settings.enableAutoMtls = mesh['enableAutoMtls'];
    else problem('data.mesh.enableAutoMtls', 'enableAutoMtls must be true or false');
  }
  if (mesh['enablePrometheusMerge'] !== undefined) {
    if (typeof mesh['enablePrometheusMerge'] === 'boolean') settings.enablePrometheusMerge = mesh['enablePrometheusMerge'];
    else problem('data.mesh.enablePrometheusMerge', 'enablePrometheusMerge must be true or false');
  }
  if (mesh['defaultDestinationRuleExportTo'] !== undefined) {
    const raw = mesh['defaultDestinationRuleExportTo'];
    if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) settings.defaultDestinationRuleExportTo = raw as string[];
    else problem('data.mesh.defaultDestinationRuleExportTo', 'defaultDestinationRuleExportTo must be a list of strings');
  }
  return { settings, problems };
}

function rank(doc: KubeObject): number {
  return nameOf(doc) === 'istio' ? 0 : 1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
