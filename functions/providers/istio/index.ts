/** The Istio provider: model builder and the effective-mTLS functions every rule reuses. */
export { buildIstioModel } from './buildIstioModel';
export { effectiveServerMode, type EffectiveServerMode, type ServerModeScope } from './effectiveServerMode';
export { effectiveClientTls, type ClientTlsDecision } from './effectiveClientTls';
export { DestinationRuleIndex, decidingRule, type ClientScope, type ConsolidatedDestinationRule } from './destinationRuleIndex';
export { PeerAuthenticationIndex, type ApplicablePeerAuthentications, type PeerAuthenticationPolicy } from './peerAuthentication';
export type { IstioClientPolicy } from './clients';
export { SET_STRICT_ACTION, CREATE_STRICT_ACTION } from './serverFixes';
export { SET_ISTIO_MUTUAL_ACTION } from './clientFixes';
