import { buildAppMeshModel } from './index';
import { ACM_CERT_ARN, MESH, NOW, apiMesh, apiNode, crd, crdMesh, dns, inventoryOf, listener } from './testdata/fixtures';

describe('App Mesh configuration problems', () => {
  test('an invalid TLS mode: a problem with the field path, and the listener is assumed plaintext', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('payments-api', {
            listeners: [listener(8080, { mode: 'Strict', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })],
            serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
          }, { file: 'appmesh/nodes.json', line: 40 }),
        ],
      }),
      { now: NOW },
    );
    expect(model.problems).toEqual([
      {
        file: 'appmesh/nodes.json',
        line: 40,
        field: 'spec.listeners[0].tls.mode',
        message: 'TLS mode "Strict" is not one of STRICT, PERMISSIVE, DISABLED',
        kind: 'VirtualNode',
        name: 'payments-api',
        port: 8080,
      },
    ]);
    expect(model.servers[0].mode).toBe('DISABLED');
  });

  test('a listener without portMapping: a problem, and no server for it', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        kube: [
          crdMesh(MESH, {}),
          crd('VirtualNode', 'payments', 'ledger', {
            listeners: [
              { portMapping: { port: 8080, protocol: 'http' } },
              { tls: { mode: 'STRICT', certificate: { acm: { certificateARN: ACM_CERT_ARN } } } },
            ],
            serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
            meshRef: { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' },
          }),
        ],
      }),
      { now: NOW },
    );
    expect(model.problems).toEqual([
      expect.objectContaining({ file: 'k8s/payments/ledger.yaml', field: 'spec.listeners[1].portMapping', kind: 'VirtualNode', name: 'ledger' }),
    ]);
    expect(model.servers.map((s) => s.id)).toEqual(['appmesh:prod-mesh/payments/VirtualNode/ledger:8080']);
  });

  test('an invalid protocol, and an ACM certificate where a client certificate is expected', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('orders-api', {
            listeners: [{ portMapping: { port: 8080, protocol: 'https' } }],
            backendDefaults: { clientPolicy: { tls: { certificate: { acm: { certificateArn: ACM_CERT_ARN } }, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } } } },
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
        ],
      }),
      { now: NOW },
    );
    expect(model.problems.map((p) => p.field)).toEqual(['spec.listeners[0].portMapping.protocol', 'spec.backendDefaults.clientPolicy.tls.certificate.acm']);
  });

  test('an API object whose mesh is not among the meshes read', () => {
    const stray = apiNode('payments-api', { listeners: [listener(8080)] });
    stray.doc.data.meshName = 'staging-mesh';
    const model = buildAppMeshModel(inventoryOf({ api: [apiMesh(), stray, apiNode('ledger', { listeners: [listener(8080)] })] }), { now: NOW });
    expect(model.problems).toEqual([
      expect.objectContaining({ field: 'meshName', kind: 'VirtualNode', name: 'payments-api', message: expect.stringContaining('staging-mesh') }),
    ]);
  });

  test('without any mesh object, no mesh is "unknown" (a scoped read of one node)', () => {
    const model = buildAppMeshModel(inventoryOf({ api: [apiNode('payments-api', { listeners: [listener(8080)] })] }), { now: NOW });
    expect(model.problems).toEqual([]);
  });

  test('resourceCount counts the App Mesh objects consumed, from both inputs', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [apiMesh(), apiNode('ledger', { listeners: [listener(8080)] })],
        kube: [
          crdMesh(MESH, {}),
          crd('VirtualNode', 'payments', 'ledger', { meshRef: { name: MESH, uid: '0b7c' } }),
          { doc: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } }, source: { file: 'k8s/ns.yaml', line: 1 } },
          { doc: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'payments' }, spec: { mtls: { mode: 'STRICT' } } }, source: { file: 'k8s/pa.yaml', line: 1 } },
        ],
      }),
      { now: NOW },
    );
    // The API mesh and the Mesh CRD are one mesh (crd-api-copies.ts); the two ledger nodes are not (awsName ledger_payments).
    expect(model.resourceCount).toBe(3);
  });
});
