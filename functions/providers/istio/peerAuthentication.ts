import type { KubeObject, Located } from '../../core/model/inventory';
import type { ConfigProblem, SourceRef } from '../../core/model/types';
import { compareByCreation } from './creationOrder';
import { isEmptyLabels, readLabelMap, SelectorIndex, type Labels } from './labels';
import { nameOf, namespaceOf } from './objectKey';

/** `PeerAuthentication.MutualTLS.Mode` (istio.io/api security/v1beta1). */
export type PeerAuthenticationMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

const MODES: readonly PeerAuthenticationMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];

export interface PeerAuthenticationPolicy {
  name: string;
  namespace: string;
  apiVersion: string;
  resourceVersion?: string;
  source: SourceRef;
  doc: KubeObject;
  /** Undefined for mesh- and namespace-wide policies (no selector, or empty `matchLabels`). */
  selector?: Labels;
  mode: PeerAuthenticationMode;
  /** `portLevelMtls`, keyed by workload port. Only read on policies with a selector. */
  portLevelMtls: ReadonlyMap<number, PeerAuthenticationMode>;
}

/**
 * Reads one PeerAuthentication. A value the CRD schema rejects (an unknown mode, a malformed
 * selector, a port that is not a number) means the API server would not have stored the object,
 * so it takes no effect: we report it and drop it.
 */
export function readPeerAuthentication(obj: Located<KubeObject>): { policy?: PeerAuthenticationPolicy; problems: ConfigProblem[] } {
  const { doc, source } = obj;
  const problems: ConfigProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ ...source, field, message, kind: 'PeerAuthentication', name: nameOf(doc) });
  };
  const spec = (doc.spec ?? {}) as Record<string, unknown>;
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    problem('spec', 'spec must be a mapping');
    return { problems };
  }

  let selector: Labels | undefined;
  if (spec['selector'] !== undefined && spec['selector'] !== null) {
    const raw = spec['selector'];
    if (typeof raw !== 'object' || Array.isArray(raw)) problem('spec.selector', 'selector must be a mapping with matchLabels');
    else {
      const labels = readLabelMap((raw as Record<string, unknown>)['matchLabels']);
      if ('error' in labels) problem('spec.selector.matchLabels', `selector.matchLabels ${labels.error}`);
      else if (!isEmptyLabels(labels)) selector = labels as Labels;
    }
  }

  const mode = readMode(spec['mtls'], 'spec.mtls', problem);

  const portLevelMtls = new Map<number, PeerAuthenticationMode>();
  const rawPorts = spec['portLevelMtls'];
  if (rawPorts !== undefined && rawPorts !== null) {
    if (typeof rawPorts !== 'object' || Array.isArray(rawPorts)) problem('spec.portLevelMtls', 'portLevelMtls must be a map from port number to {mode}');
    else {
      for (const [key, value] of Object.entries(rawPorts as Record<string, unknown>)) {
        const port = Number(key);
        if (!/^\d+$/.test(key) || port < 1 || port > 65535) {
          problem(`spec.portLevelMtls.${key}`, `portLevelMtls key ${JSON.stringify(key)} is not a port number (1-65535)`);
          continue;
        }
        const portMode = readMode(value, `spec.portLevelMtls.${key}`, problem);
        if (portMode !== undefined) portLevelMtls.set(port, portMode);
      }
      if (!selector && portLevelMtls.size > 0) {
        // Istio's validation webhook rejects this ("mesh/namespace peer authentication cannot have
        // port level mTLS"); where the object got in anyway, ComposePeerAuthentication ignores it.
        problem('spec.portLevelMtls', 'a mesh- or namespace-wide PeerAuthentication cannot have portLevelMtls (Istio rejects it); it is ignored');
        portLevelMtls.clear();
      }
    }
  }

  if (mode === undefined || problems.some((p) => p.field !== 'spec.portLevelMtls')) return { problems };
  return {
    policy: {
      name: nameOf(doc),
      namespace: namespaceOf(doc),
      apiVersion: doc.apiVersion,
      resourceVersion: typeof doc.metadata?.resourceVersion === 'string' ? doc.metadata.resourceVersion : undefined,
      source,
      doc,
      selector,
      mode,
      portLevelMtls,
    },
    problems,
  };
}

function readMode(raw: unknown, field: string, problem: (field: string, message: string) => void): PeerAuthenticationMode | undefined {
  if (raw === undefined || raw === null) return 'UNSET';
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problem(field, `${field.split('.').pop()} must be a mapping with a mode`);
    return undefined;
  }
  const mode = (raw as Record<string, unknown>)['mode'];
  if (mode === undefined || mode === null) return 'UNSET';
  if (typeof mode === 'string' && (MODES as readonly string[]).includes(mode)) return mode as PeerAuthenticationMode;
  problem(`${field}.mode`, `mode ${JSON.stringify(mode)} is not one of ${MODES.join(', ')}`);
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

  constructor(policies: PeerAuthenticationPolicy[], rootNamespace: string) {
    this.rootNamespace = rootNamespace;
    const ordered = [...policies].sort((a, b) => compareByCreation(a.doc, b.doc));
    for (const policy of ordered) {
      let list = this.byNamespace.get(policy.namespace);
      if (!list) this.byNamespace.set(policy.namespace, (list = []));
      list.push(policy);
      if (!policy.selector) {
        // Istio: only the oldest mesh-wide (root namespace) and namespace-wide policy counts.
        if (policy.namespace === rootNamespace) this.meshPolicy ??= policy;
        else if (!this.namespacePolicies.has(policy.namespace)) this.namespacePolicies.set(policy.namespace, policy);
        continue;
      }
      // Istio: a policy with a selector in the root namespace is ignored (it is neither mesh-wide nor a workload's).
      if (policy.namespace === rootNamespace) continue;
      let index = this.workloadPolicies.get(policy.namespace);
      if (!index) this.workloadPolicies.set(policy.namespace, (index = new SelectorIndex()));
      index.add(policy.selector, policy);
    }
  }

  /** The policies that apply to a workload with these pod labels in this namespace. */
  applicableTo(namespace: string, podLabels: Labels): ApplicablePeerAuthentications {
    const out: ApplicablePeerAuthentications = {};
    if (this.meshPolicy) out.mesh = this.meshPolicy;
    const nsPolicy = namespace === this.rootNamespace ? undefined : this.namespacePolicies.get(namespace);
    if (nsPolicy) out.namespace = nsPolicy;
    // Added oldest first, so the first match is the oldest (Istio: the oldest workload policy wins).
    const workload = this.workloadPolicies.get(namespace)?.matching(podLabels)[0];
    if (workload) out.workload = workload;
    return out;
  }

  /** The namespace-wide policy of a namespace (the mesh policy for the root namespace). */
  namespaceWide(namespace: string): PeerAuthenticationPolicy | undefined {
    return namespace === this.rootNamespace ? this.meshPolicy : this.namespacePolicies.get(namespace);
  }

  policiesIn(namespace: string): readonly PeerAuthenticationPolicy[] {
    return this.byNamespace.get(namespace) ?? [];
  }
}
