import type { KubeObject, Located } from '../../core/model/inventory';
import type { ConfigProblem } from '../../core/model/types';
import { quoteValue } from '../../core/truncate';
import { sortByCreation } from './creationOrder';
import { isEmptyLabels, readLabelMap, SelectorIndex, type Labels } from './labels';
import { ISTIO_FIELDS, reportNearMisses } from './nearMissFields';
import { nameOf, namespaceOf, resourceVersionOf, type IstioPolicyObject } from './objectKey';
import { ObjectProblems } from './objectProblems';

/** `PeerAuthentication.MutualTLS.Mode` (istio.io/api security/v1beta1). */
export type PeerAuthenticationMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

const MODES: readonly PeerAuthenticationMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

export interface PeerAuthenticationPolicy extends IstioPolicyObject {
  /** Undefined for mesh- and namespace-wide policies (no selector, or empty `matchLabels`). */
  selector?: Labels;
  mode: PeerAuthenticationMode;
  /** `portLevelMtls`, keyed by workload port. Only read on policies with a selector. */
  portLevelMtls: ReadonlyMap<number, PeerAuthenticationMode>;
}

/**
 * Reads one PeerAuthentication. A value the CRD schema rejects (an unknown mode, a malformed
 * selector, a port that is not a number, portLevelMtls without a selector, a misspelled field)
 * means the API server would not have stored the object, so it takes no effect: we report it
 * and drop it, and the workloads keep the mode they inherit.
 */
export function readPeerAuthentication(obj: Located<KubeObject>): { policy?: PeerAuthenticationPolicy; problems: ConfigProblem[] } {
  const { doc, source } = obj;
  const problems = new ObjectProblems('PeerAuthentication', doc, source);
  const spec = (doc.spec ?? {}) as Record<string, unknown>;
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    problems.add('spec', 'spec must be a mapping');
    return { problems: problems.list };
  }
  reportNearMisses(spec, ISTIO_FIELDS.peerAuthenticationSpec, 'spec', problems);

  const { labels: selector, malformed: malformedSelector } = readSelector(spec['selector'], problems);

  const mode = readMode(spec['mtls'], 'spec.mtls', problems);

  const portLevelMtls = new Map<number, PeerAuthenticationMode>();
  const rawPorts = spec['portLevelMtls'];
  if (rawPorts !== undefined && rawPorts !== null) {
    if (typeof rawPorts !== 'object' || Array.isArray(rawPorts)) problems.add('spec.portLevelMtls', 'portLevelMtls must be a map from port number to {mode}');
    else if (!selector && !malformedSelector) {
      // The CRD's CEL rule refuses the whole object, not just the ports (istio/api: "portLevelMtls
      // requires selector"); a selector with empty matchLabels counts as none.
      problems.add(
        'spec.portLevelMtls',
        'portLevelMtls requires a selector with matchLabels: Istio refuses the whole PeerAuthentication ("portLevelMtls requires selector"), so none of it applies and the namespace keeps the mode it inherits',
      );
    } else if (Object.keys(rawPorts).length === 0 && !malformedSelector) {
      problems.add('spec.portLevelMtls', 'portLevelMtls must list at least one port (Istio\'s CRD sets minProperties 1): remove it or add a port');
    } else {
      for (const [key, value] of Object.entries(rawPorts as Record<string, unknown>)) {
        const port = Number(key);
        if (!/^\d+$/.test(key) || port < 1 || port > 65535) {
          problems.add(`spec.portLevelMtls.${key}`, `portLevelMtls key ${quoteValue(key)} is not a port number (1-65535)`);
          continue;
        }
        const portMode = readMode(value, `spec.portLevelMtls.${key}`, problems);
        if (portMode !== undefined) portLevelMtls.set(port, portMode);
      }
    }
  }

  if (mode === undefined || problems.rejected) return { problems: problems.list };
  return {
    policy: {
      name: nameOf(doc),
      namespace: namespaceOf(doc),
      apiVersion: doc.apiVersion,
      resourceVersion: resourceVersionOf(doc),
      source,
      doc,
      selector,
      mode,
      portLevelMtls,
    },
    problems: problems.list,
  };
}

/** `spec.selector`: its labels, none when absent or without matchLabels, `malformed` when the CRD refuses it. */
function readSelector(raw: unknown, problems: ObjectProblems): { labels?: Labels; malformed?: true } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add('spec.selector', 'selector must be a mapping with matchLabels');
    return { malformed: true };
  }
  reportNearMisses(raw as Record<string, unknown>, ISTIO_FIELDS.workloadSelector, 'spec.selector', problems);
  const labels = readLabelMap((raw as Record<string, unknown>)['matchLabels']);
  if ('error' in labels) {
    problems.add('spec.selector.matchLabels', `selector.matchLabels ${labels.error}`);
    return { malformed: true };
  }
  return isEmptyLabels(labels as Labels) ? {} : { labels: labels as Labels };
}

function readMode(raw: unknown, field: string, problems: ObjectProblems): PeerAuthenticationMode | undefined {
  if (raw === undefined || raw === null) return 'UNSET';
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(field, `${field.split('.').pop()} must be a mapping with a mode`);
    return undefined;
  }
  reportNearMisses(raw as Record<string, unknown>, ISTIO_FIELDS.mutualTls, field, problems);
  const mode = (raw as Record<string, unknown>)['mode'];
  if (mode === undefined || mode === null) return 'UNSET';
  if (typeof mode === 'string' && (MODES as readonly string[]).includes(mode)) return mode as PeerAuthenticationMode;
  problems.add(`${field}.mode`, `mode ${quoteValue(mode)} is not one of ${MODES.join(', ')}`);
  return undefined;
}

