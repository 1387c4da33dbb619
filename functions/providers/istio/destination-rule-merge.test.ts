import type { IstioClientPolicy } from './clients';
import { DEFAULT_MESH_SETTINGS, type MeshSettings } from './meshConfig';
import { readDestinationRule, type DestinationRulePolicy } from './destinationRule';
import { decidingRule, DestinationRuleIndex, type DestinationRuleMerge } from './destinationRuleIndex';
import { deployment, docs, inventoryFromYaml, istioModelOf, namespaceYaml, peerAuthenticationYaml, serviceYaml } from './testInventory';

/**
 * Several DestinationRules for one host in one namespace: Istio 1.24+ keeps rules whose exportTo
 * sets differ apart (pilot/pkg/model/destination_rule.go `mergeDestinationRule` with
 * ENABLE_ENHANCED_DESTINATIONRULE_MERGE, istio/istio#52636); ≤1.23 merged them all.
 */

interface RuleOpts {
  created: string;
  exportTo?: string[];
  tls?: string;
  selector?: Record<string, string>;
  subsets?: boolean;
}

function drYaml(ns: string, name: string, host: string, opts: RuleOpts): string {
  const lines = ['apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata:', `  name: ${name}`, `  namespace: ${ns}`, `  creationTimestamp: "${opts.created}"`, 'spec:', `  host: ${host}`];
  if (opts.exportTo) lines.push('  exportTo:', ...opts.exportTo.map((e) => `  - "${e}"`));
  if (opts.selector) lines.push('  workloadSelector:', '    matchLabels:', ...Object.entries(opts.selector).map(([k, v]) => `      ${k}: ${v}`));
  if (opts.tls) lines.push('  trafficPolicy:', '    tls:', `      mode: ${opts.tls}`);
  if (opts.subsets) lines.push('  subsets:', '  - name: v1', '    labels:', '      version: v1');
  return `${lines.join('\n')}\n`;
}

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

function indexOf(yaml: string, merge: DestinationRuleMerge, mesh: MeshSettings = DEFAULT_MESH_SETTINGS): DestinationRuleIndex {
  const rules: DestinationRulePolicy[] = [];
  for (const obj of inventoryFromYaml(yaml).kubernetes) {
    // Every rule here is one the cluster holds (exportTo "~" only draws a warning).
    const { rule } = readDestinationRule(obj);
    expect(rule).toBeDefined();
    rules.push(rule!);
  }
  return new DestinationRuleIndex(rules, mesh, { merge });
}

/** The rule whose settings a caller gets toward reviews, or `-` for none. */
function ruleFor(index: DestinationRuleIndex, namespace: string, labels?: Record<string, string>): string {
  const entry = index.destinationRuleFor(labels ? { namespace, labels } : { namespace }, REVIEWS, 'bookinfo');
  return entry ? decidingRule(entry).name : '-';
}

function callers(index: DestinationRuleIndex, ...namespaces: string[]): Record<string, string> {
  return Object.fromEntries(namespaces.map((ns) => [ns, ruleFor(index, ns)]));
}

