import { load, type YAMLException } from 'js-yaml';
import type { KubeObject, Located } from '../../core/model/inventory';
import { isRecord } from '../../core/is-record';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import type { EmbeddedLineFinder } from './blockScalarLine';
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
  /** Istio `MeshConfig.ingressClass`, default `istio`: the Ingress class the Istio ingress gateway serves. */
  ingressClass: string;
  /** Istio `MeshConfig.outboundTrafficPolicy.mode`, default ALLOW_ANY: calls to hosts a sidecar does not know pass through. */
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** The ConfigMap the settings came from, when there is one. */
  configMap?: { name: string; namespace: string; source: SourceRef };
}

export const DEFAULT_MESH_SETTINGS: MeshSettings = {
  rootNamespace: 'istio-system',
  enableAutoMtls: true,
  defaultDestinationRuleExportTo: [],
  enablePrometheusMerge: true,
  ingressClass: 'istio',
  outboundTrafficPolicy: 'ALLOW_ANY',
};

/**
 * True for the ConfigMap that holds the MeshConfig: `istio` (default revision) or
 * `istio-<revision>`, with a `mesh` key. The `mesh` key tells it apart from `istio-ca-root-cert`
 * and `istio-sidecar-injector`, which share the prefix. A `mesh` that is not a string (a
 * mapping, when `|` was forgotten) still makes one: the reader reports it.
 */
export function isMeshConfigMap(doc: KubeObject): boolean {
  if (doc.apiVersion !== 'v1' || doc.kind !== 'ConfigMap') return false;
  const name = nameOf(doc);
  if (name !== 'istio' && !name.startsWith('istio-')) return false;
  const mesh = doc.data?.['mesh'];
  return mesh !== undefined && mesh !== null;
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
 * of the wrong type, becomes a problem and leaves the default in place. A ConfigMap the API
 * server refuses (a data value that is not a string) is reported and read as absent.
 * `rootWithoutMeshConfig` is the root namespace when there is no MeshConfig at all (a file audit
 * of application manifests); a MeshConfig that names none means Istio's default, whatever is
 * configured. `embeddedLine`, when the source can tell, places a YAML error inside `mesh` on its
 * own file line.
 */
export function readMeshSettings(configMaps: Located<KubeObject>[], rootWithoutMeshConfig?: string, embeddedLine?: EmbeddedLineFinder): MeshSettingsRead {
  const revisions = new Map<string, MeshSettings>();
  const problems: ConfigProblem[] = [];
  const stored = configMaps.filter((configMap) => {
    const refused = refusedData(configMap);
    problems.push(...refused);
    return refused.length === 0;
  });
  // Without a MeshConfig the configured root stands in; with one, Istio's own default does, as istiod reads it.
  if (stored.length === 0) return { settings: { ...DEFAULT_MESH_SETTINGS, ...(rootWithoutMeshConfig ? { rootNamespace: rootWithoutMeshConfig } : {}) }, revisions, problems };
  const sorted = [...stored].sort((a, b) => rank(a.doc) - rank(b.doc) || compare(nameOf(a.doc), nameOf(b.doc)));
  for (const configMap of sorted) {
    const revision = revisionOf(configMap.doc);
    if (revisions.has(revision)) continue;
    const read = readOne(configMap, embeddedLine);
    revisions.set(revision, read.settings);
    problems.push(...read.problems);
  }
  return { settings: revisions.get(revisionOf(sorted[0]!.doc))!, revisions, problems };
}

function revisionOf(doc: KubeObject): string {
  return nameOf(doc) === 'istio' ? '' : nameOf(doc).slice('istio-'.length);
}

/**
 * ConfigMap data values must be strings: the API server refuses the whole ConfigMap otherwise
 * ("cannot unmarshal object into ... of type string"), so the cluster keeps no such MeshConfig.
 */
function refusedData(configMap: Located<KubeObject>): ConfigProblem[] {
  const data = configMap.doc.data as Record<string, unknown>;
  const out: ConfigProblem[] = [];
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === null || value === undefined || typeof value === 'string') continue;
    const message =
      key === 'mesh'
        ? 'must be a string holding MeshConfig YAML (write "mesh: |"); the API server refuses a ConfigMap whose data values are not strings, so this MeshConfig never applies'
        : `must be a string, not ${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : `the ${typeof value} ${JSON.stringify(value)}`}; the API server refuses a ConfigMap whose data values are not strings, so this MeshConfig never applies`;
    out.push({ ...configMap.source, field: `data.${key}`, message, kind: 'ConfigMap', name: nameOf(configMap.doc) });
  }
  return out;
}

