/**
 * Explicit client TLS settings that a sidecar cannot turn into a TLS context. istiod then builds
 * the cluster without a transport socket, and the sidecar sends plaintext however the rule reads
 * (pilot/pkg/networking/core/cluster_tls.go `buildUpstreamClusterTLSContext`: a nil context or
 * an error both leave `TransportSocket` unset).
 */
import type { ClientTls } from './destinationRule';

/** A ConfigMap credential holds only a CA bundle, which istiod serves to any proxy (credentials.KubernetesConfigMapTypeURI). */
const CONFIGMAP_CREDENTIAL = 'configmap://';

/**
 * Why a sidecar gets no TLS from these settings (a clause for a reason), or undefined when it
 * gets the TLS they ask for.
 * `ruleHasSelector`: the (merged) DestinationRule has a workloadSelector, the only kind whose
 * secret `credentialName` istiod hands to sidecars, so that a secret reaches only the workloads
 * picked for it.
 */
export function sidecarTlsFailure(tls: ClientTls, ruleHasSelector: boolean): string | undefined {
  if (tls.mode !== 'SIMPLE' && tls.mode !== 'MUTUAL') return undefined;
  const credential = stringField(tls, 'credentialName');
  if (credential !== undefined) {
    if (ruleHasSelector || credential.startsWith(CONFIGMAP_CREDENTIAL)) return undefined;
    return `sidecars only load credentialName ${credential} from a DestinationRule with a workloadSelector`;
  }
  if (tls.mode === 'MUTUAL' && missesClientCertificate(tls)) {
    return 'without clientCertificate and privateKey (or credentialName) istiod cannot build the client TLS context';
  }
  return undefined;
}

/**
 * MUTUAL without a credentialName needs both certificate files: Istio's validation rejects the
 * rule otherwise (validation.go validateTLS, "client certificate required for mutual tls").
 */
export function missesClientCertificate(tls: ClientTls): boolean {
  if (tls.mode !== 'MUTUAL' || stringField(tls, 'credentialName') !== undefined) return false;
  return stringField(tls, 'clientCertificate') === undefined || stringField(tls, 'privateKey') === undefined;
}

/** A non-empty string field of the `tls` block (proto3: an empty string is unset). */
function stringField(tls: ClientTls, name: string): string | undefined {
  const value = tls.raw[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The reason of a decision whose TLS settings the sidecar cannot build. */
export function failedTlsReason(tls: ClientTls, where: string, failure: string): string {
  return `${tls.mode}${where}, but ${failure}, so the cluster has no TLS and sends plaintext`;
}