describe('DestinationRules for one host whose exportTo sets differ', () => {
  it.each<{ name: string; rules: string; want: Record<DestinationRuleMerge, Record<string, string>> }>([
    {
      name: '"." and the namespace\'s own name are different sets: the newer catch-all decides in the namespace',
      rules: docs(
        drYaml('bookinfo', 'reviews-dot', 'reviews', { created: '2025-01-01T00:00:00Z', exportTo: ['.'], tls: 'DISABLE' }),
        drYaml('bookinfo', 'reviews-named', 'reviews', { created: '2025-02-01T00:00:00Z', exportTo: ['bookinfo'], tls: 'ISTIO_MUTUAL' }),
      ),
      want: { enhanced: { bookinfo: 'reviews-named', frontend: '-' }, legacy: { bookinfo: 'reviews-dot', frontend: '-' } },
    },
    {
      name: 'no exportTo and ["*"] are different sets',
      rules: docs(
        drYaml('bookinfo', 'reviews-default', 'reviews', { created: '2025-01-01T00:00:00Z', tls: 'DISABLE' }),
        drYaml('bookinfo', 'reviews-public', REVIEWS, { created: '2025-02-01T00:00:00Z', exportTo: ['*'], tls: 'ISTIO_MUTUAL' }),
      ),
      want: { enhanced: { bookinfo: 'reviews-public', frontend: 'reviews-public' }, legacy: { bookinfo: 'reviews-default', frontend: 'reviews-default' } },
    },
    {
      name: 'equal sets, in any order, still merge: the oldest rule with a trafficPolicy supplies it',
      rules: docs(
        drYaml('bookinfo', 'reviews-subsets', 'reviews', { created: '2025-01-01T00:00:00Z', exportTo: ['.', 'frontend'], subsets: true }),
        drYaml('bookinfo', 'reviews-tls', 'reviews', { created: '2025-02-01T00:00:00Z', exportTo: ['frontend', '.'], tls: 'DISABLE' }),
        drYaml('bookinfo', 'reviews-tls-late', 'reviews', { created: '2025-03-01T00:00:00Z', exportTo: ['frontend', '.'], tls: 'ISTIO_MUTUAL' }),
      ),
      want: { enhanced: { bookinfo: 'reviews-tls', frontend: 'reviews-tls', shipping: '-' }, legacy: { bookinfo: 'reviews-tls', frontend: 'reviews-tls', shipping: '-' } },
    },
    {
      name: 'each exported entry is filtered by its own exportTo, and the newest visible one decides',
      rules: docs(
        drYaml('bookinfo', 'reviews-for-frontend', REVIEWS, { created: '2025-01-01T00:00:00Z', exportTo: ['frontend'], tls: 'ISTIO_MUTUAL' }),
        drYaml('bookinfo', 'reviews-all', REVIEWS, { created: '2025-02-01T00:00:00Z', tls: 'DISABLE' }),
      ),
      want: {
        enhanced: { bookinfo: 'reviews-all', frontend: 'reviews-all', shipping: 'reviews-all' },
        // ≤1.23: one entry, exportTo taken from the first rule that has one.
        legacy: { bookinfo: 'reviews-all', frontend: 'reviews-for-frontend', shipping: '-' },
      },
    },
    {
      // Istio's `SupersetOf` branch then meets "both without a selector" and clears appendSeparately.
      name: 'a newer exportTo that strictly contains the older one merges into it and is not kept on its own',
      rules: docs(
        drYaml('bookinfo', 'reviews-frontend', REVIEWS, { created: '2025-01-01T00:00:00Z', exportTo: ['frontend'], subsets: true }),
        drYaml('bookinfo', 'reviews-wider', REVIEWS, { created: '2025-02-01T00:00:00Z', exportTo: ['frontend', 'shipping'], tls: 'DISABLE' }),
      ),
      want: { enhanced: { frontend: 'reviews-wider', shipping: '-' }, legacy: { frontend: 'reviews-wider', shipping: '-' } },
    },
    {
      name: 'a rule whose exportTo neither equals nor contains an entry\'s stays apart from it',
      rules: docs(
        drYaml('bookinfo', 'reviews-frontend', REVIEWS, { created: '2025-01-01T00:00:00Z', exportTo: ['frontend'], subsets: true }),
        drYaml('bookinfo', 'reviews-wider', REVIEWS, { created: '2025-02-01T00:00:00Z', exportTo: ['frontend', 'shipping'], tls: 'DISABLE' }),
        drYaml('bookinfo', 'reviews-shipping', REVIEWS, { created: '2025-03-01T00:00:00Z', exportTo: ['shipping'], tls: 'ISTIO_MUTUAL' }),
      ),
      want: { enhanced: { frontend: 'reviews-wider', shipping: 'reviews-shipping' }, legacy: { frontend: 'reviews-wider', shipping: '-' } },
    },
    {
      name: '"~" is a set of its own: it no longer takes over the exportTo of a rule without one',
      rules: docs(
        drYaml('bookinfo', 'reviews', REVIEWS, { created: '2025-01-01T00:00:00Z', tls: 'ISTIO_MUTUAL' }),
        drYaml('bookinfo', 'reviews-hidden', REVIEWS, { created: '2025-02-01T00:00:00Z', exportTo: ['~'], tls: 'DISABLE' }),
      ),
      want: { enhanced: { bookinfo: 'reviews', frontend: 'reviews' }, legacy: { bookinfo: 'reviews', frontend: '-' } },
    },
  ])('$name', ({ rules, want }) => {
    for (const merge of ['enhanced', 'legacy'] as const) {
      const index = indexOf(rules, merge);
      expect({ merge, callers: callers(index, ...Object.keys(want[merge])) }).toEqual({ merge, callers: want[merge] });
    }
  });

  it('the MeshConfig default exportTo does not count: no exportTo and ["."] differ even when the default is "."', () => {
    const mesh: MeshSettings = { ...DEFAULT_MESH_SETTINGS, defaultDestinationRuleExportTo: ['.'] };
    const rules = docs(
      drYaml('bookinfo', 'reviews-default', 'reviews', { created: '2025-01-01T00:00:00Z', tls: 'DISABLE' }),
      drYaml('bookinfo', 'reviews-private', 'reviews', { created: '2025-02-01T00:00:00Z', exportTo: ['.'], tls: 'ISTIO_MUTUAL' }),
    );
    expect(callers(indexOf(rules, 'enhanced', mesh), 'bookinfo', 'frontend')).toEqual({ bookinfo: 'reviews-private', frontend: '-' });
    expect(callers(indexOf(rules, 'legacy', mesh), 'bookinfo', 'frontend')).toEqual({ bookinfo: 'reviews-default', frontend: '-' });
  });
});

