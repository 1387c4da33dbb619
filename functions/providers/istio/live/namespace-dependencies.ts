/**
 * What a namespace-scoped audit of namespace N must read from other namespaces: the
 * DestinationRules and ServiceEntries that can change a finding about N.
 *
 * - A DestinationRule elsewhere decides what N's clients send when it is exported to N
 *   (Istio: `exportTo` lists N, `*`, or is empty and the MeshConfig default
 *   `defaultDestinationRuleExportTo` — public when unset — lets it through).
 * - A DestinationRule elsewhere decides what other namespaces send to N's servers when its
 *   host is one of N's (`svc.N…`, `*.N.svc.cluster.local`, a wildcard above that, `*`); its
 *   conflicts with N's PeerAuthentications are N's findings.
 * - A ServiceEntry elsewhere adds hosts N's clients can call when it is exported to N.
 *
 * Both tests err on the side of reading: an extra rule in the inventory changes nothing,
 * a missing one hides a finding.
 */
import type { KubeObject } from '../../../core/model/inventory';

/** Istio `exportTo`: `.` the object's own namespace, `*` every namespace, `~` none, else namespace names. */
export function isExportedTo(exportTo: unknown, ownNamespace: string, namespace: string, defaultExportTo: readonly string[]): boolean {
  const list = Array.isArray(exportTo) && exportTo.length > 0 ? (exportTo as unknown[]) : defaultExportTo.length > 0 ? defaultExportTo : ['*'];
  return list.some((entry) => entry === '*' || entry === namespace || (entry === '.' && ownNamespace === namespace));
}

/** True when `host`, written in a rule of `ruleNamespace`, can name a service of `namespace`. */
export function hostCanBeIn(host: string, ruleNamespace: string, namespace: string): boolean {
  if (host === '*') return true;
  if (host.startsWith('*.')) {
    const suffix = host.slice(2).split('.');
    // *.N.svc.cluster.local, *.svc.cluster.local, *.cluster.local, *.local
    return suffix[0] === namespace || suffix[0] === 'svc' || host === '*.cluster.local' || host === '*.local';
  }
  const labels = host.split('.');
  // A short name is resolved in the rule's own namespace (Istio: "interpreted as <name>.<rule namespace>.svc.cluster.local").
  if (labels.length === 1) return ruleNamespace === namespace;
  return labels[1] === namespace;
}

/** Should a DestinationRule of another namespace be read for an audit of `namespace`? */
export function destinationRuleConcerns(rule: KubeObject, namespace: string, defaultExportTo: readonly string[]): boolean {
  const own = rule.metadata?.namespace ?? 'default';
  if (own === namespace) return true;
  if (isExportedTo(rule.spec?.exportTo, own, namespace, defaultExportTo)) return true;
  return typeof rule.spec?.host === 'string' && hostCanBeIn(rule.spec.host, own, namespace);
}

/** Should a ServiceEntry of another namespace be read for an audit of `namespace`? */
export function serviceEntryConcerns(entry: KubeObject, namespace: string): boolean {
  const own = entry.metadata?.namespace ?? 'default';
  // MeshConfig.defaultServiceExportTo is not read here; treating an empty exportTo as public reads more, never less.
  return own === namespace || isExportedTo(entry.spec?.exportTo, own, namespace, []);
}
