import { loadPolicy } from '../../core/policy/load';
import { auditInventory } from '../audit-inventory';
import { buildAppMeshModel } from './index';
import { ACM_CERT_ARN, MESH, NOW, PCA_ARN, crd, crdMesh, inventoryOf, kube, namespace } from './testdata/fixtures';

const meshRef = { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' };

function paymentsApiCrd(spec: Record<string, unknown> = {}) {
  return crd('VirtualNode', 'payments', 'payments-api', {
    awsName: 'payments-api_payments',
    podSelector: { matchLabels: { app: 'payments-api' } },
    listeners: [
      {
        portMapping: { port: 8080, protocol: 'http' },
        healthCheck: { protocol: 'http', path: '/healthz', healthyThreshold: 2, unhealthyThreshold: 3, timeoutMillis: 2000, intervalMillis: 5000 },
        tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateARN: ACM_CERT_ARN } } },
      },
    ],
    serviceDiscovery: { dns: { hostname: 'payments-api.payments.svc.cluster.local' } },
    backends: [
      {
        virtualService: {
          virtualServiceRef: { name: 'ledger.payments.svc.cluster.local' },
          clientPolicy: { tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityARNs: [PCA_ARN] } } } } },
        },
      },
    ],
    meshRef,
    ...spec,
  });
}

const meshWithSelector = () =>
  crdMesh(MESH, { namespaceSelector: { matchLabels: { mesh: MESH } }, egressFilter: { type: 'DROP_ALL' } });

