import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { buildAppMeshModel } from './index';
import {
  NOW,
  apiGateway,
  apiGatewayRoute,
  apiHttpRoute,
  apiMesh,
  apiNode,
  apiRouter,
  apiServiceByNode,
  apiServiceByRouter,
  dns,
  inventoryOf,
  listener,
} from './testdata/fixtures';

const sdsTrust = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } };
const strictSds = (workload: string) => ({
  mode: 'STRICT',
  certificate: { sds: { secretName: `spiffe://prod-mesh.example.org/ns/payments/sa/${workload}` } },
  validation: sdsTrust,
});

/** payments.payments.svc.cluster.local → router payments-router → payments-v1 (80) / payments-v2 (20). */
function routedFleet() {
  return [
    apiNode('payments-v1', { listeners: [listener(8080, strictSds('payments-v1'))], serviceDiscovery: dns('payments-v1.payments.svc.cluster.local') }),
    apiNode('payments-v2', {
      listeners: [listener(8080, strictSds('payments-v2')), listener(9901, { mode: 'PERMISSIVE', certificate: strictSds('payments-v2').certificate })],
      serviceDiscovery: dns('payments-v2.payments.svc.cluster.local'),
    }),
    apiRouter('payments-router', [8080]),
    apiHttpRoute('canary', 'payments-router', [
      { virtualNode: 'payments-v1', weight: 80 },
      { virtualNode: 'payments-v2', weight: 20, port: 8080 },
    ]),
    apiServiceByRouter('payments.payments.svc.cluster.local', 'payments-router'),
    apiNode('orders-api', {
      backends: [{ virtualService: { virtualServiceName: 'payments.payments.svc.cluster.local' } }],
      backendDefaults: { clientPolicy: { tls: { certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } }, validation: sdsTrust } } },
      serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
    }),
  ];
}

describe('virtual service resolution', () => {
  test('service → router → weighted routes → node listeners', () => {
    const model = buildAppMeshModel(inventoryOf({ api: routedFleet() }), { now: NOW });
    const client = model.clients.find((c) => c.resource.name === 'orders-api')!;
    expect(client.inMeshDestination).toBe(true);
    expect(client.destination.hosts).toEqual(['payments.payments.svc.cluster.local']);
    // The router listens on 8080: that is the port clients call.
    expect(client.destination.port).toBe(8080);
    // payments-v2's target names port 8080, so its 9901 listener is not reached.
    expect(client.destination.serverIds).toEqual(['appmesh:prod-mesh/VirtualNode/payments-v1:8080', 'appmesh:prod-mesh/VirtualNode/payments-v2:8080']);
    expect(client.sends).toBe('MTLS');
  });

  test('virtual service names become hosts of the listeners they reach, and only those', () => {
    const model = buildAppMeshModel(inventoryOf({ api: routedFleet() }), { now: NOW });
    const hosts = Object.fromEntries(model.servers.map((s) => [s.id, s.hosts]));
    expect(hosts['appmesh:prod-mesh/VirtualNode/payments-v1:8080']).toEqual(['payments-v1.payments.svc.cluster.local', 'payments.payments.svc.cluster.local']);
    expect(hosts['appmesh:prod-mesh/VirtualNode/payments-v2:8080']).toEqual(['payments-v2.payments.svc.cluster.local', 'payments.payments.svc.cluster.local']);
    expect(hosts['appmesh:prod-mesh/VirtualNode/payments-v2:9901']).toEqual(['payments-v2.payments.svc.cluster.local']);
  });

  test('a service provided by a virtual node reaches all of its listeners', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('ledger', { listeners: [listener(8080, strictSds('ledger')), listener(9090, strictSds('ledger'), 'grpc')], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
          apiNode('orders-api', {
            backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }],
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
        ],
      }),
      { now: NOW },
    );
    const client = model.clients[0];
    expect(client.destination.port).toBeUndefined();
    expect(client.destination.serverIds).toEqual(['appmesh:prod-mesh/VirtualNode/ledger:8080', 'appmesh:prod-mesh/VirtualNode/ledger:9090']);
  });

  describe('weighted targets of weight 0 get no traffic (WeightedTarget.weight is relative, 0-100)', () => {
    /** payments-v1 takes all traffic; payments-v2, plaintext only, is parked at weight 0. */
    const parkedFleet = (targets: Array<{ virtualNode: string; weight: number }>) => [
      apiMesh(),
      apiNode('payments-v1', { listeners: [listener(8080, strictSds('payments-v1'))], serviceDiscovery: dns('payments-v1.payments.svc.cluster.local') }),
      apiNode('payments-v2', { listeners: [listener(8080)], serviceDiscovery: dns('payments-v2.payments.svc.cluster.local') }),
      apiRouter('payments-router', [8080]),
      apiHttpRoute('canary', 'payments-router', targets),
      apiServiceByRouter('payments.payments.svc.cluster.local', 'payments-router'),
      apiNode('orders-api', {
        backends: [{ virtualService: { virtualServiceName: 'payments.payments.svc.cluster.local' } }],
        backendDefaults: { clientPolicy: { tls: { certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } }, validation: sdsTrust } } },
        serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
      }),
    ];

    test('a weight-0 target is not a destination: no conflict with it', () => {
      const model = buildAppMeshModel(
        inventoryOf({ api: parkedFleet([{ virtualNode: 'payments-v1', weight: 100 }, { virtualNode: 'payments-v2', weight: 0 }]) }),
        { now: NOW },
      );
      const client = model.clients.find((c) => c.resource.name === 'orders-api')!;
      expect(client.destination.serverIds).toEqual(['appmesh:prod-mesh/VirtualNode/payments-v1:8080']);
      // The virtual service's name is not a host of the parked listener either.
      expect(model.servers.find((s) => s.id === 'appmesh:prod-mesh/VirtualNode/payments-v2:8080')!.hosts).toEqual(['payments-v2.payments.svc.cluster.local']);
      const findings = auditModel(model, loadPolicy(), NOW).findings;
      expect(findings.filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
    });

    test('a route whose targets all weigh 0 sends nothing', () => {
      const model = buildAppMeshModel(
        inventoryOf({ api: parkedFleet([{ virtualNode: 'payments-v1', weight: 0 }, { virtualNode: 'payments-v2', weight: 0 }]) }),
        { now: NOW },
      );
      const client = model.clients.find((c) => c.resource.name === 'orders-api')!;
      expect(client.destination).toEqual({ hosts: ['payments.payments.svc.cluster.local'], port: 8080, serverIds: [] });
    });
  });

  test('a router whose routes are not read resolves to no listener', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiRouter('payments-router', [8080]),
          apiServiceByRouter('payments.payments.svc.cluster.local', 'payments-router'),
          apiNode('orders-api', {
            backends: [{ virtualService: { virtualServiceName: 'payments.payments.svc.cluster.local' } }],
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
        ],
      }),
      { now: NOW },
    );
    expect(model.clients[0]).toMatchObject({ inMeshDestination: true, destination: { port: 8080, serverIds: [] } });
  });
});

