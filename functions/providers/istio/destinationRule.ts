import type { KubeObject, Located } from '../../core/model/inventory';
import type { ConfigProblem } from '../../core/model/types';
import { checkExportTo, checkSubsetName } from './destinationRuleWebhook';
import { readLabelMap, type Labels } from './labels';
import { ISTIO_FIELDS, reportNearMisses } from './nearMissFields';
import { nameOf, namespaceOf, resourceVersionOf, type IstioPolicyObject } from './objectKey';
import { ObjectProblems } from './objectProblems';
import { resolveShortnameToFqdn } from './hostMatch';
import { readPortNumber } from './portNumber';
import { missesClientCertificate } from './sidecarTls';

/** `ClientTLSSettings.TLSmode` (istio.io/api networking/v1alpha3). */
export type ClientTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

const TLS_MODES: readonly ClientTlsMode[] = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];

export interface ClientTls {
  mode: ClientTlsMode;
  /** The `tls` object as written, so a fix can clear the fields a new mode does not use. */
  raw: Record<string, unknown>;
  /** Its field path in the rule (`spec.trafficPolicy.portLevelSettings[0].tls`), for the finding's line. */
  path?: string;
}

export interface PortTrafficPolicy {
  port: number;
  /** Undefined when the entry has no `tls`: Istio then uses no TLS settings for the port (no inheritance). */
  tls?: ClientTls;
  /** Set when the entry has a `loadBalancer`: whether it is `simple: PASSTHROUGH` (it replaces the top level's). */
  passthrough?: boolean;
}

export interface TrafficPolicy {
  tls?: ClientTls;
  /** `loadBalancer.simple: PASSTHROUGH`: an ORIGINAL_DST cluster, which Istio treats as a passthrough Service. */
  passthrough?: true;
  portLevelSettings: PortTrafficPolicy[];
  /** `portLevelSettings` exactly as written, for a merge patch that must send the whole list. */
  rawPortLevelSettings: unknown[];
}

/** One `spec.subsets` entry: a named group of the host's endpoints, with its own traffic policy. */
export interface DestinationSubset {
  name: string;
  labels: Labels;
  /** Undefined when the subset has none: its cluster then uses the rule's top level (Istio `MergeTrafficPolicy`). */
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRulePolicy extends IstioPolicyObject {
  /** `spec.host` resolved against the rule's namespace. */
  host: string;
  exportTo: string[];
  /** Set whenever the rule has a workloadSelector, even one without labels (it then picks every workload of its namespace). */
  workloadSelector?: Labels;
  /** Undefined when the rule has no `trafficPolicy` (it then contributes none when merged). */
  trafficPolicy?: TrafficPolicy;
  /** Set only when the rule has subsets, so rules without them cost nothing downstream. */
  subsets?: DestinationSubset[];
  /** `spec.subsets` exactly as written, for a merge patch that must send the whole list. */
  rawSubsets?: unknown[];
}

/**
 * Reads one DestinationRule. Values the CRD schema rejects (unknown TLS mode, a port that is not
 * an integer, a malformed selector, a missing host, a misspelled field) and the rules Istio's
 * validation webhook adds (subset names, exportTo entries) mean the object would not exist in the
 * cluster, so it is reported and dropped.
 */
export function readDestinationRule(obj: Located<KubeObject>): { rule?: DestinationRulePolicy; problems: ConfigProblem[] } {
  const { doc, source } = obj;
  const problems = new ObjectProblems('DestinationRule', doc, source);
  const spec = doc.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
    problems.add('spec', 'spec must be a mapping with a host');
    return { problems: problems.list };
  }
  const namespace = namespaceOf(doc);
  reportNearMisses(spec, ISTIO_FIELDS.destinationRuleSpec, 'spec', problems);
  if (typeof spec.host !== 'string' || spec.host === '') problems.add('spec.host', 'host is required');

  let exportTo: string[] = [];
  if (spec.exportTo !== undefined && spec.exportTo !== null) {
    if (Array.isArray(spec.exportTo) && spec.exportTo.every((e: unknown) => typeof e === 'string')) exportTo = spec.exportTo;
    else problems.add('spec.exportTo', 'exportTo must be a list of namespace names, "." or "*"');
    checkExportTo(exportTo, namespace, problems);
    // Kept as istiod would act on it (visible to no namespace) where the object got in.
    if (exportTo.includes('~')) {
      problems.warn('spec.exportTo', 'exportTo "~" (visible to no namespace) is for ServiceEntries only: Istio validation rejects it on a DestinationRule ("exportTo ~ (none) is not allowed"), and where such a rule got in, no client uses it, yet it still hides the less specific rules for its host');
    }
  }

