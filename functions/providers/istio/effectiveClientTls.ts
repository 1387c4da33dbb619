import type { ClientSends } from '../../core/model/types';
import type { ClientTls, DestinationRulePolicy, DestinationSubset, PortTrafficPolicy } from './destinationRule';
import { decidingRule, type ConsolidatedDestinationRule } from './destinationRuleIndex';
import type { MeshSettings } from './meshConfig';
import { failedTlsReason, sidecarTlsFailure } from './sidecarTls';

export interface ClientTlsDecision {
  sends: ClientSends;
  reason: string;
  /** The DestinationRule whose settings decide; undefined when no rule applies. */
  rule?: DestinationRulePolicy;
  /** `port` when a portLevelSettings entry decided, `namespace` for the rule's top level, `default` without a rule. */
  scope: 'namespace' | 'port' | 'default';
  /** The explicit TLS settings that decided, if any. */
  tls?: ClientTls;
  /** The subset whose own settings decided (its cluster only carries traffic a route sends to it). */
  subset?: DestinationSubset;
  /** Auto mTLS toward a headless Service, resolved to what it sends every pod (`sends` is then never AUTO). */
  passthrough?: true;
}

/**
 * What a sidecar sends toward one port of a destination: the single place that turns the
 * DestinationRule chosen by `DestinationRuleIndex.destinationRuleFor` into a client TLS mode.
 *
 * - A `portLevelSettings` entry for the port replaces the top-level settings entirely; an entry
 *   without `tls` means no TLS settings for that port (Istio `MergeTrafficPolicy`: port-level
 *   policies do not inherit).
 * - ISTIO_MUTUAL and MUTUAL send mTLS, SIMPLE sends TLS without a client certificate, DISABLE
 *   sends plaintext; SIMPLE or MUTUAL that a sidecar cannot build sends plaintext (sidecarTls.ts).
 * - Without TLS settings, auto mTLS (MeshConfig `enableAutoMtls`, default true) sends mTLS to
 *   sidecars and plaintext otherwise; it never applies to a MESH_EXTERNAL host, and when it is
 *   off the client sends plaintext (Istio `buildUpstreamTLSSettings`).
 *
 * `port` is a destination (service) port; undefined asks for "any port without its own entry".
 */
export function effectiveClientTls(
  entry: ConsolidatedDestinationRule | undefined,
  port: number | undefined,
  mesh: Pick<MeshSettings, 'enableAutoMtls'>,
  destination: { meshExternal: boolean },
): ClientTlsDecision {
  const rule = entry ? decidingRule(entry) : undefined;
  const policy = rule?.trafficPolicy;
  let tls = policy?.tls;
  let scope: ClientTlsDecision['scope'] = rule ? 'namespace' : 'default';
  let where = '';
  if (policy && port !== undefined) {
    const portLevel = portLevelEntry(policy.portLevelSettings, port);
    if (portLevel) {
      tls = portLevel.tls;
      scope = 'port';
      where = ` in portLevelSettings for port ${port}`;
    }
  }
  const failure = tls && sidecarTlsFailure(tls, entry!.selector !== undefined);
  const decision: ClientTlsDecision = failure
    ? { sends: 'PLAINTEXT', reason: failedTlsReason(tls!, where, failure), scope }
    : { sends: sendsWith(tls, mesh, destination), reason: reasonWith(tls, where, rule !== undefined, mesh, destination), scope };
  if (rule) decision.rule = rule;
  if (tls) decision.tls = tls;
  return decision;
}

/**
 * What a sidecar sends to one port of a subset's cluster, when the subset's own settings decide
 * (Istio `MergeTrafficPolicy(original, subset.trafficPolicy, port)`): the subset's
 * portLevelSettings entry for the port (its `tls`, or none: no inheritance), else the subset's
 * top-level `tls`. Undefined when neither applies: the subset's cluster then sends what the
 * rule's top level gives for the port. `rule` is the rule that declares the subset (merged rules
 * contribute their subsets too). A subset cluster carries traffic only when a route sends to it,
 * which VirtualServices decide and the model does not read, so the reason says so.
 * `ruleHasSelector`: the merged rule the subset belongs to has a workloadSelector (sidecarTls.ts).
 */
export function subsetClientTls(
  rule: DestinationRulePolicy,
  subset: DestinationSubset,
  port: number | undefined,
  mesh: Pick<MeshSettings, 'enableAutoMtls'>,
  destination: { meshExternal: boolean },
  ruleHasSelector: boolean,
): ClientTlsDecision | undefined {
  const policy = subset.trafficPolicy;
  if (!policy) return undefined;
  const portLevel = port === undefined ? undefined : portLevelEntry(policy.portLevelSettings, port);
  let tls: ClientTls | undefined;
  let where: string;
  if (portLevel) {
    tls = portLevel.tls;
    where = ` in subset ${subset.name} portLevelSettings for port ${port}`;
  } else if (policy.tls) {
    tls = policy.tls;
    where = ` in subset ${subset.name}`;
  } else return undefined;
  const failure = tls && sidecarTlsFailure(tls, ruleHasSelector);
  const decision: ClientTlsDecision = {
    sends: failure ? 'PLAINTEXT' : sendsWith(tls, mesh, destination),
    reason: `${failure ? failedTlsReason(tls!, where, failure) : tls ? `${tls.mode}${where}` : reasonWith(tls, where, true, mesh, destination)} (when a route sends to it)`,
    scope: portLevel ? 'port' : 'namespace',
    rule,
    subset,
  };
  if (tls) decision.tls = tls;
  return decision;
}

// Two functions rather than one returning a pair: this runs once per client record, and a pair would be an allocation each time.
function sendsWith(tls: ClientTls | undefined, mesh: Pick<MeshSettings, 'enableAutoMtls'>, destination: { meshExternal: boolean }): ClientSends {
  if (tls) return sendsFor(tls.mode);
  if (destination.meshExternal) return 'PLAINTEXT';
  return mesh.enableAutoMtls ? 'AUTO' : 'PLAINTEXT';
}

function reasonWith(
  tls: ClientTls | undefined,
  where: string,
  hasRule: boolean,
  mesh: Pick<MeshSettings, 'enableAutoMtls'>,
  destination: { meshExternal: boolean },
): string {
  if (tls) return tls.mode;
  if (destination.meshExternal) return `no tls settings${where} and the host is MESH_EXTERNAL, where auto mTLS does not apply`;
  if (mesh.enableAutoMtls) return `no tls settings${where}: auto mTLS`;
  return hasRule ? `no tls settings${where} and enableAutoMtls is false` : 'no DestinationRule and enableAutoMtls is false';
}

function portLevelEntry(settings: readonly PortTrafficPolicy[], port: number): PortTrafficPolicy | undefined {
  for (let i = 0; i < settings.length; i++) if (settings[i]!.port === port) return settings[i];
  return undefined;
}

function sendsFor(mode: ClientTls['mode']): ClientSends {
  switch (mode) {
    case 'ISTIO_MUTUAL':
    case 'MUTUAL':
      return 'MTLS';
    case 'SIMPLE':
      return 'TLS';
    case 'DISABLE':
      return 'PLAINTEXT';
  }
}
