import { compareCreationKeys, creationKey } from './creationOrder';
import { consolidated, decidingRule, mergeRule, type ConsolidatedDestinationRule, type DestinationRuleMerge } from './destination-rule-merge';
import type { DestinationRulePolicy } from './destinationRule';
import { CLUSTER_DOMAIN, HostTable, isWildcardHost } from './hostMatch';
import { selectorMatches, type Labels } from './labels';
import type { MeshSettings } from './meshConfig';
import { NamespaceRun } from './namespaceRun';

export { decidingRule, type ConsolidatedDestinationRule, type DestinationRuleMerge };

/** One lookup pool: per host, the entries `mergeRule` leaves (several when rules stay apart). */
class DestinationRulePool {
  readonly hosts = new HostTable<ConsolidatedDestinationRule[]>();

  constructor(private readonly how: DestinationRuleMerge) {}

  merge(rule: DestinationRulePolicy, exportTo: ReadonlySet<string>): void {
    const list = this.hosts.get(rule.host);
    if (list) mergeRule(list, rule, exportTo, this.how);
    else this.hosts.set(rule.host, [consolidated(rule, exportTo)]);
  }

  lookup(host: string): ConsolidatedDestinationRule[] | undefined {
    return this.hosts.match(host)?.value;
  }

  get isEmpty(): boolean {
    return this.hosts.size === 0;
  }
}

/** Who is calling: a namespace, or some workloads of it (for rules with a workload selector). */
export interface ClientScope {
  namespace: string;
  /** Pod labels of the calling workloads; undefined for "any workload the selectors do not pick". */
  labels?: Labels;
}

/**
 * DestinationRules indexed the way Istio's PushContext indexes them (`setDestinationRules`), and
 * looked up the way it looks them up (`PushContext.destinationRule`, `SidecarScope.DestinationRule`).
 */
export class DestinationRuleIndex {
  readonly rootNamespace: string;
  /** Rules visible inside their own namespace (public and private). */
  private readonly namespaceLocal = new Map<string, DestinationRulePool>();
  /** Rules exported beyond their namespace. */
  private readonly exported = new Map<string, DestinationRulePool>();
  /** Private rules of the root namespace, seen only by the root namespace's own proxies. */
  private readonly rootNamespaceLocal: DestinationRulePool;
  private readonly exportedMatchCache = new Map<string, Map<string, ConsolidatedDestinationRule[] | null>>();
  /** Namespaces named explicitly in some rule's exportTo. */
  readonly namedInExportTo = new Set<string>();
  /** Every rule's host, and whether any is a wildcard: enough to rule out most hosts without a lookup. */
  private readonly ruleHosts = new Set<string>();
  private anyWildcardRule = false;
  /** Rule hosts of the form `<name>.<namespace>.svc.cluster.local`, as namespace → names. */
  private readonly serviceNames = new Map<string, Set<string>>();
  private readonly serviceNamesIn = new NamespaceRun((namespace) => this.serviceNames.get(namespace));
  /** The names each namespace's rules take, so a new rule can get a free one. */
  private readonly namesByNamespace = new Map<string, Set<string>>();

  private readonly merge: DestinationRuleMerge;

  /**
   * `options.merge` is istiod's merge (`ENABLE_ENHANCED_DESTINATIONRULE_MERGE`, an environment
   * variable of istiod, not MeshConfig): `enhanced` (Istio 1.24+, the default) or `legacy`.
   */
  constructor(rules: DestinationRulePolicy[], mesh: MeshSettings, options: { merge?: DestinationRuleMerge } = {}) {
    this.rootNamespace = mesh.rootNamespace;
    this.merge = options.merge ?? 'enhanced';
    this.rootNamespaceLocal = new DestinationRulePool(this.merge);
    const defaultPrivate = mesh.defaultDestinationRuleExportTo.includes('.');
    // Every pool holds the rules of one namespace, so each namespace is sorted on its own: the
    // same order within a pool as one fleet-wide sort, with far fewer comparisons.
    const byNamespace = new Map<string, DestinationRulePolicy[]>();
    const naming: DestinationRulePolicy[] = [];
    for (const rule of rules) {
      let names = this.namesByNamespace.get(rule.namespace);
      if (!names) this.namesByNamespace.set(rule.namespace, (names = new Set()));
      names.add(rule.name);
      this.ruleHosts.add(rule.host);
      if (isWildcardHost(rule.host)) this.anyWildcardRule = true;
      else this.fileServiceHost(rule.host);
      let list = byNamespace.get(rule.namespace);
      if (!list) byNamespace.set(rule.namespace, (list = []));
      list.push(rule);
      if (namesOtherNamespaces(rule)) naming.push(rule);
    }
    // Namespaces named in exportTo, in the order the fleet-wide sort would meet them.
    for (const rule of sortBySelectorAndCreation(naming)) {
      for (const e of rule.exportTo) if (isNamedNamespace(e, rule)) this.namedInExportTo.add(e);
    }
    for (const list of byNamespace.values()) {
      for (const rule of sortBySelectorAndCreation(list)) {
        // Istio: a rule with a workload selector is never exported.
        const exportTo = exportSet(rule);
        if (exportTo.size === 0 || exportTo.has('*') || exportTo.has('.') || exportTo.has(rule.namespace)) {
          this.poolOf(this.namespaceLocal, rule.namespace).merge(rule, exportTo);
        }
        // Only `.` and `*` of the mesh default are honoured; anything else acts as public.
        const privateOnly =
          (exportTo.size === 0 && defaultPrivate) || (exportTo.size === 1 && (exportTo.has('.') || exportTo.has(rule.namespace)));
        if (!privateOnly) this.poolOf(this.exported, rule.namespace).merge(rule, exportTo);
        else if (rule.namespace === this.rootNamespace) this.rootNamespaceLocal.merge(rule, exportTo);
      }
    }
  }

