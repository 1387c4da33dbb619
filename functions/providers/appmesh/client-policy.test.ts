import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { effectiveClientPolicy } from './client-policy';
import { buildAppMeshModel } from './index';
import { MESH, NOW, PCA_ARN, apiNode, apiServiceByNode, dns, inventoryOf, listener, paymentsApiNodeData } from './testdata/fixtures';

const acmTrust = { trust: { acm: { certificateAuthorityArns: [PCA_ARN] } } };
const sdsCert = { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } };
const fileCert = { file: { certificateChain: '/certs/orders-api/cert_chain.pem', privateKey: '/certs/orders-api/key.pem' } };

describe('effectiveClientPolicy', () => {
  test('no policy anywhere sends plaintext', () => {
    expect(effectiveClientPolicy(undefined, undefined, 8080)).toEqual({ sends: 'PLAINTEXT', reason: 'no client policy', scope: 'default' });
  });

  test('a client policy without tls sends plaintext', () => {
    expect(effectiveClientPolicy({}, undefined, 8080)).toMatchObject({ sends: 'PLAINTEXT', reason: 'client policy has no tls', scope: 'backend' });
  });

  test('enforce defaults to true: a policy without enforce and without certificate sends one-way TLS', () => {
    const e = effectiveClientPolicy(undefined, { tls: { validation: acmTrust } }, 8080);
    expect(e).toMatchObject({ sends: 'TLS', reason: 'no client certificate', scope: 'backendDefaults' });
  });

  test('enforce: false sends plaintext even with a certificate', () => {
    const e = effectiveClientPolicy({ tls: { enforce: false, certificate: sdsCert, validation: acmTrust } }, undefined, 8080);
    expect(e).toMatchObject({ sends: 'PLAINTEXT', reason: 'enforce: false', scope: 'backend' });
  });

  test("the backend's clientPolicy overrides backendDefaults, whichever is stronger", () => {
    const defaults = { tls: { certificate: sdsCert, validation: acmTrust } };
    expect(effectiveClientPolicy(undefined, defaults, 8080)).toMatchObject({ sends: 'MTLS', scope: 'backendDefaults' });
    expect(effectiveClientPolicy({ tls: { enforce: false, validation: acmTrust } }, defaults, 8080)).toMatchObject({ sends: 'PLAINTEXT', scope: 'backend' });
    expect(effectiveClientPolicy({ tls: { certificate: fileCert, validation: acmTrust } }, { tls: { enforce: false, validation: acmTrust } }, 8080)).toMatchObject({
      sends: 'MTLS',
      reason: 'enforced TLS with a certificate from file',
      scope: 'backend',
    });
  });

  test('tls.ports restricts the policy to those ports', () => {
    const policy = { tls: { ports: [8443], certificate: sdsCert, validation: acmTrust } };
    expect(effectiveClientPolicy(policy, undefined, 8443)).toMatchObject({ sends: 'MTLS' });
    expect(effectiveClientPolicy(policy, undefined, 8080)).toMatchObject({ sends: 'PLAINTEXT', reason: 'tls.ports [8443] excludes port 8080' });
    // Unknown port: the restriction cannot be applied.
    expect(effectiveClientPolicy(policy, undefined, undefined)).toMatchObject({ sends: 'MTLS' });
  });

  test('client certificates come from file or sds; ACM is not a client certificate', () => {
    expect(effectiveClientPolicy({ tls: { certificate: fileCert, validation: acmTrust } }, undefined)).toMatchObject({ sends: 'MTLS', reason: 'enforced TLS with a certificate from file' });
    expect(effectiveClientPolicy({ tls: { certificate: sdsCert, validation: acmTrust } }, undefined)).toMatchObject({ sends: 'MTLS', reason: 'enforced TLS with a certificate from sds' });
    const acm = effectiveClientPolicy({ tls: { certificate: { acm: { certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/x' } }, validation: acmTrust } } as any, undefined);
    expect(acm.sends).toBe('TLS');
  });
});

describe('App Mesh clients', () => {
  const ledger = () =>
    apiNode('ledger', {
      listeners: [listener(8080, { mode: 'STRICT', certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/payments/sa/ledger' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } })],
      serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    });

  test('one ClientPolicy per (virtual node, backend) with id, resource, cause, destination', () => {
    const payments = paymentsApiNodeData();
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          { doc: { type: 'virtualNode', data: payments }, source: { file: 'appmesh/payments-api.json', line: 1 } },
          ledger(),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
        ],
      }),
      { now: NOW },
    );
    expect(model.clients).toHaveLength(1);
    const client = model.clients[0];
    expect(client).toMatchObject({
      id: 'appmesh:prod-mesh/VirtualNode/payments-api->virtualService/ledger.payments.svc.cluster.local',
      provider: 'appmesh',
      resource: { kind: 'VirtualNode', name: 'payments-api', mesh: MESH, file: 'appmesh/payments-api.json', line: 1 },
      // The shared event's policy: enforce true, ACM trust, no client certificate.
      sends: 'TLS',
      reason: 'no client certificate',
      cause: { kind: 'VirtualNode', name: 'payments-api', mesh: MESH, scope: 'backend', source: { file: 'appmesh/payments-api.json', line: 1 } },
      destination: { hosts: ['ledger.payments.svc.cluster.local'], port: 8080, serverIds: ['appmesh:prod-mesh/VirtualNode/ledger:8080'] },
      inMeshDestination: true,
    });
    expect(client.resource.port).toBeUndefined();
  });

  test('a missing policy is plaintext with scope default; backendDefaults is used when the backend sets none', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('orders-api', {
            backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }],
            listeners: [listener(8080)],
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
          apiNode('checkout', {
            backendDefaults: { clientPolicy: { tls: { certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/checkout' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } } } },
            backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }],
            listeners: [listener(8080)],
            serviceDiscovery: dns('checkout.orders.svc.cluster.local'),
          }),
          ledger(),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
        ],
      }),
      { now: NOW },
    );
    const byName = Object.fromEntries(model.clients.map((c) => [c.resource.name, c]));
    expect(byName['orders-api']).toMatchObject({ sends: 'PLAINTEXT', reason: 'no client policy', cause: { scope: 'default' } });
    expect(byName['checkout']).toMatchObject({ sends: 'MTLS', reason: 'enforced TLS with a certificate from sds', cause: { scope: 'backendDefaults' } });
  });

  test('tls.ports splits one backend per port when the answer differs', () => {
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('orders-api', {
            backends: [
              {
                virtualService: {
                  virtualServiceName: 'ledger.payments.svc.cluster.local',
                  clientPolicy: { tls: { ports: [8443], certificate: sdsCert, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } } },
                },
              },
            ],
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
          apiNode('ledger', {
            listeners: [listener(8080), listener(8443, { mode: 'STRICT', certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/payments/sa/ledger' } }, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } })],
            serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
          }),
          apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
        ],
      }),
      { now: NOW },
    );
    const byId = Object.fromEntries(model.clients.map((c) => [c.id, c]));
    const base = 'appmesh:prod-mesh/VirtualNode/orders-api->virtualService/ledger.payments.svc.cluster.local';
    expect(Object.keys(byId).sort()).toEqual([`${base}:8080`, `${base}:8443`]);
    expect(byId[`${base}:8080`]).toMatchObject({ sends: 'PLAINTEXT', reason: 'tls.ports [8443] excludes port 8080', destination: { port: 8080, serverIds: ['appmesh:prod-mesh/VirtualNode/ledger:8080'] } });
    expect(byId[`${base}:8443`]).toMatchObject({ sends: 'MTLS', destination: { port: 8443, serverIds: ['appmesh:prod-mesh/VirtualNode/ledger:8443'] } });
    expect(byId[`${base}:8443`].fix).toBeUndefined();
    // The fix for 8080 adds the port to the restriction.
    const fixed = (byId[`${base}:8080`].fix!.change.spec as any).backends[0].virtualService.clientPolicy.tls;
    expect(fixed.ports).toEqual([8080, 8443]);
  });

  test('a backend whose virtual service is not read is still an in-mesh destination: not enforced is reported, with no conflict', () => {
    // A scoped read of one changed virtual node (normalize.ts): its backends' virtual services are not read.
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          apiNode('orders-api', {
            listeners: [listener(8080, { mode: 'STRICT', certificate: sdsCert, validation: { trust: { sds: { secretName: 'spiffe://prod-mesh.example.org' } } } })],
            backends: [{ virtualService: { virtualServiceName: 'fraud-check.risk.svc.cluster.local' } }],
            serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
          }),
        ],
      }),
      { now: NOW },
    );
    expect(model.clients).toHaveLength(1);
    // A backend is a virtual service, which exists only inside a mesh.
    expect(model.clients[0].inMeshDestination).toBe(true);
    expect(model.clients[0].destination).toEqual({ hosts: ['fraud-check.risk.svc.cluster.local'], serverIds: [] });
    const findings = auditModel(model, loadPolicy(), NOW).findings;
    expect(findings.filter((f) => f.rule === 'mtls-client-not-enforced')).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ kind: 'VirtualNode', name: 'orders-api', mesh: MESH }),
        detail: expect.objectContaining({ sends: 'PLAINTEXT', reason: 'no client policy', destination: ['fraud-check.risk.svc.cluster.local'] }),
      }),
    ]);
    // A conflict needs the server, which was not read.
    expect(findings.filter((f) => f.rule === 'mtls-conflict')).toEqual([]);
  });
});
