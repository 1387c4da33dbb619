import type { FetchLike } from '../providers/metrics/prometheus/http-api';
import { googleAccessTokenSource, type AccessTokenSource } from '../providers/istio/live/kube-config';

/**
 * Google Managed Service for Prometheus answers PromQL at
 * `https://monitoring.googleapis.com/v1/projects/<project>/location/global/prometheus` and, like
 * every Google API, wants an OAuth2 access token; a self-hosted Prometheus wants none.
 */
export function isGoogleApi(url: string): boolean {
  try {
    const { protocol, hostname: host } = new URL(url);
    // A bearer token is a credential: never sent in clear, even to a Google host.
    if (protocol !== 'https:') return false;
    return host === 'googleapis.com' || host.endsWith('.googleapis.com');
  } catch {
    return false;
  }
}

export interface GoogleAuthorizedFetchOptions {
  /** The function's service-account token (Application Default Credentials) by default. */
  accessToken?: AccessTokenSource;
  /** Which URLs get the token; Google APIs by default, never anything else. */
  needsToken?: (url: string) => boolean;
}

/**
 * A fetch that adds `Authorization: Bearer <token>` to requests for Google APIs. The token
 * source is made on first use, so an agent that queries only its own Prometheus never loads
 * google-auth-library, and it caches and refreshes the token itself.
 */
export function googleAuthorizedFetch(fetchImpl: FetchLike, options: GoogleAuthorizedFetchOptions = {}): FetchLike {
  const needsToken = options.needsToken ?? isGoogleApi;
  let token = options.accessToken;
  return async (url, init) => {
    if (!needsToken(url)) return fetchImpl(url, init);
    token ??= googleAccessTokenSource();
    return fetchImpl(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${await token()}` } });
  };
}
