/**
 * What an App Mesh listener accepts, computed in this one place and reused by every rule.
 *
 * App Mesh API Reference `ListenerTls.mode`: STRICT accepts only TLS, PERMISSIVE accepts TLS
 * and plaintext, DISABLED only plaintext; a listener without `tls` is plaintext. A STRICT
 * listener verifies client certificates only when it has `validation.trust` (API
 * `ListenerTlsValidationContext`; the CDK's `ListenerTlsOptions.mutualTlsValidation` documents
 * the default as "client TLS certificate is not required"); without it the listener serves
 * TLS to any client.
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

export function effectiveListenerMode(tls: ListenerTls | undefined): EffectiveListenerMode {
  if (!tls) return { mode: 'DISABLED', reason: 'no tls' };
  switch (tls.mode) {
    case 'DISABLED':
      return { mode: 'DISABLED', reason: 'tls.mode DISABLED' };
    case 'PERMISSIVE':
      return { mode: 'PERMISSIVE', reason: 'tls.mode PERMISSIVE' };
    case 'STRICT':
      return listenerTrustOf(tls)
        ? { mode: 'STRICT', reason: 'tls.mode STRICT with client validation' }
        : { mode: 'TLS_NO_CLIENT_AUTH', reason: 'tls.mode STRICT without validation.trust: client certificates are not verified' };
    default:
      // App Mesh rejects any other value (a ConfigProblem says so); assume the least protection.
      return { mode: 'DISABLED', reason: `invalid tls.mode ${JSON.stringify(tls.mode)}` };
  }
}