describe('virtual gateway coverage', () => {
  test("a gateway's backendDefaults applies to every virtual service its gateway routes target", () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          ...routedFleet(),
          apiNode('ledger', { listeners: [listener(8080, strictSds('ledger'))], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
          apiGateway('ingress-gw', {
            listeners: [listener(8443, { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/8c2f4e1a-93b7-4d05-a6e2-1f7c9b3d5e48' } } })],
            backendDefaults: { clientPolicy: { tls: { enforce: false, validation: sdsTrust } } },
          }),
          apiGatewayRoute('payments-route', 'ingress-gw', 'payments.payments.svc.cluster.local'),
          apiGatewayRoute('ledger-route', 'ingress-gw', 'ledger.payments.svc.cluster.local', 8080),
          // Another gateway's route does not belong to ingress-gw.
          apiGatewayRoute('other-route', 'partner-gw', 'ledger.payments.svc.cluster.local'),
        ],
      }),
      { now: NOW },
    );
    const gwClients = model.clients.filter((c) => c.resource.kind === 'VirtualGateway');
    expect(gwClients.map((c) => c.id).sort()).toEqual([
      'appmesh:prod-mesh/VirtualGateway/ingress-gw->virtualService/ledger.payments.svc.cluster.local',
      'appmesh:prod-mesh/VirtualGateway/ingress-gw->virtualService/payments.payments.svc.cluster.local',
    ]);
    for (const c of gwClients) {
      expect(c).toMatchObject({ sends: 'PLAINTEXT', reason: 'enforce: false', cause: { kind: 'VirtualGateway', name: 'ingress-gw', scope: 'backendDefaults' }, inMeshDestination: true });
    }
    const ledger = gwClients.find((c) => c.destination.hosts[0] === 'ledger.payments.svc.cluster.local')!;
    expect(ledger.destination).toEqual({ hosts: ['ledger.payments.svc.cluster.local'], port: 8080, serverIds: ['appmesh:prod-mesh/VirtualNode/ledger:8080'] });
    // Fixing the gateway changes backendDefaults: both of its clients are affected.
    expect(ledger.fix!.affectsClients!.sort()).toEqual(gwClients.map((c) => c.id).sort());
    expect(ledger.fix!.change).toMatchObject({ operation: 'update-virtual-gateway', virtualGatewayName: 'ingress-gw' });
    expect((ledger.fix!.change.spec as any).backendDefaults.clientPolicy.tls.enforce).toBe(true);
  });

  test('a gateway without client policy sends plaintext to its targets', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('ledger', { listeners: [listener(8080, strictSds('ledger'))], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
          apiGateway('ingress-gw', { listeners: [listener(8080)] }),
          apiGatewayRoute('ledger-route', 'ingress-gw', 'ledger.payments.svc.cluster.local'),
        ],
      }),
      { now: NOW },
    );
    const gw = model.clients.find((c) => c.resource.kind === 'VirtualGateway')!;
    expect(gw).toMatchObject({ sends: 'PLAINTEXT', reason: 'no client policy', cause: { scope: 'default' } });
  });
});