describe('App Mesh CRDs', () => {
  test('mesh from spec.meshRef; name is metadata.name, not awsName; namespace in id and resource', () => {
    const model = buildAppMeshModel(inventoryOf({ kube: [meshWithSelector(), paymentsApiCrd()] }), { now: NOW });
    expect(model.servers).toHaveLength(1);
    const server = model.servers[0];
    expect(server.id).toBe('appmesh:prod-mesh/payments/VirtualNode/payments-api:8080');
    expect(server.resource).toEqual({
      kind: 'VirtualNode',
      name: 'payments-api',
      namespace: 'payments',
      mesh: MESH,
      port: 8080,
      file: 'k8s/payments/payments-api.yaml',
      line: 1,
    });
    expect(server.mode).toBe('PERMISSIVE');
    expect(server.labels).toEqual({ app: 'payments-api' });
    expect(model.resourceCount).toBe(2);
  });

  test("mesh from the Mesh's namespaceSelector, by the Namespace object's labels", () => {
    const node = crd('VirtualNode', 'orders', 'orders-api', {
      podSelector: { matchLabels: { app: 'orders-api' } },
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'orders-api.orders.svc.cluster.local' } },
    });
    const unselected = crd('VirtualNode', 'batch', 'nightly-report', {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'nightly-report.batch.svc.cluster.local' } },
    });
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          meshWithSelector(),
          namespace('orders', { mesh: MESH, 'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled' }),
          namespace('batch', { team: 'data' }),
          node,
          unselected,
        ],
      }),
      { now: NOW },
    );
    expect(model.servers.map((s) => s.id)).toEqual(['appmesh:prod-mesh/orders/VirtualNode/orders-api:8080']);
    expect(model.servers[0].resource.mesh).toBe(MESH);
    // No mesh for `batch`: a problem, and the node is not audited.
    expect(model.problems).toEqual([
      expect.objectContaining({ file: 'k8s/batch/nightly-report.yaml', field: 'spec.meshRef', kind: 'VirtualNode', name: 'nightly-report' }),
    ]);
    // Namespace objects are context, not App Mesh resources.
    expect(model.resourceCount).toBe(3);
  });

  test('two meshes selecting the same namespace is a problem', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          meshWithSelector(),
          crdMesh('staging-mesh', { namespaceSelector: {} }),
          namespace('orders', { mesh: MESH }),
          crd('VirtualNode', 'orders', 'orders-api', { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }),
        ],
      }),
      { now: NOW },
    );
    expect(model.servers).toEqual([]);
    expect(model.problems[0].message).toContain('several meshes (prod-mesh, staging-mesh)');
  });

  test('CRD spelling certificateARN and certificateAuthorityARNs is read, and written back in CRD spelling', () => {
    const model = buildAppMeshModel(inventoryOf({ kube: [meshWithSelector(), paymentsApiCrd()] }), { now: NOW });
    const fix = model.servers[0].fix!;
    // The listener has an ACM certificate (read from certificateARN): no "no certificate" blocker.
    expect(fix.blockers.some((b) => b.includes('no TLS certificate'))).toBe(false);
    // The mesh trusts the ACM Private CA (read from certificateAuthorityARNs), which a listener cannot use.
    expect(fix.blockers).toEqual([expect.stringContaining(PCA_ARN)]);
    const listeners = (fix.change.patch as any).spec.listeners;
    expect(listeners[0].tls.certificate).toEqual({ acm: { certificateARN: ACM_CERT_ARN } });
    expect(JSON.stringify(fix.change)).not.toContain('certificateArn');

    const client = model.clients[0];
    expect(client).toMatchObject({ sends: 'TLS', reason: 'no client certificate' });
  });

  test('inline router routes, virtualNodeRef, virtualRouterRef and virtualServiceRef resolve', () => {
    const strict = (workload: string) => ({
      mode: 'STRICT',
      certificate: { sds: { secretName: `spiffe://prod-mesh.example.org/ns/payments/sa/${workload}` } },
      validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } },
    });
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          meshWithSelector(),
          namespace('payments', { mesh: MESH }),
          namespace('orders', { mesh: MESH }),
          crd('VirtualNode', 'payments', 'ledger-v1', {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: strict('ledger') }],
            serviceDiscovery: { dns: { hostname: 'ledger-v1.payments.svc.cluster.local' } },
          }),
          crd('VirtualNode', 'payments', 'ledger-v2', {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: strict('ledger') }],
            serviceDiscovery: { dns: { hostname: 'ledger-v2.payments.svc.cluster.local' } },
          }),
          crd('VirtualRouter', 'payments', 'ledger-router', {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            routes: [
              {
                name: 'canary',
                httpRoute: {
                  match: { prefix: '/' },
                  action: {
                    weightedTargets: [
                      { virtualNodeRef: { name: 'ledger-v1' }, weight: 90 },
                      { virtualNodeRef: { name: 'ledger-v2', namespace: 'payments' }, weight: 10 },
                    ],
                  },
                },
              },
            ],
          }),
          crd('VirtualService', 'payments', 'ledger.payments.svc.cluster.local', {
            awsName: 'ledger.payments.svc.cluster.local',
            provider: { virtualRouter: { virtualRouterRef: { name: 'ledger-router' } } },
          }),
          crd('VirtualNode', 'orders', 'orders-api', {
            serviceDiscovery: { dns: { hostname: 'orders-api.orders.svc.cluster.local' } },
            backends: [{ virtualService: { virtualServiceRef: { name: 'ledger.payments.svc.cluster.local', namespace: 'payments' } } }],
          }),
        ],
      }),
      { now: NOW },
    );
    const client = model.clients[0];
    expect(client.id).toBe('appmesh:prod-mesh/orders/VirtualNode/orders-api->virtualService/ledger.payments.svc.cluster.local');
    expect(client).toMatchObject({ sends: 'PLAINTEXT', inMeshDestination: true, resource: { namespace: 'orders' } });
    expect(client.destination).toEqual({
      hosts: ['ledger.payments.svc.cluster.local'],
      port: 8080,
      serverIds: ['appmesh:prod-mesh/payments/VirtualNode/ledger-v1:8080', 'appmesh:prod-mesh/payments/VirtualNode/ledger-v2:8080'],
    });
    expect(model.servers.find((s) => s.resource.name === 'ledger-v1')!.hosts).toContain('ledger.payments.svc.cluster.local');
  });

  test('GatewayRoute targets by virtualServiceRef, gateway by virtualGatewayRef or by selectors', () => {
    const gatewaySpec = {
      namespaceSelector: { matchLabels: { gateway: 'ingress-gw' } },
      podSelector: { matchLabels: { app: 'ingress-gw' } },
      listeners: [{ portMapping: { port: 8088, protocol: 'http' } }],
      backendDefaults: {
        clientPolicy: {
          tls: {
            certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/ingress/sa/ingress-gw' } },
            validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } },
          },
        },
      },
      meshRef,
    };
    const route = (name: string, ns: string, service: string, extra: Record<string, unknown> = {}) =>
      crd('GatewayRoute', ns, name, {
        httpRoute: { match: { prefix: `/${name}` }, action: { target: { virtualService: { virtualServiceRef: { name: service } } } } },
        meshRef,
        ...extra,
      });
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          meshWithSelector(),
          namespace('payments', { mesh: MESH, gateway: 'ingress-gw' }),
          crd('VirtualGateway', 'ingress', 'ingress-gw', gatewaySpec),
          crd('VirtualNode', 'payments', 'payments-api', {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: 'payments-api.payments.svc.cluster.local' } },
            meshRef,
          }),
          crd('VirtualService', 'payments', 'payments-api.payments.svc.cluster.local', {
            awsName: 'payments-api.payments.svc.cluster.local',
            provider: { virtualNode: { virtualNodeRef: { name: 'payments-api' } } },
            meshRef,
          }),
          namespace('orders', { mesh: MESH }),
          // Selected by the gateway's namespaceSelector.
          route('payments', 'payments', 'payments-api.payments.svc.cluster.local'),
          // Explicit virtualGatewayRef, from a namespace the selector does not select.
          route('ledger', 'orders', 'ledger.payments.svc.cluster.local', { virtualGatewayRef: { name: 'ingress-gw', namespace: 'ingress' } }),
          // Neither: belongs to no gateway read.
          route('checkout', 'orders', 'checkout.orders.svc.cluster.local'),
        ],
      }),
      { now: NOW },
    );
    const gw = model.clients.filter((c) => c.resource.kind === 'VirtualGateway');
    expect(gw.map((c) => c.destination.hosts[0]).sort()).toEqual(['ledger.payments.svc.cluster.local', 'payments-api.payments.svc.cluster.local']);
    // ledger's virtual service was not read, but a virtual service only exists inside a mesh.
    expect(gw.find((c) => c.destination.hosts[0] === 'ledger.payments.svc.cluster.local')!.inMeshDestination).toBe(true);
    expect(gw.find((c) => c.destination.hosts[0] === 'payments-api.payments.svc.cluster.local')).toMatchObject({
      id: 'appmesh:prod-mesh/ingress/VirtualGateway/ingress-gw->virtualService/payments-api.payments.svc.cluster.local',
      sends: 'MTLS',
      destination: { hosts: ['payments-api.payments.svc.cluster.local'], port: 8080, serverIds: ['appmesh:prod-mesh/payments/VirtualNode/payments-api:8080'] },
    });
  });

  describe('App Mesh names of CRDs without spec.awsName: the controller webhooks\' defaults', () => {
    const ARN_PREFIX = `arn:aws:appmesh:us-west-2:111122223333:mesh/${MESH}`;
    const strictSds = (workload: string) => ({
      mode: 'STRICT',
      certificate: { sds: { secretName: `spiffe://prod-mesh.example.org/ns/payments/sa/${workload}` } },
      validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } },
    });

    test('VirtualService `<name>.<namespace>`; VirtualRouter and VirtualNode `<name>_<namespace>`: ARNs built from them resolve', () => {
      const model = buildAppMeshModel(
        inventoryOf({
          kube: [
            crdMesh(MESH, { namespaceSelector: {} }),
            crd('VirtualNode', 'payments', 'ledger-v1', {
              podSelector: { matchLabels: { app: 'ledger', version: 'v1' } },
              listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: strictSds('ledger') }],
            }),
            crd('VirtualRouter', 'payments', 'ledger-router', {
              listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
              routes: [{ name: 'all', httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNodeARN: `${ARN_PREFIX}/virtualNode/ledger-v1_payments`, weight: 1 }] } } }],
            }),
            crd('VirtualService', 'payments', 'ledger', { provider: { virtualRouter: { virtualRouterARN: `${ARN_PREFIX}/virtualRouter/ledger-router_payments` } } }),
            crd('VirtualNode', 'orders', 'orders-api', {
              podSelector: { matchLabels: { app: 'orders-api' } },
              backends: [{ virtualService: { virtualServiceARN: `${ARN_PREFIX}/virtualService/ledger.payments` } }],
            }),
          ],
        }),
        { now: NOW },
      );
      expect(model.problems).toEqual([]);
      const client = model.clients[0];
      expect(client.id).toBe('appmesh:prod-mesh/orders/VirtualNode/orders-api->virtualService/ledger.payments');
      expect(client.destination).toEqual({ hosts: ['ledger.payments'], port: 8080, serverIds: ['appmesh:prod-mesh/payments/VirtualNode/ledger-v1:8080'] });
      // No serviceDiscovery: the listener answers for the virtual service name alone.
      expect(model.servers[0].hosts).toEqual(['ledger.payments']);
    });

    test('drift with Istio is found through the defaulted `<name>.<namespace>`, as through an explicit awsName', () => {
      const appmesh = (awsName?: Record<string, string>) => [
        crdMesh(MESH, { namespaceSelector: {} }),
        crd('VirtualNode', 'shop', 'cart', {
          podSelector: { matchLabels: { app: 'cart' } },
          listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: { file: { certificateChain: '/certs/cart/cert_chain.pem', privateKey: '/certs/cart/key.pem' } } } }],
        }),
        crd('VirtualService', 'shop', 'cart', { ...awsName, provider: { virtualNode: { virtualNodeRef: { name: 'cart' } } } }),
      ];
      const istio = [
        kube({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } }, 'istio/shop.yaml'),
        kube({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } }, 'istio/mesh.yaml'),
        kube(
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'cart', namespace: 'shop' },
            spec: {
              selector: { matchLabels: { app: 'cart' } },
              template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'cart:1.4.2', ports: [{ containerPort: 8080 }] }] } },
            },
          },
          'istio/cart.yaml',
        ),
        kube({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { selector: { app: 'cart' }, ports: [{ port: 8080, targetPort: 8080 }] } }, 'istio/cart.yaml', 12),
      ];
      const drift = (kubeObjects: ReturnType<typeof appmesh>) =>
        auditInventory(inventoryOf({ kube: [...istio, ...kubeObjects] }), { policy: loadPolicy(), now: NOW }).findings.filter((f) => f.rule === 'mtls-cross-mesh-drift');
      const expected = [
        expect.objectContaining({
          resource: expect.objectContaining({ kind: 'VirtualNode', name: 'cart', namespace: 'shop', port: 8080 }),
          detail: expect.objectContaining({ service: 'cart.shop', istio: expect.objectContaining({ mode: 'STRICT' }), appmesh: expect.objectContaining({ mode: 'PERMISSIVE' }) }),
        }),
      ];
      expect(drift(appmesh())).toEqual(expected);
      expect(drift(appmesh({ awsName: 'cart.shop.svc.cluster.local' }))).toEqual(expected);
    });
  });

  test('a meshRef naming no Mesh read is a problem but still audited under that name', () => {
    const model = buildAppMeshModel(
      inventoryOf({ kube: [meshWithSelector(), paymentsApiCrd({ meshRef: { name: 'staging-mesh', uid: 'c1d2' } })] }),
      { now: NOW },
    );
    expect(model.problems).toEqual([
      expect.objectContaining({ field: 'spec.meshRef.name', kind: 'VirtualNode', name: 'payments-api', file: 'k8s/payments/payments-api.yaml' }),
    ]);
    expect(model.servers[0].id).toBe('appmesh:staging-mesh/payments/VirtualNode/payments-api:8080');
  });

  test('an unsupported App Mesh CRD version is a problem', () => {
    const legacy = crd('VirtualNode', 'payments', 'payments-api', { meshName: MESH, listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] });
    legacy.doc.apiVersion = 'appmesh.k8s.aws/v1beta1';
    const model = buildAppMeshModel(inventoryOf({ kube: [legacy] }), { now: NOW });
    expect(model.servers).toEqual([]);
    expect(model.problems[0]).toMatchObject({ field: 'apiVersion', kind: 'VirtualNode' });
  });
});
