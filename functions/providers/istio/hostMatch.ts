/**
 * Istio host names: short-name resolution and "most specific host wins".
 * Sources: istio pilot/pkg/model/config.go (`ResolveShortnameToFQDN`, `MostSpecificHostMatch`)
 * and pkg/config/host (`Name.IsWildCarded`, `MoreSpecific`).
 */

export const CLUSTER_DOMAIN = 'cluster.local';

/** `<service>.<namespace>.svc.cluster.local` */
export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * Istio: `*` stays as is; a name without a dot is relative to the config's namespace
 * (`reviews` in `bookinfo` → `reviews.bookinfo.svc.cluster.local`); anything with a dot is taken
 * verbatim, so `reviews.bookinfo` is NOT expanded and matches no Kubernetes Service.
 */
export function resolveShortnameToFqdn(host: string, namespace: string): string {
  if (host === '*') return host;
  if (isIpAddress(host)) return host;
  if (!host.includes('.')) return `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`;
  return host;
}

export function isWildcardHost(host: string): boolean {
  return host.startsWith('*');
}

/** Istio `host.MoreSpecific`: exact before wildcard, then longer first, then alphabetical. */
export function moreSpecificHost(a: string, b: string): boolean {
  const wa = isWildcardHost(a);
  const wb = isWildcardHost(b);
  if (wa !== wb) return !wa;
  if (a.length !== b.length) return a.length > b.length;
  return a < b;
}

/**
 * Istio `MostSpecificHostMatch`: an exact entry for the needle wins; otherwise the most specific
 * wildcard whose suffix the needle ends with. A wildcard needle (`*.foo.com`) first looks for the
 * same wildcard, then for a wider one.
 */
export function mostSpecificHostMatch<V>(
  needle: string,
  specific: ReadonlyMap<string, V>,
  wildcard: ReadonlyMap<string, V>,
): { host: string; value: V } | undefined {
  if (isWildcardHost(needle)) {
    const same = wildcard.get(needle);
    if (same !== undefined) return { host: needle, value: same };
    return mostSpecificWildcardMatch(needle.slice(1), wildcard);
  }
  const exact = specific.get(needle);
  if (exact !== undefined) return { host: needle, value: exact };
  return mostSpecificWildcardMatch(needle, wildcard);
}

function mostSpecificWildcardMatch<V>(needle: string, wildcard: ReadonlyMap<string, V>): { host: string; value: V } | undefined {
  let best: { host: string; value: V } | undefined;
  for (const [host, value] of wildcard) {
    if (!needle.endsWith(host.slice(1))) continue;
    if (!best || moreSpecificHost(host, best.host)) best = { host, value };
  }
  return best;
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host));
}
