import { evaluateModel } from '../../core/rules/engine';
import { shippedPolicy } from '../../../test/support/model';
import { deployment, docs, istioModelOf, namespaceYaml as namespace, peerAuthenticationYaml as peerAuthentication, serviceYaml } from './testInventory';

/*
 * portLevelMtls is keyed by the workload port (PeerAuthentication reference). An entry keyed by
 * the Service port in front of it matches nothing, silently: meshgov says so on that key.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

const catalogService = serviceYaml('shop', 'catalog', [
  { name: 'http', port: 80, targetPort: 8080 },
  { name: 'http-metrics', port: 9090, targetPort: 9090 },
]);

const fleet = (ports: Record<number, string>) =>
  docs(
    namespace('shop'),
    peerAuthentication('istio-system', 'default', 'STRICT'),
    catalogService,
    deployment('shop', 'catalog', { ports: [8080, 9090] }),
    peerAuthentication('shop', 'catalog-ports', 'STRICT', { app: 'catalog', ports }),
  );

describe('portLevelMtls keyed by a Service port', () => {
  it('is reported on the key, naming the workload port that Istio keys it by', () => {
    const model = istioModelOf(fleet({ 80: 'PERMISSIVE' }));
    expect(model.problems).toEqual([
      expect.objectContaining({
        kind: 'PeerAuthentication',
        name: 'catalog-ports',
        namespace: 'shop',
        field: 'spec.portLevelMtls.80',
        message: 'port 80 is a Service port of shop/Deployment/catalog, which receives it on workload port 8080; Istio keys portLevelMtls by the workload port, so this entry changes nothing (use 8080)',
      }),
    ]);
    // The entry indeed changes nothing: port 8080 keeps the policy's STRICT.
    expect(model.servers.find((s) => s.resource.port === 8080)!.mode).toBe('STRICT');
    const finding = evaluateModel(model, shippedPolicy(), NOW).find((f) => f.rule === 'config-invalid')!;
    expect(finding.resource).toMatchObject({ kind: 'PeerAuthentication', name: 'catalog-ports', namespace: 'shop' });
  });

  it('a key that is a workload port, even one a Service also uses, is not reported', () => {
    expect(istioModelOf(fleet({ 8080: 'PERMISSIVE', 9090: 'DISABLE' })).problems).toEqual([]);
  });
});