  /**
   * The rule a client uses for a host: first its own namespace's rules (the root namespace's
   * private ones for a root-namespace client), then rules the host's namespace exports to the
   * client, then rules the root namespace exports to it. The first step with a host match
   * decides, even if it holds only rules whose selector does not pick the client.
   */
  destinationRuleFor(client: ClientScope, host: string, hostNamespace?: string): ConsolidatedDestinationRule | undefined {
    const local = this.clientLocalPool(client.namespace)?.lookup(host);
    if (local) return this.chooseForClient(local, client);
    if (hostNamespace !== undefined) {
      const fromHostNs = this.exportedTo(hostNamespace, host, client.namespace);
      if (fromHostNs) return fromHostNs;
    }
    return this.exportedTo(this.rootNamespace, host, client.namespace);
  }

  /**
   * False when no rule can match the host in any pool, for any caller: no rule names it and no
   * rule is a wildcard. Most hosts of a fleet are like that, and need no lookup at all.
   */
  mayMatch(host: string): boolean {
    return this.anyWildcardRule || this.ruleHosts.has(host);
  }

  /**
   * `mayMatch` for the host of a Service, without building its host name: a fleet has thousands
   * of Services, and hashing each `<name>.<namespace>.svc.cluster.local` is most of the cost.
   */
  mayMatchService(namespace: string, name: string): boolean {
    return this.anyWildcardRule || this.serviceNamesIn.get(namespace)?.has(name) === true;
  }

  /**
   * Files a rule host under every (namespace, name) whose Service host it equals. Names without
   * dots give one split; a dotted one (not a valid Service name, but possible in a file) is filed
   * under each split, so the lookup stays exact.
   */
  private fileServiceHost(host: string): void {
    if (!host.endsWith(SERVICE_HOST_SUFFIX)) return;
    const nameAndNamespace = host.slice(0, -SERVICE_HOST_SUFFIX.length);
    for (let dot = nameAndNamespace.indexOf('.'); dot >= 0; dot = nameAndNamespace.indexOf('.', dot + 1)) {
      const namespace = nameAndNamespace.slice(dot + 1);
      let names = this.serviceNames.get(namespace);
      if (!names) this.serviceNames.set(namespace, (names = new Set()));
      names.add(nameAndNamespace.slice(0, dot));
    }
  }

  private poolOf(map: Map<string, DestinationRulePool>, namespace: string): DestinationRulePool {
    let pool = map.get(namespace);
    if (!pool) map.set(namespace, (pool = new DestinationRulePool(this.merge)));
    return pool;
  }

  /** The pool a client namespace searches first. */
  clientLocalPool(namespace: string): DestinationRulePool | undefined {
    const pool = namespace === this.rootNamespace ? this.rootNamespaceLocal : this.namespaceLocal.get(namespace);
    return pool && !pool.isEmpty ? pool : undefined;
  }

  /** The entry the host's namespace exports for it, before the visibility check (cached: it does not depend on the client). */
  exportedMatch(owningNamespace: string, host: string): ConsolidatedDestinationRule[] | undefined {
    const pool = this.exported.get(owningNamespace);
    if (!pool) return undefined;
    let cache = this.exportedMatchCache.get(owningNamespace);
    if (!cache) this.exportedMatchCache.set(owningNamespace, (cache = new Map()));
    let hit = cache.get(host);
    if (hit === undefined) cache.set(host, (hit = pool.lookup(host) ?? null));
    return hit ?? undefined;
  }