/**
 * The PeerAuthentications that can apply to one workload, one per scope, as Istio chooses them
 * (pilot/pkg/security/authn `ComposePeerAuthentication`): the oldest mesh-wide policy, the
 * oldest namespace-wide policy, and the oldest workload policy whose selector matches.
 */
export interface ApplicablePeerAuthentications {
  mesh?: PeerAuthenticationPolicy;
  namespace?: PeerAuthenticationPolicy;
  workload?: PeerAuthenticationPolicy;
}

export class PeerAuthenticationIndex {
  readonly rootNamespace: string;
  private meshPolicy?: PeerAuthenticationPolicy;
  private readonly namespacePolicies = new Map<string, PeerAuthenticationPolicy>();
  private readonly workloadPolicies = new Map<string, SelectorIndex<PeerAuthenticationPolicy>>();
  /** Every policy by namespace, for fixes that must not collide with an existing name. */
  private readonly byNamespace = new Map<string, PeerAuthenticationPolicy[]>();
  /** Each namespace's view, built on first use: its workloads share one answer per workload policy. */
  private readonly namespaces = new Map<string, NamespacePeerAuthentications>();

  constructor(policies: PeerAuthenticationPolicy[], rootNamespace: string) {
    this.rootNamespace = rootNamespace;
    for (const policy of policies) {
      let list = this.byNamespace.get(policy.namespace);
      if (!list) this.byNamespace.set(policy.namespace, (list = []));
      list.push(policy);
    }
    // "The oldest wins" only ever compares policies of one namespace, so each namespace is
    // sorted on its own: the same order as one fleet-wide sort, with far fewer comparisons.
    for (const list of this.byNamespace.values()) {
      sortByCreation(list);
      for (const policy of list) this.file(policy);
    }
  }

  private file(policy: PeerAuthenticationPolicy): void {
    if (!policy.selector) {
      // Istio: only the oldest mesh-wide (root namespace) and namespace-wide policy counts.
      if (policy.namespace === this.rootNamespace) this.meshPolicy ??= policy;
      else if (!this.namespacePolicies.has(policy.namespace)) this.namespacePolicies.set(policy.namespace, policy);
      return;
    }
    // Istio: a policy with a selector in the root namespace is ignored (it is neither mesh-wide nor a workload's).
    if (policy.namespace === this.rootNamespace) return;
    let index = this.workloadPolicies.get(policy.namespace);
    if (!index) this.workloadPolicies.set(policy.namespace, (index = new SelectorIndex()));
    index.add(policy.selector, policy);
  }

  /** The policies that apply to a workload with these pod labels in this namespace (shared between workloads: do not modify). */
  applicableTo(namespace: string, podLabels: Labels): Readonly<ApplicablePeerAuthentications> {
    return this.inNamespace(namespace).applicableTo(podLabels);
  }

  /** The policies of one namespace, for a run of its workloads. */
  inNamespace(namespace: string): NamespacePeerAuthentications {
    let view = this.namespaces.get(namespace);
    if (!view) {
      const nsPolicy = namespace === this.rootNamespace ? undefined : this.namespacePolicies.get(namespace);
      view = new NamespacePeerAuthentications(this.meshPolicy, nsPolicy, this.workloadPolicies.get(namespace));
      this.namespaces.set(namespace, view);
    }
    return view;
  }

  /** The namespace-wide policy of a namespace (the mesh policy for the root namespace). */
  namespaceWide(namespace: string): PeerAuthenticationPolicy | undefined {
    return namespace === this.rootNamespace ? this.meshPolicy : this.namespacePolicies.get(namespace);
  }

  policiesIn(namespace: string): readonly PeerAuthenticationPolicy[] {
    return this.byNamespace.get(namespace) ?? [];
  }
}

/**
 * The PeerAuthentications of one namespace. Every workload the namespace's workload policies do
 * not select sees the same chain, and so do all workloads one policy selects: one (read-only)
 * object per chain, which servers share along with whatever is derived from it.
 */
export class NamespacePeerAuthentications {
  private readonly withoutWorkloadPolicy: Readonly<ApplicablePeerAuthentications>;
  private readonly withWorkloadPolicy = new Map<PeerAuthenticationPolicy, Readonly<ApplicablePeerAuthentications>>();

  constructor(
    private readonly mesh: PeerAuthenticationPolicy | undefined,
    private readonly namespace: PeerAuthenticationPolicy | undefined,
    private readonly workloadPolicies: SelectorIndex<PeerAuthenticationPolicy> | undefined,
  ) {
    this.withoutWorkloadPolicy = this.chain(undefined);
  }

  applicableTo(podLabels: Labels): Readonly<ApplicablePeerAuthentications> {
    // Added oldest first, so the first match is the oldest (Istio: the oldest workload policy wins).
    const workload = this.workloadPolicies?.firstMatch(podLabels);
    if (!workload) return this.withoutWorkloadPolicy;
    let chain = this.withWorkloadPolicy.get(workload);
    if (!chain) this.withWorkloadPolicy.set(workload, (chain = this.chain(workload)));
    return chain;
  }

  private chain(workload: PeerAuthenticationPolicy | undefined): ApplicablePeerAuthentications {
    const out: ApplicablePeerAuthentications = {};
    if (this.mesh) out.mesh = this.mesh;
    if (this.namespace) out.namespace = this.namespace;
    if (workload) out.workload = workload;
    return out;
  }
}
