/** Precedence corners a mutation run found untested: each test here fails on one mutant of the rule it names. */
import { evaluateModel } from '../../../functions/core/rules/engine';
import { shippedPolicy } from '../../support/model';
import { buildAppMeshModel } from '../../../functions/providers/appmesh/index';
import { NOW, apiHttpRoute, apiNode, apiRouter, apiServiceByRouter, dns, inventoryOf, listener } from '../../../functions/providers/appmesh/testdata/fixtures';

const sdsTrust = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } };
const strict = (w: string) => ({ mode: 'STRICT', certificate: { sds: { secretName: `spiffe://prod-mesh.example.org/ns/payments/sa/${w}` } }, validation: sdsTrust });
const withMatchPort = (r: any, port: number) => { r.doc.data.spec.httpRoute.match.port = port; return r; };

test('G5 a route with match.port serves only that router listener', () => {
  const fleet = [
    apiNode('payments-api', { listeners: [listener(8080, strict('payments-api'))], serviceDiscovery: dns('payments-api.payments.svc.cluster.local') }),
    apiNode('payments-admin', { listeners: [listener(9090)], serviceDiscovery: dns('payments-admin.payments.svc.cluster.local') }),
    apiRouter('payments-router', [8080, 9090]),
    withMatchPort(apiHttpRoute('api', 'payments-router', [{ virtualNode: 'payments-api', weight: 100 }]), 8080),
    withMatchPort(apiHttpRoute('admin', 'payments-router', [{ virtualNode: 'payments-admin', weight: 100 }]), 9090),
    apiServiceByRouter('payments.payments.svc.cluster.local', 'payments-router'),
    apiNode('orders-api', {
      backends: [{ virtualService: { virtualServiceName: 'payments.payments.svc.cluster.local' } }],
      backendDefaults: { clientPolicy: { tls: { certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } }, validation: sdsTrust, ports: [8080] } } },
      serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
    }),
  ];
  const model = buildAppMeshModel(inventoryOf({ api: fleet }), { now: NOW });
  const byPort = Object.fromEntries(model.clients.filter((c) => c.resource.name === 'orders-api').map((c) => [String(c.destination.port), [c.sends, c.destination.serverIds]]));
  expect(byPort).toEqual({
    '8080': ['MTLS', ['appmesh:prod-mesh/VirtualNode/payments-api:8080']],
    '9090': ['PLAINTEXT', ['appmesh:prod-mesh/VirtualNode/payments-admin:9090']],
  });
  // mTLS goes only to the STRICT api listener, plaintext only to the no-tls admin listener: no conflict
  expect(evaluateModel(model, shippedPolicy(), NOW).filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
});
