import { closestName } from '../edit-distance';
import { RULE_IDS, type RuleId } from '../findings';
import type { Inventory, KubeObject, Located } from './inventory';
import { CLUSTER_SCOPED } from './locate-problems';
import type { ConfigProblem, SourceRef } from './types';

/**
 * An annotation `suppress.meshgov.io/<rule>: "<reason>"` on a Kubernetes object accepts that
 * rule's findings about the object, in the source next to what it excuses (as kube-linter's
 * `ignore-check.kube-linter.io/<check>` and istioctl's `galley.istio.io/analyze-suppress` do).
 */
export const SUPPRESS_PREFIX = 'suppress.meshgov.io/';

/** One annotation, with the object it sits on and where that object is written. */
export interface Suppression {
  rule: RuleId;
  reason: string;
  annotation: string;
  object: { kind: string; name: string; namespace?: string };
  /** The object's document: a finding located in it is about it (a Secret's certificate, a PeerAuthentication's workloads). */
  source: SourceRef;
  /** The first line after the object's document, where the next document of its file starts. */
  endLine: number;
  /** The annotation's own line, where the source can tell; else the object's. */
  line: number;
}

/**
 * Reads every suppression annotation of the inventory's Kubernetes objects. An annotation naming
 * no rule meshgov knows is a problem on its own line, so a typo does not leave a finding reported
 * while its author believes it accepted.
 */
export function readSuppressions(inventory: Inventory): { suppressions: Suppression[]; problems: ConfigProblem[] } {
  const suppressions: Suppression[] = [];
  const problems: ConfigProblem[] = [];
  for (const located of inventory.kubernetes) {
    const annotations = located.doc.metadata?.annotations;
    if (annotations === null || typeof annotations !== 'object') continue;
    for (const key in annotations) {
      if (!key.startsWith(SUPPRESS_PREFIX) || !Object.hasOwn(annotations, key)) continue;
      const rule = key.slice(SUPPRESS_PREFIX.length);
      const value: unknown = annotations[key];
      if (isRuleId(rule)) {
        suppressions.push({ rule, reason: typeof value === 'string' ? value.trim() : String(value), annotation: key, object: objectOf(located.doc), source: located.source, endLine: Infinity, line: located.source.line });
      } else {
        problems.push(unknownRule(located, key, rule));
      }
    }
  }
  if (suppressions.length > 0) {
    setEndLines(suppressions, inventory);
    const fieldLine = inventory.fieldLine;
    if (fieldLine) for (const s of suppressions) s.line = fieldLine(s.source.file, s.source.line, annotationField(s.annotation)) ?? s.line;
  }
  return { suppressions, problems };
}

/** The annotation as a field path (its key holds dots and a slash): `metadata.annotations["suppress.meshgov.io/…"]`. */
function annotationField(key: string): string {
  return `metadata.annotations[${JSON.stringify(key)}]`;
}

function isRuleId(name: string): name is RuleId {
  return (RULE_IDS as readonly string[]).includes(name);
}

function objectOf(doc: KubeObject): Suppression['object'] {
  const name = typeof doc.metadata?.name === 'string' ? doc.metadata.name : '';
  const ns = doc.metadata?.namespace;
  // As the providers place them: a namespaced object written without a namespace is in `default`;
  // a cluster-scoped one's findings carry none, a Namespace's its own name.
  const namespace = doc.kind === 'Namespace' ? name : typeof ns === 'string' && ns !== '' ? ns : CLUSTER_SCOPED.has(doc.kind) ? undefined : 'default';
  return { kind: doc.kind, name, ...(namespace !== undefined ? { namespace } : {}) };
}

function unknownRule(located: Located<KubeObject>, key: string, rule: string): ConfigProblem {
  // The same suggestion a rules file gets for a misspelt rule id.
  const near = closestName(rule, [...RULE_IDS]);
  const hint = near ? `; did you mean ${SUPPRESS_PREFIX}${near}?` : `; the rules are ${RULE_IDS.join(', ')}`;
  return {
    file: located.source.file,
    line: located.source.line,
    field: annotationField(key),
    message: `annotation ${key} names no meshgov rule (${JSON.stringify(rule)}), so it suppresses nothing${hint}`,
    kind: located.doc.kind,
    name: objectOf(located.doc).name,
  };
}

/** Where each suppressing document ends: at the next document of its file, of whatever kind. */
function setEndLines(suppressions: Suppression[], inventory: Inventory): void {
  const files = new Set(suppressions.map((s) => s.source.file));
  const starts = new Map<string, number[]>();
  const note = (source: SourceRef) => {
    if (!files.has(source.file)) return;
    const list = starts.get(source.file);
    if (list) list.push(source.line);
    else starts.set(source.file, [source.line]);
  };
  for (const group of [inventory.kubernetes, inventory.appmeshApi, inventory.envoy, inventory.pem, inventory.unknown]) for (const d of group) note(d.source);
  for (const list of starts.values()) list.sort((a, b) => a - b);
  for (const s of suppressions) {
    const next = starts.get(s.source.file)?.find((line) => line > s.source.line);
    if (next !== undefined) s.endLine = next;
  }
}
