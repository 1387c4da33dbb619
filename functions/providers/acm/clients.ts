import { ACMClient, type ACMClientConfig } from '@aws-sdk/client-acm';
import { ACMPCAClient, type ACMPCAClientConfig } from '@aws-sdk/client-acm-pca';

/**
 * SDK clients for the ACM lookups. Adaptive retry: the SDK backs off on ThrottlingException and
 * 5xx, and its client-side rate limiter slows every later call of the same client once the
 * service throttles (`retryMode: 'adaptive'`, @smithy/util-retry AdaptiveRetryStrategy).
 * No endpoint is ever set here: the SDK reads AWS_ENDPOINT_URL_ACM / AWS_ENDPOINT_URL_ACM_PCA
 * (and AWS_ENDPOINT_URL) itself, and tests pass `endpoint` in the config.
 */

/** Attempts per call, the first included: more than the SDK's 3, since a listener's certificate is worth waiting for. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** An ACM client with adaptive retry; `config` overrides (region, endpoint, credentials, maxAttempts, …). */
export function createAcmClient(config: ACMClientConfig = {}): ACMClient {
  return new ACMClient({ retryMode: 'adaptive', maxAttempts: DEFAULT_MAX_ATTEMPTS, ...config });
}

/** An ACM Private CA client with adaptive retry; `config` overrides. */
export function createPcaClient(config: ACMPCAClientConfig = {}): ACMPCAClient {
  return new ACMPCAClient({ retryMode: 'adaptive', maxAttempts: DEFAULT_MAX_ATTEMPTS, ...config });
}

/** A client given by the caller: one for every region, or one per region (ACM and ACM-PCA are regional). */
export type ClientChoice<C> = C | ((region: string) => C);

/**
 * One client per region, made once and reused, so the adaptive rate limiter of a region sees
 * every call to it. A given client serves every region; without one, a client is made for
 * the region of each ARN.
 */
export class RegionalClients<C> {
  private readonly made = new Map<string, C>();

  constructor(
    private readonly given: ClientChoice<C> | undefined,
    private readonly make: (region: string) => C,
  ) {}

  forRegion(region: string): C {
    if (this.given !== undefined && typeof this.given !== 'function') return this.given;
    let client = this.made.get(region);
    if (!client) {
      client = typeof this.given === 'function' ? (this.given as (region: string) => C)(region) : this.make(region);
      this.made.set(region, client);
    }
    return client;
  }
}
