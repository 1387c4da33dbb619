/**
 * What an App Mesh client (virtual node backend, virtual gateway) sends toward one destination
 * port, computed in this one place and reused by every rule.
 *
 * App Mesh API Reference: `VirtualServiceBackend.clientPolicy` applies to that backend and
 * takes the place of `BackendDefaults.clientPolicy`; `ClientPolicyTls.enforce` "The default is
 * True, if a value isn't specified"; `ports` are "One or more ports that the policy is enforced
 * for"; the client certificate (`ClientTlsCertificate`) is a `file` or an `sds` secret, never
 * ACM. TLS with a client certificate is mutual; without one it is one-way TLS.
 *
 * `ClientPolicyTls.validation` is required: App Mesh (and the controller's CRD schema) rejects a
 * `tls` without it, so the mesh runs whatever it had before and what the client sends is unknown.
 * As for an invalid listener mode (server-mode.ts), the least protection is assumed: plaintext,
 * which keeps every fix that counts on this client's mTLS from being auto.
 */
import type { ClientSends } from '../../core/model/types';
import type { ClientPolicySpec, ClientPolicyTls, TlsCertificate } from './types';

export type ClientPolicyScope = 'backend' | 'backendDefaults' | 'default';

export interface EffectiveClientPolicy {
  sends: ClientSends;
  /** Why, in words a person can act on: `no client policy`, `enforce: false`, … */
  reason: string;
  /** Which level supplied the policy; `default` when neither the backend nor the defaults set one. */
  scope: ClientPolicyScope;
  /** The TLS settings that apply (undefined when there are none). */
  tls?: ClientPolicyTls;
}

/** A `tls` App Mesh rejects for want of its required `validation`, or that validation's required `trust` (normalize-tls.ts reports it). */
export function lacksValidation(tls: ClientPolicyTls): boolean {
  const validation = tls.validation;
  return validation === undefined || validation === null || validation.trust === undefined || validation.trust === null;
}

/** `clientCertificateOf(tls) !== undefined`, without building the certificate. */
export function hasClientCertificate(tls: ClientPolicyTls | undefined): boolean {
  const cert = tls?.certificate;
  return (typeof cert?.file?.certificateChain === 'string' && cert.file.certificateChain !== '') || (typeof cert?.sds?.secretName === 'string' && cert.sds.secretName !== '');
}

/** A usable client certificate: `file` or `sds` (API `ClientTlsCertificate`). */
export function clientCertificateOf(tls: ClientPolicyTls | undefined): TlsCertificate | undefined {
  const cert = tls?.certificate;
  if (typeof cert?.file?.certificateChain === 'string' && cert.file.certificateChain) return { file: cert.file };
  if (typeof cert?.sds?.secretName === 'string' && cert.sds.secretName) return { sds: cert.sds };
  return undefined;
}

const NO_VALIDATION = 'tls has no validation trust, which App Mesh requires: the mesh rejects this spec, so what the client sends is unknown (taken as plaintext)';

/**
 * @param backendPolicy the backend's own `clientPolicy` (undefined when it sets none)
 * @param defaults `backendDefaults.clientPolicy`
 * @param port the destination port, when known; `tls.ports` is then honoured
 *
 * @example
 * effectiveClientPolicy(undefined, { tls: { validation: { trust: { sds: { secretName: 'spiffe://prod-mesh' } } } } }, 8080)
 * // → { sends: 'TLS', reason: 'no client certificate', scope: 'backendDefaults', tls: … }
 */
export function effectiveClientPolicy(
  backendPolicy: ClientPolicySpec | undefined,
  defaults: ClientPolicySpec | undefined,
  port?: number,
): EffectiveClientPolicy {
  const scope: ClientPolicyScope = backendPolicy ? 'backend' : defaults ? 'backendDefaults' : 'default';
  const policy = backendPolicy ?? defaults;
  if (!policy) return { sends: 'PLAINTEXT', reason: 'no client policy', scope };
  const tls = policy.tls;
  if (!tls) return { sends: 'PLAINTEXT', reason: 'client policy has no tls', scope };
  if (lacksValidation(tls)) return { sends: 'PLAINTEXT', reason: NO_VALIDATION, scope, tls };
  if (tls.enforce === false) return { sends: 'PLAINTEXT', reason: 'enforce: false', scope, tls };
  if (Array.isArray(tls.ports) && tls.ports.length > 0 && port !== undefined && !tls.ports.includes(port)) {
    return { sends: 'PLAINTEXT', reason: `tls.ports [${tls.ports.join(', ')}] excludes port ${port}`, scope, tls };
  }
  const certificate = clientCertificateOf(tls);
  if (certificate?.file) return { sends: 'MTLS', reason: 'enforced TLS with a certificate from file', scope, tls };
  if (certificate?.sds) return { sends: 'MTLS', reason: 'enforced TLS with a certificate from sds', scope, tls };
  if (tls.certificate?.acm) return { sends: 'TLS', reason: 'no client certificate (an ACM certificate cannot be a client certificate)', scope, tls };
  return { sends: 'TLS', reason: 'no client certificate', scope, tls };
}
