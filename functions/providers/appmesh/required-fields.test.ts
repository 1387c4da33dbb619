/**
 * TLS fields App Mesh requires (API Reference `ClientPolicyTls.validation`, `ListenerTls.certificate`,
 * both "Required: Yes"; the controller's `json:"validation"` and `json:"certificate"` without
 * omitempty): a spec without them is rejected, so meshgov reports it where it is written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../core/findings';
import { shippedPolicy } from '../../../test/support/model';
import { auditInventory } from '../audit-inventory';
import { collectFiles } from '../files/collect';
import { effectiveClientPolicy } from './client-policy';
import { buildAppMeshModel } from './index';
import { ACM_CERT_ARN, MESH, NOW, apiNode, apiServiceByNode, dns, inventoryOf, listener } from './testdata/fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-appmesh-required-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function auditYaml(text: string): Promise<{ findings: Finding[]; file: string }> {
  const file = join(dir, 'nodes.yaml');
  writeFileSync(file, text);
  const report = await auditInventory(await collectFiles([dir]), { policy: shippedPolicy(), now: NOW });
  return { findings: report.findings, file };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** api (PERMISSIVE, its own CA) and web calling it with a client policy whose `tls` has no validation. */
const WEB_WITHOUT_VALIDATION = `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: api
  namespace: app
spec:
  meshRef:
    name: ${MESH}
  podSelector:
    matchLabels:
      app: api
  listeners:
    - portMapping:
        port: 8080
        protocol: http
      tls:
        mode: PERMISSIVE
        certificate:
          file:
            certificateChain: /certs/api/cert_chain.pem
            privateKey: /certs/api/key.pem
        validation:
          trust:
            file:
              certificateChain: /certs/ca.pem
  serviceDiscovery:
    dns:
      hostname: api.app.svc.cluster.local
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata:
  name: api
  namespace: app
spec:
  meshRef:
    name: ${MESH}
  awsName: api.app.svc.cluster.local
  provider:
    virtualNode:
      virtualNodeRef:
        name: api
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: web
  namespace: app
spec:
  meshRef:
    name: ${MESH}
  podSelector:
    matchLabels:
      app: web
  backendDefaults:
    clientPolicy:
      tls:
        certificate:
          file:
            certificateChain: /certs/web/cert_chain.pem
            privateKey: /certs/web/key.pem
  backends:
    - virtualService:
        virtualServiceRef:
          name: api
  serviceDiscovery:
    dns:
      hostname: web.app.svc.cluster.local
`;

describe('a client policy tls without validation', () => {
  test('config-invalid at its tls line, naming the field; the client is not taken to send mTLS, so STRICT on its destination is not auto', async () => {
    const { findings, file } = await auditYaml(WEB_WITHOUT_VALIDATION);
    // web's client policy tls: the last `tls:` of the file (the first is api's listener).
    const line = WEB_WITHOUT_VALIDATION.split('\n').lastIndexOf('      tls:') + 1;
    const invalid = findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0].resource).toMatchObject({ kind: 'VirtualNode', name: 'web', namespace: 'app', mesh: MESH, file, line });
    expect(invalid[0].detail).toMatchObject({ field: 'spec.backendDefaults.clientPolicy.tls.validation' });
    expect(invalid[0].message).toBe(
      `${file}:${line} spec.backendDefaults.clientPolicy.tls.validation: client policy tls has no validation; App Mesh requires one (a trust for the server certificate) for every client policy tls`,
    );
    const notEnforced = findings.find((f) => f.rule === 'mtls-client-not-enforced')!;
    expect(notEnforced.detail).toMatchObject({ sends: 'PLAINTEXT' });
    expect(notEnforced.message).toContain('what the client sends is unknown');
    const strict = findings.find((f) => f.rule === 'mtls-not-strict')!.remediation!;
    expect(strict).toMatchObject({ action: 'appmesh.listener.set-strict', mode: 'approval' });
    expect(strict.reason).toContain('VirtualNode app/web sends plaintext to VirtualNode app/api port 8080');
  });

  test("API JSON, a backend policy: the field names the backend's policy, and the client is taken as plaintext from its tls", () => {
    const api = [
      apiNode('ledger', { listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
      apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
      apiNode('orders-api', {
        backends: [
          {
            virtualService: {
              virtualServiceName: 'ledger.payments.svc.cluster.local',
              clientPolicy: { tls: { enforce: true, certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } } } },
            },
          },
        ],
        serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
      }),
    ];
    const model = buildAppMeshModel(inventoryOf({ api }), { now: NOW });
    expect(model.problems).toEqual([expect.objectContaining({ kind: 'VirtualNode', name: 'orders-api', field: 'spec.backends[0].virtualService.clientPolicy.tls.validation' })]);
    const client = model.clients[0];
    expect(client).toMatchObject({ sends: 'PLAINTEXT', cause: { scope: 'backend', path: 'spec.backends[0].virtualService.clientPolicy.tls' } });
  });

  test('effectiveClientPolicy: unknown, taken as plaintext, whatever else the tls says', () => {
    const certificate = { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } };
    for (const tls of [{ certificate }, { enforce: true, certificate, validation: null }, { enforce: false, certificate }]) {
      expect(effectiveClientPolicy(undefined, { tls: tls as any }, 8080)).toMatchObject({
        sends: 'PLAINTEXT',
        reason: 'tls has no validation trust, which App Mesh requires: the mesh rejects this spec, so what the client sends is unknown (taken as plaintext)',
      });
    }
  });
});

