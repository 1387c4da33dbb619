import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml, serviceYaml as service } from './testInventory';

/*
 * Google Managed Prometheus: its collectors (gmp-system, no sidecar) scrape the ports that a
 * PodMonitoring or ClusterPodMonitoring names, straight at the pods and in plaintext, whatever
 * Istio's metrics merging does. STRICT on such a port cuts the team's metrics off.
 */
const API = 'istio:shop/Deployment/api:8080';

const podMonitoring = (port: string, selector = 'matchLabels:\n      app: api') => `apiVersion: monitoring.googleapis.com/v1
kind: PodMonitoring
metadata:
  name: api-metrics
  namespace: shop
spec:
  selector:
    ${selector}
  endpoints:
  - port: ${port}
    interval: 30s
`;

const fleet = (...extra: string[]) =>
  docs(
    namespace('shop'),
    peerAuthenticationYaml('shop', 'default', 'PERMISSIVE'),
    deployment('shop', 'api', { labels: { app: 'api' }, ports: [{ containerPort: 8080, name: 'metrics' }] }),
    service('shop', 'api', [{ name: 'http', port: 80, targetPort: 8080 }]),
    ...extra,
  );

const apiFix = (yaml: string) => istioModelOf(yaml).servers.find((s) => s.id === API)!.fix!;

describe('ports Google Managed Prometheus scrapes', () => {
  it.each([['by name', 'metrics'], ['by number', '8080']])('hold STRICT for a person when a PodMonitoring scrapes the port %s', (_how, port) => {
    expect(apiFix(fleet(podMonitoring(port))).blockers).toEqual([
      'PodMonitoring shop/api-metrics has Google Managed Prometheus scrape port 8080 of shop/Deployment/api: its collectors, outside the mesh, scrape in plaintext, which STRICT refuses',
    ]);
  });

  it('hold it too for a ClusterPodMonitoring, which selects pods in every namespace', () => {
    const cluster = podMonitoring('metrics').replace('kind: PodMonitoring', 'kind: ClusterPodMonitoring').replace('  namespace: shop\n', '');
    expect(apiFix(fleet(cluster)).blockers).toEqual([
      'ClusterPodMonitoring api-metrics has Google Managed Prometheus scrape port 8080 of shop/Deployment/api: its collectors, outside the mesh, scrape in plaintext, which STRICT refuses',
    ]);
  });

  it('leave alone pods the selector does not pick, and ports it does not name', () => {
    expect(apiFix(fleet(podMonitoring('metrics', 'matchLabels:\n      app: worker'))).blockers).toEqual([]);
    expect(apiFix(fleet(podMonitoring('9090'))).blockers).toEqual([]);
  });
});
