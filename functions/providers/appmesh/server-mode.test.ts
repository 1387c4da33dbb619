import { buildAppMeshModel } from './index';
import { effectiveListenerMode } from './server-mode';
import {
  ACM_CERT_ARN,
  MESH,
  NOW,
  apiGateway,
  apiNode,
  apiServiceByNode,
  dns,
  inventoryOf,
  listener,
  paymentsApiNodeData,
} from './testdata/fixtures';

const acmCert = { acm: { certificateArn: ACM_CERT_ARN } };
const sdsTrust = { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } };

describe('effectiveListenerMode', () => {
  test.each([
    ['no tls', undefined, 'DISABLED'],
    ['tls.mode DISABLED', { mode: 'DISABLED', certificate: acmCert }, 'DISABLED'],
    ['tls.mode PERMISSIVE', { mode: 'PERMISSIVE', certificate: acmCert }, 'PERMISSIVE'],
    ['STRICT without validation', { mode: 'STRICT', certificate: acmCert }, 'TLS_NO_CLIENT_AUTH'],
    ['STRICT with an empty validation', { mode: 'STRICT', certificate: acmCert, validation: { trust: {} } }, 'TLS_NO_CLIENT_AUTH'],
    ['STRICT with sds validation', { mode: 'STRICT', certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/payments-api' } }, validation: sdsTrust }, 'STRICT'],
    [
      'STRICT with file validation',
      { mode: 'STRICT', certificate: acmCert, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } },
      'STRICT',
    ],
    ['an invalid mode, assumed plaintext', { mode: 'strict', certificate: acmCert }, 'DISABLED'],
  ])('%s', (_name, tls, mode) => {
    expect(effectiveListenerMode(tls as any).mode).toBe(mode);
  });
});

describe('App Mesh servers', () => {
  test('one server per listener of virtual nodes and gateways, with id, resource, cause and hosts', () => {
    const payments = paymentsApiNodeData();
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          { doc: { type: 'virtualNode', data: payments }, source: { file: 'appmesh/payments-api.json', line: 1 } },
          apiServiceByNode('payments-api.payments.svc.cluster.local', 'payments-api'),
          apiGateway('ingress-gw', { listeners: [listener(8443, { mode: 'STRICT', certificate: acmCert }, 'http')] }),
        ],
      }),
      { now: NOW },
    );

    expect(model.servers).toHaveLength(2);
    const server = model.servers.find((s) => s.resource.kind === 'VirtualNode')!;
    expect(server.id).toBe('appmesh:prod-mesh/VirtualNode/payments-api:8080');
    expect(server.provider).toBe('appmesh');
    expect(server.mode).toBe('PERMISSIVE');
    expect(server.inMesh).toBe(true);
    expect(server.resource).toEqual({ kind: 'VirtualNode', name: 'payments-api', mesh: MESH, port: 8080, file: 'appmesh/payments-api.json', line: 1 });
    expect(server.cause).toEqual({
      kind: 'VirtualNode',
      name: 'payments-api',
      mesh: MESH,
      scope: 'listener',
      path: 'spec.listeners[0].tls.mode',
      source: { file: 'appmesh/payments-api.json', line: 1 },
    });
    // The DNS hostname and the virtual service name happen to be the same: listed once.
    expect(server.hosts).toEqual(['payments-api.payments.svc.cluster.local']);

    const gateway = model.servers.find((s) => s.resource.kind === 'VirtualGateway')!;
    expect(gateway.id).toBe('appmesh:prod-mesh/VirtualGateway/ingress-gw:8443');
    expect(gateway.mode).toBe('TLS_NO_CLIENT_AUTH');
    expect(gateway.resource.port).toBe(8443);
  });

  test('each listener mode reaches the model', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('plain', { listeners: [listener(8080)], serviceDiscovery: dns('plain.payments.svc.cluster.local') }),
          apiNode('disabled', { listeners: [listener(8080, { mode: 'DISABLED', certificate: acmCert })], serviceDiscovery: dns('disabled.payments.svc.cluster.local') }),
          apiNode('strict-mutual', {
            listeners: [listener(8080, { mode: 'STRICT', certificate: acmCert, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })],
            serviceDiscovery: dns('strict-mutual.payments.svc.cluster.local'),
          }),
        ],
      }),
      { now: NOW },
    );
    const modes = Object.fromEntries(model.servers.map((s) => [s.resource.name, s.mode]));
    expect(modes).toEqual({ plain: 'DISABLED', disabled: 'DISABLED', 'strict-mutual': 'STRICT' });
    expect(model.servers.find((s) => s.resource.name === 'strict-mutual')!.fix).toBeUndefined();
    expect(model.servers.find((s) => s.resource.name === 'plain')!.fix).toBeDefined();
  });

  test('Cloud Map service discovery gives serviceName.namespaceName as a host', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('ledger', {
            listeners: [listener(9090, undefined, 'grpc')],
            serviceDiscovery: { awsCloudMap: { namespaceName: 'payments.local', serviceName: 'ledger' } },
          }),
        ],
      }),
      { now: NOW },
    );
    expect(model.servers[0].hosts).toEqual(['ledger.payments.local']);
  });

  test('a deleted virtual node is consumed but not modelled', () => {
    const node = apiNode('orders-api-legacy', { listeners: [listener(8080)], serviceDiscovery: dns('orders-api-legacy.orders.svc.cluster.local') });
    node.doc.data.status = { status: 'DELETED' };
    const model = buildAppMeshModel(inventoryOf({ api: [node] }), { now: NOW });
    expect(model.servers).toEqual([]);
    expect(model.resourceCount).toBe(1);
  });
});
