import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditModel } from '../../core/audit';
import { loadPolicy } from '../../core/policy/load';
import { buildAppMeshModel } from './index';
import { NOW, TESTDATA, apiMesh, apiNode, apiServiceByNode, dns, inventoryOf, listener } from './testdata/fixtures';

const LEDGER = 'appmesh:prod-mesh/VirtualNode/ledger:8080';
const pem = (path: string) => ({ file: `examples/appmesh/${path}`, text: readFileSync(join(TESTDATA, path), 'utf8') });
const fileCert = { file: { certificateChain: '/certs/payments-api/cert_chain.pem', privateKey: '/certs/payments-api/key.pem' } };

/**
 * ledger is PERMISSIVE with a validation of its own (trust, and SAN pins when given), which
 * PERMISSIVE does not enforce on every caller.
 */
const ledger = (trustFile: string, pinned?: string[]) =>
  apiNode('ledger', {
    listeners: [
      listener(8080, {
        mode: 'PERMISSIVE',
        certificate: { file: { certificateChain: '/certs/ledger/cert_chain.pem', privateKey: '/certs/ledger/key.pem' } },
        validation: {
          trust: { file: { certificateChain: trustFile } },
          ...(pinned ? { subjectAlternativeNames: { match: { exact: pinned } } } : {}),
        },
      }),
    ],
    serviceDiscovery: dns('ledger.payments.svc.cluster.local'),
  });

/** payments-api calls ledger with mTLS, presenting its own file certificate. */
const paymentsApi = () =>
  apiNode('payments-api', {
    backends: [
      {
        virtualService: {
          virtualServiceName: 'ledger.payments.svc.cluster.local',
          clientPolicy: { tls: { enforce: true, certificate: fileCert, validation: { trust: { file: { certificateChain: '/certs/ca_cert.pem' } } } } },
        },
      },
    ],
    serviceDiscovery: dns('payments-api.payments.svc.cluster.local'),
  });

function modelOf(trustFile: string, pinned?: string[]) {
  const api = [apiMesh(), ledger(trustFile, pinned), apiServiceByNode('ledger.payments.svc.cluster.local', 'ledger'), paymentsApi()];
  return buildAppMeshModel(inventoryOf({ api, pem: [pem('certs/payments-api/cert_chain.pem'), pem(trustFile.replace(/^\//, ''))] }), { now: NOW });
}

describe("appmesh.listener.set-strict keeping the listener's own trust", () => {
  it("is held for a person when that trust is shown to refuse a caller's client certificate", () => {
    const model = modelOf('/certs/partner-ca.pem');
    const fix = model.servers.find((s) => s.id === LEDGER)!.fix!;
    // The trust is kept as written: only STRICT would start refusing the caller.
    expect((fix.change.spec as any).listeners[0].tls).toMatchObject({ mode: 'STRICT', validation: { trust: { file: { certificateChain: '/certs/partner-ca.pem' } } } });
    const refused = `VirtualNode prod-mesh/payments-api presents client certificate /certs/payments-api/cert_chain.pem, which /certs/partner-ca.pem does not validate: STRICT on VirtualNode prod-mesh/ledger port 8080 would refuse it`;
    expect(fix.blockers).toEqual([refused]);
    const finding = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'ledger')!;
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${refused}` });
  });

  it("stays auto when that trust signed the caller's certificate", () => {
    const model = modelOf('/certs/ca_cert.pem');
    expect(model.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([]);
  });
});

describe("appmesh.listener.set-strict keeping the listener's own subjectAlternativeNames pins", () => {
  it("is held for a person when the pins miss a caller's client certificate (its PEM file read)", () => {
    // payments-api's certificate carries DNS:payments-api.payments.svc.cluster.local only.
    const model = modelOf('/certs/ca_cert.pem', ['billing.payments.svc.cluster.local']);
    const fix = model.servers.find((s) => s.id === LEDGER)!.fix!;
    // The pins are kept as written: only STRICT would start enforcing them on the caller.
    expect((fix.change.spec as any).listeners[0].tls.validation.subjectAlternativeNames).toEqual({ match: { exact: ['billing.payments.svc.cluster.local'] } });
    const refused = `the listener's subjectAlternativeNames [billing.payments.svc.cluster.local] do not match the client certificate of VirtualNode prod-mesh/payments-api (the client certificate /certs/payments-api/cert_chain.pem carries payments-api.payments.svc.cluster.local): STRICT on VirtualNode prod-mesh/ledger port 8080 would refuse it`;
    expect(fix.blockers).toEqual([refused]);
    const finding = auditModel(model, loadPolicy(), NOW).findings.find((f) => f.rule === 'mtls-not-strict' && f.resource.name === 'ledger')!;
    expect(finding.remediation).toMatchObject({ mode: 'approval', reason: `preconditions do not hold: ${refused}` });
  });

  it("stays auto when a pin matches the caller's certificate", () => {
    const model = modelOf('/certs/ca_cert.pem', ['billing.payments.svc.cluster.local', 'payments-api.payments.svc.cluster.local']);
    expect(model.servers.find((s) => s.id === LEDGER)!.fix!.blockers).toEqual([]);
  });
});