function readOne(chosen: Located<KubeObject>, embeddedLine: EmbeddedLineFinder | undefined): { settings: MeshSettings; problems: ConfigProblem[] } {
  const settings: MeshSettings = {
    ...DEFAULT_MESH_SETTINGS,
    configMap: { name: nameOf(chosen.doc), namespace: namespaceOf(chosen.doc), source: chosen.source },
  };
  const problems: ConfigProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ ...chosen.source, field, message, kind: 'ConfigMap', name: nameOf(chosen.doc) });
  };

  const text = chosen.doc.data!['mesh'] as string;
  if (text.trim() === '') return { settings, problems };
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (err) {
    problems.push(yamlProblem(chosen, err as YAMLException, embeddedLine));
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
  if (mesh['ingressClass'] !== undefined) {
    if (typeof mesh['ingressClass'] === 'string' && mesh['ingressClass'] !== '') settings.ingressClass = mesh['ingressClass'];
    else problem('data.mesh.ingressClass', 'ingressClass must be a non-empty string');
  }
  const outbound = mesh['outboundTrafficPolicy'];
  if (outbound !== undefined && outbound !== null) {
    const mode = isRecord(outbound) ? outbound['mode'] : null;
    if (mode === 'ALLOW_ANY' || mode === 'REGISTRY_ONLY') settings.outboundTrafficPolicy = mode;
    else if (mode !== undefined) problem('data.mesh.outboundTrafficPolicy', 'outboundTrafficPolicy must be a mapping whose mode is ALLOW_ANY or REGISTRY_ONLY');
  }
  if (mesh['defaultDestinationRuleExportTo'] !== undefined) {
    const raw = mesh['defaultDestinationRuleExportTo'];
    if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) settings.defaultDestinationRuleExportTo = raw as string[];
    else problem('data.mesh.defaultDestinationRuleExportTo', 'defaultDestinationRuleExportTo must be a list of strings');
  }
  return { settings, problems };
}

/**
 * A YAML error in `mesh`, at the file line of the offending text line when the value is a block
 * scalar the file shows; else at `mesh` itself, with js-yaml's position named as the value's.
 */
function yamlProblem(chosen: Located<KubeObject>, err: YAMLException, embeddedLine: EmbeddedLineFinder | undefined): ConfigProblem {
  const { doc, source } = chosen;
  const reason = err.reason ?? String(err.message).split('\n')[0];
  const mark = err.mark;
  const line = mark ? embeddedLine?.(source.file, source.line, 'data.mesh', mark) : undefined;
  // The namespace is set here: problems find it by their object's line, and this one has moved
  // off it. The field stays for the report; starting from the embedded line, the field locator
  // finds no `data.mesh` there and leaves the line alone.
  const at = { kind: 'ConfigMap', name: nameOf(doc), namespace: namespaceOf(doc), field: 'data.mesh' };
  if (line !== undefined) return { ...source, line, ...at, message: `MeshConfig in data.mesh is not valid YAML: ${reason}` };
  const where = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1} of the data.mesh text)` : '';
  return { ...source, ...at, message: `MeshConfig in data.mesh is not valid YAML: ${reason}${where}` };
}

function rank(doc: KubeObject): number {
  return nameOf(doc) === 'istio' ? 0 : 1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
