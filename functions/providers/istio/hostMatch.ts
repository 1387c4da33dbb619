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
 * Hosts mapped to values, looked up the way Istio's `MostSpecificHostMatch` does: an exact entry
 * for the needle wins; otherwise the most specific wildcard whose suffix the needle ends with. A
 * wildcard needle (`*.foo.com`) first looks for the same wildcard, then for a wider one.
 *
 * Istio scans every wildcard; valid wildcards are `*` or `*.<suffix>`, so the candidates are the
 * needle's dot-suffixes, tried longest (most specific) first. A table holding any other wildcard
 * shape falls back to the scan.
 */
export class HostTable<V> {
  readonly specific = new Map<string, V>();
  readonly wildcard = new Map<string, V>();
  private irregular = false;

  get(host: string): V | undefined {
    return (isWildcardHost(host) ? this.wildcard : this.specific).get(host);
  }

  set(host: string, value: V): void {
    if (isWildcardHost(host)) {
      this.wildcard.set(host, value);
      if (host !== '*' && !host.startsWith('*.')) this.irregular = true;
    } else this.specific.set(host, value);
  }

  get size(): number {
    return this.specific.size + this.wildcard.size;
  }

  match(needle: string): { host: string; value: V } | undefined {
    if (isWildcardHost(needle)) {
      const same = this.wildcard.get(needle);
      if (same !== undefined) return { host: needle, value: same };
      return this.wildcardMatch(needle.slice(1));
    }
    const exact = this.specific.get(needle);
    if (exact !== undefined) return { host: needle, value: exact };
    return this.wildcardMatch(needle);
  }

  /** Every wildcard entry that matches the needle (not only the most specific). */
  allWildcardMatches(needle: string): V[] {
    if (this.wildcard.size === 0) return [];
    const out: V[] = [];
    if (isWildcardHost(needle)) {
      const same = this.wildcard.get(needle);
      if (same !== undefined) out.push(same);
      needle = needle.slice(1);
    }
    if (this.irregular) {
      for (const [host, value] of this.wildcard) if (needle.endsWith(host.slice(1)) && !out.includes(value)) out.push(value);
      return out;
    }
    for (let i = needle.indexOf('.'); i >= 0; i = needle.indexOf('.', i + 1)) {
      const value = this.wildcard.get(`*${needle.slice(i)}`);
      if (value !== undefined && !out.includes(value)) out.push(value);
    }
    const all = this.wildcard.get('*');
    if (all !== undefined) out.push(all);
    return out;
  }

  private wildcardMatch(needle: string): { host: string; value: V } | undefined {
    if (this.wildcard.size === 0) return undefined;
    if (this.irregular) return scanWildcards(needle, this.wildcard);
    for (let i = needle.indexOf('.'); i >= 0; i = needle.indexOf('.', i + 1)) {
      const host = `*${needle.slice(i)}`;
      const value = this.wildcard.get(host);
      if (value !== undefined) return { host, value };
    }
    const all = this.wildcard.get('*');
    return all !== undefined ? { host: '*', value: all } : undefined;
  }
}

function scanWildcards<V>(needle: string, wildcard: ReadonlyMap<string, V>): { host: string; value: V } | undefined {
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
