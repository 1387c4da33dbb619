/**
 * What an App Mesh listener accepts, computed in this one place and reused by every rule.
 *
 * App Mesh API Reference `ListenerTls.mode`: STRICT accepts only TLS, PERMISSIVE accepts TLS
 * and plaintext, DISABLED only plaintext; a listener without `tls` is plaintext. A STRICT
 * listener verifies client certificates only when it has `validation.trust` (API
 * `ListenerTlsValidationContext`; the CDK's `ListenerTlsOptions.mutualTlsValidation` documents
 * the default as "client TLS certificate is not required"); without it the listener serves
 * TLS to any client. PERMISSIVE stays PERMISSIVE with a `validation`: it takes plaintext either
 * way, and whether the Envoy configuration App Mesh generates then refuses TLS without a client
 * certificate is documented nowhere, so no conflict is built on it.
 */
import type { ServerMode } from '../../core/model/types';
import type { ListenerTls, ValidationTrust } from './types';

export interface EffectiveListenerMode {
  mode: ServerMode;
  /** Why, in words: `no tls`, `tls.mode STRICT without validation`, … */
  reason: string;
}

/** A trust a listener can validate client certificates with: `file` or `sds` (API `ListenerTlsValidationContextTrust`). */
export function listenerTrustOf(tls: ListenerTls | undefined): ValidationTrust | undefined {
  const trust = tls?.validation?.trust;
  if (typeof trust?.file?.certificateChain === 'string' && trust.file.certificateChain) return { file: trust.file };
  if (typeof trust?.sds?.secretName === 'string' && trust.sds.secretName) return { sds: trust.sds };
  return undefined;
}

/** `listenerTrustOf(tls) !== undefined`, without building the trust. */
export function hasListenerTrust(tls: ListenerTls | undefined): boolean {
  const trust = tls?.validation?.trust;
  return (typeof trust?.file?.certificateChain === 'string' && trust.file.certificateChain !== '') ||
    (typeof trust?.sds?.secretName === 'string' && trust.sds.secretName !== '');
}

/*
 * The fixed answers are shared: every listener of the fleet asks, and nothing changes them.
 */
const NO_TLS: EffectiveListenerMode = Object.freeze({ mode: 'DISABLED', reason: 'no tls' });
const TLS_DISABLED: EffectiveListenerMode = Object.freeze({ mode: 'DISABLED', reason: 'tls.mode DISABLED' });
const TLS_PERMISSIVE: EffectiveListenerMode = Object.freeze({ mode: 'PERMISSIVE', reason: 'tls.mode PERMISSIVE' });
const STRICT_VALIDATED: EffectiveListenerMode = Object.freeze({ mode: 'STRICT', reason: 'tls.mode STRICT with client validation' });
const STRICT_UNVALIDATED: EffectiveListenerMode = Object.freeze({
  mode: 'TLS_NO_CLIENT_AUTH',
  reason: 'tls.mode STRICT without validation.trust: client certificates are not verified',
});

export function effectiveListenerMode(tls: ListenerTls | undefined): EffectiveListenerMode {
  if (!tls) return NO_TLS;
  switch (tls.mode) {
    case 'DISABLED':
      return TLS_DISABLED;
    case 'PERMISSIVE':
      return TLS_PERMISSIVE;
    case 'STRICT':
      return hasListenerTrust(tls) ? STRICT_VALIDATED : STRICT_UNVALIDATED;
    default:
      // App Mesh rejects any other value (a ConfigProblem says so); assume the least protection.
      return { mode: 'DISABLED', reason: `invalid tls.mode ${JSON.stringify(tls.mode)}` };
  }
}
