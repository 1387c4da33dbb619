import { HostTable, resolveShortnameToFqdn } from './hostMatch';

describe('resolveShortnameToFqdn (Istio ResolveShortnameToFQDN)', () => {
  it.each([
    ['reviews', 'bookinfo', 'reviews.bookinfo.svc.cluster.local'],
    ['reviews.bookinfo', 'bookinfo', 'reviews.bookinfo'],
    ['reviews.bookinfo.svc.cluster.local', 'default', 'reviews.bookinfo.svc.cluster.local'],
    ['*', 'bookinfo', '*'],
    ['*.bookinfo.svc.cluster.local', 'default', '*.bookinfo.svc.cluster.local'],
    ['10.0.12.7', 'bookinfo', '10.0.12.7'],
  ])('%s in %s → %s', (host, ns, want) => {
    expect(resolveShortnameToFqdn(host, ns)).toBe(want);
  });
});

describe('HostTable.match (Istio MostSpecificHostMatch)', () => {
  const table = new HostTable<string>();
  for (const host of ['*', '*.local', '*.cluster.local', '*.bookinfo.svc.cluster.local', 'reviews.bookinfo.svc.cluster.local', '*.example.com']) {
    table.set(host, host);
  }

  it.each([
    ['reviews.bookinfo.svc.cluster.local', 'reviews.bookinfo.svc.cluster.local'],
    ['ratings.bookinfo.svc.cluster.local', '*.bookinfo.svc.cluster.local'],
    ['orders.shop.svc.cluster.local', '*.cluster.local'],
    ['db.internal.local', '*.local'],
    ['api.stripe.com', '*'],
    ['*.bookinfo.svc.cluster.local', '*.bookinfo.svc.cluster.local'],
    ['*.shop.svc.cluster.local', '*.cluster.local'],
    ['*.payments.example.com', '*.example.com'],
  ])('%s → %s', (needle, want) => {
    expect(table.match(needle)?.host).toBe(want);
  });

  it('gives the same answer by scanning when a wildcard of another shape is present', () => {
    const scanning = new HostTable<string>();
    for (const host of ['*.local', '*.cluster.local', '*bookinfo.svc.cluster.local']) scanning.set(host, host);
    expect(scanning.match('ratings.bookinfo.svc.cluster.local')?.host).toBe('*bookinfo.svc.cluster.local');
    expect(scanning.match('orders.shop.svc.cluster.local')?.host).toBe('*.cluster.local');
  });

  it('finds nothing without a covering entry', () => {
    const narrow = new HostTable<string>();
    narrow.set('*.bookinfo.svc.cluster.local', 'x');
    expect(narrow.match('orders.shop.svc.cluster.local')).toBeUndefined();
    expect(narrow.allWildcardMatches('orders.shop.svc.cluster.local')).toEqual([]);
  });

  it('lists every covering wildcard, most specific first', () => {
    expect(table.allWildcardMatches('ratings.bookinfo.svc.cluster.local')).toEqual(['*.bookinfo.svc.cluster.local', '*.cluster.local', '*.local', '*']);
  });
});