describe('DestinationRules with a workloadSelector next to a catch-all', () => {
  const PRODUCTPAGE = { app: 'productpage' };
  const OTHER = { app: 'details' };

  it('a selector rule without a trafficPolicy no longer inherits the catch-all\'s', () => {
    const rules = docs(
      drYaml('frontend', 'reviews-canary', REVIEWS, { created: '2025-02-01T00:00:00Z', selector: PRODUCTPAGE, subsets: true }),
      drYaml('frontend', 'reviews', REVIEWS, { created: '2025-01-01T00:00:00Z', tls: 'DISABLE' }),
    );
    const enhanced = indexOf(rules, 'enhanced');
    expect(ruleFor(enhanced, 'frontend', PRODUCTPAGE)).toBe('reviews-canary');
    expect(ruleFor(enhanced, 'frontend', OTHER)).toBe('reviews');
    const legacy = indexOf(rules, 'legacy');
    expect(ruleFor(legacy, 'frontend', PRODUCTPAGE)).toBe('reviews');
    expect(ruleFor(legacy, 'frontend', OTHER)).toBe('reviews');
  });

  it('a catch-all with exportTo ["."] merges into the selector rule and serves no other workload (istio/istio#58322)', () => {
    const rules = docs(
      drYaml('frontend', 'reviews-productpage', REVIEWS, { created: '2025-02-01T00:00:00Z', selector: PRODUCTPAGE, tls: 'ISTIO_MUTUAL' }),
      drYaml('frontend', 'reviews-local', REVIEWS, { created: '2025-01-01T00:00:00Z', exportTo: ['.'], tls: 'DISABLE' }),
    );
    const enhanced = indexOf(rules, 'enhanced');
    expect(ruleFor(enhanced, 'frontend', PRODUCTPAGE)).toBe('reviews-productpage');
    expect(ruleFor(enhanced, 'frontend', OTHER)).toBe('-');
    expect(ruleFor(indexOf(rules, 'legacy'), 'frontend', OTHER)).toBe('reviews-local');
  });
});

describe('Istio 1.24+ merge in the model (the default)', () => {
  const shopFleet = (...rules: string[]) =>
    docs(
      namespaceYaml('shop'),
      namespaceYaml('web'),
      namespaceYaml('api'),
      serviceYaml('shop', 'cart', [{ name: 'http', port: 80, targetPort: 8080 }]),
      deployment('shop', 'cart', { ports: [8080] }),
      deployment('shop', 'checkout', { ports: [9090] }),
      deployment('web', 'frontend', { ports: [8080] }),
      deployment('api', 'gateway-api', { ports: [8080] }),
      peerAuthenticationYaml('istio-system', 'default', 'STRICT'),
      ...rules,
    );
  const CART = 'cart.shop.svc.cluster.local';
  const cartClients = (yaml: string) =>
    (istioModelOf(yaml).clients as IstioClientPolicy[])
      .filter((c) => c.destination.hosts.includes(CART))
      .map((c) => ({ rule: c.resource.name, sends: c.sends, namespaces: c.clientNamespaces }));

  it('a private DISABLE rule does not absorb a newer public ISTIO_MUTUAL one: the namespace uses the newer', () => {
    const yaml = shopFleet(
      drYaml('shop', 'cart-local', 'cart', { created: '2024-02-01T00:00:00Z', exportTo: ['.'], tls: 'DISABLE' }),
      drYaml('shop', 'cart-public', CART, { created: '2024-03-01T00:00:00Z', exportTo: ['*'], tls: 'ISTIO_MUTUAL' }),
    );
    expect(cartClients(yaml)).toEqual([{ rule: 'cart-public', sends: 'MTLS', namespaces: ['api', 'shop', 'web'] }]);
  });

  it('a rule exported to one namespace does not hide a newer rule without exportTo from it', () => {
    const yaml = shopFleet(
      drYaml('shop', 'cart-for-web', CART, { created: '2024-02-01T00:00:00Z', exportTo: ['web'], tls: 'ISTIO_MUTUAL' }),
      drYaml('shop', 'cart-all', CART, { created: '2024-03-01T00:00:00Z', tls: 'DISABLE' }),
    );
    expect(cartClients(yaml)).toEqual([{ rule: 'cart-all', sends: 'PLAINTEXT', namespaces: ['api', 'shop', 'web'] }]);
  });

  it('the workloads a selector rule without tls picks use auto mTLS, not the catch-all\'s DISABLE', () => {
    const yaml = shopFleet(
      drYaml('shop', 'cart-checkout-subsets', 'cart', { created: '2024-01-01T00:00:00Z', selector: { app: 'checkout' }, subsets: true }),
      drYaml('shop', 'cart', 'cart', { created: '2024-02-01T00:00:00Z', tls: 'DISABLE' }),
    );
    const checkout = (istioModelOf(yaml).clients as IstioClientPolicy[]).find((c) => c.clientWorkloads?.includes('shop/Deployment/checkout'));
    expect(checkout).toMatchObject({ resource: { name: 'cart-checkout-subsets' }, sends: 'AUTO', clientNamespaces: [] });
  });
});
