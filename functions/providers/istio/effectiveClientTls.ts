import type { ClientSends } from '../../core/model/types';
import type { ClientTls, DestinationRulePolicy, PortTrafficPolicy } from './destinationRule';
import { decidingRule, type ConsolidatedDestinationRule } from './destinationRuleIndex';
import type { MeshSettings } from './meshConfig';

export interface ClientTlsDecision {
  sends: ClientSends;
  reason: string;
  /** The DestinationRule whose settings decide; undefined when no rule applies. */
  rule?: DestinationRulePolicy;
  /** `port` when a portLevelSettings entry decided, `namespace` for the rule's top level, `default` without a rule. */
  scope: 'namespace' | 'port' | 'default';
  /** The explicit TLS settings that decided, if any. */
  tls?: ClientTls;
}

/**
 * What a sidecar sends toward one port of a destination: the single place that turns the
 * DestinationRule chosen by `DestinationRuleIndex.destinationRuleFor` into a client TLS mode.
 *
 * - A `portLevelSettings` entry for the port replaces the top-level settings entirely; an entry
 *   without `tls` means no TLS settings for that port (Istio `MergeTrafficPolicy`: port-level
 *   policies do not inherit).
 * - ISTIO_MUTUAL and MUTUAL send mTLS, SIMPLE sends TLS without a client certificate, DISABLE
 *   sends plaintext.
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
  let sends: ClientSends;
  let reason: string;
  if (tls) {
    sends = sendsFor(tls.mode);
    reason = tls.mode;
  } else if (destination.meshExternal) {
    sends = 'PLAINTEXT';
    reason = `no tls settings${where} and the host is MESH_EXTERNAL, where auto mTLS does not apply`;
  } else if (mesh.enableAutoMtls) {
    sends = 'AUTO';
    reason = `no tls settings${where}: auto mTLS`;
  } else {
    sends = 'PLAINTEXT';
    reason = rule ? `no tls settings${where} and enableAutoMtls is false` : 'no DestinationRule and enableAutoMtls is false';
  }
  const decision: ClientTlsDecision = { sends, reason, scope };
  if (rule) decision.rule = rule;
  if (tls) decision.tls = tls;
  return decision;
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
