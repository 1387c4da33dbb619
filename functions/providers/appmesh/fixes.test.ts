import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { ENFORCE_ACTION } from './client-fix';
import { buildAppMeshModel } from './index';
import { NO_TRUST_SOURCE, SET_STRICT_ACTION } from './listener-fix';
import { CLIENT_CERTIFICATE_FILL } from './placeholders';
import {
  ACCOUNT,
  ACM_CERT_ARN,
  MESH,
  NOW,
  PCA_ARN,
  apiGateway,
  apiHttpRoute,
  apiMesh,
  apiRouter,
  apiServiceByRouter,
  apiNode,
  apiServiceByNode,
  crd,
  crdMesh,
  dns,
  inventoryOf,
  listener,
  paymentsApiNodeData,
  TESTDATA,
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
        // payments-api.virtual-node.json's metadata.uid: a node re-created since the audit has another.
        expectedUid: '5d8e1c3a-7b2f-4e9a-9c61-2f0d4b8a7e15',
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
    const fix = model.servers[0].fix!;
    expect(fix).toMatchObject({
      blockers: [`${NO_TRUST_SOURCE}, and replace the placeholder in tls.validation.trust.sds.secretName with the SDS secret of the CA bundle that issues client certificates`],
      manualOnly: true,
    });
    // STRICT without validation.trust is one-way TLS: the change carries a placeholder CA, in the SDS shape of the listener's certificate.
    expect((fix.change.spec as any).listeners[0].tls).toEqual({
      certificate: sds('ledger'),
      mode: 'STRICT',
      validation: { trust: { sds: { secretName: '<SDS secret name of the CA bundle that issues client certificates>' } } },
    });
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
    // App Mesh requires ListenerTls.certificate: the change is incomplete, and the plan says what to add.
    expect(fix.blockers).toEqual([
      'the listener of VirtualNode prod-mesh/ledger port 8080 has no TLS certificate: issue one and replace the placeholder in tls.certificate.sds.secretName with the SDS secret of its server certificate, before requiring mTLS (App Mesh rejects a listener tls without a certificate)',
    ]);
    // The certificate App Mesh requires is there, as a placeholder a person fills in (SDS, as the trust is).
    expect((fix.change.spec as any).listeners[0].tls).toEqual({
      certificate: { sds: { secretName: '<SDS secret name of the server certificate of VirtualNode ledger>' } },
      mode: 'STRICT',
      validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } },
    });
  });

  test('virtual gateway: update-virtual-gateway with the whole spec', () => {
    const gateway = apiGateway('ingress-gw', {
      listeners: [listener(8443, { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/ingress-gw/cert_chain.pem', privateKey: '/certs/ingress-gw/key.pem' } } })],
      logging: { accessLog: { file: { path: '/dev/stdout' } } },
    }, { version: 7 });
    const model = buildAppMeshModel(
      inventoryOf({
        api: [
          gateway,
          apiNode('ledger', { listeners: [listener(8080, { mode: 'STRICT', certificate: sds('ledger'), validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
        ],
      }),
      { now: NOW },
    );
    const fix = model.servers.find((s) => s.resource.kind === 'VirtualGateway')!.fix!;
    expect(fix.change).toMatchObject({ operation: 'update-virtual-gateway', meshName: MESH, virtualGatewayName: 'ingress-gw', expectedVersion: 7, expectedUid: gateway.doc.data.metadata.uid });
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

  describe('expectedUid: the incarnation the audit read, since a deleted and re-created node restarts at version 1', () => {
    const strictLedger = () =>
      apiNode('ledger', {
        listeners: [listener(8080, { mode: 'STRICT', certificate: { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } }, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
      });
    const fixWith = (metadata: (meta: Record<string, unknown>) => Record<string, unknown>) => {
      const input = paymentsApi();
      input.doc.data.metadata = metadata(input.doc.data.metadata);
      const model = buildAppMeshModel(inventoryOf({ api: [input, strictLedger()] }), { now: NOW });
      return model.servers.find((s) => s.id === 'appmesh:prod-mesh/VirtualNode/payments-api:8080')!.fix!;
    };

    test('from the API data, next to expectedVersion (also at version 1, where a re-created node starts)', () => {
      const fix = fixWith((meta) => ({ ...meta, version: 1, uid: '0e4f7a1c-3b5d-4e8f-9a2c-6d1b8e3f5a70' }));
      expect(fix.change).toMatchObject({ expectedVersion: 1, expectedUid: '0e4f7a1c-3b5d-4e8f-9a2c-6d1b8e3f5a70' });
      expect(Object.keys(fix.change)).toEqual(['operation', 'meshName', 'meshOwner', 'virtualNodeName', 'expectedVersion', 'expectedUid', 'resourceOwner', 'spec']);
    });

    test('describe JSON without a uid (or with one that is not a string): no expectedUid, the version check alone', () => {
      const without = fixWith(({ uid: _uid, ...meta }) => meta);
      expect(without.change).toMatchObject({ operation: 'update-virtual-node', expectedVersion: 3 });
      expect(without.change).not.toHaveProperty('expectedUid');
      for (const uid of [42, '', null]) {
        expect(fixWith((meta) => ({ ...meta, uid })).change).not.toHaveProperty('expectedUid');
      }
    });

    test('CRDs: the merge patch keeps expectedResourceVersion only (Kubernetes changes it across a re-creation)', () => {
      const model = buildAppMeshModel(
        inventoryOf({
          kube: [
            crdMesh(MESH, {}),
            crd('VirtualNode', 'payments', 'ledger', {
              listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: sds('ledger'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } } } } }],
              serviceDiscovery: { dns: { hostname: 'ledger.payments.svc.cluster.local' } },
              meshRef: { name: MESH, uid: '0b7c3a52-41e8-4b09-8a1d-6f2e9c0d4b17' },
            }),
          ],
        }),
        { now: NOW },
      );
      const change = model.servers[0].fix!.change;
      expect(change).toMatchObject({ operation: 'merge-patch', expectedResourceVersion: '48213' });
      expect(change).not.toHaveProperty('expectedUid');
    });
  });
});

describe('appmesh.listener.set-strict: a trust taken from the rest of the mesh must validate the callers', () => {
  const LEDGER = 'appmesh:prod-mesh/VirtualNode/ledger:8080';
  const pem = (path: string) => ({ file: `examples/appmesh/${path}`, text: readFileSync(join(TESTDATA, path), 'utf8') });
  /** ledger serves TLS without validation: its STRICT fix must take a trust from elsewhere. */
  const ledger = () =>
    apiNode('ledger', {
      listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } } })],
      serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    });
  /** Another listener of the mesh, whose validation trust is the one the mesh uses most. */
  const auditNode = (trust: Record<string, unknown>) =>
    apiNode('audit', {
      listeners: [listener(8080, { mode: 'STRICT', certificate: sds('audit'), validation: { trust } })],
      serviceDiscovery: dns('audit.payments.svc.cluster.local'),
    });
  /** payments-api calls ledger with mTLS, presenting `certificate`. */
  const caller = (certificate: Record<string, unknown>) =>
    apiNode('payments-api', {
      backends: [
        {
          virtualService: {
            virtualServiceName: 'ledger.payments.svc.cluster.local',
            clientPolicy: { tls: { enforce: true, certificate, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } } },
          },
        },
      ],
      serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
    });
  const fileCert = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };
  const fleet = (trust: Record<string, unknown>, certificate: Record<string, unknown>) => [
    apiMesh(),
    ledger(),
    apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
    auditNode(trust),
    caller(certificate),
  ];
  const auditOf = (model: ReturnType<typeof buildAppMeshModel>) =>
    auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'ledger')!;

  test("the chosen CA file signed the caller's certificate (signature checked): auto", () => {
    const model = buildAppMeshModel(
      inventoryOf({ api: fleet({ file: { certificateChain: '/certs/ca_cert.pem' } }, fileCert), pem: [pem('certs/payments-api/cert_chain.pem'), pem('certs/ca_cert.pem')] }),
      { now: NOW },
    );
    const fix = model.servers.find((s) => s.id === LEDGER)!.fix!;
    expect((fix.change.spec as any).listeners[0].tls.validation).toEqual({ trust: { file: { certificateChain: '/certs/ca_cert.pem' } } });
    expect(fix.blockers).toEqual([]);
    expect(auditOf(model).remediation).toMatchObject({ mode: 'auto' });
  });

  test("the chosen CA file did not sign the caller's certificate: STRICT would refuse the caller, so a person decides", () => {
    const model = buildAppMeshModel(
      inventoryOf({ api: fleet({ file: { certificateChain: '/certs/partner-ca.pem' } }, fileCert), pem: [pem('certs/payments-api/cert_chain.pem'), pem('certs/partner-ca.pem')] }),
      { now: NOW },
    );
    const refused = `VirtualNode prod-mesh/payments-api presents client certificate /certs/payments-api/cert_chain.pem, which /certs/partner-ca.pem does not validate: STRICT on VirtualNode prod-mesh/ledger port 8080 would refuse it`;
    expect(model.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([refused]);
    expect(auditOf(model).remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${refused}` });
  });

  test('without the PEM files nothing tells: the chosen trust is a guess a person confirms', () => {
    const model = buildAppMeshModel(inventoryOf({ api: fleet({ file: { certificateChain: '/certs/ca_cert.pem' } }, fileCert) }), { now: NOW });
    const guessed = `meshgov chose trust /certs/ca_cert.pem for VirtualNode prod-mesh/ledger port 8080 from the rest of the mesh, and cannot tell whether it validates the client certificates of VirtualNode prod-mesh/payments-api: confirm it`;
    expect(model.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([guessed]);
    expect(auditOf(model).remediation).toMatchObject({ mode: 'approval' });
  });

  test("SPIFFE: a trust domain validates the SVIDs of that domain and refuses another domain's", () => {
    const same = buildAppMeshModel(inventoryOf({ api: fleet({ sds: { secretName: MESH_TRUST_DOMAIN } }, sds('payments-api')) }), { now: NOW });
    expect(same.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([]);
    expect(auditOf(same).remediation).toMatchObject({ mode: 'auto' });

    const other = buildAppMeshModel(inventoryOf({ api: fleet({ sds: { secretName: 'spiffe://partner.example.com' } }, sds('payments-api')) }), { now: NOW });
    expect(other.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([
      `VirtualNode prod-mesh/payments-api presents client certificate ${MESH_TRUST_DOMAIN}/ns/payments/sa/payments-api, which spiffe://partner.example.com does not validate: STRICT on VirtualNode prod-mesh/ledger port 8080 would refuse it`,
    ]);
  });

  test('a caller that presents the same certificate to a STRICT listener validating with the chosen trust: known, auto', () => {
    const calledAlready = apiNode('payments-api', {
      backends: ['ledger', 'audit'].map((name) => ({
        virtualService: {
          virtualServiceName: `${name}.payments.svc.cluster.local`,
          clientPolicy: { tls: { enforce: true, certificate: fileCert, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } } },
        },
      })),
      serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
    });
    const fleetWithAudit = [
      apiMesh(),
      ledger(),
      apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
      apiNode('audit', {
        listeners: [listener(8080, { mode: 'STRICT', certificate: sds('audit'), validation: { trust: { file: { certificateChain: '/certs/partner-ca.pem' } } } })],
        serviceDiscovery: dns('audit.payments.svc.cluster.local'),
      }),
      apiServiceByNode('audit.payments.svc.cluster.local', 'audit'),
      calledAlready,
    ];
    const model = buildAppMeshModel(inventoryOf({ api: fleetWithAudit }), { now: NOW });
    expect(model.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([]);
    expect(auditOf(model).remediation).toMatchObject({ mode: 'auto' });
  });

  test("the listener's own validation trust is kept, and not second-guessed", () => {
    const own = apiNode('ledger', {
      listeners: [
        listener(8080, {
          mode: 'PERMISSIVE',
          certificate: { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } },
          validation: { trust: { file: { certificateChain: '/certs/partner-ca.pem' } } },
        }),
      ],
      serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
    });
    const model = buildAppMeshModel(
      inventoryOf({ api: [apiMesh(), own, apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'), caller(fileCert)] }),
      { now: NOW },
    );
    expect(model.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([]);
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
    expect(fix.change).toMatchObject({ operation: 'update-virtual-node', meshName: MESH, virtualNodeName: 'orders-api', expectedVersion: 12, expectedUid: orders.doc.data.metadata.uid });
    expect(fix.change.expectedUid).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    const spec = fix.change.spec as any;
    expect(spec.backends).toEqual([
      {
        virtualService: {
          virtualServiceName: 'ledger.payments.svc.cluster.local',
          // Without SANs App Mesh checks the SVID against the service discovery name, which it never is (discovery-pins.ts).
          clientPolicy: { tls: { enforce: true, certificate: sds('orders-api'), validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } }, subjectAlternativeNames: { match: { exact: [sds('ledger').sds.secretName] } } } } },
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
    // The change carries a placeholder for payments-api's own certificate instead.
    expect(tls.certificate).toEqual({
      file: { certificateChain: '<path of the client certificate chain of VirtualNode payments-api>', privateKey: '<path of the client private key of VirtualNode payments-api>' },
    });
    expect(client.fix!.manualOnly).toBe(true);
    // As the provider builds it; the engine joins the node's fixes once it knows the findings reported (object-fixes.test.ts).
    expect(client.fix!.blockers).toEqual([expect.stringMatching(/^no client certificate source known for VirtualNode prod-mesh\/payments-api/)]);
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
    expect(spec.backends[0].virtualService.clientPolicy.tls).toEqual({
      enforce: true,
      certificate: sds('orders-api'),
      validation: { trust: { sds: { secretName: MESH_TRUST_DOMAIN } }, subjectAlternativeNames: { match: { exact: [sds('ledger').sds.secretName] } } },
    });
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
      'the listener of VirtualNode prod-mesh/ledger port 8080 has TLS DISABLED: enforcing TLS toward it makes calls fail; enable TLS on the listener first',
      `no client certificate source known for VirtualNode prod-mesh/orders-api: issue one (file or sds) and ${CLIENT_CERTIFICATE_FILL}, before enforcing mTLS`,
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

  describe('the trust for the destination: known only from the destination itself, else a guess a person confirms', () => {
    const clientCert = { file: { certificateChain: '/certs/orders-api/cert_chain.pem', privateKey: '/certs/orders-api/key.pem' } };
    /** orders-api calls `service` with no client policy; it has a certificate of its own. */
    const ordersApi = (service: string) =>
      apiNode('orders-api', {
        backends: [{ virtualService: { virtualServiceName: service } }],
        listeners: [listener(8080, { mode: 'STRICT', certificate: clientCert, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } })],
        serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
      });
    /** Nodes calling a partner's API through client policies that trust the partner's CA: the mesh's most used client trust. */
    const partnerCallers = (trust: Record<string, unknown>) =>
      ['billing-sync', 'invoice-export'].map((name) =>
        apiNode(name, {
          backends: [{ virtualService: { virtualServiceName: 'api.partner.example.com', clientPolicy: { tls: { certificate: sds(name), validation: { trust } } } } }],
          serviceDiscovery: dns(`${name}.payments.svc.cluster.local`),
        }),
      );
    const enforceFixOf = (model: ReturnType<typeof buildAppMeshModel>) => model.clients.find((c) => c.resource.name === 'orders-api')!.fix!;
    const trustOf = (fix: { change: { spec?: unknown } }) => (fix.change.spec as any).backends[0].virtualService.clientPolicy.tls.validation.trust;

    test("the destination listener's own validation trust names the CA of its callers, not of its certificate: the proposal is a guess", () => {
      const ledger = apiNode('ledger', {
        listeners: [
          // PERMISSIVE: orders-api's plaintext still gets through, so no conflict decides the verdict.
          listener(8080, {
            mode: 'PERMISSIVE',
            certificate: { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } },
            validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } },
          }),
        ],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
      });
      const model = buildAppMeshModel(
        inventoryOf({
          api: [apiMesh(), ordersApi('ledger.payments.svc.cluster.local'), ledger, apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'), ...partnerCallers({ file: { certificateChain: '/certs/partner-ca.pem' } })],
        }),
        { now: NOW },
      );
      const fix = enforceFixOf(model);
      // ledger's PEM file was not read: nothing shows which CA signed it, so the mesh's most used client trust is proposed.
      expect(trustOf(fix)).toEqual({ file: { certificateChain: '/certs/partner-ca.pem' } });
      const guessed = `the CA that signs the certificate of virtual service ledger.payments.svc.cluster.local is not known: meshgov guessed /certs/partner-ca.pem from other client policies of mesh ${MESH}; confirm it`;
      expect(fix.blockers).toEqual([guessed]);
      const finding = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'orders-api')!;
      expect(finding.remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${guessed}` });
    });

    test('an ACM certificate, whose Private CA no App Mesh object names: the pooled trust is a guess, and the fix needs approval', () => {
      const ledger = apiNode('ledger', {
        listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
      });
      const model = buildAppMeshModel(
        inventoryOf({
          api: [apiMesh(), ordersApi('ledger.payments.svc.cluster.local'), ledger, apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'), ...partnerCallers({ acm: { certificateAuthorityArns: [PCA_ARN] } })],
        }),
        { now: NOW },
      );
      const fix = enforceFixOf(model);
      const guessed = `the CA that signs the certificate of virtual service ledger.payments.svc.cluster.local is not known: meshgov guessed ${PCA_ARN} from other client policies of mesh ${MESH}; confirm it`;
      expect(fix.blockers).toEqual([guessed]);
      expect(fix.manualOnly).toBeUndefined();
      // The proposal stays in the change, for the person approving it.
      expect(trustOf(fix)).toEqual({ acm: { certificateAuthorityArns: [PCA_ARN] } });
      const finding = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-client-not-enforced' && f.resource.name === 'orders-api')!;
      expect(finding.remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${guessed}` });
    });

    describe('a file certificate: known when the PEM files read show which trust file the mesh uses holds its issuer', () => {
      const paymentsApiTls = () =>
        apiNode('payments-api', {
          // PERMISSIVE without validation: the listener itself names no CA.
          listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } } })],
          serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
        });
      // A third node trusts the mesh CA once; the partner CA is used twice, so it is the most used.
      const fleet = () => [
        apiMesh(),
        ordersApi('payments-api.payments.svc.cluster.local'),
        paymentsApiTls(),
        apiServiceByNode('payments-api.payments.svc.cluster.local', 'payments-api'),
        ...partnerCallers({ file: { certificateChain: '/certs/partner-ca.pem' } }),
        apiNode('refunds', {
          backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local', clientPolicy: { tls: { certificate: sds('refunds'), validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } } } } }],
          serviceDiscovery: dns('refunds.payments.svc.cluster.local'),
        }),
      ];
      const pem = (path: string) => ({ file: `examples/appmesh/${path}`, text: readFileSync(join(TESTDATA, path), 'utf8') });

      test('the CA file that signed it (signature checked), though another CA is used more', () => {
        const model = buildAppMeshModel(
          inventoryOf({ api: fleet(), pem: [pem('certs/payments-api/cert_chain.pem'), pem('certs/ca_cert.pem'), pem('certs/partner-ca.pem')] }),
          { now: NOW },
        );
        const fix = enforceFixOf(model);
        expect(trustOf(fix)).toEqual({ file: { certificateChain: '/certs/ca_cert.pem' } });
        expect(fix.blockers).toEqual([]);
      });

      test('without the PEM files the issuer is not known: the most used file trust is a guess', () => {
        const fix = enforceFixOf(buildAppMeshModel(inventoryOf({ api: fleet() }), { now: NOW }));
        expect(trustOf(fix)).toEqual({ file: { certificateChain: '/certs/partner-ca.pem' } });
        expect(fix.blockers).toEqual([
          `the CA that signs the certificate of virtual service payments-api.payments.svc.cluster.local is not known: meshgov guessed /certs/partner-ca.pem from other client policies of mesh ${MESH}; confirm it`,
        ]);
      });
    });

    test("an SDS certificate named by its SPIFFE ID: the bundle of that ID's trust domain", () => {
      const ledger = apiNode('ledger', {
        listeners: [listener(8080, { mode: 'PERMISSIVE', certificate: sds('ledger') })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
      });
      const model = buildAppMeshModel(
        inventoryOf({
          api: [apiMesh(), ordersApi('ledger.payments.svc.cluster.local'), ledger, apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'), ...partnerCallers({ sds: { secretName: 'spiffe://partner.example.com' } })],
        }),
        { now: NOW },
      );
      const fix = enforceFixOf(model);
      expect(trustOf(fix)).toEqual({ sds: { secretName: MESH_TRUST_DOMAIN } });
      expect(fix.blockers).toEqual([]);
    });

    test('listeners reached through a router whose certificates come from different CAs: a person confirms the one proposed', () => {
      // SVIDs of two SPIRE trust domains (a migration): each domain's bundle validates only its own.
      const node = (name: string, domain: string) =>
        apiNode(name, {
          listeners: [listener(8080, { mode: 'STRICT', certificate: { sds: { secretName: `${domain}/ns/payments/sa/${name}` } }, validation: { trust: { sds: { secretName: domain } } } })],
          serviceDiscovery: dns(`${name}.payments.svc.cluster.local`),
        });
      const model = buildAppMeshModel(
        inventoryOf({
          api: [
            apiMesh(),
            ordersApi('ledger.payments.svc.cluster.local'),
            node('ledger-v1', MESH_TRUST_DOMAIN),
            node('ledger-v2', 'spiffe://prod-mesh-2027.example.org'),
            apiRouter('ledger-router', [8080]),
            apiHttpRoute('canary', 'ledger-router', [
              { virtualNode: 'ledger-v1', weight: 90 },
              { virtualNode: 'ledger-v2', weight: 10 },
            ]),
            apiServiceByRouter('ledger.payments.svc.cluster.local', 'ledger-router'),
          ],
        }),
        { now: NOW },
      );
      const fix = enforceFixOf(model);
      expect(trustOf(fix)).toEqual({ sds: { secretName: MESH_TRUST_DOMAIN } });
      expect(fix.blockers).toEqual([
        `the listeners behind virtual service ledger.payments.svc.cluster.local are signed by different CAs (${MESH_TRUST_DOMAIN}, spiffe://prod-mesh-2027.example.org): meshgov took ${MESH_TRUST_DOMAIN}; confirm one trust validates them all`,
        // Two SVIDs: which to pin is a person's choice.
        `the listeners behind virtual service ledger.payments.svc.cluster.local serve the SVIDs ${MESH_TRUST_DOMAIN}/ns/payments/sa/ledger-v1, spiffe://prod-mesh-2027.example.org/ns/payments/sa/ledger-v2: without subjectAlternativeNames App Mesh checks each against its service discovery name, which a SPIFFE ID does not match; choose the names to pin in validation.subjectAlternativeNames`,
        // The trust taken is known to refuse the other domain's SVID.
        `with the client policy this change writes, toward appmesh:prod-mesh/VirtualNode/ledger-v2:8080: the client validates server certificates with ${MESH_TRUST_DOMAIN}, which does not validate the listener certificate spiffe://prod-mesh-2027.example.org/ns/payments/sa/ledger-v2, so its TLS handshakes fail`,
      ]);
    });
  });
});
