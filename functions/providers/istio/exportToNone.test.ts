import { deployment, docs, istioModelOf, namespaceYaml as namespace, serviceYaml as service } from './testInventory';

/*
 * `exportTo: ["~"]` means "visible to no namespace" on a ServiceEntry only: Istio's validation
 * (validateExportTo with isServiceEntry false) rejects it on a DestinationRule. A cluster can
 * still hold one (created before the webhook, or with it off), so it is reported as a problem
 * and otherwise modelled as istiod would use it.
 */
const fleet = (exportTo: string) =>
  docs(
    namespace('shop'),
    deployment('shop', 'api', { ports: [8080] }),
    service('shop', 'api', [8080]),
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: api
  namespace: shop
spec:
  host: api.shop.svc.cluster.local
  exportTo:
  - "${exportTo}"
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`,
  );

describe('a DestinationRule exported to "~"', () => {
  it('is reported at spec.exportTo, naming why Istio refuses it', () => {
    expect(istioModelOf(fleet('~')).problems).toEqual([
      expect.objectContaining({ kind: 'DestinationRule', name: 'api', field: 'spec.exportTo', message: expect.stringContaining('is for ServiceEntries only') }),
    ]);
  });

  it('"." is valid and reports nothing', () => {
    expect(istioModelOf(fleet('.')).problems).toEqual([]);
  });
});
