import type { ServerMode } from '../../core/model/types';
import type { DownstreamModeDecision } from './downstream-mode';
import type { ProtoObject } from './proto-fields';

/** How one filter chain of a listener treats a connection it matches. */
export type ChainPosture = {
  /** How a person names the chain: `filter chain mtls`, `filter chain #1`, `default filter chain`. */
  label: string;
  /** Dotted path of the chain in the document. */
  chainPath: string;
} & (
  /** `startTls`: the cleartext phase of a StartTLS chain, which a client that never asks for TLS keeps. */
  | { kind: 'plaintext'; why: string; startTls?: true }
  /** No transport socket, but the chain matches only TLS (SNI or `transport_protocol: tls`): Envoy forwards the TLS bytes unread. */
  | { kind: 'passthrough'; why: string }
  /** `direct`: the context is the chain socket's own typed_config (not inside a wrapper or QUIC). */
  | { kind: 'tls'; decision: DownstreamModeDecision; path: string; tlsContext: ProtoObject; direct: boolean }
);

/**
 * The listener's mode is what its weakest chain lets in: Envoy picks a filter chain per
 * connection (filter_chain_match, then default_filter_chain), so a client that wants plaintext
 * finds the plaintext chain. Plaintext next to any TLS chain is PERMISSIVE (both kinds of
 * client connect); plaintext alone is DISABLED; TLS everywhere is STRICT only when every
 * TLS chain requires a verified client certificate.
 */
export function effectiveListenerMode(chains: ChainPosture[]): { mode: ServerMode; reason: string; at?: string } {
  const plaintext = chains.filter((c) => c.kind === 'plaintext');
  const unverified = chains.filter((c) => c.kind === 'passthrough' || (c.kind === 'tls' && c.decision.mode !== 'STRICT'));
  const strict = chains.filter((c) => c.kind === 'tls' && c.decision.mode === 'STRICT');
  const labels = (list: ChainPosture[]) => list.map((c) => c.label).join(', ');

  if (plaintext.length > 0) {
    const at = plaintext[0]!.chainPath;
    if (strict.length + unverified.length === 0) return { mode: 'DISABLED', reason: `no filter chain terminates TLS (${labels(plaintext)})`, at };
    return { mode: 'PERMISSIVE', reason: `${labels(plaintext)} accept${plaintext.length === 1 ? 's' : ''} plaintext next to TLS chain(s) ${labels([...strict, ...unverified])}`, at };
  }
  if (unverified.length > 0) {
    const first = unverified[0];
    const why = first.kind === 'tls' ? first.decision.reason : first.kind === 'passthrough' ? first.why : '';
    // The finding points at the field that decided (require_client_certificate, trust_chain_verification) where one is written.
    const at = first.kind === 'tls' ? (first.decision.decidedBy ? `${first.path}.${first.decision.decidedBy}` : first.path) : first.chainPath;
    return { mode: 'TLS_NO_CLIENT_AUTH', reason: `${first.label}: ${why}`, at };
  }
  const first = strict[0];
  return { mode: 'STRICT', reason: first && first.kind === 'tls' ? `every filter chain requires a verified client certificate (${first.decision.reason})` : 'every filter chain requires a verified client certificate' };
}
