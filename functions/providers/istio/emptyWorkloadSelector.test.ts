import type { IstioClientPolicy } from './clients';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, serviceYaml as service } from './testInventory';

/*
 * A DestinationRule whose `workloadSelector` is present but empty is still a workload-selector
 * rule for istiod: `GetWorkloadSelector() != nil` (push_context.go setDestinationRules) keeps it
 * private to its namespace, and its empty selector is a subset of every workload's labels
 * (SidecarScope.DestinationRule), so it decides for every workload of its own namespace only.
 * Istio's validation only warns ("workload selector specified without labels").
 * (A PeerAuthentication is different: an empty matchLabels makes it namespace-wide.)
 */

const API = 'api.shop.svc.cluster.local';

const fleet = docs(
  namespace('shop'),
  namespace('web'),
  namespace('batch'),
  deployment('shop', 'api', { ports: [8080] }),
  deployment('shop', 'cart', { labels: { app: 'cart' } }),
  service('shop', 'api', [8080]),
  deployment('web', 'frontend', { labels: { app: 'frontend' } }),
  deployment('batch', 'reconcile', { labels: { app: 'reconcile' } }),
);

const rule = (selector: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api-plaintext
  namespace: shop
spec:
  host: ${API}
${selector}  trafficPolicy:
    tls:
      mode: DISABLE
`;

const clientsFor = (yaml: string) => (istioModelOf(yaml).clients as IstioClientPolicy[]).filter((c) => c.destination.hosts.includes(API));

describe('a DestinationRule with an empty workloadSelector', () => {
  it.each([
    ['matchLabels: {}', '  workloadSelector:\n    matchLabels: {}\n'],
    ['workloadSelector: {}', '  workloadSelector: {}\n'],
  ])('(%s) is not exported from the host namespace: only the workloads of its own namespace use it', (_, selector) => {
    const clients = clientsFor(docs(fleet, rule(selector)));
    const disable = clients.filter((c) => c.resource.name === 'api-plaintext');
    expect(disable).toHaveLength(1);
    expect(disable[0]).toMatchObject({ sends: 'PLAINTEXT', clientNamespaces: [], clientWorkloads: ['shop/Deployment/api', 'shop/Deployment/cart'] });
  });

  it('without workloadSelector the same rule is public: every namespace calling the host uses it', () => {
    const [client] = clientsFor(docs(fleet, rule('')));
    expect(client).toMatchObject({ sends: 'PLAINTEXT', clientNamespaces: ['batch', 'shop', 'web'] });
  });
});
