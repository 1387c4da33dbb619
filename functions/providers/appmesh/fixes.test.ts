import { ENFORCE_ACTION } from './client-fix';
import { buildAppMeshModel } from './index';
import { NO_TRUST_SOURCE, SET_STRICT_ACTION } from './listener-fix';
import {
  ACCOUNT,
  ACM_CERT_ARN,
  MESH,
  NOW,
  PCA_ARN,
  apiGateway,
  apiNode,
  apiServiceByNode,
  crd,
  crdMesh,
  dns,
  inventoryOf,
  listener,
  paymentsApiNodeData,
} from './testdata/fixtures';

const MESH_TRUST_DOMAIN = 'spiffe://prod-mesh.example.org';
const sds = (workload: string) => ({ sds: { secretName: `${MESH_TRUST_DOMAIN}/ns/payments/sa/${workload}` } });

function paymentsApi() {
  return { doc: { type: 'virtualNode' as const, data: paymentsApiNodeData() }, source: { file: 'appmesh/payments-api.json', line: 1 } };
}

describe('appmesh.listener.set-strict', () => {
  test('API object: the whole new spec, reusing a listener trust the mesh already uses', () => {
    const ledger = apiNode('ledger', {
      listeners: [listener(8080, { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } }, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })],
      serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    });
    const input = paymentsApi();
    const before = JSON.parse(JSON.stringify(input.doc.data.spec));
    const model = buildAppMeshModel(inventoryOf({ api: [input, ledger] }), { now: NOW });
    const server = model.servers.find((s) => s.id === 'appmesh:prod-mesh/VirtualNode/payments-api:8080')!;
    const fix = server.fix!;

    const expectedSpec = JSON.parse(JSON.stringify(before));
    expectedSpec.listeners[0].tls = {
      certificate: { acm: { certificateArn: ACM_CERT_ARN } },
      mode: 'STRICT',
      validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } },
    };
    expect(fix).toEqual({
      action: SET_STRICT_ACTION,
      change: {
        operation: 'update-virtual-node',
        meshName: MESH,
        meshOwner: ACCOUNT,
        virtualNodeName: 'payments-api',
        expectedVersion: 3,
        resourceOwner: ACCOUNT,
        spec: expectedSpec,
      },
      affectsServers: ['appmesh:prod-mesh/VirtualNode/payments-api:8080'],
      blockers: [],
    });
    // The whole spec: backends, logging, service discovery and health checks survive.
    expect((fix.change.spec as any).backends).toEqual(before.backends);
    expect((fix.change.spec as any).logging).toEqual({ accessLog: { file: { path: '/dev/stdout' } } });
    expect((fix.change.spec as any).listeners[0].healthCheck).toEqual(before.listeners[0].healthCheck);
    // The input is not modified.
    expect(input.doc.data.spec).toEqual(before);
  });

  test('the trust may come from what client policies of the mesh validate with (file or sds)', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('ledger', { listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: sds('ledger') })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
          apiNode('orders-api', {
            backendDefaults: { clientPolicy: { tls: { certificate: sds('orders-api'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } } } },
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
        ],
      }),
      { now: NOW },
    );
    const fix = model.servers[0].fix!;
    expect(fix.blockers).toEqual([]);
    expect((fix.change.spec as any).listeners[0].tls).toEqual({ certificate: sds('ledger'), mode: 'STRICT', validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } });
  });

  test('no trust source known: a blocker, and a person decides', () => {
    const model = buildAppMeshModel(
      inventoryOf({ api: [apiNode('ledger', { listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: sds('ledger') })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') })] }),
      { now: NOW },
    );
    expect(model.servers[0].fix).toMatchObject({ blockers: [NO_TRUST_SOURCE], manualOnly: true });
  });

  test('a plaintext listener needs a certificate first', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('ledger', { listeners: [listener(8080)], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
          apiNode('audit', { listeners: [listener(8080, { mode: 'STRICT', certificate: sds('audit'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } })], serviceDiscovery: dns('audit.payments.svc.cluster.local') }),
        ],
      }),
      { now: NOW },
    );
    const fix = model.servers.find((s) => s.resource.name === 'ledger')!.fix!;
    expect(fix.manualOnly).toBe(true);
    expect(fix.blockers).toEqual(['listener appmesh:prod-mesh/VirtualNode/ledger:8080 has no TLS certificate: issue one (ACM, file or SDS) before requiring mTLS']);
    expect((fix.change.spec as any).listeners[0].tls).toEqual({ mode: 'STRICT', validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } });
  });

  test('virtual gateway: update-virtual-gateway with the whole spec', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiGateway('ingress-gw', {
            listeners: [listener(8443, { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/ingress-gw/cert_chain.pem', privateKey: '/certs/ingress-gw/key.pem' } } })],
            logging: { accessLog: { file: { path: '/dev/stdout' } } },
          }, { version: 7 }),
          apiNode('ledger', { listeners: [listener(8080, { mode: 'STRICT', certificate: sds('ledger'), validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
        ],
      }),
      { now: NOW },
    );
    const fix = model.servers.find((s) => s.resource.kind === 'VirtualGateway')!.fix!;
    expect(fix.change).toMatchObject({ operation: 'update-virtual-gateway', meshName: MESH, virtualGatewayName: 'ingress-gw', expectedVersion: 7 });
    expect(fix.change).not.toHaveProperty('virtualNodeName');
    expect((fix.change.spec as any).logging).toEqual({ accessLog: { file: { path: '/dev/stdout' } } });
    expect((fix.change.spec as any).listeners[0].tls.validation).toEqual({ trust: { file: { certificateChain: '/certs/ca_cert.pem' } } });
  });

  test('CRD: a merge patch carrying the whole listeners array', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          crdMesh(MESH, { namespaceSelector: { matchLabels: { mesh: MESH } } }),
          crd('VirtualNode', 'payments', 'ledger', {
            podSelector: { matchLabels: { app: 'ledger' } },
            listeners: [
              {
                portMapping: { port: 8080, protocol: 'http' },
                tls: { mode: 'STRICT', certificate: sds('ledger'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } },
              },
              { portMapping: { port: 9090, protocol: 'grpc' }, tls: { mode: 'DISABLED', certificate: sds('ledger') } },
            ],
            serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
            meshRef: { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' },
          }),
        ],
      }),
      { now: NOW },
    );
    const server = model.servers.find((s) => s.resource.port === 9090)!;
    expect(server.fix!.change).toEqual({
      operation: 'merge-patch',
      target: { apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'VirtualNode', namespace: 'payments', name: 'ledger' },
      patch: {
        spec: {
          listeners: [
            { portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: sds('ledger'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } } },
            { portMapping: { port: 9090, protocol: 'grpc' }, tls: { certificate: sds('ledger'), mode: 'STRICT', validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } } },
          ],
        },
      },
      expectedResourceVersion: '48213',
    });
    expect(server.fix!.affectsServers).toEqual(['appmesh:prod-mesh/payments/VirtualNode/ledger:9090']);
  });
});