describe('a validation without its required trust', () => {
  test('a client policy validation that only pins SANs: config-invalid at the validation, and the client taken as plaintext', () => {
    const api = [
      apiNode('ledger', { listeners: [listener(8443, { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT_ARN } } })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') }),
      apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'),
      apiNode('orders-api', {
        backendDefaults: {
          clientPolicy: {
            tls: {
              certificate: { sds: { secretName: 'spiffe://prod-mesh.example.org/ns/orders/sa/orders-api' } },
              validation: { subjectAlternativeNames: { match: { exact: ['ledger.payments.svc.cluster.local'] } } },
            },
          },
        },
        backends: [{ virtualService: { virtualServiceName: 'ledger.payments.svc.cluster.local' } }],
        serviceDiscovery: dns('orders-api.orders.svc.cluster.local'),
      }),
    ];
    const model = buildAppMeshModel(inventoryOf({ api }), { now: NOW });
    expect(model.problems).toEqual([
      expect.objectContaining({ name: 'orders-api', field: 'spec.backendDefaults.clientPolicy.tls.validation', message: expect.stringContaining('validation has no trust') }),
    ]);
    expect(model.clients[0]).toMatchObject({ sends: 'PLAINTEXT' });
  });

  test('a listener validation without trust: config-invalid at the validation, with the port', () => {
    const api = [
      apiNode('ledger', {
        listeners: [listener(8443, { mode: 'STRICT', certificate: { acm: { certificateArn: ACM_CERT_ARN } }, validation: { subjectAlternativeNames: { match: { exact: ['orders-api.orders.svc.cluster.local'] } } } })],
        serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
      }),
    ];
    const model = buildAppMeshModel(inventoryOf({ api }), { now: NOW });
    expect(model.problems).toEqual([expect.objectContaining({ name: 'ledger', field: 'spec.listeners[0].tls.validation', port: 8443, message: expect.stringContaining('validation has no trust') })]);
  });
});

describe('a listener tls without certificate', () => {
  const LEDGER = `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: ledger
  namespace: payments
spec:
  meshRef:
    name: ${MESH}
  podSelector:
    matchLabels:
      app: ledger
  listeners:
    - portMapping:
        port: 8080
        protocol: http
    - portMapping:
        port: 8443
        protocol: http
      tls:
        mode: STRICT
  serviceDiscovery:
    dns:
      hostname: ledger.payments.svc.cluster.local
`;

  test('CRD: config-invalid at the listener tls line, with the port; the listener keeps its modelled mode', async () => {
    const { findings, file } = await auditYaml(LEDGER);
    const line = lineOf(LEDGER, 'tls:');
    const invalid = findings.filter((f) => f.rule === 'config-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0].resource).toMatchObject({ kind: 'VirtualNode', name: 'ledger', namespace: 'payments', mesh: MESH, port: 8443, file, line });
    expect(invalid[0].message).toBe(`${file}:${line} spec.listeners[1].tls.certificate: listener tls has no certificate; App Mesh requires one (acm, file or sds) for every listener tls`);
    expect(findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.port === 8443)!.detail).toMatchObject({ mode: 'TLS_NO_CLIENT_AUTH' });
  });

  test('API JSON: the same problem, for any mode', () => {
    const model = buildAppMeshModel(
      inventoryOf({ api: [apiNode('ledger', { listeners: [listener(8443, { mode: 'DISABLED' })], serviceDiscovery: dns('ledger.payments.svc.cluster.local') })] }),
      { now: NOW },
    );
    expect(model.problems).toEqual([expect.objectContaining({ kind: 'VirtualNode', name: 'ledger', port: 8443, field: 'spec.listeners[0].tls.certificate' })]);
    expect(model.servers[0].mode).toBe('DISABLED');
  });
});