  // A present but empty selector stays a selector (`{}` picks every workload of the namespace):
  // istiod tests `GetWorkloadSelector() != nil`, so such a rule is private and picks workloads as
  // any selector rule does (push_context.go setDestinationRules, SidecarScope.DestinationRule).
  let workloadSelector: Labels | undefined;
  if (spec.workloadSelector !== undefined && spec.workloadSelector !== null) {
    const labels = typeof spec.workloadSelector === 'object' ? readLabelMap(spec.workloadSelector.matchLabels) : { error: 'must be a mapping' };
    if ('error' in labels) problems.add('spec.workloadSelector.matchLabels', `workloadSelector.matchLabels ${labels.error}`);
    else workloadSelector = labels as Labels;
  }

  let trafficPolicy: TrafficPolicy | undefined;
  if (spec.trafficPolicy !== undefined && spec.trafficPolicy !== null) {
    trafficPolicy = readTrafficPolicy(spec.trafficPolicy, 'spec.trafficPolicy', problems);
  }

  let subsets: DestinationSubset[] | undefined;
  const rawSubsets = spec.subsets;
  if (rawSubsets !== undefined && rawSubsets !== null) {
    if (!Array.isArray(rawSubsets)) problems.add('spec.subsets', 'subsets must be a list');
    else if (rawSubsets.length > 0) subsets = readSubsets(rawSubsets, problems);
  }

  if (problems.rejected) return { problems: problems.list };
  const rule: DestinationRulePolicy = {
    name: nameOf(doc),
    namespace,
    apiVersion: doc.apiVersion,
    resourceVersion: resourceVersionOf(doc),
    source,
    doc,
    host: resolveShortnameToFqdn(spec.host, namespace),
    exportTo,
  };
  if (workloadSelector) rule.workloadSelector = workloadSelector;
  if (trafficPolicy) rule.trafficPolicy = trafficPolicy;
  if (subsets && subsets.length > 0) {
    rule.subsets = subsets;
    rule.rawSubsets = rawSubsets;
  }
  return { rule, problems: problems.list };
}