  private exportedTo(owningNamespace: string, host: string, clientNamespace: string): ConsolidatedDestinationRule | undefined {
    const entries = this.exportedMatch(owningNamespace, host);
    if (!entries) return undefined;
    // Istio getExportedDestinationRuleFromNamespace keeps the entries exported to the client;
    // SidecarScope.DestinationRule then takes the last (exported entries carry no selector).
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.exportTo.size === 0 || e.exportTo.has('*') || e.exportTo.has(clientNamespace)) return e;
    }
    return undefined;
  }

  /**
   * Istio `SidecarScope.DestinationRule`: the first entry whose selector matches the calling
   * workload (and lives in its namespace) wins; otherwise the last entry without a selector, if
   * there is one (entries that stayed apart under the enhanced merge: the newest catch-all).
   */
  private chooseForClient(entries: ConsolidatedDestinationRule[], client: ClientScope): ConsolidatedDestinationRule | undefined {
    let catchAll: ConsolidatedDestinationRule | undefined;
    for (const entry of entries) {
      if (!entry.selector) {
        catchAll = entry;
        continue;
      }
      if (client.labels && entry.members[0]!.namespace === client.namespace && selectorMatches(entry.selector, client.labels)) return entry;
    }
    return catchAll;
  }

  /** Selector rules in a namespace's first pool: the clients they pick get their own scope. */
  selectorRulesFor(namespace: string): DestinationRulePolicy[] {
    const pool = this.clientLocalPool(namespace);
    if (!pool) return [];
    const out: DestinationRulePolicy[] = [];
    for (const map of [pool.hosts.specific, pool.hosts.wildcard]) {
      for (const entries of map.values()) {
        for (const entry of entries) if (entry.selector && entry.members[0]!.namespace === namespace) out.push(entry.members[0]!);
      }
    }
    return out;
  }

  /** Names of the DestinationRules a namespace holds (every rule read, whatever its host or selector). */
  ruleNamesIn(namespace: string): ReadonlySet<string> {
    return this.namesByNamespace.get(namespace) ?? NO_NAMES;
  }

  /** Hosts (exact and wildcard) of a namespace's first pool. */
  localHosts(namespace: string): { specific: Iterable<string>; wildcard: Iterable<string> } {
    const pool = this.clientLocalPool(namespace);
    return pool ? { specific: pool.hosts.specific.keys(), wildcard: pool.hosts.wildcard.keys() } : { specific: [], wildcard: [] };
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Istio `sortConfigBySelectorAndCreationTime`: rules with a workload selector first, then oldest first. In place. */
function sortBySelectorAndCreation(rules: DestinationRulePolicy[]): DestinationRulePolicy[] {
  if (rules.length < 2) return rules;
  const keyed = rules.map((rule) => ({ rule, selectorRank: rule.workloadSelector ? 0 : 1, key: creationKey(rule.doc) }));
  keyed.sort((a, b) => a.selectorRank - b.selectorRank || compareCreationKeys(a.key, b.key));
  for (let i = 0; i < keyed.length; i++) rules[i] = keyed[i]!.rule;
  return rules;
}

/** Shared, never modified: most rules have no exportTo, and every selector rule is private. */
const EXPORT_TO_DEFAULT: ReadonlySet<string> = new Set();
const EXPORT_TO_OWN_NAMESPACE: ReadonlySet<string> = new Set(['.']);

function exportSet(rule: DestinationRulePolicy): ReadonlySet<string> {
  if (rule.workloadSelector) return EXPORT_TO_OWN_NAMESPACE;
  return rule.exportTo.length === 0 ? EXPORT_TO_DEFAULT : new Set(rule.exportTo);
}

function isNamedNamespace(exportTo: string, rule: DestinationRulePolicy): boolean {
  return exportTo !== '.' && exportTo !== '*' && exportTo !== '~' && exportTo !== rule.namespace;
}

function namesOtherNamespaces(rule: DestinationRulePolicy): boolean {
  if (rule.workloadSelector) return false;
  for (const e of rule.exportTo) if (isNamedNamespace(e, rule)) return true;
  return false;
}

/** What `serviceFqdn` appends to `<name>.<namespace>`. */
const SERVICE_HOST_SUFFIX = `.svc.${CLUSTER_DOMAIN}`;