describe('appmesh.client-policy.enforce', () => {
  const ledgerStrict = () =>
    apiNode('ledger', {
      listeners: [listener(8080, { mode: 'STRICT', certificate: sds('ledger'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } })],
      serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    });

  test('a missing policy becomes a backend policy with the client’s own certificate and a trust for the destination', () => {
    const orders = apiNode('orders-api', {
      backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }],
      listeners: [listener(8080, { mode: 'STRICT', certificate: sds('orders-api'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } })],
      serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
    }, { version: 12 });
    const model = buildAppMeshModel(inventoryOf({ api: [orders, ledgerStrict(), apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger')] }), { now: NOW });
    const client = model.clients[0];
    expect(client.sends).toBe('PLAINTEXT');
    const fix = client.fix!;
    expect(fix.action).toBe(ENFORCE_ACTION);
    expect(fix.blockers).toEqual([]);
    expect(fix.manualOnly).toBeUndefined();
    expect(fix.affectsServers).toEqual([]);
    expect(fix.affectsClients).toEqual([client.id]);
    expect(fix.change).toMatchObject({ operation: 'update-virtual-node', meshName: MESH, virtualNodeName: 'orders-api', expectedVersion: 12 });
    const spec = fix.change.spec as any;
    expect(spec.backends).toEqual([
      {
        virtualService: {
          virtualServiceName: 'ledger.payments.svc.cluster.local',
          clientPolicy: { tls: { enforce: true, certificate: sds('orders-api'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } } },
        },
      },
    ]);
    // Whole spec: the listener is untouched.
    expect(spec.listeners).toEqual(orders.doc.data.spec.listeners);
  });

  test("the shared event's payments-api policy (enforced, no certificate) never borrows another workload's client certificate: a person must issue one", () => {
    const checkout = apiNode('checkout', {
      backends: [
        {
          virtualService: {
            virtualServiceName: 'ledger.payments.svc.cluster.local',
            clientPolicy: {
              tls: {
                certificate: { file: { certificateChain: '/certs/client/cert_chain.pem', privateKey: '/certs/client/key.pem' } },
                validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } },
              },
            },
          },
        },
      ],
      serviceDiscovery: dns('checkout.orders.svc.cluster.local'),
    });
    const ledger = apiNode('ledger', { listeners: [listener(8080, { mode: 'STRICT', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') });
    const model = buildAppMeshModel(inventoryOf({ api: [paymentsApi(), checkout, ledger, apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger')] }), { now: NOW });
    const client = model.clients.find((c) => c.resource.name === 'payments-api')!;
    expect(client).toMatchObject({ sends: 'TLS', reason: 'no client certificate' });
    const tls = (client.fix!.change.spec as any).backends[0].virtualService.clientPolicy.tls;
    // checkout's file certificate is checkout's identity: payments-api presenting it would impersonate checkout.
    expect(tls.certificate).toBeUndefined();
    expect(client.fix!.manualOnly).toBe(true);
    expect(client.fix!.blockers).toEqual([expect.stringMatching(/^no client certificate source known for VirtualNode payments-api/)]);
  });

  test('enforce: false from backendDefaults becomes a backend override, leaving the defaults alone', () => {
    const defaults = { clientPolicy: { tls: { enforce: false, certificate: sds('orders-api'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } } } };
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('orders-api', { backendDefaults: defaults, backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }], serviceDiscovery: dns('orders-api.orders.svc.cluster.local') }),
          ledgerStrict(),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
        ],
      }),
      { now: NOW },
    );
    const client = model.clients[0];
    expect(client).toMatchObject({ sends: 'PLAINTEXT', reason: 'enforce: false', cause: { scope: 'backendDefaults' } });
    const spec = client.fix!.change.spec as any;
    expect(spec.backendDefaults).toEqual(defaults);
    expect(spec.backends[0].virtualService.clientPolicy.tls).toEqual({ enforce: true, certificate: sds('orders-api'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } });
  });

  test('blockers: no client certificate source known, and a destination listener with TLS DISABLED', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('orders-api', {
            backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local', clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } } } } } }],
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
          apiNode('ledger', { listeners: [listener(8080, { mode: 'DISABLED', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
        ],
      }),
      { now: NOW },
    );
    const fix = model.clients[0].fix!;
    expect(fix.manualOnly).toBe(true);
    expect(fix.blockers).toEqual([
      'destination listener appmesh:prod-mesh/VirtualNode/ledger:8080 has TLS DISABLED: enforcing TLS toward it makes calls fail; enable TLS on the listener first',
      'no client certificate source known for VirtualNode orders-api: issue one (file or sds) before enforcing mTLS',
    ]);
  });

  test('CRD client: a merge patch of the backends, in CRD spelling', () => {
    const meshRef = { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' };
    const backends = [
      {
        virtualService: {
          virtualServiceRef: { name: 'ledger.payments.svc.cluster.local', namespace: 'payments' },
          clientPolicy: { tls: { enforce: false, validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } } } },
        },
      },
    ];
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          crdMesh(MESH, {}),
          crd('VirtualNode', 'orders', 'orders-api', {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/orders-api/cert_chain.pem', privateKey: '/certs/orders-api/key.pem' } } } }],
            serviceDiscovery: { dns: { hostname: 'orders-api.orders.svc.cluster.local' } },
            backends,
            meshRef,
          }),
        ],
      }),
      { now: NOW },
    );
    const fix = model.clients[0].fix!;
    expect(fix.change).toEqual({
      operation: 'merge-patch',
      target: { apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'VirtualNode', namespace: 'orders', name: 'orders-api' },
      patch: {
        spec: {
          backends: [
            {
              virtualService: {
                virtualServiceRef: { name: 'ledger.payments.svc.cluster.local', namespace: 'payments' },
                clientPolicy: {
                  tls: {
                    enforce: true,
                    certificate: { file: { certificateChain: '/certs/orders-api/cert_chain.pem', privateKey: '/certs/orders-api/key.pem' } },
                    validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } },
                  },
                },
              },
            },
          ],
        },
      },
      expectedResourceVersion: '48213',
    });
    // The destination was not read: that is a blocker, not a guess.
    expect(fix.blockers).toEqual(['virtual service ledger.payments.svc.cluster.local is not among the objects read: cannot check that the destination accepts TLS']);
  });
});