/** `spec.subsets`: each needs a name; labels and trafficPolicy are optional (no labels selects every endpoint). */
function readSubsets(rawList: unknown[], problems: ObjectProblems): DestinationSubset[] {
  const subsets: DestinationSubset[] = [];
  const names = new Map<string, string>();
  // forEach, like portLevelSettings: it skips the holes of a sparse list.
  rawList.forEach((entry, i) => {
    const field = `spec.subsets[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.add(field, 'a subset must be a mapping with a name');
      return;
    }
    const e = entry as Record<string, unknown>;
    reportNearMisses(e, ISTIO_FIELDS.subset, field, problems);
    const name = e['name'];
    const named = typeof name === 'string' && name !== '';
    if (!named) problems.add(`${field}.name`, 'subset name is required');
    else checkSubsetName(name as string, field, names, problems);
    const labels = readLabelMap(e['labels']);
    const badLabels = isLabelError(labels, e['labels']);
    if (badLabels) problems.add(`${field}.labels`, `labels ${(labels as { error: string }).error}`);
    let trafficPolicy: TrafficPolicy | undefined;
    if (e['trafficPolicy'] !== undefined && e['trafficPolicy'] !== null) trafficPolicy = readTrafficPolicy(e['trafficPolicy'], `${field}.trafficPolicy`, problems);
    if (!named || badLabels) return;
    const subset: DestinationSubset = { name: name as string, labels: labels as Labels };
    if (trafficPolicy) subset.trafficPolicy = trafficPolicy;
    subsets.push(subset);
  });
  return subsets;
}

/** Whether `readLabelMap` failed, told apart from a valid map that has a label named `error`. */
function isLabelError(result: Labels | { error: string }, raw: unknown): boolean {
  return 'error' in result && (typeof raw !== 'object' || raw === null || (raw as Record<string, unknown>)['error'] !== result.error);
}

function readTrafficPolicy(raw: unknown, base: string, problems: ObjectProblems): TrafficPolicy | undefined {
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(base, 'trafficPolicy must be a mapping');
    return undefined;
  }
  const policy = raw as Record<string, unknown>;
  reportNearMisses(policy, ISTIO_FIELDS.trafficPolicy, base, problems);
  const tls = readTls(policy['tls'], `${base}.tls`, problems);
  const portLevelSettings: PortTrafficPolicy[] = [];
  const rawList = policy['portLevelSettings'];
  let rawPortLevelSettings: unknown[] = [];
  if (rawList !== undefined && rawList !== null) {
    if (!Array.isArray(rawList)) problems.add(`${base}.portLevelSettings`, 'portLevelSettings must be a list');
    else {
      rawPortLevelSettings = rawList;
      // forEach, not for-of: it skips the holes of a sparse list, and reading must keep doing so.
      rawList.forEach((entry, i) => {
        const field = `${base}.portLevelSettings[${i}]`;
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
          problems.add(field, 'a portLevelSettings entry must be a mapping with a port');
          return;
        }
        const e = entry as Record<string, unknown>;
        reportNearMisses(e, ISTIO_FIELDS.portTrafficPolicy, field, problems);
        const selector = e['port'];
        if (selector !== undefined && selector !== null && (typeof selector !== 'object' || Array.isArray(selector))) {
          problems.add(`${field}.port`, 'port must be a mapping with a number, such as port: {number: 80}');
          return;
        }
        // An integer, as the CRD types it: the API server refuses `number: "80"`.
        const port = readPortNumber((selector as Record<string, unknown> | null | undefined)?.['number'], `${field}.port.number`, problems);
        if (port === undefined) return;
        const portTls = readTls(e['tls'], `${field}.tls`, problems);
        const settings: PortTrafficPolicy = portTls ? { port, tls: portTls } : { port };
        const lb = e['loadBalancer'];
        if (lb !== undefined && lb !== null) settings.passthrough = isPassthrough(lb);
        portLevelSettings.push(settings);
      });
    }
  }
  const read: TrafficPolicy = tls ? { tls, portLevelSettings, rawPortLevelSettings } : { portLevelSettings, rawPortLevelSettings };
  if (isPassthrough(policy['loadBalancer'])) read.passthrough = true;
  return read;
}

function isPassthrough(loadBalancer: unknown): boolean {
  return (loadBalancer as { simple?: unknown } | null | undefined)?.simple === 'PASSTHROUGH';
}

/**
 * Whether the rule's cluster for `port` is passthrough (ORIGINAL_DST) by its load balancer: a
 * port-level `loadBalancer` replaces the top level's (cluster_builder.go applyLoadBalancer with
 * the port's merged policy).
 */
export function loadBalancerPassthrough(policy: TrafficPolicy | undefined, port: number | undefined): boolean {
  if (!policy) return false;
  if (port !== undefined) {
    for (const entry of policy.portLevelSettings) if (entry.port === port && entry.passthrough !== undefined) return entry.passthrough;
  }
  return policy.passthrough === true;
}

/** A `tls` block without `mode` is DISABLE, the proto enum's zero value. */
function readTls(raw: unknown, field: string, problems: ObjectProblems): ClientTls | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(field, 'tls must be a mapping');
    return undefined;
  }
  const tls = raw as Record<string, unknown>;
  reportNearMisses(tls, ISTIO_FIELDS.clientTls, field, problems);
  const mode = tls['mode'] ?? 'DISABLE';
  if (typeof mode !== 'string' || !(TLS_MODES as readonly string[]).includes(mode)) {
    problems.add(`${field}.mode`, `mode ${JSON.stringify(mode)} is not one of ${TLS_MODES.join(', ')}`);
    return undefined;
  }
  const read: ClientTls = { mode: mode as ClientTlsMode, raw: tls, path: field };
  // Kept, as istiod acts on it where it got in: a sidecar then sends plaintext (sidecarTls.ts).
  if (missesClientCertificate(read)) {
    problems.warn(field, 'MUTUAL needs clientCertificate and privateKey, or credentialName (Istio validation rejects it without them); a sidecar given it sends plaintext');
  }
  return read;
}
