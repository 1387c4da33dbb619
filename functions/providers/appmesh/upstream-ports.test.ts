/**
 * `ClientPolicyTls.ports` is compared with the virtual node listener port the client's proxy
 * connects to (the upstream port), not with the virtual router listener port it calls.
 */
import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { buildAppMeshModel } from './index';
import { NOW, apiGateway, apiGatewayRoute, apiHttpRoute, apiNode, apiRouter, apiServiceByRouter, dns, inventoryOf, listener } from './testdata/fixtures';

const TRUST_DOMAIN = 'spiffe://prod-mesh.example.org';
const sdsTrust = { trust: { sds: { secretName: TRUST_DOMAIN } } };
const svid = (workload: string) => ({ sds: { secretName: `${TRUST_DOMAIN}/ns/payments/sa/${workload}` } });
const strict = (workload: string) => ({ mode: 'STRICT', certificate: svid(workload), validation: sdsTrust });
const SERVICE = 'payments.payments.svc.cluster.local';
const CLIENT = `appmesh:prod-mesh/VirtualNode/orders-api->virtualService/${SERVICE}`;

/** payments router listening on 80, forwarding to payments-v1 on 8080 (and payments-v2 on 8443 when asked). */
function fleet(ports: number[], withV2: boolean) {
  const targets: Array<{ virtualNode: string; weight: number; port?: number }> = [{ virtualNode: 'payments-v1', weight: withV2 ? 90 : 100, port: 8080 }];
  if (withV2) targets.push({ virtualNode: 'payments-v2', weight: 10, port: 8443 });
  return [
    apiNode('payments-v1', { listeners: [listener(8080, strict('payments-v1'))], serviceDiscovery: dns('payments-v1.payments.svc.cluster.local') }),
    apiNode('payments-v2', { listeners: [listener(8443, strict('payments-v2'))], serviceDiscovery: dns('payments-v2.payments.svc.cluster.local') }),
    apiRouter('payments-router', [80]),
    apiHttpRoute('payments', 'payments-router', targets),
    apiServiceByRouter(SERVICE, 'payments-router'),
    apiNode('orders-api', {
      backends: [{ virtualService: { virtualServiceName: SERVICE, clientPolicy: { tls: { ports, certificate: svid('orders-api'), validation: sdsTrust } } } }],
      serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
    }),
  ];
}

describe('tls.ports and the upstream listener port', () => {
  test('router listener 80 in front of node listener 8080: ports [8080] sends mTLS, and nothing conflicts', () => {
    const model = buildAppMeshModel(inventoryOf({ api: fleet([8080], false) }), { now: NOW });
    expect(model.clients).toEqual([
      expect.objectContaining({ id: CLIENT, sends: 'MTLS', destination: { hosts: [SERVICE], port: 80, serverIds: ['appmesh:prod-mesh/VirtualNode/payments-v1:8080'] } }),
    ]);
    const findings = auditModel(model, loadPolicy(), NOW).findings;
    expect(findings.filter((f) => f.rule === 'mtls-conflict' || f.rule === 'mtls-client-not-enforced')).toEqual([]);
  });

  test('ports [80] names the router port, which no proxy connects to: plaintext to the STRICT node, and the fix adds 8080', () => {
    const model = buildAppMeshModel(inventoryOf({ api: fleet([80], false) }), { now: NOW });
    const client = model.clients.find((c) => c.id === CLIENT)!;
    expect(client).toMatchObject({ sends: 'PLAINTEXT', reason: 'tls.ports [80] excludes port 8080' });
    const tls = (client.fix!.change.spec as any).backends[0].virtualService.clientPolicy.tls;
    expect(tls.ports).toEqual([80, 8080]);
  });

  test('one router port whose targets sit on ports inside and outside the restriction: one client per upstream port', () => {
    const model = buildAppMeshModel(inventoryOf({ api: fleet([8443], true) }), { now: NOW });
    const byId = Object.fromEntries(model.clients.map((c) => [c.id, c]));
    expect(Object.keys(byId).sort()).toEqual([`${CLIENT}:80->8080`, `${CLIENT}:80->8443`]);
    expect(byId[`${CLIENT}:80->8080`]).toMatchObject({
      sends: 'PLAINTEXT',
      reason: 'tls.ports [8443] excludes port 8080',
      destination: { port: 80, serverIds: ['appmesh:prod-mesh/VirtualNode/payments-v1:8080'] },
    });
    expect(byId[`${CLIENT}:80->8443`]).toMatchObject({ sends: 'MTLS', destination: { port: 80, serverIds: ['appmesh:prod-mesh/VirtualNode/payments-v2:8443'] } });
    const findings = auditModel(model, loadPolicy(), NOW).findings;
    // One not-enforced finding, for the part that sends plaintext, and distinct finding ids throughout.
    expect(findings.filter((f) => f.rule === 'mtls-client-not-enforced')).toHaveLength(1);
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
  });

  test("a gateway's backendDefaults ports are compared with the node listener port too", () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          ...fleet([8080], false),
          apiGateway('ingress-gw', {
            listeners: [listener(443, { mode: 'STRICT', certificate: { sds: { secretName: `${TRUST_DOMAIN}/ns/ingress/sa/ingress-gw` } } })],
            backendDefaults: { clientPolicy: { tls: { ports: [8080], certificate: { sds: { secretName: `${TRUST_DOMAIN}/ns/ingress/sa/ingress-gw` } }, validation: sdsTrust } } },
          }),
          apiGatewayRoute('payments-route', 'ingress-gw', SERVICE, 80),
        ],
      }),
      { now: NOW },
    );
    const gw = model.clients.find((c) => c.resource.kind === 'VirtualGateway')!;
    expect(gw).toMatchObject({ sends: 'MTLS', destination: { port: 80, serverIds: ['appmesh:prod-mesh/VirtualNode/payments-v1:8080'] } });
  });
});
